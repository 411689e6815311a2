# Copyright (c) mmadvseg contributors. All rights reserved.
import json
import os
import os.path as osp

import cv2
import pytest

from mmadvseg.datasets.convert import (
    ConvertSpec,
    ConvertTask,
    convert_images,
    make_tasks,
)
from mmadvseg.datasets.layouts import (
    is_complete_png,
    output_paths,
    paired_path,
    scan_images,
    unpaired_paths,
)
from mmadvseg.datasets.record import read_settings
from mmadvseg.datasets.sketch import Sketcher, build_sketcher


def _tasks(paths, split='train'):
    return [ConvertTask(p, osp.splitext(osp.basename(p))[0], split)
            for p in paths]


def test_awkward_inputs_never_stop_a_run(tmp_path, awkward_images, capsys):
    spec = ConvertSpec(str(tmp_path / 'out'), build_sketcher('canny'), 32)
    report = convert_images(_tasks(sorted(awkward_images.values())), spec,
                            progress=False)
    status = {osp.splitext(osp.basename(r.src))[0]: r.status
              for r in report.results}
    assert status == dict(color='done', gray='done', rgba='done',
                          palette='done', odd='done', gray16='done',
                          corrupt='failed', truncated='failed',
                          damaged='failed', empty='failed')
    err = capsys.readouterr().err
    for kind in ('corrupt', 'truncated', 'damaged', 'empty'):
        assert awkward_images[kind] in err  # reported as it happens
    summary = report.summary()
    assert '6 converted' in summary and '4 failed' in summary
    assert all(r.message in summary for r in report.failures)
    # the damaged JPEG (grey bottom half) used to be written as a sample
    assert 'damaged JPEG (Corrupt JPEG data' in summary
    assert not osp.exists(paired_path(spec.out_dir, 'train', 'damaged'))
    # transparent palette entries are white paper, as alpha is
    palette = cv2.imread(paired_path(spec.out_dir, 'train', 'palette'))
    assert (palette[:, 32:40] == 255).all()
    for name in ('color', 'gray', 'rgba', 'palette', 'odd', 'gray16'):
        ab = cv2.imread(paired_path(spec.out_dir, 'train', name))
        assert ab.shape == (32, 64, 3)
    # keeping the size of the odd image still gives equal A|B halves
    keep = ConvertSpec(str(tmp_path / 'keep'), spec.sketcher, None)
    convert_images(_tasks([awkward_images['odd']]), keep, progress=False)
    assert cv2.imread(paired_path(keep.out_dir, 'train', 'odd')).shape == (
        17, 66, 3)


def _photos(folder, photo_factory, num=8):
    os.makedirs(folder)
    paths = []
    for i in range(num):
        paths.append(osp.join(folder, f'p{i}.png'))
        cv2.imwrite(paths[-1], photo_factory(i, 30 + i, 40))
    return paths


def _tree_bytes(root):
    return {
        osp.relpath(p, root): open(p, 'rb').read()
        for p in scan_images(root)
    }


def test_parallel_output_is_deterministic(tmp_path, photo_factory):
    tasks = make_tasks(
        {f'p{i}': p
         for i, p in enumerate(_photos(tmp_path / 'src', photo_factory))},
        num_test=3, seed=1)
    sketcher = build_sketcher('xdog', preset='xdog_paper')
    trees = []
    for nproc in (1, 2):
        spec = ConvertSpec(str(tmp_path / f'out{nproc}'), sketcher, 24)
        report = convert_images(tasks, spec, nproc=nproc, progress=False)
        assert report.count('done') == 8
        trees.append(_tree_bytes(spec.out_dir))
    assert trees[0] == trees[1] and len(trees[0]) == 8 * 3


class _Interrupt(KeyboardInterrupt):
    pass


