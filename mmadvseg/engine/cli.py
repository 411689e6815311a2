# Copyright (c) mmadvseg contributors. All rights reserved.
"""Bad input of ``tools/train.py`` and ``tools/test.py`` as one ``error:``
line with exit code 1, never a traceback (:mod:`.runs` has their bodies,
the tools their parsers)."""
import sys
from typing import Any, Callable

from ..datasets.image_io import ImageReadError
from ..utils.config import ConfigError
from ..utils.fileio import FolderLockedError
from .errors import RunError
from .resume import ResumeError

#: Errors reported as one line by :func:`run_tool`.
USER_ERRORS = (RunError, ResumeError, FolderLockedError, ImageReadError,
               ConfigError, FileNotFoundError, FileExistsError)


def one_line(err: BaseException) -> str:
    """The message of an error, as one line.

    An error raised in a dataloader worker comes back with the worker's
    traceback in its message; its last line is the original message.

    Args:
        err (BaseException): The error.

    Returns:
        str: The message.
    """
    lines = [line for line in str(err).strip().splitlines() if line.strip()]
    line = lines[-1].strip() if lines else type(err).__name__
    name = f'{type(err).__module__}.{type(err).__name__}: '
    return line[len(name):] if line.startswith(name) else line


def run_tool(main: Callable[..., Any], *args, **kwargs) -> int:
    """Run a tool's body; bad input is one ``error:`` line and exit code 1.

    Args:
        main (Callable): :func:`~.runs.train` or :func:`~.runs.test`.
        *args, **kwargs: Its arguments.

    Returns:
        int: The exit code.
    """
    try:
        main(*args, **kwargs)
    except USER_ERRORS as err:
        print(f'error: {one_line(err)}', file=sys.stderr)
        return 1
    return 0


__all__ = ['USER_ERRORS', 'one_line', 'run_tool']
