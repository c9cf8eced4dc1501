"""The data folder holds the feedback database and the feedback secret: only its owner may read it.

A folder or file the bot creates is created private (folder 0700, files 0600); one that already
exists is left as the operator made it, with a warning when others can read it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) owner-only; warn about an existing folder others can read."""
    path = Path(path)
    if path.is_dir():
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("data folder %s can be read by other users (chmod 700 it)", path)
        return path
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    path.mkdir(parents=True, exist_ok=True)
    for folder in missing:
        os.chmod(folder, DIR_MODE)  # mkdir's mode is filtered by the umask; chmod is not
    return path


def create_private_file(path: Path) -> None:
    """Create an empty file readable only by its owner, unless it exists already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)
