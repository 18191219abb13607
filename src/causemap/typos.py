"""Whether a factor key that is not in the catalog is a typo of one that is.

A team may use keys of its own ("capacity-gap", "db-failover"), and ``patterns`` counts
each as a factor of its own; a typo of a catalog key ("alerting-gpa") would split one
factor in two, so it is warned of, with the key it is a typo of. A catalog entry's
``related`` key that names no entry gets the same hint. The module sits below both
:mod:`causemap.catalog` and :mod:`causemap.patterns` (it imports only
:mod:`causemap.diagnostics`), so that either may use it. The rule:

- keys are compared as spelt: ``_`` and ``.`` read as ``-``, and a plural word as its
  singular ("alerting_gaps" is "alerting-gap"). (Keys are lower-case: the format's ids
  allow no capitals.)
- then they may differ by a few edits (a character inserted, deleted or replaced, or two
  neighbours swapped: the optimal string alignment distance), as many as the shorter of
  the two allows (:func:`allowed_edits`): none below 4 characters, one below 10, two
  from 10 on. A shorter or longer key of the team's own differs by whole words, more than
  that ("capacity-gap" is 9 edits from "capacity-planning-gap");
- they must carry the same digits: "http-5xx-spike" is not a typo of "http-4xx-spike";
- and a typo leaves every word (a part between hyphens, as spelt) recognisable: it does
  not add or drop a whole word ("x-alerting-gap" is not "alerting-gap"), nor replace one
  with a word that shares no character with it ("a-kill-switch" is not
  "no-kill-switch"), which within two edits befalls only words of one or two characters
  (:func:`same_words`). "retry-storm-on-backoff" is still a typo of
  "retry-storm-no-backoff".

Of several catalog keys within reach, the one fewest edits away is named, then the one
closest as typed, then the first in the catalog. The web editor's note on a factor key
(``web/js/catalog.js``) ports this rule; a browser test checks that they agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from causemap import diagnostics

__all__ = ["Typos", "allowed_edits", "edits", "same_words", "spelling", "typo_of"]

_SEPARATORS = str.maketrans("_.", "--")
_DIGITS = frozenset("0123456789")
_MOST = 2  # the most edits :func:`allowed_edits` allows


def spelling(key: str) -> str:
    """``key`` as keys are compared: ``_`` and ``.`` as ``-``, and each word's plural
    ending dropped ("-ies" as "-y", a final "s" but not "ss").

    Examples
    --------
    >>> spelling("alerting_gaps"), spelling("shared-dependencies"), spelling("access")
    ('alerting-gap', 'shared-dependency', 'access')
    """
    return "-".join(_singular(word) for word in key.translate(_SEPARATORS).split("-"))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def allowed_edits(length: int) -> int:
    """How many edits a key of ``length`` characters (as spelt) may be from another and
    still be a typo of it: a short key is too easily another word."""
    return 0 if length < 4 else 1 if length < 10 else _MOST


def edits(a: str, b: str, limit: int | None = None) -> int:
    """The optimal string alignment distance between ``a`` and ``b``: characters inserted,
    deleted or replaced, and neighbours swapped, each one edit. Past ``limit``, the
    answer is ``limit + 1`` and found sooner.

    Examples
    --------
    >>> edits("alerting-gpa", "alerting-gap"), edits("alertng-gap", "alerting-gap")
    (1, 1)
    >>> edits("capacity-gap", "capacity-planning-gap"), edits("capacity-gap", "x" * 30, 2)
    (9, 3)
    """
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    start = 0  # a shared beginning and end cost nothing
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    a, b = a[start:end_a], b[start:end_b]
    # Only cells within ``reach`` of the diagonal can hold ``limit`` or less; the others
    # stand at ``far``, one past it.
    reach = max(len(a), len(b)) if limit is None else limit
    far = len(a) + len(b) + 1 if limit is None else limit + 1
    before: list[int] = []
    row = [j if j <= reach else far for j in range(len(b) + 1)]
    for i in range(1, len(a) + 1):
        earlier, before, row = before, row, [far] * (len(b) + 1)
        if i <= reach:
            row[0] = i
        low, high = max(1, i - reach), min(len(b), i + reach)
        for j in range(low, high + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            found = min(before[j] + 1, row[j - 1] + 1, before[j - 1] + cost, far)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                found = min(found, earlier[j - 2] + 1)
            row[j] = found
        if limit is not None and min(row[low - 1 : high + 1]) > limit:
            return far
    return row[len(b)]


def same_words(a: str, b: str) -> bool:
    """Whether spellings ``a`` and ``b`` (a few edits apart) have the same words, each
    perhaps mistyped: neither is the other with a word added, and no word of one is
    replaced whole by the word in its place in the other (they share no character).
    Words are the non-empty parts between hyphens, so a stray or missing hyphen is a
    typo like any other character.

    Examples
    --------
    >>> same_words("a-kill-switch", "no-kill-switch"), same_words("x-alerting-gap", "alerting-gap")
    (False, False)
    >>> same_words("retry-storm-on-backoff", "retry-storm-no-backoff")
    True
    >>> same_words("alertinggap", "alerting-gap"), same_words("alerting--gap", "alerting-gap")
    (True, True)
    """
    words_a, words_b = [w for w in a.split("-") if w], [w for w in b.split("-") if w]
    if len(words_a) == len(words_b):
        return all(set(x) & set(y) for x, y in zip(words_a, words_b, strict=True))
    fewer, more = sorted((words_a, words_b), key=len)
    return all(more[:i] + more[i + 1 :] != fewer for i in range(len(more)))


class Typos:
    """The catalog key each key not in it is most likely a typo of (the rule above), each
    distinct key looked up once, and later ones without an answer once
    :data:`~causemap.diagnostics.HINT_BUDGET` catalog keys have been compared: catalog keys
    are compared only with keys of a length they could be a typo of.

    Examples
    --------
    >>> typos = Typos(["retry-storm-no-backoff", "alerting-gap", "capacity-planning-gap"])
    >>> typos.near("retry-storm-no-backof"), typos.near("alerting.gaps")
    ('retry-storm-no-backoff', 'alerting-gap')
    >>> typos.near("capacity-gap"), typos.near("our-alerting")
    (None, None)
    """

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = list(dict.fromkeys(keys))
        self.known = set(self.keys)
        self.by_length: dict[int, list[tuple[str, int]]] = {}  # spelt length → (spelt, rank)
        for rank, key in enumerate(self.keys):
            spelt = spelling(key)
            self.by_length.setdefault(len(spelt), []).append((spelt, rank))
        self.found: dict[str, str | None] = {}
        self.left = diagnostics.HINT_BUDGET

    def near(self, key: str) -> str | None:
        """The catalog key ``key`` is most likely a typo of, or None: none is close, or
        ``key`` is one of them."""
        if key not in self.found:
            spelt = spelling(key)
            reach = range(len(spelt) - _MOST, len(spelt) + _MOST + 1)
            candidates = [c for n in reach for c in self.by_length.get(n, ())]
            if self.left < len(candidates):
                return None
            self.left -= len(candidates)
            self.found[key] = self._best(key, spelt, candidates)
        return self.found[key]

    def _best(self, key: str, spelt: str, candidates: list[tuple[str, int]]) -> str | None:
        if key in self.known:
            return None
        digits = [c for c in spelt if c in _DIGITS]
        best: tuple[int, int, int] | None = None
        for other, rank in candidates:
            limit = allowed_edits(min(len(spelt), len(other)))
            apart = edits(spelt, other, limit)
            if apart > limit or [c for c in other if c in _DIGITS] != digits:
                continue
            if not same_words(spelt, other):
                continue
            order = (apart, edits(key, self.keys[rank]), rank)
            best = order if best is None or order < best else best
        return None if best is None else self.keys[best[2]]


def typo_of(key: str, keys: Iterable[str]) -> str | None:
    """The key of ``keys`` that ``key`` is most likely a typo of, or None.

    Examples
    --------
    >>> keys = ["alerting-gap", "capacity-planning-gap", "failover-unsafe-or-untested"]
    >>> [typo_of(k, keys) for k in ("alertng-gap", "alerting-gpa", "alerting_gap")]
    ['alerting-gap', 'alerting-gap', 'alerting-gap']
    >>> [typo_of(k, keys) for k in ("capacity-gap", "our-alerting", "db-failover")]
    [None, None, None]
    """
    return Typos(keys).near(key)
