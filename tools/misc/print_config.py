# Copyright (c) mmadvseg contributors. All rights reserved.
"""Print the full config after `_base_` inheritance and overrides::

    python tools/misc/print_config.py CONFIG [--cfg-options KEY=VALUE ...]

A config that cannot be loaded, or an option that does not fit it, is one
``error:`` line and exit code 1.
"""
import argparse
import sys
from typing import Optional, Sequence

from mmadvseg.utils.config import (
    ConfigError,
    ConfigOptionsAction,
    read_config,
)


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description='Print the whole config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=ConfigOptionsAction,
        help='override settings of the config')
    args = parser.parse_args(argv)
    try:
        cfg = read_config(args.config, args.cfg_options)
    except (ConfigError, FileNotFoundError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(cfg.pretty_text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
