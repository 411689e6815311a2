# Copyright (c) mmadvseg contributors. All rights reserved.
"""Test a checkpoint: generated images + metrics JSON::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE]
        [--image-dir DIR] [--overwrite] [--cfg-options KEY=VALUE ...]

The images replace the folder's content only once the test is complete;
``metrics.json`` records the checkpoint (SHA-256) and config that made
them. Bad input is one ``error:`` line and exit code 1
(:mod:`mmadvseg.engine.cli`).
"""
import sys

from mmadvseg.engine.cli import run_cli

if __name__ == '__main__':
    sys.exit(run_cli('test'))
