"""The format's models: field rules, enums, time values, unknown keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from causemap.catalog.model import Entry
from causemap.model import SLUG_PATTERN, Action, Edge, Incident, Node, instant_to_datetime
from causemap.render import RenderOptions


class TestNode:
    def test_defaults(self) -> None:
        node = Node.model_validate({"id": "a", "kind": "event", "label": "A"})
        assert (node.gate, node.unknown, node.causes, node.evidence) == ("and", False, [], [])

    def test_unknown_key_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="extra"):
            Node.model_validate({"id": "a", "kind": "event", "label": "A", "color": "red"})

    @pytest.mark.parametrize(
        "value", ["2024-01-01", "2024-01-01T10:00:00Z", "2024-01-01T10:00:00+02:00"]
    )
    def test_times_accept_dates_and_aware_datetimes(self, value: str) -> None:
        node = Node.model_validate({"id": "a", "kind": "event", "label": "A", "at": value})
        assert node.model_dump(mode="json")["at"] == value

    def test_naive_datetime_is_rejected(self) -> None:
        with pytest.raises(ValidationError, match="timezone"):
            Node.model_validate(
                {"id": "a", "kind": "event", "label": "A", "at": "2024-01-01T10:00:00"}
            )

    def test_until_may_not_precede_at(self) -> None:
        with pytest.raises(ValidationError, match="earlier"):
            Node.model_validate(
                {
                    "id": "a",
                    "kind": "condition",
                    "label": "A",
                    "at": "2024-01-02",
                    "until": "2024-01-01T23:00:00Z",
                }
            )

    @pytest.mark.parametrize(
        ("at", "until"),
        [
            ("2024-01-01T20:00:00Z", "2024-01-01"),  # ended some time that day
            ("2024-01-01", "2024-01-01T05:00:00Z"),
            ("2024-01-01T23:30:00-05:00", "2024-01-02"),  # 2024-01-02T04:30Z
        ],
    )
    def test_a_date_without_a_time_is_its_whole_utc_day(self, at: str, until: str) -> None:
        """A date alone is the whole day, as TIME_ORDER reads it: 'until' on the day 'at'
        falls in is not earlier. It used to be taken as that day's midnight and refused."""
        node = Node.model_validate(
            {"id": "a", "kind": "condition", "label": "A", "at": at, "until": until}
        )
        assert node.until is not None

    def test_until_the_day_before_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="earlier"):
            Node.model_validate(
                {
                    "id": "a",
                    "kind": "condition",
                    "label": "A",
                    "at": "2024-01-02T00:30:00+00:00",
                    "until": "2024-01-01",
                }
            )


class TestEdge:
    def test_from_and_to_are_the_keys(self) -> None:
        edge = Edge.between("a", "b", label="x")
        assert edge.model_dump(exclude_defaults=True) == {"from": "a", "to": "b", "label": "x"}

    def test_python_names_are_not_accepted_in_documents(self) -> None:
        with pytest.raises(ValidationError):
            Edge.model_validate({"source": "a", "target": "b"})


class TestIncident:
    def test_node_lookup(self, chain: Incident) -> None:
        assert chain.node("spread").label == "Every region loaded it"
        with pytest.raises(KeyError):
            chain.node("missing")

    def test_schema_key_is_allowed_for_json_editors(self) -> None:
        inc = Incident.model_validate(
            {
                "$schema": "https://causemap.dev/schemas/incident.schema.json",
                "causemap": 1,
                "id": "x",
                "title": "X",
                "date": "2024-01-01",
                "nodes": [{"id": "i", "kind": "impact", "label": "I"}],
            }
        )
        assert inc.schema_ is not None


def _incident(**fields: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "causemap": 1,
        "id": "x",
        "title": "X",
        "date": "2024-01-01",
        "nodes": [
            {"id": "a", "kind": "event", "label": "A"},
            {"id": "i", "kind": "impact", "label": "I"},
        ],
    }
    return doc | fields


class TestStrictness:
    """The schema says integer const 1 and boolean; Python's 1 == True must not leak in."""

    @pytest.mark.parametrize("version", [True, "1", 2, 1.5])
    def test_version_is_the_number_1(self, version: object) -> None:
        with pytest.raises(ValidationError, match="causemap"):
            Incident.model_validate(_incident(causemap=version))

    def test_version_1_0_is_format_1_as_for_a_schema_validator(self) -> None:
        # JSON Schema's integer includes 1.0, so a file the published schema accepts
        # must load, and it is written back as 1.
        incident = Incident.model_validate(_incident(causemap=1.0))
        assert type(incident.causemap) is int
        assert incident.causemap == 1

    @pytest.mark.parametrize("value", [1, 0, "true", "yes", "on"])
    def test_unknown_is_a_boolean(self, value: object) -> None:
        with pytest.raises(ValidationError, match="unknown"):
            Node.model_validate({"id": "a", "kind": "event", "label": "A", "unknown": value})

    def test_json_schema_says_so(self) -> None:
        schema = Incident.model_json_schema()
        assert schema["properties"]["causemap"] == {
            "const": 1,
            "description": "Format version. This release reads format 1.",
            "title": "Causemap",
            "type": "integer",
        }
        # A boolean, or null for the key left empty (see TestEmptyOptionalKeys).
        unknown = schema["$defs"]["Node"]["properties"]["unknown"]
        assert unknown["type"] == ["boolean", "null"]


