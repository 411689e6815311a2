# Copyright (c) mmadvseg contributors. All rights reserved.
"""The errors of runs and tests whose message names the file and the fix
(:mod:`mmadvseg.engine.cli` prints them as one line)."""


class RunError(RuntimeError):
    """Bad input of a run; the message names the file and the fix."""


__all__ = ['RunError']
