"""The incident format (format 1) as pydantic v2 models.

This module is the public contract that files, the API and the web editor all speak.
Shape, types, enums, slugs, text limits and unknown keys are checked here; references
between nodes, cycles and the other graph rules live in :mod:`causemap.validation`
because they need the whole document and produce warnings as well as errors.

The enums live in :mod:`causemap.enums`, the text and id types in
:mod:`causemap.fields` and dates and instants in :mod:`causemap.instants`; every name is
still importable from here, the format's public face. Models import nothing else from
causemap, so every other module may import them.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

# Every name of the format stays importable from here; those outside __all__ are
# imported "as" themselves, which marks them re-exported for mypy.
from causemap.enums import ActionStatus, ActionType, Gate, Level, NodeClass, NodeKind
from causemap.fields import NOT_BLANK_PATTERN as NOT_BLANK_PATTERN
from causemap.fields import SLUG_PATTERN, control_character, is_slug
from causemap.fields import Slug as Slug
from causemap.fields import Text as Text
from causemap.fields import exact_version as exact_version
from causemap.instants import Date, format_instant, instant_to_datetime, parse_day
from causemap.instants import Instant as Instant
from causemap.instants import certainly_before as certainly_before

__all__ = [
    "Date",
    "FORMAT_VERSION",
    "SLUG_PATTERN",
    "Action",
    "ActionStatus",
    "ActionType",
    "Edge",
    "FormatModel",
    "Gate",
    "Incident",
    "Level",
    "Node",
    "NodeClass",
    "NodeKind",
    "control_character",
    "format_instant",
    "instant_to_datetime",
    "is_slug",
    "parse_day",
]

FORMAT_VERSION = 1

# Text limits: generous for real postmortems, small enough that one document cannot
# exhaust memory or make a diagram unreadable.
MAX_TITLE = 200
MAX_LABEL = 500
MAX_DETAIL = 10_000
MAX_SUMMARY = 20_000
MAX_SHORT = 200
MAX_EVIDENCE = 2_000
MAX_LIST = 200
MAX_NODES = 20_000
MAX_EDGES = 100_000
MAX_ACTIONS = 2_000


_CONFIG = ConfigDict(
    extra="forbid",
    use_attribute_docstrings=True,
    validate_by_alias=True,
    validate_by_name=False,
    serialize_by_alias=True,
)

_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "deprecated"})
"""JSON Schema keywords that describe a property rather than constrain its value."""


class FormatModel(BaseModel):
    """Base of the models of the file formats (incident, catalog): an optional key given
    no value means the key is absent.

    Files are written by hand, often from a template, and YAML reads ``tags:`` with
    nothing after it as null. Such a key is dropped before validation, in this one place
    for every optional field of every object, so the model is the one a file without
    the key gives: same defaults, same canonical form, same digest in the store. A
    required key given null is left for validation to refuse, with its location.
    """

    model_config = _CONFIG

    _optional: ClassVar[frozenset[str]] = frozenset()
    """The keys, as documents write them, of the fields that have a default."""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls._optional = frozenset(
            field.alias or name
            for name, field in cls.model_fields.items()
            if not field.is_required()
        )

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        if isinstance(data, dict) and None in data.values():
            return {k: v for k, v in data.items() if v is not None or k not in cls._optional}
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The schema says so too: each optional property also takes null, so an editor
        does not flag what causemap reads. In both modes: the API's OpenAPI has one
        ``Incident``, made from the answer that returns a document (serialization) and
        used for the request bodies too."""
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        for key, prop in target.get("properties", {}).items():
            if key in cls._optional:
                target["properties"][key] = _or_null(prop)
        return schema


def _or_null(prop: JsonSchemaValue) -> JsonSchemaValue:
    """``prop`` that also takes null. A property of one type gets ``"type": [type,
    "null"]``, which keeps its constraints where they are, so a validator still reports
    a wrong item of a list at the item; any other (an enum's ``$ref``) gets the
    ``anyOf`` with null that pydantic writes for ``X | None``."""
    null = {"type": "null"}
    if isinstance(prop.get("type"), str):
        return {**prop, "type": [prop["type"], "null"]}
    if "anyOf" in prop:
        branches = prop["anyOf"]
        return prop if null in branches else {**prop, "anyOf": [*branches, null]}
    value = {k: v for k, v in prop.items() if k not in _ANNOTATIONS}
    return {"anyOf": [value, null], **{k: v for k, v in prop.items() if k in _ANNOTATIONS}}


