"""The format's models: field rules, enums, time values, unknown keys."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from causemap.model import Edge, Incident, Node, instant_to_datetime


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


def test_instant_to_datetime() -> None:
    assert instant_to_datetime(dt.date(2024, 1, 2)) == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
