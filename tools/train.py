# Copyright (c) mmadvseg contributors. All rights reserved.
"""Train a config::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CHECKPOINT]]
        [--amp] [--skip-unreadable] [--cfg-options KEY=VALUE ...]

``--resume`` continues the run of the work dir bit for bit (on CPU) from
the checkpoint ``last_checkpoint`` names. Bad input is one ``error:`` line
and exit code 1 (:mod:`mmadvseg.engine.cli`).
"""
import sys

from mmadvseg.engine.cli import run_cli

if __name__ == '__main__':
    sys.exit(run_cli('train'))
