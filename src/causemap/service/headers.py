"""HTTP header values, read strictly and written safely.

Every header the service builds from text that came from a client or a document goes
through here, so a value can never carry a line break or a byte a server refuses to send
(which would fail the answer after the work was done).
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["attachment", "path_segment"]

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def path_segment(text: str) -> str:
    """``text`` percent-encoded as one URL path segment (for ``Location``).

    Examples
    --------
    >>> path_segment("db-failover"), path_segment("a/b\\n")
    ('db-failover', 'a%2Fb%0A')
    """
    return quote(text, safe="")


def attachment(stem: str, suffix: str) -> str:
    """A ``Content-Disposition`` value that downloads as ``stem`` + ``suffix``.

    Anything but ASCII letters, digits, ``.``, ``_`` and ``-`` in ``stem`` becomes ``_``,
    so the value is always a plain quoted string.

    Examples
    --------
    >>> attachment("demo", ".svg")
    'attachment; filename="demo.svg"'
    >>> attachment('x"\\r\\nSet-Cookie: a', ".png")
    'attachment; filename="x_Set-Cookie_a.png"'
    """
    name = _UNSAFE_NAME.sub("_", stem).strip("._") or "diagram"
    return f'attachment; filename="{name}{_UNSAFE_NAME.sub("_", suffix)}"'