class Node(FormatModel):
    """One statement in the causal graph: an event, a condition, a factor or an impact."""

    id: Slug
    """Identifier, unique in this incident: [a-z0-9][a-z0-9._-]{0,79}."""
    kind: NodeKind
    """event | condition | factor | impact."""
    label: Text = Field(min_length=1, max_length=MAX_LABEL)
    """One sentence stating what happened or what held, written without blame."""
    detail: Text | None = Field(None, max_length=MAX_DETAIL)
    """Optional longer explanation."""
    at: Instant | None = None
    """When it happened or began: a date, or a date-time with a timezone."""
    until: Instant | None = None
    """When it ended: not before 'at', where a date alone is its whole day in UTC."""
    level: Level | None = None
    """AcciMap level: technical | operator | process | organization | external."""
    factor: Slug | None = None
    """Shared-factor key, the same across incidents, for cross-incident analysis."""
    tags: list[Annotated[Text, Field(max_length=MAX_SHORT)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """Free tags."""
    evidence: list[Annotated[Text, Field(max_length=MAX_EVIDENCE)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """Links, log lines or other references that support this statement."""
    unknown: StrictBool = False
    """True marks an open question: a cause known to exist but not yet identified."""
    gate: Gate = Gate.AND
    """How this node's causes combine: and (all were needed) | or (any one sufficed)."""
    classification: NodeClass | None = None
    """Reviewer's override of the computed class: proximate | systemic."""
    causes: list[Slug] = Field(default_factory=list, max_length=MAX_LIST)
    """Ids of this node's direct causes (shorthand for edges without a label)."""

    @field_validator("until")
    @classmethod
    def _until_after_at(cls, value: Any, info: ValidationInfo) -> Any:
        start = info.data.get("at")
        if value is not None and start is not None and certainly_before(value, start):
            raise PydanticCustomError(
                "until_before_at",
                "'until' ({until}) is earlier than 'at' ({at})",
                {"until": format_instant(value), "at": format_instant(start)},
            )
        return value


class Edge(FormatModel):
    """A cause → effect link that carries a label or evidence."""

    source: Slug = Field(alias="from")
    """Id of the cause."""
    target: Slug = Field(alias="to")
    """Id of the effect."""
    label: Text | None = Field(None, max_length=MAX_LABEL)
    """How the cause produced the effect."""
    evidence: list[Annotated[Text, Field(max_length=MAX_EVIDENCE)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """References that support this link."""

    @classmethod
    def between(cls, source: str, target: str, **fields: Any) -> Edge:
        """Build an edge from Python, where ``from`` is a keyword."""
        return cls.model_validate({"from": source, "to": target, **fields})


class Action(FormatModel):
    """An action item and the nodes it removes or weakens."""

    id: Slug
    """Identifier, unique in this incident."""
    title: Text = Field(min_length=1, max_length=MAX_TITLE * 2)
    """What will be done, stated so that anyone can check it was done."""
    addresses: list[Slug] = Field(default_factory=list, max_length=MAX_LIST)
    """Ids of the nodes this action removes or weakens."""
    owner: Text | None = Field(None, max_length=MAX_SHORT)
    """Team or person accountable for it."""
    due: Date | None = None
    """Date it is due."""
    status: ActionStatus = ActionStatus.OPEN
    """open | in-progress | done | wontfix."""
    closed: Date | None = None
    """Date it was done."""
    type: ActionType = ActionType.PREVENT
    """prevent | mitigate | detect | process."""
    link: Text | None = Field(None, max_length=MAX_EVIDENCE)
    """Tracker link."""


class Incident(FormatModel):
    """One incident: metadata, the causal graph and the action items."""

    schema_: str | None = Field(None, alias="$schema", max_length=MAX_EVIDENCE)
    """Optional JSON Schema reference for editors (JSON files)."""
    causemap: Annotated[Literal[1], BeforeValidator(exact_version)]
    """Format version. This release reads format 1."""
    id: Slug
    """Identifier, unique in a corpus: [a-z0-9][a-z0-9._-]{0,79}."""
    title: Text = Field(min_length=1, max_length=MAX_TITLE)
    """Short title of the incident."""
    date: Date
    """Date the incident started."""
    severity: Text | None = Field(None, max_length=MAX_SHORT)
    """Severity in the team's own scale, e.g. sev1."""
    services: list[Annotated[Text, Field(max_length=MAX_SHORT)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """Services involved."""
    tags: list[Annotated[Text, Field(max_length=MAX_SHORT)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """Free tags."""
    participants: list[Annotated[Text, Field(max_length=MAX_SHORT)]] = Field(
        default_factory=list, max_length=MAX_LIST
    )
    """People in the review; their names must not appear as causes."""
    summary: Text | None = Field(None, max_length=MAX_SUMMARY)
    """One paragraph on what happened and what it cost."""
    nodes: list[Node] = Field(min_length=1, max_length=MAX_NODES)
    """Events, conditions, factors and impacts."""
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
    """Cause → effect links that carry a label or evidence."""
    actions: list[Action] = Field(default_factory=list, max_length=MAX_ACTIONS)
    """Action items."""

    def node(self, node_id: str) -> Node:
        """Return the node with ``node_id``; raise ``KeyError`` if there is none."""
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)
