# Copyright (c) mmadvseg contributors. All rights reserved.
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest

from mmadvseg.datasets.layouts import (
    is_complete_png,
    output_paths,
    paired_path,
    scan_images,
    unpaired_paths,
)
from mmadvseg.datasets.sketch import extract
from mmadvseg.datasets.sketch.extract import (
    ConvertSpec,
    ConvertTask,
    ImageReadError,
    Sketcher,
    build_sketcher,
    convert_images,
    decode_image,
    make_tasks,
    read_image,
    resize_photo,
    run_parallel,
)


def test_read_awkward_images(awkward_images):
    color = read_image(awkward_images['color'])
    assert color.shape == (48, 64, 3) and color.dtype == np.uint8
    gray = read_image(awkward_images['gray'])
    assert gray.shape == (40, 40, 3)
    assert (gray[..., 0] == gray[..., 1]).all()
    rgba = read_image(awkward_images['rgba'])
    assert rgba.shape == (40, 40, 3)
    assert (rgba[:, :20] == 255).all()  # transparent -> white paper
    assert read_image(awkward_images['odd']).shape == (17, 33, 3)
    gray16 = read_image(awkward_images['gray16'])
    expected = cv2.imread(awkward_images['gray16'], cv2.IMREAD_UNCHANGED)
    assert (gray16[..., 0] == expected >> 8).all()


@pytest.mark.parametrize('kind,reason', [('corrupt', 'cannot decode'),
                                         ('truncated', 'truncated JPEG'),
                                         ('empty', 'empty file')])
def test_read_bad_images(awkward_images, kind, reason):
    with pytest.raises(ImageReadError) as err:
        read_image(awkward_images[kind])
    msg = str(err.value)
    assert msg.startswith(awkward_images[kind]) and reason in msg
    assert 'delete' in msg  # the fix
    with pytest.raises(ImageReadError, match='file not found'):
        read_image(awkward_images[kind] + '.missing')


def test_jpeg_end_marker_found_past_thumbnails_and_before_trailers():
    ok, jpeg = cv2.imencode('.jpg', np.full((16, 16, 3), 90, np.uint8))
    jpeg = jpeg.tobytes()
    # an APP1 segment with an end marker of its own, like an EXIF thumbnail
    payload = b'Exif\x00\x00' + b'\xff\xd8thumb\xff\xd9'
    app1 = b'\xff\xe1' + (len(payload) + 2).to_bytes(2, 'big') + payload
    with_thumb = jpeg[:2] + app1 + jpeg[2:]
    expected = decode_image(jpeg)
    np.testing.assert_array_equal(decode_image(with_thumb), expected)
    # data after the image (motion photos, vendor trailers) is fine
    trailer = with_thumb + b'\xff\xd8 video \x00' * 400
    np.testing.assert_array_equal(decode_image(trailer), expected)
    with pytest.raises(ImageReadError, match='truncated JPEG'):
        decode_image(with_thumb[:-40], 'cut.jpg')


def test_resize_photo():
    img = np.zeros((30, 50, 3), np.uint8)
    img[:, 10:40] = 255  # the centre square
    assert resize_photo(img, 16).shape == (16, 16, 3)
    crop = resize_photo(img, 10, 'crop')
    assert crop.shape == (10, 10, 3) and (crop == 255).all()
    assert resize_photo(img, 16, 'none') is img
    assert resize_photo(img, None) is img
    with pytest.raises(ValueError, match='resize mode'):
        resize_photo(img, 16, 'fit')


def test_build_sketcher(tmp_path, hed_weights):
    sk = build_sketcher('xdog', preset='xdog_paper', phi=100.0, eps=None)
    assert dict(sk.params)['phi'] == 100.0
    assert dict(sk.params)['k'] == 1.6
    assert pickle.loads(pickle.dumps(sk)) == sk
    assert build_sketcher('canny', low=10, high=20).method == 'canny'
    with pytest.raises(ValueError, match='unknown sketch method'):
        build_sketcher('pencil')
    with pytest.raises(TypeError):
        build_sketcher('canny', sigma=2)  # a parameter canny does not have
    missing = str(tmp_path / 'hed.pth')
    with pytest.raises(FileNotFoundError, match='HED weights not found'):
        build_sketcher('hed', weights=missing)
    hed = build_sketcher('hed', weights=hed_weights, postprocess=True)
    out = hed(np.zeros((20, 20, 3), np.uint8))
    assert out.shape == (20, 20) and set(np.unique(out)) <= {0, 255}


def _tasks(paths, split='train'):
    return [ConvertTask(p, osp.splitext(osp.basename(p))[0], split)
            for p in paths]


def test_awkward_inputs_never_stop_a_run(tmp_path, awkward_images, capsys):
    spec = ConvertSpec(str(tmp_path / 'out'), build_sketcher('canny'), 32)
    report = convert_images(_tasks(sorted(awkward_images.values())), spec,
                            progress=False)
    status = {osp.splitext(osp.basename(r.src))[0]: r.status
              for r in report.results}
    assert status == dict(color='done', gray='done', rgba='done', odd='done',
                          gray16='done', corrupt='failed', truncated='failed',
                          empty='failed')
    err = capsys.readouterr().err
    for kind in ('corrupt', 'truncated', 'empty'):
        assert awkward_images[kind] in err  # reported as it happens
    summary = report.summary()
    assert '5 converted' in summary and '3 failed' in summary
    assert all(r.message in summary for r in report.failures)
    for name in ('color', 'gray', 'rgba', 'odd', 'gray16'):
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


def _square(x):
    return x * x


def test_run_parallel_keeps_order():
    seen = []
    out = run_parallel(_square, list(range(20)), nproc=2, progress=False,
                       on_result=seen.append)
    assert out == seen == [x * x for x in range(20)]
    assert run_parallel(_square, [3], nproc=4, progress=False) == [9]
    assert extract._WORKER_FN is None  # the parent process is untouched
