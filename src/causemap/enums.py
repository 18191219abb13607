"""The format's closed vocabularies: what a node is, where it sits, how its causes
combine, and what an action does and where it stands.

Each is a string enum whose values are the words files write. They stand apart from the
models (:mod:`causemap.model`) because analyses, renderers and the catalog speak them too.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ActionStatus", "ActionType", "Gate", "Level", "NodeClass", "NodeKind"]


class NodeKind(StrEnum):
    """What a node of the causal graph stands for."""

    EVENT = "event"
    """Something that happened at a point in time: an action, or an occurrence."""
    CONDITION = "condition"
    """A state that held for a while: a configuration, a capacity limit, a missing safeguard."""
    FACTOR = "factor"
    """A contributing factor in tooling, process, team or organisation."""
    IMPACT = "impact"
    """The harm: customers, data, money. An impact causes nothing."""


class Level(StrEnum):
    """AcciMap level, from the sharp end to the blunt end."""

    TECHNICAL = "technical"
    OPERATOR = "operator"
    PROCESS = "process"
    ORGANIZATION = "organization"
    EXTERNAL = "external"


class Gate(StrEnum):
    """How the direct causes of a node combine."""

    AND = "and"
    """Every cause was needed; together they sufficed (the default)."""
    OR = "or"
    """Any one cause alone would have sufficed."""


class NodeClass(StrEnum):
    """A reviewer's override of the computed proximate/systemic class."""

    PROXIMATE = "proximate"
    SYSTEMIC = "systemic"


class ActionStatus(StrEnum):
    """Where an action item stands."""

    OPEN = "open"
    IN_PROGRESS = "in-progress"
    DONE = "done"
    WONTFIX = "wontfix"


class ActionType(StrEnum):
    """What an action item does to the causal structure."""

    PREVENT = "prevent"
    """Removes or weakens a cause so the impact cannot follow."""
    MITIGATE = "mitigate"
    """Limits the harm once the failure happens."""
    DETECT = "detect"
    """Finds the failure sooner."""
    PROCESS = "process"
    """Changes how people work (review, runbooks, training)."""
