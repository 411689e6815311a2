# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import os.path as osp

from mmagic.registry import HOOKS
from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook


def _atomic_write_text(path: str, text: str) -> None:
    tmp = f'{path}.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """A ``CheckpointHook`` whose periodic checkpoints are never left
    corrupt.

    mmengine's hook deletes the oldest checkpoint *before* writing the new
    one, writes the checkpoint in place and then rewrites ``last_checkpoint``
    in place: a process killed meanwhile can leave a truncated checkpoint, a
    ``last_checkpoint`` pointing at a deleted or half-written file, or an
    empty pointer. Here the checkpoint is written to ``<name>.tmp`` and
    renamed, the pointer is replaced atomically, and outdated checkpoints are
    removed only after both. ``--resume`` therefore always finds a complete
    checkpoint. Arguments are those of ``CheckpointHook``; other storage
    backends than local files, and ``save_best`` checkpoints, keep mmengine's
    behaviour.
    """

    def _save_checkpoint_with_step(self, runner, step, meta) -> None:
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        # bookkeeping first, so the checkpoint carries it, deletion last
        stale = self._update_keep_ids(runner, step)
        ckpt_filename = self.filename_tmpl.format(step)
        path = osp.join(self.out_dir, ckpt_filename)
        self.last_ckpt = path
        runner.message_hub.update_info('last_ckpt', path)
        runner.save_checkpoint(
            self.out_dir,
            f'{ckpt_filename}.tmp',
            self.file_client_args,
            save_optimizer=self.save_optimizer,
            save_param_scheduler=self.save_param_scheduler,
            meta=meta,
            by_epoch=self.by_epoch,
            backend_args=self.backend_args,
            **self.args)
        if not is_main_process():
            return
        os.replace(f'{path}.tmp', path)
        _atomic_write_text(osp.join(runner.work_dir, 'last_checkpoint'), path)
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
