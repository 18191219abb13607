"""The patterns report: plain, typed data that the renderers and the JSON output present.

``schemas/patterns.schema.json`` is generated from :class:`PatternsReport`. Every list
is sorted, so the same incidents always give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ActionCounts",
    "CoOccurrence",
    "Factor",
    "IncidentRef",
    "Link",
    "Member",
    "PatternsReport",
    "Recurrence",
    "TREND_YEARS",
    "TrendBucket",
    "Trends",
]

_CONFIG = ConfigDict(extra="forbid", use_attribute_docstrings=True)

Layer = Literal["key", "catalog", "cluster"]


class Member(BaseModel):
    """One node that is an instance of a shared factor."""

    model_config = _CONFIG

    incident: str
    node: str
    label: str
    """The node's own wording."""
    layer: Layer
    """How it was matched: its factor key, a catalog entry, or clustering by similarity."""
    confidence: float = Field(ge=0, le=1)
    reason: str
    """Why, in words: the key, the catalog phrases matched, or the node it resembles."""


class ActionCounts(BaseModel):
    """Action items that address a factor's nodes, by status."""

    model_config = _CONFIG

    open: int = 0
    """Open or in progress."""
    done: int = 0
    wontfix: int = 0


class Factor(BaseModel):
    """A canonical contributing factor seen in two or more incidents: one leaderboard row."""

    model_config = _CONFIG

    key: str
    """Canonical id: a factor key, a catalog entry key, or ``cluster-N``."""
    label: str
    """The catalog entry's name, or the most representative member's wording."""
    source: Literal["catalog", "key", "cluster"]
    """Where the identity comes from: a catalog entry, a key not in the catalog, or a cluster."""
    incidents: list[str]
    """Ids of the incidents that contain it, oldest first."""
    score: float
    """Severity-weighted support: the sum of the incidents' severity weights."""
    first_seen: dt.date
    last_seen: dt.date
    level: str | None
    """The members' most common AcciMap level (else the catalog entry's)."""
    typical_class: str | None
    """The members' most common class: proximate or systemic."""
    class_source: Literal["analysis", "node", "catalog", "none"]
    """Where the class came from: causemap's analysis, reviewers' overrides, the catalog."""
    actions: ActionCounts
    confidence: float = Field(ge=0, le=1)
    """Mean match confidence of the members (1 when every member carries the key)."""
    confidences: list[Annotated[float, Field(ge=0, le=1)]]
    """The best match confidence in each of ``incidents``, in the same order: every
    incident's, whereas ``members`` may list only those of the most recent."""
    member_count: int
    """How many nodes are instances of the factor, across all its incidents."""
    members: list[Member]
    """The nodes, oldest incident first: all of them up to 100; beyond that only the 100
    of the most recent incidents (``member_count`` has the total), so that the report of
    a large archive stays small."""


class Link(BaseModel):
    """Factor ``source`` is upstream of factor ``target`` (by ancestry) in several incidents."""

    model_config = _CONFIG

    source: str
    target: str
    incidents: list[str]


class CoOccurrence(BaseModel):
    """Two factors that appear in the same incidents more often than chance."""

    model_config = _CONFIG

    a: str
    b: str
    incidents: list[str]
    lift: float
    """Observed joint count over the count expected if the two were independent (> 1)."""


class Recurrence(BaseModel):
    """A factor whose action was done, and which came back in a later incident."""

    model_config = _CONFIG

    factor: str
    fixed_in: str
    """The incident whose action addressed the factor."""
    action: str
    """The action id in that incident."""
    title: str
    closed: dt.date
    """When the action was done."""
    recurrences: int
    """How many incidents dated after ``closed`` (and after ``fixed_in``) contain the
    factor again."""
    recurred_in: list[str]
    """Those incidents, oldest first: the first 10 when there are more."""


TREND_YEARS = 40
"""Most years the trend buckets cover, the latest: a date typed 0202 for 2022 would
otherwise make 21,830 monthly buckets. :attr:`Trends.earlier_years` counts those left out."""


class TrendBucket(BaseModel):
    """Incidents and factor occurrences in one month or quarter."""

    model_config = _CONFIG

    period: str
    """``2024-01`` or ``2024-Q1``."""
    incidents: int
    factors: dict[str, int] = Field(default_factory=dict)
    """Incidents in the period that contain each of the leading factors."""


class Trends(BaseModel):
    """Occurrences over time (every month or quarter of the last 40 years at most, empty
    ones included) and by level."""

    model_config = _CONFIG

    monthly: list[TrendBucket] = Field(default_factory=list)
    quarterly: list[TrendBucket] = Field(default_factory=list)
    levels: dict[str, int] = Field(default_factory=dict)
    """Shared-factor occurrences by AcciMap level, sharp end first (technical, operator,
    process, organization, external; ``unset`` last, for nodes with no level)."""
    first_period: str | None = None
    """The month of the earliest incident (``2019-03``): where the full span starts."""
    earlier_years: int = 0
    """Years before the first bucket left out: the buckets cover the last 40 years at
    most, starting in January when some are left out; else 0."""
    earlier_incidents: int = 0
    """Incidents dated in those years, which no bucket counts."""


class IncidentRef(BaseModel):
    """An incident in the report: the rows of the incidents × factors matrix."""

    model_config = _CONFIG

    id: str
    title: str
    date: dt.date
    severity: str | None = None
    weight: float
    """Severity weight used in scores."""


class PatternsReport(BaseModel):
    """Contributing factors shared across incidents, and what they tell about prevention."""

    model_config = _CONFIG

    incidents: int
    """Number of incidents analysed (after --since)."""
    since: dt.date | None = None
    catalog: str
    """Name of the catalog used for matching."""
    nodes: int
    """Non-impact nodes considered."""
    matched: dict[str, int]
    """Nodes matched by each layer: key, catalog, cluster."""
    factors: list[Factor]
    """Leaderboard: factors in two or more incidents, most incidents first."""
    links: list[Link]
    cooccurrence: list[CoOccurrence]
    recurring_after_fix: list[Recurrence]
    trends: Trends
    incident_list: list[IncidentRef]
    """Every incident analysed, oldest first."""
