"""Language checks: hindsight, blame and personal names in causes, with neutral rewrites.

One module per noun, each importing only modules above it::

    lexicon    the word lists compiled to patterns, and the text form they compare in
    agency     who does what a match says: a person, a group or a thing
    verbs      which words are verbs, and the verb group a verb opens
    actors     who acts in a whole text: the subject of each sentence's main verb
    assertion  whether the text asserts a match, or quotes, negates or denies it
    rewrites   neutral suggestions for hindsight and blame language
    names      personal names: participants and known given names

The names below are the ones the method checks use; import them from here.
"""

from __future__ import annotations

from causemap.analyses.language.actors import person_acts
from causemap.analyses.language.agency import by_a_person
from causemap.analyses.language.assertion import asserted
from causemap.analyses.language.lexicon import Lexicon, lexicon, nfc
from causemap.analyses.language.names import person_names
from causemap.analyses.language.rewrites import rewrite_blame, rewrite_hindsight

__all__ = [
    "Lexicon",
    "asserted",
    "by_a_person",
    "lexicon",
    "nfc",
    "person_acts",
    "person_names",
    "rewrite_blame",
    "rewrite_hindsight",
]
