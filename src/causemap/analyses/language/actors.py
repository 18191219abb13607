"""Actors: who acts in a whole text, a person or a thing.

"The on-call engineer restarted the primary" is a person's act; "the change shipped
without a second approver" names a person who does nothing in it. The subject of each
sentence's main verb is read without a parser, with the word readings of :mod:`.agency`
(a subject, a person, the agent after "by"), in bounded scans.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from causemap.analyses.language.agency import (
    _DETERMINERS,
    _GROUP,
    _TOKEN,
    _agent,
    _clause_after,
    _clause_before,
    _someone,
    _subject_words,
)

__all__ = ["person_acts"]


# Who acts in a whole text: the subject of each sentence's main verb, found without a
# parser. A verb is a word of these lists or a regular past form ("pushed", "hand-edited");
# the first one with a subject before it is the main verb, unless it is a participle that
# hands its "by" to the subject ("a script written by the on-call years ago ran").
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
_ADVERBS = frozenset(["first", "later", "once", "finally", "initially", "soon", "again"])
"""Adverbs between a subject and its verb besides filler and "-ly" words: "operators first
saw"."""
_QUALIFIER_WORDS = "who that which whose for of in on at from with to near across"
_QUALIFIERS = frozenset(_QUALIFIER_WORDS.split())
"""Words after which a subject's qualifier runs to its verb: "account managers for the top
merchants heard", "an operator upgrading the servers needed" (so do "-ing" words)."""
_NO_SUBJECTS = frozenset(["and", "or", "but", "so", "nor", "yet", "they", "them", "us"])
"""Words that end no subject: a conjunction ("..., and put a ticket"), an object pronoun,
or "they", which in an incident as often stands for machines ("the servers answer
SERVFAIL when they have no directive")."""
_NEGATIONS = frozenset(["no", "nobody", "none", "neither"])
_CLAUSE_OPENER_WORDS = """after although as because before despite following given if once since
though unless until when whenever where whereas while with without"""
_CLAUSE_OPENERS = frozenset(_CLAUSE_OPENER_WORDS.split())
"""Words that open a clause before the main one ("Because the page was silent, the on-call
...", "With the change approved, we ..."), as an "-ing" word does: the main clause comes
after the first comma."""
_PREPOSITION_WORDS = "at by during for from in on over to under upon within"
_PREPOSITIONS = frozenset(_PREPOSITION_WORDS.split())
"""Words that open a phrase before the main clause ("At 09:58, we ..."), which ends at a
comma only where no verb comes first ("In early 2023 operators deployed X, to meet Y")."""
_SENTENCE = re.compile(r"[.;:!?](?=\s|$)|\n")


def _past(word: str) -> bool:
    """A past form: irregular ("ran", "written") or regular ("pushed", not "speed")."""
    return word in _PARTICIPLES or (
        len(word) > 3 and word.endswith("ed") and not word.endswith("eed") and word not in _NOT_PAST
    )


def _form(word: re.Match[str]) -> str:
    return re.sub(r"['’]s?$", "", word.group()).lower()


def _subjects(sentence: str, words: list[re.Match[str]], verb: int) -> list[list[str]]:
    """The readings of the subject of the verb at ``words[verb]``: the words before it that
    end with its subject (:func:`_subject_words`, less adverbs: "operators first saw"), and
    the words before the first word that qualifies the subject ("account managers for the
    top merchants heard"). A reading that ends with a conjunction or an object pronoun is
    none ("..., and put a ticket")."""
    at = words[verb].start()
    opening = at - len(_clause_before(sentence, at))
    first = verb
    while first and words[first - 1].start() >= opening:  # within _REACH: bounded
        first -= 1
    span = range(first, verb)
    cut = next((k for k in span[1:] if _form(words[k]) in _QUALIFIERS or _ing(words[k])), None)
    readings = []
    for end in (verb, cut):
        if end is None:
            continue
        reading = _subject_words(sentence, words[end].start())
        while reading and (reading[-1].lower() in _ADVERBS or reading[-1].lower().endswith("ly")):
            reading.pop()
        if reading and reading[-1].lower() not in _NO_SUBJECTS:
            readings.append(reading)
    return readings


