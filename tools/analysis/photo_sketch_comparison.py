# Copyright (c) mmadvseg contributors. All rights reserved.
"""The picture behind the default sketch of photos
(``mmadvseg.apis.DEFAULT_PHOTO_SKETCH``): real photos and their sketches by
each candidate, at the converters' 256 pixels.

    python tools/analysis/photo_sketch_comparison.py \
        [--out docs/photo_sketches.png]

The photos are scikit-image's sample images (a portrait, a cat, a cup, a
rocket), installed with the pinned stack: nothing is downloaded.
"""
import argparse
import os.path as osp

import numpy as np

#: scikit-image sample photos: file name -> what it shows.
PHOTOS = {'astronaut.png': 'portrait', 'chelsea.png': 'cat',
          'coffee.png': 'cup', 'rocket.jpg': 'rocket'}
#: The candidates: caption -> build_sketcher arguments.
CANDIDATES = {
    'xdog reference': dict(method='xdog', preset='reference'),
    'xdog xdog_paper (default)': dict(method='xdog', preset='xdog_paper'),
    'canny': dict(method='canny'),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='docs/photo_sketches.png')
    parser.add_argument('--size', type=int, default=256)
    args = parser.parse_args()
    import skimage

    from mmadvseg.apis import load_image, resize_longer
    from mmadvseg.datasets.layouts import atomic_imwrite
    from mmadvseg.datasets.sketch import build_sketcher
    from mmadvseg.visualization.annotate import captioned_row
    data = osp.join(osp.dirname(skimage.__file__), 'data')
    sketchers = {k: build_sketcher(**v) for k, v in CANDIDATES.items()}
    rows = []
    for file, what in PHOTOS.items():
        photo = resize_longer(load_image(osp.join(data, file)), args.size)
        tiles = [photo] + [load_image(s(photo)) for s in sketchers.values()]
        side = max(t.shape[0] for t in tiles), max(t.shape[1] for t in tiles)
        tiles = [np.pad(t, ((0, side[0] - t.shape[0]),
                            (0, side[1] - t.shape[1]), (0, 0)),
                        constant_values=255) for t in tiles]
        rows.append(captioned_row(tiles, [f'photo ({what})', *sketchers]))
    width = max(r.shape[1] for r in rows)
    rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0)),
                   constant_values=255) for r in rows]
    atomic_imwrite(args.out, np.concatenate(rows, 0))
    print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
