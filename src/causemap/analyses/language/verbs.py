"""Verbs: which words are verbs, the verb group a verb opens, and which verbs are acts.

"restarted", "ran" and "had been paged" are verbs; "hundred" and "speed" are not, though
they look like past forms; "was asleep" and "left in 2014" say how things stood or who
was there, not what a person did. :mod:`.actors` reads a sentence's main verb and its
subject with these readings, without a parser: word lists and the regular "-ed" past, no
regex.
"""

from __future__ import annotations

__all__: list[str] = []


_AUXILIARY_WORDS = """is are am was were be been being has have had do does did will would can
could shall should may might must get gets got"""
_PASSIVE_WORDS = "is are am was were be been being get gets got"
_IRREGULAR_WORDS = """ran saw seen went gone took taken made gave given let put set sent left
lost kept held knew known thought told found began begun broke broken brought bought built
caught chose chosen came cut done drew drawn drove driven fell fallen felt fed fled led forgot
forgotten hit hid hidden hung lent meant met paid rode rose risen said sat shook shot shut slept
spent split spread stood stole stolen struck stuck swept taught threw thrown understood woke
woken wore won wrote written withdrew withdrawn overrode overridden undid undone rebuilt reran
rewrote rewritten mistook mistaken overran overtook overtaken sold sought heard hurt laid lit
showed shown grew grown froze frozen dealt fought rang spoke spoken tore torn became become"""
_PRESENT_WORDS = "lets puts makes takes keeps sends knows says sees goes gives allows requires"
_AUXILIARIES = frozenset(_AUXILIARY_WORDS.split())
_PASSIVE = frozenset(_PASSIVE_WORDS.split())
_PARTICIPLES = frozenset(_IRREGULAR_WORDS.split())
_VERBS = _AUXILIARIES | _PARTICIPLES | frozenset(_PRESENT_WORDS.split())
_NOT_PAST = frozenset(["hundred", "embed", "shed"])
_IN_VERB_GROUP = frozenset(["not", "never", "also", "already", "just", "still", "then", "even"])


def _past(word: str) -> bool:
    """A past form: irregular ("ran", "written") or regular ("pushed", not "speed")."""
    return word in _PARTICIPLES or (
        len(word) > 3 and word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PAST
    )


def _verb(form: str) -> bool:
    return form in _VERBS or _past(form)


def _ing_word(word: str) -> bool:
    return len(word) > 4 and word.lower().endswith("ing")


def _verb_group(forms: list[str], i: int) -> tuple[int, bool]:
    """The last index of the verb group that opens at ``forms[i]`` ("could not restart",
    "had been paged"), and whether it is in the passive."""
    j = i
    while j + 1 < len(forms) and (
        forms[j] in _AUXILIARIES or forms[j] in _IN_VERB_GROUP or forms[j].endswith("ly")
    ):
        j += 1
    return j, any(f in _PASSIVE for f in forms[i:j]) and _past(forms[j])


_PRESENCE_WORDS = "left joined arrived came went returned retired resigned departed"
_PRESENCE = frozenset(_PRESENCE_WORDS.split())
"""Comings and goings, which say who was there, as a duty held says how the work was
staffed: "after he left in October 2014", "when a second responder arrived"."""
_NO_ACTS = _AUXILIARIES | _PRESENCE


def _an_act(form: str) -> bool:
    """Is ``form``, a verb group's last word, an act: a verb, not "be", "have" or "do"
    ("was asleep", "had no access") nor a coming or going (:data:`_PRESENCE`)?"""
    return form not in _NO_ACTS and (_verb(form) or _ing_word(form))
