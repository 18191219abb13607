"""The shared input of the method checks: graph, classes, prevention, word lists.

Derived facts (scope, roots, document order, compiled word lists) are computed once, on
first use, and shared by every check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from causemap.analyses.config import AnalysisConfig
from causemap.analyses.language import Lexicon, lexicon, nfc, person_names
from causemap.analyses.result import Classification, Prevention
from causemap.analyses.structure import Shape
from causemap.graph import CausalGraph
from causemap.plain import clean

__all__ = ["Context", "quote"]


@dataclass
class Context:
    """Everything the checks read; derived facts are computed once, on first use."""

    G: CausalGraph
    classes: dict[str, Classification]
    prevention: Prevention
    config: AnalysisConfig = field(default_factory=AnalysisConfig)
    shape: Shape | None = None
    """The graph's structural facts, when the caller already computed them."""

    @cached_property
    def words(self) -> Lexicon:
        return lexicon(self.config.language)

    @cached_property
    def facts(self) -> Shape:
        return self.shape or Shape.of(self.G)

    @property
    def scope(self) -> frozenset[str]:
        return self.facts.scope

    @property
    def roots(self) -> list[str]:
        return self.facts.roots

    @property
    def position(self) -> dict[str, int]:
        return self.facts.position

    @cached_property
    def actions(self) -> list[dict[str, Any]]:
        """The action items, titles in NFC (as every text the checks read)."""
        return [{**a, "title": nfc(a["title"])} for a in self.G.graph.get("actions", [])]

    def label(self, node: str) -> str:
        """The node's label in NFC, so that word lists match it in either Unicode form."""
        return nfc(str(self.G.nodes[node].get("label", "")))

    def texts(self, node: str) -> list[str]:
        """The node's label and detail in NFC."""
        data = self.G.nodes[node]
        return [nfc(t) for t in (data.get("label"), data.get("detail")) if t]

    def cls(self, node: str) -> str:
        return self.classes[node].class_

    @cached_property
    def participants(self) -> list[str]:
        return [str(p) for p in self.G.graph.get("participants", [])]

    def names(self, text: str) -> list[str]:
        """The personal names in ``text``: a participant's, or a known given name."""
        w = self.words
        return person_names(text, self.participants, w.first_names, w.ordinary_names)


def quote(text: str, limit: int = 60) -> str:
    """``text`` in quotes, made plain (one line, no control characters or bidirectional
    marks, which would reorder the message after it) and cut at ``limit`` characters."""
    text = clean(text)
    return f"'{text[: limit - 1]}…'" if len(text) > limit else f"'{text}'"
