# Copyright (c) mmadvseg contributors. All rights reserved.
"""How much JPEG damage ``tools/misc/check_dataset.py --strict`` finds.

    python tools/analysis/benchmark_garbled_jpeg.py [--num 300] [--seed 0]

Six photos that scikit-image ships (256x256, quality 90, 4:2:0) are saved
as baseline and as progressive JPEGs; each of ``--num`` garbled copies has
1 to 3 random bytes of its entropy-coded data overwritten. A copy is
visibly damaged when its decode differs from the clean decode by more than
``--visible`` grey levels on average (or does not decode). The check's
folder scan (:func:`mmadvseg.datasets.check.scan_folder`) then counts the
damaged copies it flags: as unreadable (libjpeg's warnings, no end marker,
undecodable: the checks before the DC-step check) and in all. Clean
images (every scikit-image picture, full size and 256x256, qualities 50
to 95, baseline and progressive) give the false alarms.
"""
import argparse
import os
import os.path as osp
import tempfile

import cv2
import numpy as np

PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png', 'motorcycle_left.png',
          'rocket.jpg', 'ihc.png')


def entropy_ranges(data: bytes) -> list:
    """``(start, end)`` of each scan's entropy-coded data in a JPEG."""
    ranges, pos = [], 2
    while pos + 4 <= len(data) and data[pos + 1] != 0xD9:
        length = int.from_bytes(data[pos + 2:pos + 4], 'big')
        if data[pos + 1] != 0xDA:
            pos += 2 + length
            continue
        start = end = pos + 2 + length
        while True:  # to the next marker that is no stuffing or restart
            end = data.index(b'\xff', end)
            if data[end + 1] == 0 or 0xD0 <= data[end + 1] <= 0xD7:
                end += 2
                continue
            break
        ranges.append((start, end))
        pos = end
    return ranges


def garble(data: bytes, rng: np.random.Generator) -> bytes:
    """Overwrite 1 to 3 random bytes of the entropy-coded data."""
    ranges = entropy_ranges(data)
    sizes = np.array([end - start for start, end in ranges], float)
    out = bytearray(data)
    for _ in range(rng.integers(1, 4)):
        start, end = ranges[rng.choice(len(ranges), p=sizes / sizes.sum())]
        out[rng.integers(start, end)] = rng.integers(0, 256)
    return bytes(out)


def sample_images(names=None) -> dict:
    """scikit-image's pictures (BGR), by file name."""
    import skimage
    folder = osp.join(osp.dirname(skimage.__file__), 'data')
    images = {}
    for name in sorted(names or os.listdir(folder)):
        img = cv2.imread(osp.join(folder, name), cv2.IMREAD_COLOR)
        if img is not None and min(img.shape[:2]) >= 64:
            images[name] = img
    return images


def encode(img: np.ndarray, quality: int, progressive: bool) -> bytes:
    return cv2.imencode('.jpg', img, [
        cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_PROGRESSIVE,
        int(progressive)
    ])[1].tobytes()


def flagged(folder: str) -> tuple:
    """Files the check reports as unreadable, and as showing a DC step."""
    from mmadvseg.datasets.check import scan_folder
    stats = scan_folder(folder)
    unreadable = {f for f in stats.files
                  if any(m.startswith(f + ':') for m in stats.unreadable)}
    return unreadable, {m.split(' (from')[0] for m in stats.dc_step}


def garbled_run(progressive: bool, args, work: str) -> dict:
    rng = np.random.default_rng(args.seed)
    photos = [cv2.resize(img, (256, 256), interpolation=cv2.INTER_AREA)
              for img in sample_images(PHOTOS).values()]
    folder = osp.join(work, 'progressive' if progressive else 'baseline')
    os.makedirs(folder)
    damaged = set()
    for i in range(args.num):
        clean = encode(photos[i % len(photos)], 90, progressive)
        data = garble(clean, rng)
        path = osp.join(folder, f'{i:03d}.jpg')
        with open(path, 'wb') as f:
            f.write(data)
        ref = cv2.imdecode(np.frombuffer(clean, np.uint8), cv2.IMREAD_COLOR)
        out = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if out is None or out.shape != ref.shape or np.abs(
                out.astype(np.int16) - ref).mean() > args.visible:
            damaged.add(path)
    unreadable, dc_step = flagged(folder)
    return dict(damaged=len(damaged), before=len(damaged & unreadable),
                after=len(damaged & (unreadable | dc_step)),
                undamaged_flagged=len((unreadable | dc_step) - damaged))


def clean_run(work: str) -> tuple:
    folder = osp.join(work, 'clean')
    os.makedirs(folder)
    for name, img in sample_images().items():
        for size in (None, 256):
            small = img if size is None else cv2.resize(
                img, (size, size), interpolation=cv2.INTER_AREA)
            for quality in (50, 75, 90, 95):
                for progressive in (False, True):
                    stem = f'{name}_{size}_{quality}_{int(progressive)}.jpg'
                    with open(osp.join(folder, stem), 'wb') as f:
                        f.write(encode(small, quality, progressive))
    unreadable, dc_step = flagged(folder)
    return len(os.listdir(folder)), sorted(unreadable | dc_step)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--num', type=int, default=300,
                        help='garbled copies per kind')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--visible', type=float, default=1.0,
                        help='mean absolute difference (grey levels) above '
                        'which a copy counts as visibly damaged')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        print('| JPEG | visibly damaged | flagged before | flagged now | '
              'undamaged flagged |\n| --- | --- | --- | --- | --- |')
        for progressive in (False, True):
            r = garbled_run(progressive, args, work)
            pct = {k: f'{r[k]} ({100 * r[k] / r["damaged"]:.0f} %)'
                   for k in ('before', 'after')}
            print(f'| {"progressive" if progressive else "baseline"} | '
                  f'{r["damaged"]} of {args.num} | {pct["before"]} | '
                  f'{pct["after"]} | {r["undamaged_flagged"]} |')
        num, false_alarms = clean_run(work)
        print(f'\nClean JPEGs flagged: {len(false_alarms)} of {num}'
              + ''.join(f'\n  {osp.basename(p)}' for p in false_alarms))


if __name__ == '__main__':
    main()
