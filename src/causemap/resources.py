"""Where causemap's data folders are: packaged in the wheel, or in the source tree.

The wheel carries ``schemas/`` and ``web/`` as ``causemap/_schemas`` and ``causemap/_web``.
An editable install or a source checkout has them at the top of the repository instead.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["schemas_dir", "web_dir"]

_PACKAGE = Path(__file__).resolve().parent


def _find(packaged: str, top_level: str) -> Path:
    inside = _PACKAGE / packaged
    if inside.is_dir():
        return inside
    return _PACKAGE.parents[1] / top_level


def schemas_dir() -> Path:
    """The folder of committed JSON Schemas."""
    return _find("_schemas", "schemas")


def web_dir() -> Path:
    """The folder of the static web editor."""
    return _find("_web", "web")
