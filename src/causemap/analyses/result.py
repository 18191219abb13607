"""The analysis result: plain, typed data that the CLI, API, renderers and web only present.

``schemas/analysis.schema.json`` is generated from :class:`Analysis`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Analysis",
    "ClassName",
    "Classification",
    "Coverage",
    "Finding",
    "FindingSeverity",
    "Prevention",
    "Ranked",
]

ClassName = Literal["impact", "proximate", "systemic"]
FindingSeverity = Literal["error", "warning", "info"]

_CONFIG = ConfigDict(
    extra="forbid",
    use_attribute_docstrings=True,
    populate_by_name=True,
    json_schema_serialization_defaults_required=True,
)


class Classification(BaseModel):
    """A node's class and the rule that decided it."""

    model_config = _CONFIG

    class_: ClassName = Field(alias="class")
    """impact, proximate (what happened) or systemic (why it could happen)."""
    rule: str
    """Identifier of the rule that decided the class, e.g. ``event-chain``."""
    reasons: list[str] = Field(default_factory=list)
    """Why, in words a facilitator can read; says so where the data was thin."""


class Finding(BaseModel):
    """One method check that fired, with the question to ask the room."""

    model_config = _CONFIG

    code: str
    """Stable code, e.g. ``SINGLE_ROOT``."""
    severity: FindingSeverity
    nodes: list[str] = Field(default_factory=list)
    """Node ids the finding is about."""
    edges: list[tuple[str, str]] = Field(default_factory=list)
    """Edges (cause, effect) the finding is about."""
    actions: list[str] = Field(default_factory=list)
    """Action ids the finding is about."""
    message: str
    """What was found."""
    prompt: str
    """The question a facilitator should ask the room."""
    rewrite: str | None = None
    """A suggested neutral rewrite of the offending text, for language findings."""
    source: str = ""
    """The method the check comes from (WBA, Apollo, CAST, 5 Whys critique …)."""


class Coverage(BaseModel):
    """Whether a set of action items would have stopped the impact."""

    model_config = _CONFIG

    actions: list[str] = Field(default_factory=list)
    """The action ids counted in this view."""
    addressed: list[str] = Field(default_factory=list)
    """Node ids those actions remove or weaken."""
    scenario_prevented: bool = False
    """With the addressed nodes removed, the impact no longer follows under the gates."""
    all_paths_cut: bool = False
    """Every causal path from a root to an impact passes through an addressed node."""
    depth_of_defence: int = 0
    """Fewest addressed nodes on any root-to-impact path (0 when a path is uncut)."""


class Prevention(Coverage):
    """Would the action items have prevented this? The planned preventive view, plus others.

    The top-level fields count actions of type prevent and process that are not wontfix.
    """

    uncovered_paths: list[list[str]] = Field(default_factory=list)
    """Up to a few example root-to-impact paths that no preventive action cuts."""
    uncovered_nodes: list[str] = Field(default_factory=list)
    """Every node on some uncut root-to-impact path."""
    suggested_cut: list[str] = Field(default_factory=list)
    """A minimum-weight set of extra nodes that would cut every remaining path (systemic
    nodes weigh less, so they are preferred)."""
    minimal_cut_sets: list[list[str]] = Field(default_factory=list)
    """Minimal combinations of root factors that suffice for the impact (MOCUS), smallest
    first; at most 128, of at most 64 factors each."""
    minimal_prevention_sets: list[list[str]] = Field(default_factory=list)
    """Minimal sets of root factors whose removal prevents the impact, smallest first (up
    to three factors, at most 20); none while an impact has no cause."""
    unexplained: list[str] = Field(default_factory=list)
    """Impacts with no cause yet: nothing in the graph explains them, so no action can
    prevent them and no path to them can be cut until their causes are linked."""
    truncated: bool = False
    """True when the cut-set enumeration hit a cap (sets per node, set size or work
    budget), or the search for prevention sets of two or three factors looked at the first
    200 or 133 root factors only: the lists may be incomplete, though each set in them is
    checked against the gates to be minimal."""
    done: Coverage = Field(default_factory=Coverage)
    """The same checks counting only actions already done."""
    detection: Coverage = Field(default_factory=Coverage)
    """Detect and mitigate actions, counted apart: they shorten or soften the impact."""
    combined: Coverage = Field(default_factory=Coverage)
    """Every action that is not wontfix, whatever its type."""
    systemic_addressed: int = 0
    """Systemic nodes addressed by a preventive action, directly or through an ancestor."""
    systemic_total: int = 0
    """Systemic nodes in the graph."""


class Ranked(BaseModel):
    """A node's leverage: how much removing it would prevent."""

    model_config = _CONFIG

    node: str
    score: float
    """0 to 1; higher means more leverage."""
    why: str
    """One-line explanation."""


class Analysis(BaseModel):
    """Everything causemap concludes about one incident."""

    model_config = _CONFIG

    incident: str
    """The incident id."""
    nodes: dict[str, Classification]
    """Class of every node, by id, in document order."""
    findings: list[Finding]
    """Method checks that fired, most severe first."""
    prevention: Prevention
    ranking: list[Ranked]
    """Non-impact nodes by leverage, highest first."""
