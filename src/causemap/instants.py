"""Dates and instants as the format writes them: a calendar date (2017-02-28), or a
date-time with a timezone (2017-02-28T17:37:00Z).

Reading them (with messages that say which part is wrong), writing them back, and ordering
them, where a bare date is its whole day in UTC. They stand apart from the models because
the analyses, the store, the API and the CLI (``--since``) read and compare times too.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from causemap.diagnostics import type_name

__all__ = [
    "Date",
    "Instant",
    "certainly_before",
    "format_instant",
    "instant_to_datetime",
    "parse_day",
]

_DATE_SHAPE = re.compile(r"^\d{4}-\d{2}-\d{2}")


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
