# Copyright (c) mmadvseg contributors. All rights reserved.
import argparse
import json
import os.path as osp
import pickle

import cv2
import pytest

from mmadvseg.datasets.convert_cli import (
    add_conversion_args,
    convert_ade20k,
    convert_coco,
    convert_folder,
    run_conversion,
)
from mmadvseg.datasets.layouts import scan_images
from mmadvseg.datasets.sketch import Sketcher

#: The options of tools/dataset_converters/coco_subset.py at their defaults.
COCO_DEFAULTS = dict(match='any', min_area=0.0, include_crowd=False,
                     split='random', max_images=None)


def parse(out, *argv, **tool_args):
    """Converter arguments: the shared options plus the tool's own."""
    parser = argparse.ArgumentParser()
    add_conversion_args(parser)
    args = parser.parse_args(
        ['--nproc', '1', '--size', '24', '--no-progress', *map(str, argv)])
    vars(args).update(out=str(out), **tool_args)
    return args


def photo_folder(folder, photo_factory, num, bad=()):
    """``{name: path}`` of ``num`` photos; the names in ``bad`` corrupt."""
    folder.mkdir(parents=True)
    sources = {}
    for i in range(num):
        sources[f'p{i}'] = str(folder / f'p{i}.jpg')
        if f'p{i}' in bad:
            (folder / f'p{i}.jpg').write_bytes(b'\xff\xd8broken')
        else:
            cv2.imwrite(sources[f'p{i}'], photo_factory(i))
    return sources