class TestSlugs:
    @pytest.mark.parametrize("bad", ["x\n", "x\r", "\nx", "x\n\n", "x\u2028", "X", "-x", "a" * 81])
    @pytest.mark.parametrize(
        ("model", "document"),
        [
            (Incident, lambda v: _incident(id=v)),
            (Node, lambda v: {"id": v, "kind": "event", "label": "A"}),
            (Node, lambda v: {"id": "a", "kind": "event", "label": "A", "causes": [v]}),
            (Node, lambda v: {"id": "a", "kind": "event", "label": "A", "factor": v}),
            (Edge, lambda v: {"from": v, "to": "b"}),
            (Edge, lambda v: {"from": "a", "to": v}),
            (Action, lambda v: {"id": v, "title": "T"}),
            (Action, lambda v: {"id": "a", "title": "T", "addresses": [v]}),
            (RenderOptions, lambda v: {"focus": v}),
        ],
        ids=["incident", "node", "causes", "factor", "from", "to", "action", "addresses", "focus"],
    )
    def test_every_id_must_match_whole(self, model: Any, document: Any, bad: str) -> None:
        """Python's ``$`` also matches before a final newline: ids are full matches."""
        with pytest.raises(ValidationError, match="pattern"):
            model.model_validate(document(bad))

    def test_catalog_keys_must_match_whole(self) -> None:
        entry = {
            "key": "stale-flags\n",
            "name": "Stale flags",
            "definition": "Flags nobody removed.",
            "level": "process",
            "class": "systemic",
        }
        with pytest.raises(ValidationError, match="pattern"):
            Entry.model_validate(entry)

    @pytest.mark.parametrize("good", ["x", "0", "db-failover.2024_01", "a" * 80])
    def test_good_ids(self, good: str) -> None:
        assert Incident.model_validate(_incident(id=good)).id == good

    def test_published_pattern_is_anchored_for_ecma_262(self) -> None:
        """JSON Schema regexes are ECMA-262, where ``$`` is only the end of the text."""
        schema = Incident.model_json_schema()
        assert schema["properties"]["id"]["pattern"] == SLUG_PATTERN
        assert SLUG_PATTERN == "^[a-z0-9][a-z0-9._-]{0,79}$"


def test_instant_to_datetime() -> None:
    assert instant_to_datetime(dt.date(2024, 1, 2)) == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


class TestInvalidTimes:
    """A date-time whose date is fine but whose time is not says what is wrong with the
    time; ``T24:00:00`` was "not a valid calendar date", which sent people to the date."""

    @staticmethod
    def message(at: str) -> str:
        from causemap.loader import check_bytes
        from tests.test_bad_inputs import BASE

        document = BASE.replace("at: 2024-03-05T10:00:00Z", f"at: {at}", 1)
        (error,) = check_bytes(document.encode(), "doc.yaml").errors
        return error.format()

    @pytest.mark.parametrize(
        ("at", "expected"),
        [
            ("2024-03-05T24:00:00Z", "the hour must be 00-23 (midnight is T00:00 of the next day)"),
            ("'2024-03-05T24:00Z'", "the hour must be 00-23 (midnight is T00:00 of the next day)"),
            ("2024-03-05T25:00:00Z", "the hour must be 00-23"),
            ("2024-03-05T10:60:00Z", "the minute must be 00-59"),
            ("2024-03-05T10:00:60Z", "the second must be 00-59"),
            ("2024-03-05T10:00:00+24:00", "the timezone offset must be less than 24 hours"),
        ],
    )
    def test_the_part_that_is_wrong_is_named(self, at: str, expected: str) -> None:
        text = self.message(at)
        value = at.strip("'")
        assert text.startswith("doc.yaml:9:9: error: /nodes/0/at: "), text
        assert f"'{value}' is not a valid time: {expected}" in text, text
        assert "calendar date" not in text

    def test_a_wrong_date_is_still_a_calendar_date_error(self) -> None:
        text = self.message("2024-02-30T10:00:00Z")
        expected = "doc.yaml:9:9: error: /nodes/0/at: '2024-02-30T10:00:00Z' is not a valid "
        assert f"{expected}calendar date" in text, text

    def test_a_time_that_is_no_time_gets_the_expected_shape(self) -> None:
        text = self.message("2024-03-05Tnoon")
        assert "doc.yaml:9:9: error: /nodes/0/at: expected a date like 2017-02-28 or a " in text
        assert "calendar date" not in text
