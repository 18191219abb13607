"""User text made plain for any output: one line in NFC, no control characters, no
bidirectional marks, no noncharacters.

Every renderer and report shows user text; an embedding, override or isolate mark left
open in a label would make it, and the text after it, display as something else, and a
control character can rewrite a terminal. Noncharacters (U+FFFE, U+FFFF, U+FDD0-U+FDEF
and the last two of every plane) are never text, and XML has no U+FFFE or U+FFFF: an SVG
holding one is not well-formed. Escaping stays each format's own business.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean", "shown", "without_bidi"]

_BIDI = "\u202a-\u202e\u2066-\u2069"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
# C0/C1 controls and DEL, the bidirectional embedding, override and isolate marks, and
# the noncharacters.
_INVISIBLE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}{_NONCHARACTERS}]")
_MARKS = re.compile(f"[{_BIDI}]")
# What :func:`shown` escapes: the above, and the line and paragraph separators.
_UNSHOWN = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}{_NONCHARACTERS}\u2028\u2029]")
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """Return ``text`` on one line, in NFC: whitespace runs become one space, controls and
    noncharacters go.

    NFC, because an accent typed as a combining mark (NFD, as macOS often pastes it)
    must draw, wrap and compare as the same text typed as one character.

    Examples
    --------
    >>> clean("  Config\\n\\tpushed\\u202e  ")
    'Config pushed'
    """
    if (
        text.isprintable()
        and "  " not in text
        and text.strip() == text
        and unicodedata.is_normalized("NFC", text)
    ):
        return text  # the usual case: nothing to do (isprintable() is False for controls)
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", _SPACE.sub(" ", text)).strip())


def without_bidi(text: str) -> str:
    """Return ``text`` without bidirectional embedding, override and isolate marks.

    Examples
    --------
    >>> without_bidi("pay\\u202efdp.exe")
    'payfdp.exe'
    """
    return _MARKS.sub("", text)


def shown(text: str) -> str:
    """Return ``text`` with every character that is not shown as itself escaped, as
    Python writes it (``\\n``, ``\\x1b``, ``\\u202e``), for a message that quotes text
    the user must find again (an unknown key): one line, nothing a terminal acts on.

    Examples
    --------
    >>> shown("a\\nb\\x1b[2J\\u202ec")
    'a\\\\nb\\\\x1b[2J\\\\u202ec'
    """
    return _UNSHOWN.sub(lambda m: repr(m.group())[1:-1], text)