def test_interrupted_conversion_resumes(tmp_path, photo_factory, monkeypatch,
                                        capsys):
    """Interrupt a conversion after two images; the rerun converts only
    the remaining ones, and the corrupt image is reported, not fatal."""
    sources = photo_folder(tmp_path / 'src', photo_factory, 6, bad=['p5'])
    out = tmp_path / 'out'
    args = parse(out, '--sketch', 'canny', '--num-test', '2')
    real_call = Sketcher.__call__
    calls = []

    def interrupted(self, img):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(1)
        return real_call(self, img)

    monkeypatch.setattr(Sketcher, '__call__', interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_conversion(args, sources)
    monkeypatch.setattr(Sketcher, '__call__', real_call)
    capsys.readouterr()
    first = {p: open(p, 'rb').read() for p in scan_images(out)}
    assert len(first) == 2 * 3  # two samples, three files each

    counted = []

    def counting(self, img):
        counted.append(1)
        return real_call(self, img)

    monkeypatch.setattr(Sketcher, '__call__', counting)
    assert run_conversion(args, sources) == 1  # p5 is corrupt
    captured = capsys.readouterr()
    assert '6 images (4 train, 2 test)' in captured.out
    assert '2 already done (skipped)' in captured.out
    assert sources['p5'] in captured.out
    assert len(counted) == 6 - 2 - 1  # 6 selected, 2 done, 1 corrupt
    files = {p: open(p, 'rb').read() for p in scan_images(out)}
    assert len(files) == 5 * 3
    assert all(files[p] == data for p, data in first.items())


def test_splits(tmp_path, photo_factory):
    sources = photo_folder(tmp_path / 'src', photo_factory, 10)
    out = tmp_path / 'out'
    assert run_conversion(parse(out, '--layouts', 'unpaired'), sources) == 0
    # --test-ratio defaults to 0.1; only the unpaired layout is written
    assert len(scan_images(osp.join(out, 'unpaired', 'testA'))) == 1
    assert not osp.exists(osp.join(out, 'paired'))
    fixed = {n: 'test' if n == 'p3' else 'train' for n in sources}
    out2 = tmp_path / 'out2'
    assert run_conversion(parse(out2), sources, fixed) == 0
    assert scan_images(osp.join(out2, 'paired', 'test')) == [
        osp.join(out2, 'paired', 'test', 'p3.png')]


def test_bad_options_are_one_line(tmp_path, photo_factory, capsys):
    sources = photo_folder(tmp_path / 'src', photo_factory, 3)
    out = tmp_path / 'out'
    # bad options: one line each, no traceback, nothing written
    assert run_conversion(parse(out, '--size', '0'), sources) == 1
    assert 'size must be a positive' in capsys.readouterr().err
    assert run_conversion(parse(out, '--num-test', '99'), sources) == 1
    assert 'num_test=99 is not within' in capsys.readouterr().err
    assert run_conversion(parse(out, '--sketch', 'hed', '--hed-weights',
                                tmp_path / 'no.pth'), sources) == 1
    assert 'HED weights not found' in capsys.readouterr().err
    assert not osp.exists(out)
    assert run_conversion(parse(out), {}) == 1
    assert 'No images selected' in capsys.readouterr().err
    # a rerun with other settings: refused, with the way out
    assert run_conversion(parse(out, '--sketch', 'canny'), sources) == 0
    assert run_conversion(parse(out), sources) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: ') and '--overwrite' in err
    assert len(err.strip().splitlines()) == 1
    assert run_conversion(parse(out, '--overwrite'), sources) == 0


def test_converter_input_errors(tmp_path, capsys):
    ann = tmp_path / 'instances.json'
    ann.write_text(json.dumps(dict(images=[], annotations=[], categories=[
        dict(id=1, name='sheep')])))
    out = tmp_path / 'out'

    def coco(*argv, **options):
        return convert_coco(parse(out, *argv, **{
            **COCO_DEFAULTS, 'ann': [str(ann)], 'images': ['imgs'],
            'categories': ['sheep'], **options}))

    assert coco(categories=['giraffe']) == 1
    assert 'unknown categories' in capsys.readouterr().err
    # a random-split option with the annotation split: refused, not ignored
    assert coco('--num-test', '1', split='ann') == 1
    assert '--split ann takes' in capsys.readouterr().err
    assert coco(ann=[str(ann)] * 2, images=['a', 'b', 'c']) == 1
    assert 'one --images folder per --ann' in capsys.readouterr().err
    assert coco() == 1  # no sheep in the file
    assert 'No images selected' in capsys.readouterr().err

    index = tmp_path / 'sceneCategories.txt'
    index.write_text('ADE_train_00000001 bedroom\nbroken line here\n')
    assert convert_ade20k(parse(out, index=str(index), root='r',
                                scene=['bedroom'])) == 1
    assert 'sceneCategories.txt:2' in capsys.readouterr().err
    pkl = tmp_path / 'index_ade20k.pkl'
    pkl.write_bytes(pickle.dumps(dict(filename=[])))
    assert convert_ade20k(parse(out, index=str(pkl), root='r',
                                scene=['bedroom'])) == 1
    assert 'not an ADE20K index' in capsys.readouterr().err

    assert convert_folder(parse(out, src=str(tmp_path / 'nowhere'),
                                test_src=None)) == 1
    assert 'nowhere: no such folder' in capsys.readouterr().err
    assert not osp.exists(out)


def test_coco_annotation_split(tmp_path, photo_factory):
    """``--split ann``: the first annotation file is train, the others
    test; ``--max-images`` keeps a seeded sample."""
    photo_folder(tmp_path / 'images', photo_factory, 3)
    ann_files = []
    for name, ids in (('train', [0, 1]), ('val', [2])):
        ann_files.append(str(tmp_path / f'{name}.json'))
        with open(ann_files[-1], 'w') as f:
            json.dump(dict(
                images=[dict(id=i, file_name=f'p{i}.jpg', height=40,
                             width=40) for i in ids],
                annotations=[dict(id=i, image_id=i, category_id=1, area=9)
                             for i in ids],
                categories=[dict(id=1, name='sheep')]), f)
    out = tmp_path / 'out'
    options = dict(COCO_DEFAULTS, ann=ann_files,
                   images=[str(tmp_path / 'images')], categories=['sheep'])
    assert convert_coco(parse(out, **dict(options, split='ann'))) == 0
    train = scan_images(osp.join(out, 'paired', 'train'))
    assert [osp.basename(p) for p in train] == ['p0.png', 'p1.png']
    assert scan_images(osp.join(out, 'paired', 'test')) == [
        osp.join(out, 'paired', 'test', 'p2.png')]
    out2 = tmp_path / 'out2'
    assert convert_coco(parse(out2, **dict(options, max_images=2))) == 0
    assert len(scan_images(osp.join(out2, 'paired'))) == 2