def test_interrupted_run_resumes(tmp_path, photo_factory, monkeypatch):
    """Stop a conversion after 3 images (as Ctrl-C would), damage one
    output, rerun: only the missing work is done and nothing is lost."""
    tasks = make_tasks({
        f'p{i}': p
        for i, p in enumerate(_photos(tmp_path / 'src', photo_factory))
    }, num_test=2)
    sketcher = build_sketcher('canny')
    clean = ConvertSpec(str(tmp_path / 'clean'), sketcher, 24)
    convert_images(tasks, clean, progress=False)

    spec = ConvertSpec(str(tmp_path / 'out'), sketcher, 24)
    calls = []
    real_call = Sketcher.__call__

    def flaky(self, img):
        if len(calls) == 3:
            raise _Interrupt()
        calls.append(1)
        return real_call(self, img)

    monkeypatch.setattr(Sketcher, '__call__', flaky)
    with pytest.raises(_Interrupt):
        convert_images(tasks, spec, progress=False)
    monkeypatch.setattr(Sketcher, '__call__', real_call)
    done = [t for t in tasks
            if all(map(osp.exists, output_paths(spec.out_dir, t.split,
                                                t.name)))]
    assert len(done) == 3
    # a half-written output (e.g. copied by hand) is detected and redone
    victim = unpaired_paths(spec.out_dir, done[0].split, done[0].name)[1]
    data = open(victim, 'rb').read()
    open(victim, 'wb').write(data[:len(data) // 2])
    assert not is_complete_png(victim)

    report = convert_images(tasks, spec, progress=False)
    assert report.count('skipped') == 2
    assert report.count('done') == len(tasks) - 2
    assert _tree_bytes(spec.out_dir) == _tree_bytes(clean.out_dir)
    again = convert_images(tasks, spec, progress=False)
    assert again.count('skipped') == len(tasks)
    forced = convert_images(
        tasks, ConvertSpec(spec.out_dir, sketcher, 24, overwrite=True),
        progress=False)
    assert forced.count('done') == len(tasks)


def test_rerun_with_other_sources_never_shares_a_sample(
        tmp_path, photo_factory):
    """A source removed (say, a broken file) moves another sample into the
    test split on the rerun; its old train copy goes, so no image is in
    both splits."""
    sources = {
        f'p{i}': p
        for i, p in enumerate(_photos(tmp_path / 'src', photo_factory))
    }
    spec = ConvertSpec(str(tmp_path / 'out'), build_sketcher('canny'), 24)
    first = make_tasks(sources, num_test=2)
    convert_images(first, spec, progress=False)
    removed = next(t.name for t in first if t.split == 'test')
    del sources[removed]
    second = make_tasks(sources, num_test=2)
    report = convert_images(second, spec, progress=False)
    moved = [r for r in report.results if r.message.startswith('moved')]
    assert len(moved) == 1
    for layout in ('paired', 'unpaired'):
        train, test = (
            {osp.splitext(osp.basename(p))[0]
             for p in scan_images(osp.join(spec.out_dir, layout))
             if f'{split}' in osp.dirname(p).split(os.sep)[-1]}
            for split in ('train', 'test'))
        assert not train & test, layout


def test_rerun_with_other_settings_refused_unless_overwrite(
        tmp_path, photo_factory):
    tasks = make_tasks({
        f'p{i}': p
        for i, p in enumerate(_photos(tmp_path / 'src', photo_factory))
    }, num_test=2)
    out = str(tmp_path / 'out')
    convert_images(tasks, ConvertSpec(out, build_sketcher('canny'), 24),
                   progress=False)
    before = _tree_bytes(out)
    with pytest.raises(ValueError, match='other settings.*--overwrite'):
        convert_images(tasks, ConvertSpec(out, build_sketcher('xdog'), 24),
                       progress=False)
    assert _tree_bytes(out) == before  # nothing touched
    redo = convert_images(
        tasks, ConvertSpec(out, build_sketcher('xdog'), 24, overwrite=True),
        progress=False)
    assert redo.count('done') == len(tasks)
    again = convert_images(tasks, ConvertSpec(out, build_sketcher('xdog'), 24),
                           progress=False)
    assert again.count('skipped') == len(tasks)


def test_duplicate_names_rejected(tmp_path):
    spec = ConvertSpec(str(tmp_path), build_sketcher('canny'))
    tasks = [ConvertTask('a.png', 'x', 'train'),
             ConvertTask('b.png', 'x', 'test')]
    with pytest.raises(ValueError, match=r"duplicates: \['x'\]"):
        convert_images(tasks, spec, progress=False)


def test_settings_recorded(tmp_path, photo_factory):
    tasks = make_tasks({
        f'p{i}': p
        for i, p in enumerate(_photos(tmp_path / 'src', photo_factory, 2))
    }, num_test=0)
    out = str(tmp_path / 'out')
    convert_images(tasks, ConvertSpec(out, build_sketcher(
        'xdog', preset='xdog_paper', threshold=0.5), 24, 'crop'),
                   progress=False)
    assert read_settings(out) == dict(
        sketch='xdog', size=24, resize_mode='crop',
        params=dict(sigma=0.8, k=1.6, gamma=0.98, phi=200.0, eps=-0.01,
                    threshold=0.5))
    with open(osp.join(out, 'conversion.json')) as f:
        assert json.load(f) == read_settings(out)


def test_stale_partials_removed(tmp_path, photo_factory):
    """The temporary files of a writer that died go on the next run; a
    live writer's stay."""
    tasks = make_tasks({
        f'p{i}': p
        for i, p in enumerate(_photos(tmp_path / 'src', photo_factory, 2))
    }, num_test=0)
    spec = ConvertSpec(str(tmp_path / 'out'), build_sketcher('canny'), 24)
    convert_images(tasks, spec, progress=False)
    folder = osp.dirname(paired_path(spec.out_dir, 'train', 'p0'))
    dead_pid = 2**22 + 1  # above any pid_max: no such process
    dead = osp.join(folder, f'p0.png.{dead_pid}.0a1b2c3d.partial')
    alive = osp.join(folder, f'p1.png.{os.getpid()}.0a1b2c3d.partial')
    for path in (dead, alive):
        open(path, 'wb').write(b'half a png')
    report = convert_images(tasks, spec, progress=False)
    assert report.count('skipped') == 2
    assert not osp.exists(dead) and osp.exists(alive)
