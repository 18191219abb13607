"""User text on its way into a picture: cleaned, then wrapped to a readable width.

Escaping is each output format's own business (DOT, Mermaid and Markdown escape
differently); this module makes the text plain (:func:`causemap.plain.clean`: one line
in NFC, no control or bidirectional-override characters), then cuts it into lines of a
sane width.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from causemap.plain import clean

__all__ = ["EDGE_WIDTH", "NODE_WIDTH", "NOTE_WIDTH", "natural_key", "wrap"]

NODE_WIDTH = 30
"""Characters per line in node labels."""
NOTE_WIDTH = 34
"""Characters per line in action notes."""
EDGE_WIDTH = 26
"""Characters per line in edge labels."""

_DIGITS = re.compile(r"(\d+)")
# A word, or the part of a hyphenated word up to and including a hyphen between letters.
_WORD_PART = re.compile(r"[^\s-]*[^\W\d_]-+(?=[^\W\d_])|\S+")


def wrap(text: str, width: int = NODE_WIDTH) -> list[str]:
    """Return the cleaned ``text`` cut into lines of at most ``width`` characters.

    Lines break at spaces, or after a hyphen inside a word; words longer than a line
    (URLs, identifiers) are cut too, so no line is ever wider.

    Examples
    --------
    >>> wrap("Every region loaded the new configuration at once", 20)
    ['Every region loaded', 'the new', 'configuration at', 'once']
    >>> wrap("a per-zone quota", 9)
    ['a per-', 'zone', 'quota']
    """
    text = clean(text)
    if len(text) <= width and "  " not in text:
        return [text]  # fits on one line: the loop below would give it back unchanged
    lines: list[str] = []
    line = ""
    for space, word in _tokens(text):
        joined = f"{line} {word}" if space and line else line + word
        if len(joined) <= width:
            line = joined
            continue
        if line:
            lines.append(line)
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        line = word
    if line:
        lines.append(line)
    return lines or [""]


def _tokens(text: str) -> Iterator[tuple[bool, str]]:
    """The words of cleaned ``text`` (split after hyphens between letters), each with
    whether a space comes before it. The regex runs only on words with a hyphen: over
    the whole text, its backtracking search cost more than the rest of the DOT."""
    first = True
    for run in text.split(" "):
        if not run:
            continue  # a second space in a row (clean() leaves one where a control was)
        if "-" not in run:
            yield not first, run
        else:
            for i, word in enumerate(_WORD_PART.findall(run)):
                yield i == 0 and not first, word
        first = False


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
