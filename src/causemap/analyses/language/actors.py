"""Actors: who acts in a whole text, a person or a thing.

"The on-call engineer restarted the primary" is a person's act; "the change shipped
without a second approver" names a person who does nothing in it. The subject of each
sentence's main verb is read without a parser, with the word readings of :mod:`.agency`
(a subject, a person, the agent after "by"), in bounded scans.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from causemap.analyses.language.agency import (
    _BETWEEN,
    _CLAUSE_MARKS,
    _DETERMINERS,
    _GROUP,
    _TOKEN,
    _agent,
    _clause_after,
    _clause_before,
    _someone,
    _subject_words,
    _unpossessive,
)
from causemap.analyses.language.verbs import (
    _AUXILIARIES,
    _PASSIVE,
    _an_act,
    _ing_word,
    _past,
    _verb,
    _verb_group,
)

__all__ = ["person_acts"]


# Who acts in a whole text: the subject of each sentence's main verb, found without a
# parser. A verb is a word read as one by :mod:`.verbs`; the first one with a subject
# before it is the main verb, unless it is a participle that hands its "by" to the subject
# ("a script written by the on-call years ago ran").
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


def _form(word: re.Match[str]) -> str:
    return _unpossessive(word.group()).lower()


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
    return _ing_word(word.group())


def _main_verb(
    sentence: str, words: list[re.Match[str]], forms: list[str], start: int = 0
) -> tuple[int, int, bool] | None:
    """The first and last index in ``words`` of the main verb of ``sentence`` ("could not
    restart", "had been paged"), and whether it is in the passive; None when no word is a
    verb. ``forms`` are the words' forms (:func:`_form`); with ``start``, only a verb from
    that word on is read.

    A verb right after a determiner or a possessive, or with no subject before it, is an
    adjective ("the automated job", "Failed deploy"); a bare participle followed by "by"
    before a later verb qualifies the subject ("a script written by the on-call ran")."""
    verbs = [i for i, f in enumerate(forms) if i >= start and _verb(f)]
    if forms and not start and "," in sentence:
        after = _after_comma(sentence, words)
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
        return (i, *_verb_group(forms, i))
    return None


def _after_comma(sentence: str, words: list[re.Match[str]]) -> int:
    """The index in ``words`` of the first word after the first comma of ``sentence``."""
    comma = sentence.index(",")
    return next((i for i, w in enumerate(words) if w.start() > comma), len(words))


# Duties held, not acts: "a four-person team carried a 24/7 rotation", "one engineer held
# the pager", "two SREs were on call" say how the work was staffed, a condition the
# organisation set, whoever the subject is.
_DUTY_VERB_WORDS = """carry carries carried cover covers covered staff staffs staffed hold holds
held share shares shared run runs ran work works worked man mans manned split splits have has
had is are was were"""
_DUTY_WORDS = (
    "rotation rotations rota rotas pager pagers shift shifts on-call oncall watch coverage"
)
_DUTY_VERBS = frozenset(_DUTY_VERB_WORDS.split())
_DUTIES = frozenset(_DUTY_WORDS.split())
_ON_DUTY = frozenset(["call", "duty", "shift", "watch", "pager"])
"""What one is "on": "on call", "on duty", "on shift"."""
_DUTY_TERMS = _DUTIES | _ON_DUTY
_OBJECT_REACH = 5
"""How many words after a verb can hold its object's head ("the whole on-call rota")."""


def _on_duty(forms: list[str], first: int, last: int) -> bool:
    """Does the verb group ``forms[first:last + 1]`` with its object say a duty was held
    ("carried a 24/7 rotation", "held the pager for a week", "were on call"), rather than
    an act done? The object's head is its last word before a preposition, within
    ``_OBJECT_REACH`` words."""
    verb = next((k for k in range(first, last + 1) if forms[k] in _DUTY_VERBS), None)
    if verb is None:
        return False
    rest = forms[verb + 1 : verb + 1 + _OBJECT_REACH]
    on = rest[:1] == ["on"]
    head = ""
    for form in rest[1:] if on else rest:
        if form in _QUALIFIERS or form in _PREPOSITIONS or form in _NO_SUBJECTS:
            break
        head = form
    return head in _DUTIES or (on and head in _ON_DUTY)


def _acts(
    sentence: str,
    words: list[re.Match[str]],
    forms: list[str],
    verb: tuple[int, int, bool],
    person: re.Pattern[str],
    names: Collection[str],
) -> bool:
    """Does a person do what the verb group ``verb`` (first index, last index, passive)
    says: as its subject, unless the verb is passive or says a duty was held, or as the
    agent after "by" in its clause?"""
    first, last, passive = verb
    acting = not (passive or _on_duty(forms, first, last))
    if acting and _person_subject(sentence, words, first, person, names):
        return True
    return _by_agent(sentence, words[last].end(), person, names)


def _person_subject(
    sentence: str,
    words: list[re.Match[str]],
    verb: int,
    person: re.Pattern[str],
    names: Collection[str],
) -> bool:
    """Is a subject of the verb at ``verb`` a person, not denied ("no engineer")?"""
    return any(
        not any(word.lower() in _NEGATIONS for word in subject[-3:])
        and _someone(subject, person, names)
        for subject in _subjects(sentence, words, verb)
    )


def _by_agent(sentence: str, at: int, person: re.Pattern[str], names: Collection[str]) -> bool:
    """Is the agent after a "by" in the clause from ``at`` on a person ("restarted by an
    operator")?"""
    after = _TOKEN.findall(_clause_after(sentence, at))
    return any(
        w.lower() == "by" and _agent(after[k + 1 :], person, names) for k, w in enumerate(after)
    )


def _person_before(subject: Sequence[str], person: re.Pattern[str], names: Collection[str]) -> bool:
    """Are ``subject``, the words between a conjunction and its verb, a person: read whole
    and up to the first word that qualifies them ("the operator in charge"), less filler
    and adverbs at the end, and neither denied ("no engineer") nor "they"?"""
    cut = next(
        (
            k
            for k in range(1, len(subject))
            if subject[k].lower() in _QUALIFIERS or _ing_word(subject[k])
        ),
        None,
    )
    for reading in (list(subject), list(subject[:cut]) if cut else []):
        while reading and (
            reading[-1].lower().replace("’", "'") in _BETWEEN
            or reading[-1].lower() in _ADVERBS
            or reading[-1].lower().endswith("ly")
        ):
            reading.pop()
        if (
            reading
            and reading[-1].lower() not in _NO_SUBJECTS
            and not any(word.lower() in _NEGATIONS for word in reading[-3:])
            and _someone(reading, person, names)
        ):
            return True
    return False


_COORDINATORS = frozenset(["and", "but", "so", "yet", "then"])
"""Words that join a clause with a subject of its own to the main one: "the deploy tool was
slow and the operator restarted it by hand", "the migration was approved, then an engineer
ran it"."""
_CAUSES = frozenset(["because", "when", "whenever", "after"])
"""Words that open a clause whose act comes first and sets off the main one: "the primary
failed over because an engineer restarted it", "the cache emptied when the operator ran
the purge script". Not "before" or "until": their clause's act comes after the main one
("packet loss went on until engineers restarted the automation": the restart ended it),
nor "while", "since", "as" or "once", as often about when or how long as about why."""
_SUBJECT_REACH = 8
"""How many words a joined clause's subject, or a verbless phrase, may have."""
_SUBORDINATE = frozenset(["who", "whom", "whose", "which", "that"]) | (
    _CLAUSE_OPENERS - _QUALIFIERS
)
"""Words that make the words after a conjunction a relative or a subordinate clause, not
a clause with a subject of its own: "the team that requested the deletion and the team
that ran it", "packet loss and errors until engineers restarted it", "so that engineers
could"."""


def _joined_acts(
    sentence: str,
    words: list[re.Match[str]],
    forms: list[str],
    span: range,
    person: re.Pattern[str],
    names: Collection[str],
    *,
    shared: bool = False,
) -> bool:
    """Does a person act in a clause in ``span`` joined by a conjunction or opened by a
    word of :data:`_CAUSES`, whose subject is the words between that word and the clause's
    verb ("the deploy tool was slow and the operator restarted it", "the primary was drained
    and the fleet was restarted by an operator", "the primary failed over because an
    engineer restarted it")? A clause of cause counts only with an act (:func:`_an_act`):
    "because the on-call engineer was asleep" says how things stood.

    A verb right after a coordinator shares the main subject ("the alert paged the on-call
    and woke them"): the main reading has judged it, unless ``shared`` says that subject
    is a person who held a duty; then an act as the main reading would take it is theirs
    ("one engineer ran the pager rotation and restarted the primary"). Sharing ends at a
    clause with a subject of its own, a passive or a "be" ("were paged and restarted" may
    be two participles). One pass; each word is read as a subject at most once."""
    conj: int | None = None
    for v in span:
        form = forms[v]
        joins = form in _COORDINATORS or (form in _CAUSES and forms[v + 1 : v + 2] != ["of"])
        if joins and (conj is None or conj == v - 1):
            conj = v
            continue
        if conj is None or not _verb(form):
            continue
        before = words[v - 1].group().lower()
        if v > conj + 1 and (before in _DETERMINERS or before.endswith(("'s", "’s", "'", "’"))):
            continue  # an adjective: "the operator's scripted restart"
        cause = forms[conj] in _CAUSES
        subject_forms = forms[conj + 1 : v]
        conj = None
        last, passive = _verb_group(forms, v)
        act = not (passive or _on_duty(forms, v, last))
        if not subject_forms:
            if shared and not cause and act and _an_act(forms[last]):
                return True  # "... held the pager and restarted the primary"
            shared = shared and not (cause or passive) and _PASSIVE.isdisjoint(forms[v : last + 1])
            continue  # no subject of its own
        shared = False
        if len(subject_forms) > _SUBJECT_REACH or not _SUBORDINATE.isdisjoint(subject_forms):
            continue  # too far to be one, or not a main clause's
        if cause and not _an_act(forms[last]):
            continue  # a state, not an act: "because the engineer was asleep"
        subject = [w.group() for w in words[v - len(subject_forms) : v]]
        if act and _person_before(subject, person, names):
            return True
        if _by_agent(sentence, words[last].end(), person, names):
            return True
    return False


def _holds_duty(
    sentence: str,
    words: list[re.Match[str]],
    forms: list[str],
    verb: tuple[int, int, bool],
    person: re.Pattern[str],
    names: Collection[str],
) -> bool:
    """Does a person hold a duty with the verb group ``verb`` ("one engineer ran the pager
    rotation"), in the active voice and with no "be" ("two SREs were on call and paged"
    may be a passive "were paged")? Then a verb joined right after it is the person's."""
    first, last, passive = verb
    if passive or not _PASSIVE.isdisjoint(forms[first : last + 1]):
        return False
    if not _on_duty(forms, first, last):
        return False
    return _person_subject(sentence, words, first, person, names)


_NUMBER_WORDS = "two three four five six seven eight nine ten"
_COUNTS = _DETERMINERS | frozenset(_NUMBER_WORDS.split())
"""Words that open a phrase naming who was at work: "one person", "a single engineer"."""
_HEAD_REACH = 4
"""How many words the head of such a phrase may have: "a single senior engineer"."""


def _aside_names_actor(sentence: str, person: re.Pattern[str], names: Collection[str]) -> bool:
    """Does a verbless phrase after a comma say who was at work: "commands typed on the
    primary late at night, one person at the keyboard", "..., a single engineer working
    alone"? The phrase opens with a determiner, a number or the person, and its head (the
    words before a preposition or an "-ing" word) ends with the person. A phrase with a
    verb, a negation or a list ("the API, the dashboard and the admins") names none, nor
    does one that says a duty was held ("..., one engineer on call"), nor a phrase about
    time or place ("..., without a second approver").

    Each comma reads at most ``_REACH`` characters after it."""
    at = sentence.find(",")
    while at >= 0:
        part = _clause_after(sentence, at + 1)
        end = at + 1 + len(part)
        at = sentence.find(",", at + 1)
        if end < len(sentence) and sentence[end] not in _CLAUSE_MARKS:
            continue  # longer than _REACH: no aside
        words = _TOKEN.findall(part)
        if not words or len(words) > _SUBJECT_REACH:
            continue
        forms = [word.lower() for word in words]
        if not (forms[0] in _COUNTS or _someone(words[:1], person, names)):
            continue
        cut = next(
            (k for k in range(1, len(words)) if forms[k] in _QUALIFIERS or _ing_word(words[k])),
            len(words),
        )
        if cut > _HEAD_REACH or not _someone(words[:cut], person, names):
            continue
        if not any(
            _verb(f) or f in _NO_SUBJECTS or f in _NEGATIONS or (k >= cut and f in _DUTY_TERMS)
            for k, f in enumerate(forms)
        ):
            return True
    return False


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

    Beyond the main clause, a person also acts as the subject of a clause joined after it
    by "and", "but", "so", "yet" or "then" ("the deploy tool was slow and the operator
    restarted it"), in the clause after an opening participle that holds a verb of its own
    ("Told the rollback was safe, the operator restarted the fleet"), or when a verbless
    phrase after a comma says who was at work ("..., one person at the keyboard"). A
    person who holds a duty ("a four-person team carried a 24/7 rotation", "one engineer
    held the pager", "two SREs were on call") states how the work was staffed, not an act;
    what they do next is theirs ("one engineer ran the pager rotation and restarted the
    primary"). So is an act in a clause of cause, after the main clause or before its
    comma ("the primary failed over because an engineer restarted it", "When the operator
    ran the purge script, the cache emptied"); not a state there ("because the on-call was
    asleep"), nor an act in a clause that comes after the main one ("until engineers
    restarted it", "before the engineer noticed").

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
    >>> person_acts("The deploy tool was slow and the engineer restarted it", person=person)
    True
    >>> person_acts("Commands were typed on the primary, one engineer at the keyboard",
    ...             person=person)
    True
    >>> person_acts("A four-person team carried a 24/7 rotation", person=person)
    False
    >>> person_acts("The primary failed over because an engineer restarted it", person=person)
    True
    >>> person_acts("Errors went on until engineers restarted the primary", person=person)
    False
    """
    if not (names or person.search(text) or _GROUP.search(text)):
        return False  # the common case: nobody to read a sentence for
    for sentence in _SENTENCE.split(text):
        words = list(_TOKEN.finditer(sentence))
        forms = [_form(w) for w in words]
        found = _main_verb(sentence, words, forms)
        if found is None:
            # No verb to read ("On-call engineer restarts primary"): a person named at all
            # may be the one acting, as the check read every text before.
            if person.search(sentence) or any(w.group() in names for w in words):
                return True
            continue
        verbs = [found]
        if "," in sentence and forms[0] not in _AUXILIARIES and _past(forms[0]):
            # An opening participle may hold a verb of its own ("Told the rollback was
            # safe, the operator restarted the fleet"): the clause after the comma is read too.
            later = _main_verb(sentence, words, forms, _after_comma(sentence, words))
            verbs += [later] if later is not None and later != found else []
        if any(_acts(sentence, words, forms, verb, person, names) for verb in verbs):
            return True
        shared = _holds_duty(sentence, words, forms, verbs[-1], person, names)
        tail = range(verbs[-1][1] + 1, len(forms))
        if _joined_acts(sentence, words, forms, tail, person, names, shared=shared):
            return True
        if forms[0] in _CAUSES and "," in sentence:
            # An opening clause of cause ("When the operator ran the purge script, the
            # cache emptied"), read up to its comma.
            head = range(_after_comma(sentence, words))
            if _joined_acts(sentence, words, forms, head, person, names):
                return True
        if _aside_names_actor(sentence, person, names):
            return True
    return False
