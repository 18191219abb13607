"""The JSON of an incident's suggestions, in its two documented shapes.

``causemap suggest --format json`` lists the nodes, each with its label and ``factor``
(:class:`SuggestListing`, ``schemas/suggest.schema.json``); ``POST /suggest`` keys them by
node id (:class:`SuggestReport`, ``schemas/suggest-api.schema.json``). Each suggestion is
a :class:`SuggestionOut` in both. The builders write plain dicts straight from the
suggestions, field for field, rather than one model per suggestion: at ``top=50`` a large
incident has hundreds of thousands, and validating each took longer than the scoring.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from causemap.diagnostics import Diagnostic
from causemap.model import Node
from causemap.patterns.suggest import Suggestion

__all__ = [
    "NodeSuggestions",
    "SuggestListing",
    "SuggestReport",
    "SuggestionOut",
    "by_node",
    "listing",
]

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)

Rows = Sequence[tuple[Node, Sequence[Suggestion]]]
"""What :func:`~causemap.patterns.advise.suggest_nodes` returns."""


class SuggestionOut(BaseModel):
    """One catalog entry proposed for a node, with its evidence."""

    model_config = _CONFIG

    key: str
    """The catalog key; accept the suggestion by setting the node's ``factor`` to it."""
    name: str
    score: float
    """Sum of the weighted signals; comparable between entries for the same node."""
    confidence: float = Field(ge=0, le=1)
    """0..1: how sure an automatic assignment of this entry would be."""
    phrases: list[str]
    """Catalog phrases found in the node's wording."""
    keywords: list[str]
    """Catalog keywords found in the node's wording."""
    example: str | None = None
    """The entry's example wording closest to the node's."""


class SuggestReport(BaseModel):
    """Catalog suggestions for every node but the impacts (``POST /suggest``)."""

    model_config = _CONFIG

    incident: str
    nodes: dict[str, list[SuggestionOut]]
    """Suggestions by node id, best first, in document order; nodes that already carry
    a ``factor`` get suggestions too."""
    warnings: list[Diagnostic] = Field(default_factory=list)
    """A warning at each ``factor`` that is not a key of the service's catalog
    (``unknown-factor``, with the catalog key it is most likely a typo of, if any, at its
    line and column in the body), as ``causemap suggest`` prints them: ``patterns``
    counts such a key as a factor of its own, so a typo splits one factor in two."""


class NodeSuggestions(BaseModel):
    """One node and the catalog entries proposed for it."""

    model_config = _CONFIG

    node: str
    """The node's id."""
    label: str
    """The node's wording."""
    factor: str | None
    """The ``factor`` key the node already carries, else null."""
    suggestions: list[SuggestionOut]
    """Best first."""


class SuggestListing(BaseModel):
    """Catalog suggestions for every node but the impacts (``causemap suggest --format
    json``)."""

    model_config = _CONFIG

    incident: str
    catalog: str
    """The name of the catalog the entries come from."""
    nodes: list[NodeSuggestions]
    """In document order; nodes that already carry a ``factor`` get suggestions too."""


def _suggestions(found: Sequence[Suggestion]) -> list[dict[str, Any]]:
    return [
        {
            "key": s.key,
            "name": s.name,
            "score": s.score,
            "confidence": s.confidence,
            "phrases": list(s.phrases),
            "keywords": list(s.keywords),
            "example": s.example,
        }
        for s in found
    ]


def by_node(incident: str, rows: Rows, warnings: Sequence[Diagnostic] = ()) -> dict[str, Any]:
    """The JSON of a :class:`SuggestReport`, as ``POST /suggest`` answers it."""
    return {
        "incident": incident,
        "nodes": {node.id: _suggestions(found) for node, found in rows},
        "warnings": [w.model_dump(mode="json") for w in warnings],
    }


def listing(incident: str, catalog: str, rows: Rows) -> dict[str, Any]:
    """The JSON of a :class:`SuggestListing`, as ``causemap suggest`` prints it."""
    return {
        "incident": incident,
        "catalog": catalog,
        "nodes": [
            {
                "node": node.id,
                "label": node.label,
                "factor": node.factor,
                "suggestions": _suggestions(found),
            }
            for node, found in rows
        ],
    }
