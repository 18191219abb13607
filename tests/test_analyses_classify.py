"""Proximate vs systemic: every rule fires where it should, and agrees with reviewers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from causemap.analyses.classify import RULES, classify, mentioned_date
from causemap.graph import to_graph
from tests.conftest import ROOT, make_incident
from tests.corpus import labelled_corpus


def classes(nodes: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    result = classify(to_graph(make_incident(nodes, date="2024-03-10")))
    return {n: (c.class_, c.rule) for n, c in result.items()}


IMPACT = {"id": "harm", "kind": "impact", "label": "Customers saw errors"}


class TestRules:
    def test_event_chain_and_latent_condition(self) -> None:
        got = classes(
            [
                {"id": "push", "kind": "event", "label": "Config pushed", "level": "operator"},
                {"id": "crash", "kind": "event", "label": "Proxies crashed", "causes": ["push"]},
                {
                    "id": "no-canary",
                    "kind": "condition",
                    "label": "No canary",
                    "level": "technical",
                },
                {**IMPACT, "causes": ["crash", "no-canary"]},
            ]
        )
        assert got["push"] == ("proximate", "event-chain")
        assert got["crash"] == ("proximate", "event-chain")
        assert got["no-canary"] == ("systemic", "latent-condition")
        assert got["harm"] == ("impact", "impact")

    def test_state_produced_by_the_chain_is_proximate(self) -> None:
        got = classes(
            [
                {
                    "id": "expired",
                    "kind": "event",
                    "label": "The CA expired",
                    "at": "2024-03-10T09:00:00Z",
                },
                {
                    "id": "handshakes",
                    "kind": "condition",
                    "label": "mTLS handshakes were rejected",
                    "causes": ["expired"],
                },
                {**IMPACT, "causes": ["handshakes"]},
            ]
        )
        assert got["handshakes"] == ("proximate", "produced-by-chain")

    def test_factor_and_override(self) -> None:
        got = classes(
            [
                {"id": "pressure", "kind": "factor", "label": "Quarter-end pressure"},
                {
                    "id": "push",
                    "kind": "event",
                    "label": "Config pushed",
                    "causes": ["pressure"],
                    "classification": "systemic",
                },
                {**IMPACT, "causes": ["push"]},
            ]
        )
        assert got["pressure"] == ("systemic", "contributing-factor")
        assert got["push"] == ("systemic", "override")

    def test_latency_by_time_and_by_label(self) -> None:
        got = classes(
            [
                {
                    "id": "release",
                    "kind": "event",
                    "label": "A release shipped a latent bug",
                    "at": "2024-01-05",
                },
                {
                    "id": "migration",
                    "kind": "event",
                    "label": "The service was registered with the new quota system in October",
                },
                {
                    "id": "bug",
                    "kind": "condition",
                    "label": "The bug sat in every host",
                    "causes": ["release", "migration"],
                },
                {
                    "id": "trigger",
                    "kind": "event",
                    "label": "A customer changed a setting",
                    "at": "2024-03-10T08:00:00Z",
                },
                {**IMPACT, "causes": ["bug", "trigger"]},
            ]
        )
        assert got["release"] == ("systemic", "latent-by-time")
        assert got["migration"] == ("systemic", "latent-by-time")
        assert got["bug"] == ("systemic", "latent-condition")
        assert got["trigger"] == ("proximate", "event-chain")

    @pytest.mark.parametrize(
        ("at", "latent"),
        [
            ("2024-03-09", False),  # may have begun at 23:00, nine hours before the trigger
            ("2024-03-08", True),  # ended before 2024-03-09T00:00Z: more than a day
            ("2024-03-09T07:59:00Z", True),
            ("2024-03-09T08:00:00Z", False),
        ],
    )
    def test_a_date_alone_is_latent_only_when_its_whole_day_is(self, at: str, latent: bool) -> None:
        """A date alone was read as its midnight: a condition dated the day before a
        trigger at 08:00 counted as more than a day before it."""
        got = classes(
            [
                {"id": "load", "kind": "condition", "label": "Load was high", "at": at},
                {
                    "id": "trigger",
                    "kind": "event",
                    "label": "A customer changed a setting",
                    "at": "2024-03-10T08:00:00Z",
                },
                {**IMPACT, "causes": ["load", "trigger"]},
            ]
        )
        assert (got["load"][1] == "latent-by-time") is latent

    def test_transient_state_and_absence(self) -> None:
        got = classes(
            [
                {
                    "id": "load",
                    "kind": "condition",
                    "label": "Consul was under unusually high load",
                },
                {
                    "id": "no-limit",
                    "kind": "condition",
                    "label": "There was no limit, so the queue could grow without bound",
                },
                {**IMPACT, "causes": ["load", "no-limit"]},
            ]
        )
        assert got["load"] == ("proximate", "transient-state")
        assert got["no-limit"] == ("systemic", "latent-condition")

    def test_planted_condition(self) -> None:
        got = classes(
            [
                {"id": "refactor", "kind": "event", "label": "A refactor removed the size check"},
                {
                    "id": "no-check",
                    "kind": "condition",
                    "label": "Nothing checked the file size",
                    "causes": ["refactor"],
                },
                {"id": "push", "kind": "event", "label": "A large file was pushed"},
                {**IMPACT, "causes": ["no-check", "push"]},
            ]
        )
        assert got["refactor"] == ("systemic", "planted-condition")

    def test_thin_data_is_said(self) -> None:
        result = classify(
            to_graph(
                make_incident(
                    [
                        {"id": "c", "kind": "condition", "label": "Backups were untested"},
                        {**IMPACT, "causes": ["c"]},
                    ]
                )
            )
        )
        assert any("no start time" in r for r in result["c"].reasons)

    def test_common_mode_counts_proximate_nodes_reached_through_systemic_ones(self) -> None:
        result = classify(
            to_graph(
                make_incident(
                    [
                        {"id": "policy", "kind": "factor", "label": "Review skipped on Fridays"},
                        {
                            "id": "no-check",
                            "kind": "condition",
                            "label": "No size check",
                            "causes": ["policy"],
                        },
                        {"id": "push", "kind": "event", "label": "Pushed", "causes": ["no-check"]},
                        {"id": "load", "kind": "event", "label": "Loaded", "causes": ["push"]},
                        {"id": "crash", "kind": "event", "label": "Crashed", "causes": ["policy"]},
                        {**IMPACT, "causes": ["load", "crash"]},
                    ]
                )
            )
        )
        # policy reaches push (through no-check) and crash, not load (beyond push).
        assert "it feeds 2 separate parts" in "; ".join(result["policy"].reasons)
        assert "separate parts" not in "; ".join(result["no-check"].reasons)

    def test_a_long_chain_of_conditions_is_linear(self) -> None:
        # Each condition's fan-out used to be its own search down the chain: quadratic.
        nodes: list[dict[str, Any]] = [{"id": "c0", "kind": "condition", "label": "C"}]
        nodes += [
            {"id": f"c{i}", "kind": "condition", "label": "C", "causes": [f"c{i - 1}"]}
            for i in range(1, 5000)
        ]
        result = classify(to_graph(make_incident([*nodes, {**IMPACT, "causes": ["c4999"]}])))
        assert {c.rule for n, c in result.items() if n != "harm"} == {"latent-condition"}

    def test_a_state_caused_by_an_event_off_the_event_chain_is_produced_by_it(self) -> None:
        # The restart is proximate (it also caused a load spike), so the cold caches it
        # caused are part of the mechanism too: produced-by-chain fires before
        # latent-condition, whatever order the nodes are settled in.
        got = classes(
            [
                {"id": "restart", "kind": "event", "label": "A cron job restarted the caches"},
                {
                    "id": "cold",
                    "kind": "condition",
                    "label": "The caches were cold",
                    "causes": ["restart"],
                },
                {
                    "id": "spike",
                    "kind": "condition",
                    "label": "A sudden spike of database reads",
                    "causes": ["restart"],
                },
                {**IMPACT, "causes": ["cold", "spike"]},
            ]
        )
        assert got["restart"] == ("proximate", "event")
        assert got["spike"] == ("proximate", "produced-by-chain")
        assert got["cold"] == ("proximate", "produced-by-chain")

    def test_an_event_beside_a_late_proximate_one_is_no_longer_planted(self) -> None:
        # 'flush' only leads to the cold caches; once they turn out to be produced by the
        # proximate restart, 'flush' is no longer an event whose effects are all systemic.
        got = classes(
            [
                {"id": "flush", "kind": "event", "label": "A script flushed the warm-up list"},
                {"id": "restart", "kind": "event", "label": "A cron job restarted the caches"},
                {
                    "id": "cold",
                    "kind": "condition",
                    "label": "The caches were cold",
                    "causes": ["flush", "restart"],
                },
                {
                    "id": "spike",
                    "kind": "condition",
                    "label": "A sudden spike of database reads",
                    "causes": ["restart"],
                },
                {**IMPACT, "causes": ["cold", "spike"]},
            ]
        )
        assert got["restart"] == ("proximate", "event")
        assert got["cold"] == ("proximate", "produced-by-chain")
        assert got["flush"] == ("proximate", "event")

    def test_an_event_caused_by_a_late_proximate_event_is_produced_by_it(self) -> None:
        # The migration is proximate only once its effects are settled (it caused a retry
        # storm); the config rewrite it caused is then part of the mechanism, and so is the
        # stale endpoint the rewrite left: produced-by-chain fires before
        # planted-condition and latent-condition. They used to stay systemic.
        got = classes(
            [
                {"id": "ran", "kind": "event", "label": "An operator ran the migration"},
                {
                    "id": "storm",
                    "kind": "condition",
                    "label": "A retry storm from the clients",
                    "causes": ["ran"],
                },
                {
                    "id": "rewrote",
                    "kind": "event",
                    "label": "The script rewrote the routing config",
                    "causes": ["ran"],
                },
                {
                    "id": "stale",
                    "kind": "condition",
                    "label": "The routing config held a stale endpoint",
                    "causes": ["rewrote"],
                },
                {**IMPACT, "causes": ["storm", "stale"]},
            ]
        )
        assert got["ran"] == ("proximate", "event")
        assert got["rewrote"] == ("proximate", "produced-by-chain")
        assert got["stale"] == ("proximate", "produced-by-chain")

    def test_an_off_chain_event_after_another_names_the_rule_that_fired(self) -> None:
        got = classes(
            [
                {"id": "page", "kind": "event", "label": "The pager fired"},
                {"id": "ack", "kind": "event", "label": "The page was acknowledged"},
                {"id": "late", "kind": "event", "label": "The ack came late", "causes": ["ack"]},
                {**IMPACT, "causes": ["page"]},
            ]
        )
        assert got["ack"] == ("proximate", "event")
        assert got["late"] == ("proximate", "produced-by-chain")

    def test_every_rule_is_documented(self) -> None:
        doc = (ROOT / "docs" / "analyses.md").read_text(encoding="utf-8")
        for rule in RULES:
            assert f"`{rule}`" in doc, rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("registered in October", dt.date(2023, 10, 1)),
        ("since 2019 the tool had no floor", dt.date(2019, 1, 1)),
        ("shipped on 2024-01-05", dt.date(2024, 1, 5)),
        ("two weeks earlier the limit was lowered", dt.date(2024, 3, 8)),
        ("two days earlier the limit was lowered", dt.date(2024, 3, 8)),
        # One day is not more than a day: the threshold of latent-by-time.
        ("the certificate was renewed a day earlier with the wrong name", None),
        ("the limit was lowered 1 day ago", None),
        ("the tool may remove servers", None),
        ("in March the incident began", None),
    ],
)
def test_mentioned_date(text: str, expected: dt.date | None) -> None:
    found = mentioned_date(text, dt.date(2024, 3, 10))
    assert (found[0] if found else None) == expected


def test_agreement_with_reviewers_on_real_postmortems() -> None:
    agree = total = 0
    for item in labelled_corpus():
        result = classify(to_graph(item.incident))
        for node, label in item.classes.items():
            total += 1
            agree += result[node].class_ == label
    assert total >= 200
    assert agree / total >= 0.95
