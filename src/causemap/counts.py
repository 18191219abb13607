"""Counts in words, for the messages people read: ``1 warning``, ``2 warnings``."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """Return ``n`` with ``noun`` in the singular for one, else in the plural.

    Examples
    --------
    >>> counted(1, "file"), counted(0, "warning"), counted(2_500, "incident")
    ('1 file', '0 warnings', '2,500 incidents')
    >>> counted(2, "info", "info")
    '2 info'
    """
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
