# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import logging
import os
import os.path as osp
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmagic.structures import DataSample

from mmadvseg.engine.hooks import SaveTestResultsHook
from mmadvseg.engine.runs import RunError


class _Dataset:
    """The part of a test dataset the hook reads: source paths."""

    def __init__(self, paths):
        self.paths = paths

    def __len__(self):
        return len(self.paths)

    def get_data_info(self, index):
        return dict(pair_path=self.paths[index])


def _runner(work_dir: str, paths=()) -> SimpleNamespace:
    loop = SimpleNamespace(dataloaders=[SimpleNamespace(
        dataset=_Dataset(list(paths)))])
    return SimpleNamespace(
        work_dir=work_dir,
        logger=logging.getLogger('save_test_results'),
        test_loop=loop)


def _sample(value: int, **metainfo) -> DataSample:
    sample = DataSample(metainfo=metainfo)
    # mmagic's layout: (C, H, W), BGR, 0-255 floats
    sample.fake_photo = torch.stack([torch.full((4, 6), float(value)),
                                     torch.zeros(4, 6),
                                     torch.full((4, 6), 255.0)])
    return sample


def _test(hook, runner, batches, metrics=None) -> None:
    """What mmagic's test loop calls."""
    hook.before_test(runner)
    for i, batch in enumerate(batches):
        hook.after_test_iter(runner, i, outputs=batch)
    hook.after_test_epoch(runner, metrics=metrics or {})


def test_images_named_after_their_source_and_metrics_saved(tmp_path):
    hook = SaveTestResultsHook(provenance=dict(checkpoint='/w/iter_6.pth',
                                               checkpoint_sha256='ab12'))
    runner = _runner(str(tmp_path))
    _test(hook, runner, [[
        _sample(10, pair_path='/data/test/sheep_001.jpg'),
        _sample(20, img_sketch_path='/data/testA/sheep_002.png'),
        _sample(30)
    ]], metrics={'FID/fid': np.float64(1.5)})
    image = cv2.imread(osp.join(tmp_path, 'images', 'sheep_001.png'))
    assert image.shape == (4, 6, 3)
    np.testing.assert_array_equal(image[0, 0], [10, 0, 255])  # BGR kept
    assert osp.isfile(osp.join(tmp_path, 'images', 'sheep_002.png'))
    assert osp.isfile(osp.join(tmp_path, 'images', '0_000002.png'))
    with open(osp.join(tmp_path, 'metrics.json')) as f:
        record = json.load(f)
    assert record['metrics'] == {'FID/fid': 1.5}
    assert record['num_images'] == 3
    assert record['images'] == osp.join(tmp_path, 'images')
    assert record['checkpoint'] == '/w/iter_6.pth'
    assert record['checkpoint_sha256'] == 'ab12'
    assert sorted(os.listdir(tmp_path)) == ['images', 'metrics.json']


def test_same_names_in_sub_folders_are_kept_apart(tmp_path):
    """Two test images named alike in two sub-folders used to overwrite
    each other (8 written, 4 files)."""
    paths = [f'/data/test/{sub}/{i}.png' for sub in 'ab' for i in range(2)]
    runner = _runner(str(tmp_path), paths)
    _test(SaveTestResultsHook(), runner,
          [[_sample(i, pair_path=p)] for i, p in enumerate(paths)])
    images = osp.join(tmp_path, 'images')
    found = sorted(
        osp.relpath(osp.join(r, f), images)
        for r, _, fs in os.walk(images) for f in fs)
    assert found == ['a/0.png', 'a/1.png', 'b/0.png', 'b/1.png']
    with open(osp.join(tmp_path, 'metrics.json')) as f:
        assert json.load(f)['num_images'] == 4


def test_sources_that_would_share_a_name_are_refused(tmp_path):
    runner = _runner(str(tmp_path), ['/d/test/x.jpg', '/d/test/x.png'])
    with pytest.raises(RunError, match='x.png and .*x.jpg would both be '
                       'written as x.png'):
        SaveTestResultsHook().before_test(runner)


def test_earlier_results_refused_unless_overwrite(tmp_path):
    runner = _runner(str(tmp_path))
    _test(SaveTestResultsHook(), runner, [[_sample(1, pair_path='/d/a.png')]])
    with pytest.raises(FileExistsError, match='images holds the results of '
                       'an earlier test; pass --overwrite'):
        SaveTestResultsHook().before_test(runner)
    _test(SaveTestResultsHook(overwrite=True), runner,
          [[_sample(2, pair_path='/d/b.png')]])
    assert os.listdir(osp.join(tmp_path, 'images')) == ['b.png']


