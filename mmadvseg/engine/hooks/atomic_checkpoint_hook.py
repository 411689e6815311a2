# Copyright (c) mmadvseg contributors. All rights reserved.
import functools
import os
import os.path as osp
from typing import Any, Dict, Optional

from mmagic.registry import HOOKS
from mmengine.dist import (
    gather_object,
    get_rank,
    get_world_size,
    is_main_process,
)
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from ...utils.fileio import atomic_write
from ..resume import (
    LAST_CHECKPOINT,
    STATE_KEY,
    capture_run_state,
    check_resumable,
    restore_buffers,
    restore_rng,
    resume_checkpoint,
    rng_state,
    seed_everything,
    unwrap,
)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """A ``CheckpointHook`` whose checkpoints are never left corrupt and
    resume the very run they were saved from.

    mmengine's hook deletes the oldest checkpoint *before* writing the new
    one, writes the checkpoint in place and then rewrites ``last_checkpoint``
    in place: a process killed meanwhile can leave a truncated checkpoint, a
    ``last_checkpoint`` pointing at a deleted or half-written file, or an
    empty pointer. Here the checkpoint and the pointer are written with
    :func:`~mmadvseg.utils.fileio.atomic_write` (a temporary file, synced,
    then renamed), and outdated checkpoints are removed only after both.
    ``last_checkpoint`` holds the path relative to the work dir, so a moved
    or copied work dir resumes from its own checkpoints.

    Each checkpoint also holds what mmengine leaves out (see
    :mod:`mmadvseg.engine.resume`): the random generators and image buffers
    of every process. On ``resume`` the hook refuses a checkpoint without
    optimizer state or of another model layout, refills the buffers, and
    puts the generators back once mmengine has replayed the batches already
    trained on, after running the validation that the interrupted run had
    due right after the checkpoint.

    Validation leaves the random generators as it found them, and seeds
    them before each of its batches from the seed, the iteration and the
    batch: what it draws (Pix2Pix's test-time dropout, metrics that build a
    network on first use) neither takes from training's random numbers nor
    depends on what ran before. A run validated at other points, or
    resumed after its first validation, trains on the same numbers and
    validates alike. On CPU a resumed run then ends with the weights of an
    uninterrupted one, bit for bit.

    Args:
        buffer_limit_mb (float): Image buffers larger than this are not
            saved (a resumed run then starts them empty, with a warning).
            Defaults to 1024.
        Others: those of ``CheckpointHook``; other storage backends than
            local files, and ``save_best`` checkpoints, keep mmengine's
            behaviour.
    """

    def __init__(self, *args, buffer_limit_mb: float = 1024,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.buffer_limit_mb = buffer_limit_mb
        self._buffers_warned = False
        self._run_state: Optional[Dict[str, Any]] = None  # for the next save
        self._resume_rng: Optional[Dict[str, Any]] = None  # to put back
        self._val_rng: Optional[Dict[str, Any]] = None  # during validation

    # ------------------------------------------------------------ saving
    def before_run(self, runner) -> None:
        # mmengine's own auto-resume reads last_checkpoint as a path from
        # the current directory; give it the work dir's checkpoint
        if getattr(runner, '_resume', False) and runner._load_from is None:
            runner._load_from = resume_checkpoint(runner.work_dir)

    def before_train(self, runner) -> None:
        super().before_train(runner)
        if not self.save_optimizer:
            runner.logger.warning(
                'Checkpoints are saved without optimizer state '
                '(save_optimizer=False): --resume will refuse them.')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Any = None,
                         outputs: Any = None) -> None:
        if not self.by_epoch and (
                self.every_n_train_iters(runner, self.interval,
                                         self.save_begin) or
            (self.save_last and self.is_last_train_iter(runner))):
            self._capture(runner)
        super().after_train_iter(runner, batch_idx, data_batch, outputs)

    def after_train_epoch(self, runner) -> None:
        self._finish_resume(runner)  # iteration loop resumed at its end
        if self.by_epoch and (
                self.every_n_epochs(runner, self.interval, self.save_begin) or
            (self.save_last and self.is_last_train_epoch(runner))):
            self._capture(runner)
        super().after_train_epoch(runner)

    def _capture(self, runner) -> None:
        """Take every process's random state for the coming checkpoint
        (a collective call: every rank runs it)."""
        state = capture_run_state(
            unwrap(runner.model), int(self.buffer_limit_mb * 2**20))
        if state['buffers'] is None and not self._buffers_warned:
            self._buffers_warned = True
            runner.logger.warning(
                f'The image buffers hold more than {self.buffer_limit_mb} MB'
                ' and are not saved: a resumed run starts them empty. Raise '
                'default_hooks.checkpoint.buffer_limit_mb to save them.')
        # rank 0 writes the checkpoint: it gets every rank's state
        ranks = gather_object(state) if get_world_size() > 1 else [state]
        self._run_state = dict(ranks=ranks, epoch_end=self.by_epoch)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._run_state is not None:
            checkpoint[STATE_KEY], self._run_state = self._run_state, None

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        # bookkeeping first, so the checkpoint carries it, deletion last
        stale = self._update_keep_ids(runner, step)
        ckpt_filename = self.filename_tmpl.format(step)
        path = osp.join(self.out_dir, ckpt_filename)
        self.last_ckpt = path
        runner.message_hub.update_info('last_ckpt', path)
        save = functools.partial(
            runner.save_checkpoint,
            self.out_dir,
            file_client_args=self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            save(ckpt_filename)  # hooks run on every rank; rank 0 writes
            return
        with atomic_write(path) as tmp:
            save(osp.basename(tmp))
        with atomic_write(osp.join(runner.work_dir, LAST_CHECKPOINT),
                          'w') as f:
            f.write(osp.relpath(path, runner.work_dir))
        for old in stale:
            old = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if osp.isfile(old):
                os.remove(old)

    def _update_keep_ids(self, runner, step: int) -> list:
        """Record ``step`` among the kept checkpoints; return the steps
        whose checkpoints are now outdated."""
        if self.max_keep_ckpts <= 0 or (self.keep_ckpt_ids
                                        and self.keep_ckpt_ids[-1] == step):
            return []
        stale = []
        if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
            stale.append(self.keep_ckpt_ids.popleft())
        self.keep_ckpt_ids.append(step)
        runner.message_hub.update_info('keep_ckpt_ids',
                                       list(self.keep_ckpt_ids))
        return stale

    # ---------------------------------------------------------- resuming
    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not getattr(runner, '_resume', False):
            return  # load_from: weights only, mmengine's rules
        model = unwrap(runner.model)
        path = getattr(runner, '_load_from', None) or 'the checkpoint'
        check_resumable(checkpoint, model, path)
        saved = checkpoint.get(STATE_KEY)
        if saved is None:
            runner.logger.warning(
                f'{path} holds no random state (saved by an earlier '
                'version): the resumed run draws other random numbers than '
                'an uninterrupted one would.')
            return
        ranks = saved['ranks']
        if len(ranks) != get_world_size():
            runner.logger.warning(
                f'{path} was saved by {len(ranks)} processes, this run has '
                f'{get_world_size()}: the random state is not restored.')
            return
        state = ranks[get_rank()]
        if state['buffers'] is None:
            runner.logger.warning(
                f'{path} holds no image buffers (they were over '
                'buffer_limit_mb): they start empty, so the run differs from '
                'an uninterrupted one.')
        else:
            restore_buffers(model, state['buffers'])
        self._resume_rng = state['rng']
        if not saved['epoch_end'] and not hasattr(runner.train_loop,
                                                  'dataloader_iterator'):
            runner.logger.warning(
                f'{path} was saved within an epoch: mmengine restarts that '
                'epoch from its first batch, so the data order differs from '
                'an uninterrupted run.')

    def before_train_epoch(self, runner) -> None:
        if self._resume_rng is None:
            return
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator'):
            # IterBasedTrainLoop: restore after it replays the batches of
            # the iterations already done, before the next one
            loop.dataloader_iterator = _AfterReplay(
                loop, runner.iter, functools.partial(self._finish_resume,
                                                     runner))
        else:
            self._finish_resume(runner)

    def after_train(self, runner) -> None:
        self._finish_resume(runner)  # epoch loop resumed at its end
        super().after_train(runner)

    def before_val(self, runner) -> None:
        self._val_rng = rng_state()

    def before_val_iter(self, runner, batch_idx: int,
                        data_batch: Any = None) -> None:
        seed_everything(runner.seed, runner.iter, batch_idx)

    def after_val(self, runner) -> None:
        if self._val_rng is not None:
            restore_rng(self._val_rng)
            self._val_rng = None

    def _finish_resume(self, runner) -> None:
        """Put the random generators back where the checkpoint left them,
        then run the validation that followed the checkpoint."""
        if self._resume_rng is None:
            return
        state, self._resume_rng = self._resume_rng, None
        for missed in restore_rng(state):
            runner.logger.warning(f'Not restored: {missed}.')
        if _validation_due(runner):
            runner.logger.info('Running the validation that followed the '
                               'checkpoint in the interrupted run.')
            runner.val_loop.run()
            runner.model.train()


class _AfterReplay:
    """The iterator of an ``IterBasedTrainLoop``, calling ``callback``
    once the loop has skipped ``skip`` batches, before the next one."""

    def __init__(self, loop, skip: int, callback) -> None:
        self._loop = loop
        self._iterator = loop.dataloader_iterator
        self._skip = skip
        self._callback = callback

    def __iter__(self) -> '_AfterReplay':
        return self

    def __next__(self):
        if self._skip > 0:
            self._skip -= 1
        else:
            self._loop.dataloader_iterator = self._iterator
            self._callback()
        return next(self._iterator)


def _validation_due(runner) -> bool:
    """Whether the train loop validates at its current position, as
    mmengine's ``IterBasedTrainLoop`` and ``EpochBasedTrainLoop`` decide."""
    loop = runner.train_loop
    if runner.val_loop is None:
        return False
    loop._decide_current_val_interval()
    if hasattr(loop, 'dataloader_iterator'):
        count, last = loop.iter, loop.max_iters
    else:
        count, last = loop.epoch, loop.max_epochs
    return count >= loop.val_begin and (count % loop.val_interval == 0
                                        or count == last)
