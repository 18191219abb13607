"""Files written whole or not at all: the bytes go to a hidden temporary file beside the
name first, which then replaces it (``os.replace``), so no reader ever sees half a file.

Used by the CLI's outputs and by :func:`causemap.schema.write_schemas`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

__all__ = ["stage"]


def stage(raw: bytes, path: Path, mode: int | None = None) -> Path:
    """Write ``raw`` to a new hidden temporary file beside ``path`` (with permission bits
    ``mode``, when given); return its name, for ``os.replace`` to put in place. Nothing is
    left behind if writing fails.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "wb") as stream:
            stream.write(raw)
        if mode is not None:
            os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp
