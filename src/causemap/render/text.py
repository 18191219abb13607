"""User text on its way into a picture: cleaned, then wrapped to a readable width.

Escaping is each output format's own business (DOT, Mermaid and Markdown escape
differently); this module only makes the text plain: one line, no control or
bidirectional-override characters, then cut into lines of a sane width.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["EDGE_WIDTH", "NODE_WIDTH", "NOTE_WIDTH", "clean", "natural_key", "wrap"]

NODE_WIDTH = 30
"""Characters per line in node labels."""
NOTE_WIDTH = 34
"""Characters per line in action notes."""
EDGE_WIDTH = 26
"""Characters per line in edge labels."""

# C0/C1 controls and DEL, plus the bidirectional embedding, override and isolate marks
# that could make a label display differently from what it says.
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
_DIGITS = re.compile(r"(\d+)")


def clean(text: str) -> str:
    """Return ``text`` on one line: whitespace runs become one space, controls go.

    Examples
    --------
    >>> clean("  Config\\n\\tpushed\\u202e  ")
    'Config pushed'
    """
    return _INVISIBLE.sub("", _SPACE.sub(" ", text)).strip()


def wrap(text: str, width: int = NODE_WIDTH) -> list[str]:
    """Return the cleaned ``text`` cut into lines of at most ``width`` characters.

    Long words (URLs, identifiers) are broken too, so no line is ever wider.

    Examples
    --------
    >>> wrap("Every region loaded the new configuration at once", 20)
    ['Every region loaded', 'the new', 'configuration at', 'once']
    """
    return textwrap.wrap(
        clean(text), width=width, break_long_words=True, break_on_hyphens=True
    ) or [""]


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that puts ``a2`` before ``a10``.

    Examples
    --------
    >>> sorted(["a10", "a2", "a1", "b"], key=natural_key)
    ['a1', 'a2', 'a10', 'b']
    """
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part
    )
