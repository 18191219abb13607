"""The incident format (format 1) as pydantic v2 models.

This module is the public contract that files, the API and the web editor all speak.
Shape, types, enums, slugs, text limits and unknown keys are checked here; references
between nodes, cycles and the other graph rules live in :mod:`causemap.validation`
because they need the whole document and produce warnings as well as errors.

Models import nothing else from causemap, so every other module may import them.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    PlainSerializer,
    PlainValidator,
    StrictBool,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from causemap.diagnostics import type_name

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
SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
"""An id, as JSON Schema and OpenAPI publish it. Their regexes are ECMA-262, where ``$``
is the end of the text; in Python's ``re`` it also matches before a final newline, so
Python code checks ids with :func:`is_slug` (a full match), never with this pattern."""
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")

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

_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def control_character(value: str) -> str | None:
    """The first control character in ``value`` that the format refuses in text (all but
    tab and line breaks), if any.

    Examples
    --------
    >>> control_character("a\\x00b"), control_character("a\\tb")
    ('\\x00', None)
    """
    found = _CONTROL.search(value)
    return found.group() if found else None


def _clean_text(value: str) -> str:
    found = control_character(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "text must not contain control characters (found {char})",
            {"char": repr(found)},
        )
    if not value.strip():
        raise PydanticCustomError("blank_text", "text must not be empty or blank")
    return value


def _parse_instant(value: Any) -> dt.datetime | dt.date:
    """Accept a date (2017-02-28) or a date-time with a timezone (2017-02-28T17:37:00Z)."""
    if isinstance(value, dt.datetime):
        parsed: dt.datetime | dt.date = value
    elif isinstance(value, dt.date):
        return value
    elif isinstance(value, str):
        # fromisoformat also reads week dates (2024-W01-1) and ordinal ones; the format,
        # like its schema, has calendar dates only.
        shaped = _DATE_SHAPE.match(value) is not None
        try:
            if not shaped:
                raise ValueError(value)
            parsed = (
                dt.date.fromisoformat(value)
                if len(value) == 10
                else dt.datetime.fromisoformat(value.replace("z", "Z"))
            )
        except ValueError:
            raise _not_an_instant(value, shaped=shaped) from None
    else:
        raise PydanticCustomError(
            "instant",
            "expected a date or date-time string, got {type}",
            {"type": type_name(value)},
        )
    if isinstance(parsed, dt.datetime) and parsed.utcoffset() is None:
        raise PydanticCustomError(
            "instant_timezone",
            "date-time {value} has no timezone; add one, e.g. 'Z' for UTC or '+02:00'",
            {"value": repr(str(value)[:40])},
        )
    return parsed


_TIME = re.compile(r"[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:[Zz]|[+-](\d{2}):?(\d{2}))?$")
"""The time after a date, as far as telling which of its numbers is out of range."""


def _not_an_instant(value: str, *, shaped: bool) -> PydanticCustomError:
    """The error for a string Python does not read as a date or date-time: the date or
    the part of the time that is out of range when it is, else the shape expected."""
    if shaped:
        try:
            dt.date.fromisoformat(value[:10])
        except ValueError:
            return PydanticCustomError(
                "invalid_date", "{value} is not a valid calendar date", {"value": repr(value)}
            )
        found = _TIME.match(value, 10)
        problem = _time_problem(found) if found is not None else None
        if problem is not None:
            return PydanticCustomError(
                "invalid_time",
                "{value} is not a valid time: {problem}",
                {"value": repr(value), "problem": problem},
            )
    return PydanticCustomError(
        "instant",
        "expected a date like 2017-02-28 or a date-time with a timezone like "
        "2017-02-28T17:37:00Z, got {value}",
        {"value": repr(value[:40])},
    )


def _time_problem(found: re.Match[str]) -> str | None:
    """Which number of a matched :data:`_TIME` is out of range, if any."""
    hour, minute, second, offset_hours, offset_minutes = found.groups()
    if int(hour) > 23:
        midnight = " (midnight is T00:00 of the next day)" if hour == "24" else ""
        return f"the hour must be 00-23{midnight}"
    checks = (
        (minute, 59, "the minute must be 00-59"),
        (second, 59, "the second must be 00-59"),
        (offset_hours, 23, "the timezone offset must be less than 24 hours"),
        (offset_minutes, 59, "the minutes of the timezone offset must be 00-59"),
    )
    return next((problem for part, top, problem in checks if part and int(part) > top), None)


def format_instant(value: dt.datetime | dt.date) -> str:
    """ISO 8601 text of a date or time, with 'Z' for UTC."""
    if isinstance(value, dt.datetime):
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    return value.isoformat()


def parse_day(text: str) -> dt.date:
    """A date written ``YYYY-MM-DD``, the one form causemap reads everywhere (files,
    ``--since``, query parameters); ``ValueError`` with a message for anything else.

    Python would also take ``20240131`` and ``2024-W05-3``, and pydantic a Unix time.

    Examples
    --------
    >>> parse_day("2024-01-31")
    datetime.date(2024, 1, 31)
    """
    try:
        return _parse_date(text)
    except PydanticCustomError as exc:
        raise ValueError(str(exc)) from None


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date", "expected a date like 2017-02-28, not a date-time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10 and _DATE_SHAPE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            if _DATE_SHAPE.match(value):
                raise PydanticCustomError(
                    "invalid_date", "{value} is not a valid calendar date", {"value": repr(value)}
                ) from None
    raise PydanticCustomError(
        "date", "expected a date like 2017-02-28, got {value}", {"value": repr(str(value)[:40])}
    )


def is_slug(value: str) -> bool:
    """Whether ``value`` is an id: ``[a-z0-9][a-z0-9._-]{0,79}``, all of it.

    Examples
    --------
    >>> is_slug("db-failover"), is_slug("db-failover\\n"), is_slug("Db")
    (True, False, False)
    """
    return _SLUG.fullmatch(value) is not None


def _check_slug(value: str) -> str:
    if not is_slug(value):
        raise PydanticCustomError(
            "string_pattern_mismatch",
            "String should match pattern '{pattern}'",
            {"pattern": SLUG_PATTERN},
        )
    return value


NOT_BLANK_PATTERN = r"\S"
"""Text is not blank, as JSON Schema says it: it has a character that is not white space."""


class _NotBlank:
    """The JSON Schema side of :func:`_clean_text`: at least one character that is not
    white space, so an editor flags blank text before ``causemap validate`` does."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = NOT_BLANK_PATTERN
        return schema


