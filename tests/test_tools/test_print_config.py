# Copyright (c) mmadvseg contributors. All rights reserved.
"""tools/misc/print_config.py: the resolved config, or one error line."""
import os.path as osp
import subprocess
import sys

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def print_config(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, 'tools/misc/print_config.py', *map(str, args)],
        cwd=REPO, capture_output=True, text=True)


def test_print_config_resolves_and_names_mistakes(tmp_path):
    """A syntax error, an option without ``=`` and a key that does not fit
    were tracebacks."""
    config = tmp_path / 'cfg.py'
    config.write_text('x = dict(a=1)\n')
    done = print_config(config, '--cfg-options', 'x.a=2')
    assert done.returncode == 0 and 'x = dict(a=2)' in done.stdout
    broken = tmp_path / 'broken.py'
    broken.write_text('x = dict(a=1\n')
    for args, error in [
        ([broken], f'{broken}, line 1: syntax error ('),
        ([config, '--cfg-options', 'x.a'], "--cfg-options 'x.a' is not "
         'KEY=VALUE'),
        ([config, '--cfg-options', 'x.a.b=1'], '--cfg-options x.a.b=1 does '
         f'not fit {config} ('),
    ]:
        done = print_config(*args)
        assert done.returncode == 1 and done.stdout == '', done.stderr
        assert done.stderr.startswith(f'error: {error}'), done.stderr
        assert done.stderr.count('\n') == 1, done.stderr
