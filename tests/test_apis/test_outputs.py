# Copyright (c) mmadvseg contributors. All rights reserved.
"""Output names: one PNG per input, clashes refused before writing."""
import pytest

from mmadvseg.apis.outputs import plan_outputs


def test_outputs_keep_the_relative_names(tmp_path):
    out = str(tmp_path / 'o')
    assert plan_outputs([('in/a.jpg', 'a.jpg'), ('in/s/b.png', 's/b.png'),
                         (None, '000002.png')], out) == [
        f'{out}/a.png', f'{out}/s/b.png', f'{out}/000002.png']


def test_clashing_or_overwriting_outputs_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r'x\.png \(and 0 more\)'):
        plan_outputs([('a/x.png', 'x.png'), ('a/x.jpg', 'x.jpg')],
                     str(tmp_path / 'o'))
    with pytest.raises(ValueError, match='would be overwritten'):
        plan_outputs([(str(tmp_path / 'x.png'), 'x.png')], str(tmp_path))
    with pytest.raises(ValueError, match='x_grid.png'):
        plan_outputs([('a/x.png', 'x.png'), ('b/x_grid.png', 'x_grid.png')],
                     str(tmp_path / 'o'), extras=['_grid'])
