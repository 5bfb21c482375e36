"""Whole-folder atomic replacement: a site is published all at once or not at all.

:func:`replace_dir` builds the new folder beside the old one (a hidden sibling), then swaps
the two. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call, so at every instant
the folder holds either the complete old site or the complete new one, even if the process
is killed. Elsewhere it is two renames, and a kill between them is repaired on the next run.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from generator.errors import GeneratorError

T = TypeVar("T")

MARKER = ".attested-yet-site"
"""Written into every published folder: only such a folder (or an empty one) is replaced."""

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def replace_dir(out_dir: Path, build: Callable[[Path], T]) -> T:
    """Call ``build(staging)`` to fill a fresh folder, then make it ``out_dir`` at once.

    ``out_dir`` must be absent, empty, or a folder this function published before: it is
    replaced whole, so anything else in it would be lost (a ``GeneratorError`` says so).
    """
    out_dir = Path(os.path.abspath(out_dir))
    parent, name = out_dir.parent, out_dir.name
    if not name:
        raise GeneratorError(f"cannot publish a site as {out_dir}")
    parent.mkdir(parents=True, exist_ok=True)
    _recover(parent, name)
    if out_dir.exists() and not _replaceable(out_dir):
        raise GeneratorError(
            f"{out_dir} is not empty and not a site made by attested-yet; "
            "choose a new or empty folder"
        )
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.new-", dir=parent))
    try:
        result = build(staging)
        (staging / MARKER).write_bytes(b"")
        staging.chmod(0o755)  # mkdtemp makes it private; a site is meant to be read
        _fsync_dir(parent)
        if not out_dir.exists():
            os.rename(staging, out_dir)
        elif _exchange(staging, out_dir):
            shutil.rmtree(staging)  # now the old site
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent))
            os.rename(out_dir, old / name)
            os.rename(staging, out_dir)
            shutil.rmtree(old)
        _fsync_dir(parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _replaceable(folder: Path) -> bool:
    return not folder.is_symlink() and (
        (folder / MARKER).is_file() or (folder.is_dir() and not any(folder.iterdir()))
    )


def _recover(parent: Path, name: str) -> None:
    """Undo what a killed run left: put back a site moved aside, drop unfinished builds."""
    target = parent / name
    for leftover in sorted(parent.glob(f".{name}.old-*")):
        moved = leftover / name
        if not target.exists() and moved.is_dir():
            os.rename(moved, target)
        shutil.rmtree(leftover, ignore_errors=True)
    for leftover in parent.glob(f".{name}.new-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):  # no renameat2 (macOS), no libc (Windows)
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes.append(ctypes.c_uint)
    renameat2.restype = ctypes.c_int
    code = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if code == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: the file system cannot exchange
        return False
    raise OSError(errno, os.strerror(errno), str(b))


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
