"""How wide the charts' 11 px text draws, and labels cut to the room they have.

A chart cannot measure its text (it is drawn without scripts), so widths are estimated
per character: ASCII at the advance widths of DejaVu Sans, one of the widest system
fonts, so that the estimate errs wide for the others; a CJK character a whole em, an
emoji more, and other scripts' letters at a generous guess. Counting characters instead
let wide capitals, CJK and emoji labels run off a chart's edge.
"""

from __future__ import annotations

import unicodedata

from causemap.patterns.present import ZERO_WIDTH, one_line

__all__ = ["EM", "fit", "isolate", "right_to_left", "text_width"]

EM = 11.0
"""The charts' font size, in pixels."""

# Advance widths of U+0020 to U+007E in tenths of a pixel at 11 px (DejaVu Sans).
_ASCII = (
    35, 45, 51, 93, 70, 105, 86, 31, 43, 43, 55, 93, 35, 40, 35, 38, 70, 70, 70, 70, 70, 70,
    70, 70, 70, 70, 38, 38, 93, 93, 93, 59, 110, 79, 76, 77, 85, 70, 63, 86, 83, 33, 33, 73,
    62, 95, 83, 87, 67, 87, 77, 70, 65, 81, 75, 109, 76, 67, 76, 43, 38, 43, 93, 55, 55, 68,
    70, 61, 70, 68, 38, 70, 70, 31, 31, 64, 31, 108, 70, 68, 70, 70, 44, 58, 44, 70, 66, 90,
    66, 66, 58, 70, 38, 70, 93,
)  # fmt: skip
_ELLIPSIS = "…"


def _char_width(char: str) -> float:
    code = ord(char)
    if 32 <= code < 127:
        return _ASCII[code - 32] / 10
    category = unicodedata.category(char)
    if category in ZERO_WIDTH:
        return 0.0
    if category == "So" or code >= 0x1F000:  # symbols and emoji
        return 1.3 * EM
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return EM
    base = unicodedata.normalize("NFD", char)[0]  # é draws as wide as e
    if base != char and 32 <= ord(base) < 127:
        return _ASCII[ord(base) - 32] / 10
    return 1.1 * EM if category == "Lu" else 0.8 * EM


def text_width(text: str) -> float:
    """Estimated width of ``text`` at 11 px, in pixels.

    Examples
    --------
    >>> text_width("2024"), text_width("数据"), text_width("")
    (28.0, 22.0, 0.0)
    """
    return sum((_char_width(c) for c in text), 0.0)


def fit(text: str, room: float) -> str:
    """``text`` on one line (:func:`~causemap.patterns.present.one_line`), cut with an
    ellipsis so that its estimated width is at most ``room`` pixels.

    Examples
    --------
    >>> fit("Retries had no backoff", 200)
    'Retries had no backoff'
    >>> fit("WWWWWWWWWWWW", 60)
    'WWWW…'
    """
    line = one_line(text)
    if text_width(line) <= room:
        return line
    room -= text_width(_ELLIPSIS)
    used, end = 0.0, 0
    while used + _char_width(line[end]) <= room:
        used += _char_width(line[end])
        end += 1
    return line[:end].rstrip() + _ELLIPSIS


def right_to_left(text: str) -> bool:
    """Whether ``text`` reads right to left: its first strongly directional character is
    Hebrew, Arabic or another right-to-left script (as ``dir="auto"`` decides).

    Examples
    --------
    >>> right_to_left("2024: שינוי"), right_to_left("Deploy שינוי")
    (True, False)
    """
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def isolate(text: str) -> str:
    """``text`` between first-strong isolate marks (U+2068, U+2069) when it holds any
    right-to-left letter, so that in a tooltip such as "label: 3 incidents" the words
    after it stay after it; other text is returned as is.

    Examples
    --------
    >>> isolate("Deploy"), isolate("שינוי") == "\u2068שינוי\u2069"
    ('Deploy', True)
    """
    if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text):
        return f"\u2068{text}\u2069"
    return text
