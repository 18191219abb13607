"""HTTP header values, read strictly and written safely.

Every header the service builds from text that came from a client or a document goes
through here, so a value can never carry a line break or a byte a server refuses to send
(which would fail the answer after the work was done).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from causemap.errors import PreconditionFailed, PreconditionRequired, RevisionConflict
from causemap.store.records import MAX_REVISION

__all__ = [
    "LAYOUT_TAG",
    "YAML_TAG",
    "accept_match",
    "accept_quality",
    "attachment",
    "check_if_match",
    "etag_matches",
    "if_match_holds",
    "layout_tag",
    "not_modified",
    "parse_if_match",
    "parse_layout_match",
    "parse_revision",
    "path_segment",
    "revalidated",
]

YAML_TAG = "-yaml"
"""What the ``ETag`` of an incident's YAML representation adds to the revision number
(``"3-yaml"``): a strong tag names one representation, and the JSON one is ``"3"``."""

LAYOUT_TAG = "layout-"
"""What the ``ETag`` of an incident's shared layout puts before its version
(``"layout-3"``), so that it is never taken for a revision's tag."""

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_DIGITS = re.compile(r"[0-9]{1,10}")


def etag_matches(header: str | None, tag: str) -> bool:
    """Whether an ``If-None-Match`` header matches the entity tag ``"tag"``.

    As RFC 9110 (13.1.2) has it for every endpoint: weak comparison (``W/"3"`` matches
    ``"3"``), and ``*`` matches any current representation.

    Examples
    --------
    >>> etag_matches('"a", W/"b"', "b"), etag_matches("*", "c"), etag_matches(None, "c")
    (True, True, False)
    """
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or f'"{tag}"' in tags


def if_match_holds(header: str | None, tag: str) -> bool:
    """Whether an ``If-Match`` header on a read lets it go ahead for the entity tag
    ``"tag"``: absent, ``*``, or listing ``"tag"`` itself.

    RFC 9110 (13.1.1) compares strongly: a weak tag (``W/"3"``) never matches. (A write
    is stricter, see :func:`parse_if_match`: it must name the one revision it replaces.)

    Examples
    --------
    >>> if_match_holds(None, "3"), if_match_holds("*", "3"), if_match_holds('"2", "3"', "3")
    (True, True, True)
    >>> if_match_holds('W/"3"', "3"), if_match_holds('"3-yaml"', "3")
    (False, False)
    """
    if header is None or not header.strip():
        return True
    tags = [t.strip() for t in header.split(",")]
    return "*" in tags or f'"{tag}"' in tags


def check_if_match(header: str | None, tag: str) -> None:
    """Refuse a read whose ``If-Match`` does not hold ``"tag"``, the strong ETag of what
    it would answer (see :func:`if_match_holds`). Call it before evaluating
    ``If-None-Match``, as RFC 9110 13.2.2 orders them.

    Raises
    ------
    PreconditionFailed
        HTTP 412, carrying ``"tag"``.

    Examples
    --------
    >>> check_if_match('"a", "b"', "b")
    >>> check_if_match('W/"b"', "b")
    Traceback (most recent call last):
    causemap.errors.PreconditionFailed: If-Match W/"b" does not match the current ETag "b"
    """
    if not if_match_holds(header, tag):
        raise PreconditionFailed(
            f'If-Match {(header or "")[:80]} does not match the current ETag "{tag}"', f'"{tag}"'
        )


def not_modified(if_match: str | None, if_none_match: str | None, tag: str) -> bool:
    """Evaluate a read's preconditions against ``"tag"``, the strong ETag of what it would
    answer, in RFC 9110's order (13.2.2): ``If-Match`` first, which refuses the read (see
    :func:`check_if_match`), then ``If-None-Match``. True when the answer is 304.

    Examples
    --------
    >>> not_modified(None, '"b"', "b"), not_modified("*", None, "b")
    (True, False)
    """
    check_if_match(if_match, tag)
    return etag_matches(if_none_match, tag)


def accept_quality(header: str | None, media: str, *, exact: bool = False) -> float:
    """The quality an ``Accept`` header gives ``media``: that of the most specific range
    that matches it (``type/sub``, then ``type/*``, then ``*/*``; with ``exact``, only
    the first), 0 when none does.

    Examples
    --------
    >>> accept_quality("application/json, application/yaml;q=0.5", "application/yaml")
    0.5
    >>> accept_quality("application/*;q=0.2, */*", "application/json")
    0.2
    >>> accept_quality("text/html", "application/json"), accept_quality(None, "text/plain")
    (0.0, 0.0)
    """
    found = accept_match(header, media, exact=exact)
    return found[0] if found else 0.0