def test_an_interrupted_test_leaves_the_earlier_results(tmp_path):
    """A rerun killed midway used to leave the new model's first images
    among the old ones, beside the old metrics.json."""
    runner = _runner(str(tmp_path))
    old = [[_sample(1, pair_path=f'/d/{i}.png')] for i in range(3)]
    _test(SaveTestResultsHook(provenance=dict(checkpoint='old.pth')), runner,
          old, {'FID/fid': 9.0})
    before = {
        f: open(osp.join(tmp_path, 'images', f), 'rb').read()
        for f in os.listdir(osp.join(tmp_path, 'images'))
    }
    hook = SaveTestResultsHook(overwrite=True,
                               provenance=dict(checkpoint='new.pth'))
    hook.before_test(runner)
    hook.after_test_iter(runner, 0,
                         outputs=[_sample(200, pair_path='/d/0.png')])
    # killed here: no after_test_epoch
    after = {
        f: open(osp.join(tmp_path, 'images', f), 'rb').read()
        for f in os.listdir(osp.join(tmp_path, 'images'))
    }
    assert after == before
    with open(osp.join(tmp_path, 'metrics.json')) as f:
        assert json.load(f)['checkpoint'] == 'old.pth'
    # the next test removes what the killed one left
    os.rename(hook._tmp, hook._tmp.replace(str(os.getpid()), '4194305'))
    _test(SaveTestResultsHook(overwrite=True), runner, old)
    assert sorted(os.listdir(tmp_path)) == ['images', 'metrics.json']


def test_a_missing_output_key_is_named(tmp_path):
    hook = SaveTestResultsHook(fake_key='fake_img')
    runner = _runner(str(tmp_path))
    hook.before_test(runner)
    with pytest.raises(KeyError, match="no 'fake_img'.*fake_photo"):
        hook.after_test_iter(runner, 0, outputs=[_sample(1)])


def _training_run(work_dir) -> list:
    """A training run's files: checkpoints, their pointer, a log."""
    os.makedirs(osp.join(work_dir, '20240101_000000'))
    files = ['epoch_1.pth', 'last_checkpoint', 'cfg.py',
             osp.join('20240101_000000', '20240101_000000.log')]
    for name in files:
        with open(osp.join(work_dir, name), 'w') as f:
            f.write(name)
    return sorted(files)


def _tree(folder) -> list:
    return sorted(osp.relpath(osp.join(root, name), folder)
                  for root, _, names in os.walk(folder) for name in names)


@pytest.mark.parametrize('image_dir,error', [
    ('run', 'the image folder {run} is the work dir {run} or above it'),
    ('.', 'the image folder {root}/. is the work dir {run} or above it'),
    ('run/', 'the image folder {run}/ is the work dir {run} or above it'),
    ('other', 'the image folder {root}/other holds the checkpoint '
     '{root}/other/sub/old.pth: the test would replace it'),
])
def test_a_test_never_replaces_a_training_run(tmp_path, image_dir, error):
    """``--work-dir runH --image-dir runH --overwrite`` used to replace the
    run's checkpoints, logs and last_checkpoint with the test images."""
    run = str(tmp_path / 'run')
    files = _training_run(run)
    other = tmp_path / 'other' / 'sub'
    other.mkdir(parents=True)
    (other / 'old.pth').write_bytes(b'x')
    image_dir = osp.join(str(tmp_path), image_dir)
    runner = _runner(run)
    hook = SaveTestResultsHook(out_dir=image_dir, overwrite=True)
    with pytest.raises(RunError) as err:
        _test(hook, runner, [[_sample(10, pair_path='/d/a.jpg')]])
    assert str(err.value).startswith(
        error.format(run=run, root=tmp_path)), str(err.value)
    assert '\n' not in str(err.value)
    assert _tree(run) == files
    assert (other / 'old.pth').is_file()


def test_metrics_never_replace_a_checkpoint(tmp_path):
    run = str(tmp_path / 'run')
    files = _training_run(run)
    for name in ('epoch_1.pth', 'last_checkpoint'):
        hook = SaveTestResultsHook(metrics_file=osp.join(run, name),
                                   overwrite=True)
        with pytest.raises(RunError, match=f'the metrics file {run}/{name} '
                           "is a checkpoint's name: the test would replace"):
            _test(hook, _runner(run), [[_sample(10)]])
    assert _tree(run) == files


@pytest.mark.parametrize('where,error', [
    ('folder', '{out} is a folder, not a file'),
    ('under a file', 'cannot write {out}: {root}/notes.txt is not a folder'),
])
def test_an_unwritable_metrics_file_stops_the_test_first(tmp_path, where,
                                                         error):
    """A bad ``--out`` used to fail only once every image was made."""
    (tmp_path / 'notes.txt').write_text('x')
    out = str(tmp_path / ('results' if where == 'folder' else
                          'notes.txt/metrics.json'))
    os.makedirs(tmp_path / 'results')
    hook = SaveTestResultsHook(metrics_file=out)
    runner = _runner(str(tmp_path / 'work'))
    with pytest.raises(RunError) as err:
        hook.before_test(runner)
    assert str(err.value).startswith(error.format(out=out, root=tmp_path))
    assert str(err.value).endswith('choose another --image-dir or --out '
                                   '(checked before the test, which would '
                                   'fail at its end)')
