# Copyright (c) mmadvseg contributors. All rights reserved.
"""The settings record of a dataset folder: ``ROOT/conversion.json``.

Every tool that writes a dataset (the converters, the toy-scene generator)
records the settings it used here, so that

* a rerun with other settings is refused instead of mixing two kinds of
  samples in one folder (:func:`check_settings`);
* a consumer can tell whether a folder holds what it needs
  (:func:`read_settings` equal to the settings it wants);
* a later tool can reuse them (e.g. extracting a sketch from a user's photo
  exactly as the training sketches were made).
"""
import json
import os.path as osp
from typing import Any, Dict, Optional

from ..utils.fileio import atomic_write

#: Name of the settings record in a dataset root.
SETTINGS_FILE = 'conversion.json'


def settings_path(root: str) -> str:
    """Path of the settings record of the dataset at ``root``."""
    return osp.join(root, SETTINGS_FILE)


def normalize_settings(settings: Dict[str, Any]) -> Dict[str, Any]:
    """``settings`` as they read back from JSON (tuples become lists)."""
    return json.loads(json.dumps(settings))


def read_settings(root: str) -> Optional[Dict[str, Any]]:
    """The recorded settings, or None when the folder has no (readable)
    record.

    Args:
        root (str): Dataset root.

    Returns:
        dict | None: The settings.
    """
    try:
        with open(settings_path(root), encoding='utf-8') as f:
            content = json.load(f)
    except (FileNotFoundError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def write_settings(root: str, settings: Dict[str, Any]) -> None:
    """Record ``settings`` in ``root`` (atomically).

    Args:
        root (str): Dataset root, created if needed.
        settings (dict): JSON-serialisable settings.
    """
    with atomic_write(settings_path(root), 'w') as f:
        json.dump(normalize_settings(settings), f, indent=2, sort_keys=True)


def check_settings(root: str,
                   settings: Dict[str, Any],
                   overwrite: bool = False) -> None:
    """Refuse to add samples made with other settings to ``root``.

    Args:
        root (str): Dataset root.
        settings (dict): The settings about to be used.
        overwrite (bool): The caller redoes every sample, so the recorded
            settings do not matter. Defaults to False.

    Raises:
        ValueError: ``root`` records other settings; the message says how to
            go on.
    """
    recorded = read_settings(root)
    if overwrite or recorded is None:
        return
    wanted = normalize_settings(settings)
    if recorded != wanted:
        changed = sorted(k for k in set(recorded) | set(wanted)
                         if recorded.get(k) != wanted.get(k))
        raise ValueError(
            f'{root} holds a dataset made with other settings (differing: '
            f'{", ".join(changed)}; recorded {recorded}, now {wanted}): pass '
            '--overwrite to redo every sample with the new ones, or write to '
            'another folder')


__all__ = [
    'SETTINGS_FILE', 'settings_path', 'read_settings', 'write_settings',
    'check_settings', 'normalize_settings'
]