def accept_match(
    header: str | None, media: str, *, exact: bool = False
) -> tuple[float, int] | None:
    """The quality and the position in ``header`` of the most specific range that
    matches ``media`` (as :func:`accept_quality`), None when none does.

    Examples
    --------
    >>> accept_match("*/*;q=0.5, image/png;q=0", "image/png")
    (0.0, 1)
    >>> accept_match("*/*;q=0.5, image/png;q=0", "image/svg+xml")
    (0.5, 0)
    >>> accept_match("image/*", "text/plain") is None
    True
    """
    kind = media.partition("/")[0]
    ranks = {media: 3} if exact else {media: 3, f"{kind}/*": 2, "*/*": 1}
    best: tuple[int, float, int] = (0, 0.0, -1)
    for position, part in enumerate((header or "").split(",")[:50]):
        name, *params = (p.strip() for p in part.split(";"))
        name = name.lower()
        rank = ranks.get(name, 0)
        if rank <= best[0]:
            continue
        best = (rank, _quality(params), position)
    return (best[1], best[2]) if best[0] else None


def _quality(params: list[str]) -> float:
    """The ``q`` among a media range's parameters, 1 without one; a malformed one
    (``q=``, ``q=abc``, ``q=nan``) is ignored, as if absent, rather than read as 0
    ("not acceptable"), which would refuse what a sloppy client asked for.

    Examples
    --------
    >>> _quality(["q=0.5"]), _quality(["level=1", "Q=0"]), _quality(["q=abc"]), _quality([])
    (0.5, 0.0, 1.0, 1.0)
    """
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                return 1.0
            return min(max(quality, 0.0), 1.0) if quality == quality else 1.0  # NaN
    return 1.0


def parse_revision(text: str, *, minimum: int = 1) -> int | None:
    """The revision number ``text`` spells, or None if it spells none.

    Only ASCII digits count (``str.isdigit`` also takes ``²`` and other Unicode digits,
    which ``int`` then refuses), and only numbers from ``minimum`` to ``MAX_REVISION``.

    Examples
    --------
    >>> parse_revision("3"), parse_revision("0", minimum=0), parse_revision("0")
    (3, 0, None)
    >>> parse_revision("²"), parse_revision("99999999999999999999"), parse_revision(" 3")
    (None, None, None)
    """
    if _DIGITS.fullmatch(text) is None:
        return None
    number = int(text)
    return number if minimum <= number <= MAX_REVISION else None


def parse_if_match(header: str | None) -> int | None:
    """The revision an ``If-Match`` header names, None when absent: either ETag of the
    incident, that of its JSON (``"3"``) or of its YAML (``"3-yaml"``).

    Raises
    ------
    PreconditionRequired
        For ``*`` or a list: name the one revision you read.
    RevisionConflict
        For a weak, malformed or impossible tag (``W/"3"``, ``"²"``, ``"9223372036854775807"``),
        which can never match a revision.

    Examples
    --------
    >>> parse_if_match('"3"'), parse_if_match('"3-yaml"'), parse_if_match(None)
    (3, 3, None)
    """
    if header is None or not header.strip():
        return None
    value = header.strip()
    if value == "*" or "," in value:
        raise PreconditionRequired('If-Match must name the one revision you read, e.g. "3"')
    if len(value) > 2 and value[0] == value[-1] == '"':
        number = parse_revision(value[1:-1].removesuffix(YAML_TAG))
        if number is not None:
            return number
    if value[:2] in ("W/", "w/"):
        raise RevisionConflict(
            f"If-Match {value[:40]} is a weak tag, which never matches (RFC 9110); send the "
            f"ETag as it was given, {value[2:42]}"
        )
    raise RevisionConflict(
        f"If-Match {value[:40]} matches no revision: send the ETag you read, a quoted "
        'revision number such as "3"'
    )


def revalidated(etag: str) -> dict[str, str]:
    """The headers of an answer that carries the strong ``etag`` (quoted): a cache must ask
    again before each reuse (``no-cache``, which the ``ETag`` makes a cheap 304), and keep
    it apart per token (``Vary: Authorization``), since what one token may read another
    may not.

    Examples
    --------
    >>> revalidated('"3"')["Cache-Control"]
    'no-cache'
    """
    return {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Authorization"}


def layout_tag(version: int) -> str:
    """The strong ``ETag`` of version ``version`` of an incident's shared layout.

    Examples
    --------
    >>> layout_tag(3)
    '"layout-3"'
    """
    return f'"{LAYOUT_TAG}{version}"'


def parse_layout_match(header: str | None) -> int | None:
    """The layout version an ``If-Match`` header on a layout write names; None when it is
    absent or ``*`` (an incident always has a layout, the empty one at first), and the
    write goes ahead whatever the version: the last writer wins.

    Raises
    ------
    ValueError
        Saying why, for anything but one strong layout tag (``W/"layout-3"``, ``"3"``, a
        list): no such tag can match, so the write is refused (HTTP 412).

    Examples
    --------
    >>> parse_layout_match('"layout-3"'), parse_layout_match("*"), parse_layout_match(None)
    (3, None, None)
    """
    if header is None or not header.strip() or header.strip() == "*":
        return None
    value = header.strip()
    quoted = len(value) > 2 and value[0] == value[-1] == '"'
    if quoted and value[1:-1].startswith(LAYOUT_TAG):
        number = parse_revision(value[1 + len(LAYOUT_TAG) : -1], minimum=0)
        if number is not None:
            return number
    raise ValueError(
        f"If-Match {value[:40]} names no version of the layout: send the ETag you read, "
        'such as "layout-3", as it was given'
    )


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