def _ing(word: re.Match[str]) -> bool:
    return len(word.group()) > 4 and word.group().lower().endswith("ing")


def _main_verb(sentence: str, words: list[re.Match[str]]) -> tuple[int, int, bool] | None:
    """The first and last index in ``words`` of the main verb of ``sentence`` ("could not
    restart", "had been paged"), and whether it is in the passive; None when no word is a
    verb.

    A verb right after a determiner or a possessive, or with no subject before it, is an
    adjective ("the automated job", "Failed deploy"); a bare participle followed by "by"
    before a later verb qualifies the subject ("a script written by the on-call ran")."""
    forms = [_form(w) for w in words]
    verbs = [i for i, f in enumerate(forms) if f in _VERBS or _past(f)]
    if forms and "," in sentence:
        comma = sentence.index(",")
        after = next((i for i, w in enumerate(words) if w.start() > comma), len(words))
        opener = forms[0] in _CLAUSE_OPENERS or _ing(words[0])
        if opener or (forms[0] in _PREPOSITIONS and all(i >= after for i in verbs)):
            verbs = [i for i in verbs if i >= after]
    for n, i in enumerate(verbs):
        before = words[i - 1].group().lower() if i else ""
        if before in _DETERMINERS or before.endswith(("'s", "’s", "'", "’")):
            continue
        if not _subjects(sentence, words, i):
            continue
        bare = forms[i] not in _AUXILIARIES
        if bare and i + 1 < len(forms) and forms[i + 1] == "by" and n + 1 < len(verbs):
            continue
        j = i
        while j + 1 < len(forms) and (
            forms[j] in _AUXILIARIES or forms[j] in _IN_VERB_GROUP or forms[j].endswith("ly")
        ):
            j += 1
        passive = any(f in _PASSIVE for f in forms[i:j]) and _past(forms[j])
        return i, j, passive
    return None


def person_acts(
    text: str,
    *,
    person: re.Pattern[str],
    names: Collection[str] = (),
) -> bool:
    """Does a person (a person word, a group, a word of ``names``) act in ``text``?

    A person acts in a sentence when they are the subject of its main verb ("the on-call
    engineer restarted the primary", "we deployed on Friday"), read as
    :func:`by_a_person` reads a subject, or the agent after "by" in its clause ("config
    typed into the shell by one engineer"). A person who is only mentioned ("the change
    shipped without a second approver", "the runbook pointed admins to the old
    console"), acted on ("the on-call was paged 19 times"), denied ("no team owned it"),
    or who acts only in a phrase that qualifies the subject ("a script written by the
    on-call years ago ran") does not. A sentence with no word read as a verb ("On-call
    engineer restarts primary") is one a person acts in if it names one at all.

    Each word is read a bounded number of times (the subject within ``_REACH``
    characters of its verb), so the cost grows with the text's length only.

    Examples
    --------
    >>> person = re.compile(r"engineers?|approver|admins", re.IGNORECASE)
    >>> person_acts("An engineer ran the cleanup script", person=person)
    True
    >>> person_acts("The change shipped without a second approver", person=person)
    False
    >>> person_acts("The runbook pointed admins to the old console", person=person)
    False
    """
    if not (names or person.search(text) or _GROUP.search(text)):
        return False  # the common case: nobody to read a sentence for
    for sentence in _SENTENCE.split(text):
        words = list(_TOKEN.finditer(sentence))
        found = _main_verb(sentence, words)
        if found is None:
            # No verb to read ("On-call engineer restarts primary"): a person named at all
            # may be the one acting, as the check read every text before.
            if person.search(sentence) or any(w.group() in names for w in words):
                return True
            continue
        first, last, passive = found
        for subject in [] if passive else _subjects(sentence, words, first):
            denied = any(word.lower() in _NEGATIONS for word in subject[-3:])
            if not denied and _someone(subject, person, names):
                return True
        after = _TOKEN.findall(_clause_after(sentence, words[last].end()))
        if any(
            w.lower() == "by" and _agent(after[k + 1 :], person, names) for k, w in enumerate(after)
        ):
            return True
    return False