Text = Annotated[str, AfterValidator(_clean_text), _NotBlank()]
Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
"""An id (incident, node, action, factor key), checked by :func:`is_slug`."""
Instant = Annotated[
    dt.datetime | dt.date,
    PlainValidator(_parse_instant),
    PlainSerializer(format_instant, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ]
        }
    ),
]
Date = Annotated[
    dt.date,
    PlainValidator(_parse_date),
    PlainSerializer(lambda d: d.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date"}),
]


def exact_version(value: Any) -> Any:
    """Format 1 is the number 1: ``1.0`` is accepted as JSON Schema's ``integer`` accepts
    it (a validator run on the file must agree with causemap), but ``true``, which also
    equals 1 in Python, is not a number."""
    if type(value) is float and value == 1:
        return 1
    if type(value) is not int:
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": "1"})
    return value


def instant_to_datetime(value: dt.datetime | dt.date) -> dt.datetime:
    """Return ``value`` as an aware datetime; a bare date means its start in UTC.

    Examples
    --------
    >>> instant_to_datetime(dt.date(2017, 2, 28)).isoformat()
    '2017-02-28T00:00:00+00:00'
    """
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def certainly_before(first: dt.datetime | dt.date, second: dt.datetime | dt.date) -> bool:
    """True when every moment ``first`` can mean is before every moment ``second`` can.

    A date-time is one moment; a bare date is its whole day in UTC, so a date and a time
    on that day are in no certain order. Time checks (``until`` before ``at``, TIME_ORDER)
    use this so that writing only the date never makes a true order look wrong.

    Examples
    --------
    >>> certainly_before(dt.date(2024, 1, 1), dt.date(2024, 1, 2))
    True
    >>> certainly_before(dt.date(2024, 1, 1), dt.datetime(2024, 1, 1, 20, tzinfo=dt.UTC))
    False
    """
    start = instant_to_datetime(second)
    if isinstance(first, dt.datetime):
        return first < start
    return instant_to_datetime(first) + dt.timedelta(days=1) <= start


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
