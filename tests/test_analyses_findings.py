"""Method checks fire on the failure modes they name, and stay quiet on careful work.

Each code has a fixture that must trigger it and a near-identical one that must not:
false alarms are as bad as misses.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata
from typing import Any, Literal

import pytest

from causemap.analyses import CODES, analyze
from causemap.analyses.config import AnalysisConfig, Language, loads_config
from causemap.analyses.language import asserted, lexicon
from causemap.loader import load
from causemap.model import ActionStatus, Incident, Level, Node
from tests.conftest import EXAMPLES, make_incident

QUIET_ON_CAREFUL_WORK = {
    "SHORTCUT_EDGE",
    "SINGLE_CAUSE",
    "OPEN_QUESTION",
    "SYSTEMIC_UNADDRESSED",
    "PATHS_UNCUT",
}


def codes(incident: Incident, config: AnalysisConfig | None = None) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for f in analyze(incident, config=config).findings:
        out.setdefault(f.code, []).append(f)
    return out


def five_whys() -> Incident:
    """A typical 5-Whys write-up: one chain, one root, human error, hindsight, blame."""
    return make_incident(
        [
            {
                "id": "typo",
                "kind": "event",
                "label": "Human error: Dana Ortiz made a typo",
                "level": "operator",
            },
            {
                "id": "wrong-host",
                "kind": "event",
                "label": "The engineer failed to check the "
                "host and carelessly ran the script on prod",
                "causes": ["typo"],
            },
            {
                "id": "db-dropped",
                "kind": "event",
                "label": "The root cause: the database was dropped",
                "causes": ["wrong-host"],
            },
            {"id": "outage", "kind": "impact", "label": "Site down", "causes": ["db-dropped"]},
        ],
        participants=["Dana Ortiz"],
        actions=[
            {"id": "a1", "title": "Be more careful", "addresses": ["typo"]},
            {"id": "a2", "title": "Investigate", "addresses": []},
        ],
    )


def careful() -> Incident:
    """A small, carefully built incident: branching, evidence, owned and dated actions."""
    ev = ["https://grafana.example/d/1"]
    return make_incident(
        [
            {
                "id": "runbook-old",
                "kind": "condition",
                "level": "process",
                "evidence": ev,
                "label": "Step 4 of the restore runbook still named the retired cluster",
            },
            {
                "id": "no-confirm",
                "kind": "condition",
                "level": "technical",
                "evidence": ev,
                "label": "The maintenance script deleted without a dry run or a confirmation",
            },
            {
                "id": "review-scope",
                "kind": "factor",
                "level": "organization",
                "evidence": ev,
                "label": "Runbook reviews were nobody's job after the team split",
            },
            {
                "id": "ran-script",
                "kind": "event",
                "level": "operator",
                "evidence": ev,
                "at": "2024-01-01T10:00:00Z",
                "causes": ["runbook-old"],
                "label": "Following the runbook, the on-call engineer ran the cleanup on prod-db",
            },
            {
                "id": "rows-deleted",
                "kind": "event",
                "level": "technical",
                "evidence": ev,
                "at": "2024-01-01T10:01:00Z",
                "causes": ["ran-script", "no-confirm"],
                "label": "The script deleted 40,000 order rows",
            },
            {
                "id": "no-soft-delete",
                "kind": "condition",
                "level": "technical",
                "evidence": ev,
                "label": "Orders had no soft delete, so deleted rows were gone at once",
            },
            {
                "id": "orders-lost",
                "kind": "impact",
                "evidence": ev,
                "causes": ["rows-deleted", "no-soft-delete"],
                "label": "Customers could not see 40,000 orders for six hours",
            },
        ],
        edges=[{"from": "review-scope", "to": "runbook-old", "label": "no one updated it"}],
        actions=[
            {
                "id": "a1",
                "title": "Make the cleanup script require --confirm and print a dry run count",
                "addresses": ["no-confirm"],
                "owner": "db-tools",
                "due": "2024-02-01",
            },
            {
                "id": "a2",
                "title": "Assign runbook review to the database team's weekly rota",
                "addresses": ["review-scope"],
                "owner": "db-lead",
                "due": "2024-01-15",
                "type": "process",
            },
            {
                "id": "a3",
                "title": "Add soft delete to orders with a 30-day restore window",
                "addresses": ["no-soft-delete"],
                "owner": "orders",
                "due": "2024-03-01",
            },
        ],
    )


class TestBothDirections:
    def test_five_whys_write_up_trips_the_method_checks(self) -> None:
        found = codes(five_whys())
        for code in [
            "LINEAR_CHAIN",
            "SINGLE_ROOT",
            "STOPS_AT_HUMAN",
            "STOPS_TOO_EARLY",
            "NO_SYSTEMIC_FACTOR",
            "HINDSIGHT_LANGUAGE",
            "BLAME_LANGUAGE",
            "NAMES_PERSON",
            "ACTION_NO_OWNER",
            "ACTION_NO_DUE",
            "ACTION_VAGUE",
            "ACTION_NO_TARGET",
            "ACTIONS_ONLY_PROXIMATE",
            "MISSING_CONDITION",
            "NO_EVIDENCE",
        ]:
            assert code in found, code

    def test_careful_incident_has_no_warnings(self) -> None:
        result = analyze(careful())
        loud = [f for f in result.findings if f.severity != "info"]
        assert loud == [], [(f.code, f.message) for f in loud]
        assert result.prevention.all_paths_cut

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_examples_have_no_method_language_or_action_warnings(self, path) -> None:
        result = analyze(load(path))
        loud = [
            f
            for f in result.findings
            if f.severity != "info" and f.code not in QUIET_ON_CAREFUL_WORK
        ]
        assert loud == [], [(f.code, f.message) for f in loud]

    def test_every_code_is_documented(self) -> None:
        from tests.conftest import ROOT

        doc = (ROOT / "docs" / "analyses.md").read_text(encoding="utf-8")
        for code in CODES:
            assert f"`{code}`" in doc, code


class TestStructureChecks:
    @pytest.mark.parametrize(
        ("effects", "shape"),
        [
            ({"b": ["a"], "c": ["b"], "harm": ["c"]}, "a single chain with no branching"),
            # One cause with two effects, each reaching its own impact: no effect has two
            # causes, but it is not one chain.
            (
                {"b": ["a"], "c": ["a"], "harm": ["b"], "loss": ["c"]},
                "chains that never join",
            ),
        ],
    )
    def test_linear_chain_says_which_shape_it_saw(
        self, effects: dict[str, list[str]], shape: str
    ) -> None:
        nodes: list[dict[str, Any]] = [{"id": "a", "kind": "event", "label": "A change shipped"}]
        for ident, causes in effects.items():
            kind = "impact" if ident in ("harm", "loss") else "event"
            nodes.append({"id": ident, "kind": kind, "label": f"Step {ident}", "causes": causes})
        (finding,) = codes(make_incident(nodes))["LINEAR_CHAIN"]
        assert finding.message.startswith(f"the graph is {shape} (")

    def test_time_order(self) -> None:
        inc = careful()
        inc.node("ran-script").at = dt.datetime(2024, 1, 1, 11, tzinfo=dt.UTC)
        (finding,) = codes(inc)["TIME_ORDER"]
        assert finding.edges == [("ran-script", "rows-deleted")]
        # Times are written as the reasons and the format write them, not Python's str().
        assert "starts (2024-01-01T11:00:00Z) after its effect" in finding.message
        assert "+00:00" not in finding.message
        assert "TIME_ORDER" not in codes(careful())
        assert "under way" not in finding.prompt

    def test_time_order_during_the_effect_asks_for_its_own_effect(self) -> None:
        # A slow restore that began during the outage made it longer; it did not start it.
        inc = careful()
        inc.node("rows-deleted").until = dt.datetime(2024, 1, 1, 14, tzinfo=dt.UTC)
        inc.node("ran-script").at = dt.datetime(2024, 1, 1, 11, tzinfo=dt.UTC)
        (finding,) = codes(inc)["TIME_ORDER"]
        assert "started while the effect was under way" in finding.prompt

    @pytest.mark.parametrize(
        ("cause", "effect", "late"),
        [
            # 2024-01-01T20:00Z: inside the effect's UTC day, though its local date is the 2nd.
            ({"at": "2024-01-02T10:00:00+14:00"}, {"at": "2024-01-01"}, False),
            # The effect is at 2024-01-02T04:00Z, inside the cause's UTC day.
            ({"at": "2024-01-02"}, {"at": "2024-01-01T23:00:00-05:00"}, False),
            # The condition lasted until some time on the 1st; the effect began at 15:00Z.
            (
                {"at": "2023-12-01", "until": "2024-01-01"},
                {"at": "2024-01-02T05:00:00+14:00"},
                False,
            ),
            ({"at": "2024-01-02T00:00:00Z"}, {"at": "2024-01-01"}, True),
            ({"at": "2024-01-02"}, {"at": "2024-01-01T23:59:59Z"}, True),
            ({"at": "2024-01-01T23:59:59+14:00"}, {"at": "2024-01-01"}, False),
            (
                {"at": "2023-12-01", "until": "2023-12-31"},
                {"at": "2024-01-01T00:00:00Z"},
                True,
            ),
            ({"at": "2023-12-01", "until": "2024-01-01"}, {"at": "2024-01-01"}, False),
            # A condition whose start nobody knows still ended when its `until` says.
            ({"until": "2024-01-01"}, {"at": "2024-01-02T00:00:00Z"}, True),
            ({"until": "2024-01-01"}, {"at": "2024-01-02T05:00:00+14:00"}, False),
        ],
    )
    def test_time_order_takes_a_date_as_its_whole_utc_day(
        self, cause: dict[str, str], effect: dict[str, str], late: bool
    ) -> None:
        nodes: list[dict[str, Any]] = [
            {"id": "c", "kind": "condition", "label": "The pool was small", **cause},
            {"id": "e", "kind": "impact", "label": "Checkout failed", "causes": ["c"], **effect},
        ]
        assert ("TIME_ORDER" in codes(make_incident(nodes))) is late

    def test_shortcut_edge(self) -> None:
        inc = careful()
        inc.node("orders-lost").causes.append("ran-script")
        (finding,) = codes(inc)["SHORTCUT_EDGE"]
        assert finding.edges == [("ran-script", "orders-lost")]
        assert finding.severity == "info"

    def test_shortcut_names_the_first_effect_that_implies_it(self) -> None:
        # hub feeds x0 … x99 and t; x99 → x98 → … → x0 → t, so every link from hub but
        # the one to x99 is implied, by the first of hub's effects (in order) above it.
        nodes: list[dict[str, Any]] = [{"id": "hub", "kind": "condition", "label": "Hub"}]
        for i in range(100):
            causes = ["hub", f"x{i + 1}"] if i < 99 else ["hub"]
            nodes.append({"id": f"x{i}", "kind": "event", "label": "X", "causes": causes})
        nodes.append({"id": "t", "kind": "impact", "label": "T", "causes": ["hub", "x0"]})
        (finding,) = codes(make_incident(nodes))["SHORTCUT_EDGE"]
        assert finding.edges == [("hub", f"x{i}") for i in range(99)] + [("hub", "t")]
        assert finding.nodes == ["hub", *(f"x{i}" for i in range(99)), "t"]
        assert finding.message.startswith(
            "100 links from hub are also implied by longer paths: hub → x0 (through x1), "
            "hub → x1 (through x2), "
        )
        assert finding.message.endswith(", and 95 more")

    def test_shortcuts_from_one_cause_are_one_finding(self) -> None:
        # A facilitator reads one question about a node's links, not one per link.
        hub = [{"id": "hub", "kind": "condition", "label": "The cache was shared"}]
        chain = [
            {"id": "a", "kind": "event", "label": "A", "causes": ["hub"]},
            {"id": "b", "kind": "event", "label": "B", "causes": ["hub", "a"]},
            {"id": "c", "kind": "event", "label": "C", "causes": ["hub", "b"]},
            {"id": "t", "kind": "impact", "label": "T", "causes": ["hub", "c"]},
        ]
        (finding,) = codes(make_incident(hub + chain))["SHORTCUT_EDGE"]
        assert finding.edges == [("hub", "b"), ("hub", "c"), ("hub", "t")]
        assert finding.nodes == ["hub", "b", "c", "t"]
        assert finding.message == (
            "3 links from hub are also implied by longer paths: hub → b (through a), "
            "hub → c (through a), hub → t (through a)"
        )
        assert finding.prompt.startswith(
            "Does 'The cache was shared' act on each of these directly"
        )

    def test_a_wide_fan_out_is_not_quadratic(self) -> None:
        # 5,000 effects of one cause used to mean 25 million reachability tests.
        nodes: list[dict[str, Any]] = [{"id": "hub", "kind": "condition", "label": "Hub"}]
        nodes += [
            {"id": f"x{i}", "kind": "event", "label": "X", "causes": ["hub"]} for i in range(5000)
        ]
        edges = [{"from": f"x{i}", "to": "t"} for i in range(5000)]
        nodes.append({"id": "t", "kind": "impact", "label": "T", "gate": "or"})
        assert "SHORTCUT_EDGE" not in codes(make_incident(nodes, edges=edges))

    def test_orphan(self) -> None:
        inc = careful()
        inc.nodes.append(inc.node("no-confirm").model_copy(update={"id": "stray"}))
        assert codes(inc)["ORPHAN_NODE"][0].nodes == ["stray"]

    def test_open_question(self) -> None:
        inc = careful()
        inc.node("no-confirm").unknown = True
        assert codes(inc)["OPEN_QUESTION"][0].nodes == ["no-confirm"]

    def test_systemic_without_mechanism(self) -> None:
        inc = careful()
        inc.node("orders-lost").causes.append("review-scope")
        (finding,) = codes(inc)["SYSTEMIC_WITHOUT_MECHANISM"]
        assert finding.edges == [("review-scope", "orders-lost")]


class TestLanguage:
    @pytest.mark.parametrize(
        ("label", "code", "rewrite"),
        [
            (
                "The on-call engineer failed to notice the alert",
                "HINDSIGHT_LANGUAGE",
                "The on-call engineer did not notice the alert",
            ),
            (
                "The backup should have been tested",
                "HINDSIGHT_LANGUAGE",
                "The backup was not tested",
            ),
            # A negated "should" states what did happen; the rewrite must not deny it.
            (
                "The alert should not have been silenced",
                "HINDSIGHT_LANGUAGE",
                "The alert was silenced",
            ),
            (
                "The engineer shouldn't have run the cleanup on prod",
                "HINDSIGHT_LANGUAGE",
                "The engineer did run the cleanup on prod",
            ),
            # A participle with no known base form is kept, never cut to a false stem
            # ("did delet", "did not us").
            (
                "The engineer ought not to have deleted the replica",
                "HINDSIGHT_LANGUAGE",
                "The engineer deleted the replica",
            ),
            (
                "The team should've used a canary for the push",
                "HINDSIGHT_LANGUAGE",
                "The team had not used a canary for the push",
            ),
            (
                "The outage could have been avoided with a canary",
                "HINDSIGHT_LANGUAGE",
                "The outage was not avoided with a canary",
            ),
            (
                "A careless engineer deleted the table",
                "BLAME_LANGUAGE",
                "An engineer deleted the table",
            ),
            (
                "Priya Raman restarted the wrong pod",
                "NAMES_PERSON",
                "[role] restarted the wrong pod",
            ),
            # Rewrites keep the sentence whole: no "the a gap", no stray hyphen, no
            # predicate cut off after "was".
            (
                "The complacency of the team let the backlog grow",
                "BLAME_LANGUAGE",
                "A gap in the safeguards of the team let the backlog grow",
            ),
            (
                "The engineer was careless with the flags",
                "BLAME_LANGUAGE",
                "The engineer was (say what was done, and what made it make sense at the "
                "time) with the flags",
            ),
            ("A careless-looking config default shipped", "BLAME_LANGUAGE", None),
            (
                "The on-call engineer was at fault for the stale config",
                "BLAME_LANGUAGE",
                None,
            ),
            (
                "The on-call dropped the ball on the handover",
                "BLAME_LANGUAGE",
                "The on-call did not complete the step on the handover",
            ),
        ],
    )
    def test_finding_and_rewrite(self, label: str, code: str, rewrite: str | None) -> None:
        inc = careful()
        inc.node("ran-script").label = label
        (finding,) = codes(inc)[code]
        assert finding.rewrite == rewrite
        assert finding.nodes == ["ran-script"]

    def test_participant_names_are_caught(self) -> None:
        inc = careful()
        inc.participants = ["Lee Whitfield"]
        inc.node("ran-script").label = "Whitfield ran the cleanup on prod-db"
        assert codes(inc)["NAMES_PERSON"][0].message.startswith("names a person (Whitfield)")

    @pytest.mark.parametrize(
        "label",
        [
            "Grace period for the lease expired",  # a name-like word that is not a name
            "Region us-east-1 (Northern Virginia) lost power",
            "The failover should-be-primary flag was unset",
            # Technical terms, not judgements of a person.
            "Lazy loading of the routing table delayed the first requests",
            "A lazy-initialised client held a stale DNS answer",
            "The dumb proxy forwarded every retry to the primary",
            # A machine that failed to do something is what happened, not hindsight.
            "The health check failed to connect to the replica for 40 s",
            "Two of the five etcd members failed to rejoin, and the third failed to elect",
            "The new pods failed to start because the image pull timed out",
            # A given name inside a place's or a product's name (cloudflare-2020-07-17).
            "Locations on the backbone, including San Jose, Dallas and São Paulo, failed",
            "The Santa Ana data centre lost power",
            "Links to San Diego and San Antonio dropped",
            "The Port Elizabeth PoP went dark",
            "The Julia runtime leaked memory after the upgrade",
            "Then the Hugo build failed on the new theme",
            # A thing at fault judges no one.
            "The NIC firmware was at fault for the dropped packets",
            "The operator paged the vendor; a race in the scheduler was to blame",
        ],
    )
    def test_no_false_alarms(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        found = codes(inc)
        assert not {"NAMES_PERSON", "HINDSIGHT_LANGUAGE", "BLAME_LANGUAGE"} & set(found)

    @pytest.mark.parametrize(
        ("person", "word", "label"),
        [
            ("Max Weber", "Max", "Max connections reached on the primary"),
            ("Ana Root", "Root", "Root cause: the lease outlived the leader"),
            ("Will Chen", "Will", "Will the retry budget hold: nobody asked"),
        ],
    )
    def test_a_participant_name_that_is_an_ordinary_word_starting_a_sentence(
        self, person: str, word: str, label: str
    ) -> None:
        inc = careful()
        inc.participants = [person]
        inc.node("rows-deleted").label = label
        assert "NAMES_PERSON" not in codes(inc)
        # Mid-sentence and capitalised, it is the participant.
        inc.node(
            "rows-deleted"
        ).label = f"Then {person.split()[1 if 'Root' in person else 0]} ran it"
        assert "NAMES_PERSON" in codes(inc)

    def test_word_lists_are_configurable(self) -> None:
        inc = careful()
        inc.node("rows-deleted").label = "The script was yolo-deployed"
        assert "BLAME_LANGUAGE" not in codes(inc)
        config = AnalysisConfig(language=Language(blame=["yolo*"]))
        assert "BLAME_LANGUAGE" in codes(inc, config)


class TestUnicodeForms:
    """A name or word typed in one Unicode form (NFC, é as one character) is found in text
    written in the other (NFD, e and a combining accent, as macOS often pastes it)."""

    @pytest.mark.parametrize(("people", "text"), [("NFC", "NFD"), ("NFD", "NFC")])
    def test_participant_names_are_caught_in_either_form(
        self, people: Literal["NFC", "NFD"], text: Literal["NFC", "NFD"]
    ) -> None:
        inc = careful()
        inc.participants = [unicodedata.normalize(people, "José Núñez")]
        label = unicodedata.normalize(text, "Núñez ran the cleanup on prod-db")
        inc.node("ran-script").label = label
        (finding,) = codes(inc)["NAMES_PERSON"]
        assert "Núñez" in unicodedata.normalize("NFC", finding.message)
        assert finding.rewrite == "[role] ran the cleanup on prod-db"

    def test_a_given_name_with_an_accented_surname_is_rewritten_whole(self) -> None:
        inc = careful()
        inc.node("ran-script").label = "Then Carlos Muñoz ran the cleanup on prod-db"
        (finding,) = codes(inc)["NAMES_PERSON"]
        assert finding.message.startswith("names a person (Carlos Muñoz)")
        assert finding.rewrite == "Then [role] ran the cleanup on prod-db"

    def test_a_given_name_in_the_possessive_is_found(self) -> None:
        inc = careful()
        inc.node("ran-script").label = "Then Carlos’s script ran the cleanup on prod-db"
        (finding,) = codes(inc)["NAMES_PERSON"]
        assert finding.rewrite == "Then [role] script ran the cleanup on prod-db"

    @pytest.mark.parametrize("name", ["José", "Zoë", "Łukasz", "Jürgen"])
    def test_configured_given_names_with_accents_are_found(self, name: str) -> None:
        inc = careful()
        inc.node("ran-script").label = f"Later {name} ran the cleanup on prod-db"
        config = loads_config(f"language: {{first_names: {{extend: [{name}]}}}}")
        (finding,) = codes(inc, config)["NAMES_PERSON"]
        assert finding.rewrite == "Later [role] ran the cleanup on prod-db"

    @pytest.mark.parametrize("hidden", ["\u200b", "\u00ad", "\u2060", "\ufeff"])
    def test_an_invisible_character_inside_a_word_does_not_hide_it(self, hidden: str) -> None:
        inc = five_whys()
        inc.node("typo").label = f"Hu{hidden}man err{hidden}or"
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.nodes == ["typo"]
        assert finding.severity == "error"

    def test_configured_words_are_found_in_either_form(self) -> None:
        inc = careful()
        inc.node("rows-deleted").label = unicodedata.normalize("NFD", "Ein fahrlässiger Fehler")
        config = AnalysisConfig(language=Language(blame=["fahrlässig*"]))
        assert "BLAME_LANGUAGE" in codes(inc, config)


def assert_root_stops_at_human(acts: str, does_not: str) -> None:
    """A root (no level) labelled ``acts`` is a human stop, a warning; labelled
    ``does_not``, its near twin, it is not."""
    inc = careful()
    inc.node("ran-script").causes = []
    inc.node("ran-script").level = None
    inc.node("ran-script").label = acts
    (finding,) = codes(inc)["STOPS_AT_HUMAN"]
    assert finding.severity == "warning"
    assert finding.message.startswith("the analysis ends at a person's action")
    inc.node("ran-script").label = does_not
    assert "STOPS_AT_HUMAN" not in codes(inc)


class TestHumanStops:
    def test_root_named_human_error_is_an_error(self) -> None:
        (finding,) = codes(five_whys())["STOPS_AT_HUMAN"]
        assert finding.severity == "error"
        assert finding.nodes == ["typo"]

    @pytest.mark.parametrize(
        "label",
        [
            "The typo-tolerant parser accepted the bad key",
            "Mistake-proofing of the deploy form was never done",
            "The human-error-prone console had no confirmation step",
        ],
    )
    def test_a_compound_naming_a_defence_is_no_human_stop(self, label: str) -> None:
        # A design that guards (or fails to guard) against slips is a system's property.
        inc = careful()
        inc.node("no-confirm").label = label
        assert not {"STOPS_AT_HUMAN", "BLAME_LANGUAGE"} & set(codes(inc))

    def test_the_rewrite_is_of_the_text_that_stops_at_a_human(self) -> None:
        inc = careful()
        inc.node("no-confirm").detail = "Human error by the DBA"
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert "'Human error by the DBA'" in finding.message
        assert finding.rewrite is not None
        assert finding.rewrite.startswith("An action that made sense at the time")

    def test_no_rewrite_is_offered_when_none_could_be_made(self) -> None:
        # Only the room can say what "forgot" stands for: a copy is no suggestion.
        inc = careful()
        inc.node("no-confirm").label = "The engineer forgot to renew the certificate"
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.rewrite is None

    @pytest.mark.parametrize(
        "label",
        [
            "A user-facing API deploy began at 10:00",
            "The staff-only admin-API endpoint received a malformed request",
        ],
    )
    def test_a_person_word_in_a_hyphenated_modifier_is_no_person(self, label: str) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = label
        assert "STOPS_AT_HUMAN" not in codes(inc)

    def test_root_person_action_is_a_warning(self) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.severity == "warning"

    def test_an_open_question_about_a_slip_is_not_a_human_stop(self) -> None:
        # Asking why the slip was easy is the digging the check asks for, not a stop.
        inc = five_whys()
        inc.node("typo").label = "Why the typo was so easy to make is not known yet"
        inc.node("typo").unknown = True
        found = codes(inc)
        assert "STOPS_AT_HUMAN" not in found
        assert [f.nodes for f in found["OPEN_QUESTION"]] == [["typo"]]

    def test_an_open_question_about_a_persons_action_is_not_a_human_stop(self) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").unknown = True
        assert "STOPS_AT_HUMAN" not in codes(inc)

    @pytest.mark.parametrize(
        ("level", "stops"), [("operator", True), (None, True), ("technical", False)]
    )
    def test_a_person_action_root_without_a_level_is_a_human_stop_too(
        self, level: str | None, stops: bool
    ) -> None:
        # Most first drafts set no level; the words say a person acted.
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None if level is None else Level(level)
        assert ("STOPS_AT_HUMAN" in codes(inc)) is stops

    @pytest.mark.parametrize("level", ["operator", None])
    def test_a_root_that_names_a_participant_is_a_persons_action(self, level: str | None) -> None:
        # "whose words name a person": a name does, as "the engineer" does.
        inc = careful()
        inc.participants = ["Dana Ortiz"]
        inc.node("ran-script").causes = []
        inc.node("ran-script").label = "Dana pushed the cleanup to prod-db"
        inc.node("ran-script").level = None if level is None else Level(level)
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.severity == "warning"
        assert finding.nodes == ["ran-script"]

    def test_automation_root_is_not_a_human_stop(self) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").label = "The nightly scheduler ran the cleanup on prod-db"
        assert "STOPS_AT_HUMAN" not in codes(inc)

    @pytest.mark.parametrize(
        "label",
        [
            "The on-call engineer restarted the primary",
            "An engineer ran the cleanup script against production",
            "Alice merged the change",
            "We deployed on Friday",
            "Reviewers saw only the summary diff",
            "Failover command typed into the primary's shell by one engineer at 03:10",
            "Because the page was silent, the on-call engineer restarted the primary",
        ],
    )
    def test_a_root_where_a_person_acts_is_a_human_stop(self, label: str) -> None:
        # The person is the subject of the main verb, or its agent after "by".
        inc = careful()
        inc.participants = ["Alice Chen"]
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = label
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.severity == "warning"
        assert finding.nodes == ["ran-script"]
        assert finding.message.startswith("the analysis ends at a person's action")

    @pytest.mark.parametrize(
        "label",
        [
            # A process's or a tool's condition that mentions a person.
            "The change shipped without a second approver",
            "The runbook pointed admins to the old console",
            "Deploy tooling let any engineer push to all regions",
            # The script ran: its author acts only in a phrase about the script.
            "A script written by the on-call years ago ran",
            # Acted on, or denied: no person's action.
            "The on-call engineer had been paged 19 times the night before",
            "No team owned the rule limit",
        ],
    )
    def test_a_root_that_only_mentions_a_person_is_no_human_stop(self, label: str) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = label
        assert "STOPS_AT_HUMAN" not in codes(inc)

    @pytest.mark.parametrize(
        ("acts", "does_not"),
        [
            # A verbless phrase after a comma that says who was at work; not one about
            # time or a process, nor one that says who was on call.
            (
                "Destructive commands were typed on the production primary late at night, "
                "one person at the keyboard",
                "The change shipped on Friday, without a second approver",
            ),
            (
                "The failover script ran against the wrong cluster, a single engineer at "
                "the console",
                "The rollout ran overnight, one engineer on call",
            ),
            # A change's or a rule's author is a person; an "authorization" is not.
            (
                "The rule's author deployed it to all regions at 13:42",
                "The authorization service rejected the author's token",
            ),
            # A second clause with a person as its own subject, after an active or a
            # passive first verb; not "they" (as often machines), a person denied or acted
            # on, nor a verb that shares the first subject.
            (
                "The deploy tool was slow and the operator restarted it by hand",
                "The servers were overloaded and they dropped requests",
            ),
            (
                "The alert fired at 03:00 but the on-call engineer silenced it",
                "The alert paged the on-call engineer and woke them up",
            ),
            (
                "The disk filled up, so an engineer deleted the old logs by hand",
                "The disk filled up and no engineer owned the cleanup",
            ),
            (
                "The primary was drained and the on-call engineer restarted it",
                "The tool was slow and the on-call engineer had been paged 19 times",
            ),
            (
                "The primary was drained and the engineer in charge of the migration restarted it",
                "There was a gap between the team that requested the deletion and the team "
                "that ran it",
            ),
            (
                "The migration was approved, then an engineer ran it against production",
                "The migration was approved, then the job ran it against production",
            ),
            # After an opening participle that holds a verb of its own ("was").
            (
                "Told the rollback was safe, the operator restarted the whole fleet",
                "Told the rollback was safe, the scheduler restarted the whole fleet",
            ),
        ],
    )
    def test_a_person_acting_beyond_the_main_clause_is_a_human_stop(
        self, acts: str, does_not: str
    ) -> None:
        # The main verb's subject is a thing, or the verb is passive: the person acts in
        # an aside, a second clause, or the clause after an opening participle.
        assert_root_stops_at_human(acts, does_not)

    @pytest.mark.parametrize(
        ("duty", "act"),
        [
            (
                "A four-person team carried a 24/7 rotation",
                "A four-person team migrated the database over a weekend",
            ),
            ("One engineer held the pager for the whole week", "One engineer silenced the pager"),
            (
                "Two SREs were on call for 40 services",
                "Two SREs were paged and the on-call engineer restarted the primary",
            ),
            (
                "The tool was slow and the team covered the on-call rota for 40 services",
                "The tool was slow and the team restarted 40 services",
            ),
        ],
    )
    def test_a_duty_held_is_a_staffing_condition_not_a_human_stop(
        self, duty: str, act: str
    ) -> None:
        # How the work was staffed is a condition the organisation set (systemic), even
        # with a person or a team as the subject; what they did is still their action.
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = duty
        assert "STOPS_AT_HUMAN" not in codes(inc)
        inc.node("ran-script").label = act
        assert [f.nodes for f in codes(inc)["STOPS_AT_HUMAN"]] == [["ran-script"]]

    @pytest.mark.parametrize(
        ("acts", "does_not"),
        [
            # A person's act in a clause of cause, after the main clause or before its
            # comma; not one that comes after the root's event ("until", "before").
            (
                "The primary failed over because an engineer restarted it",
                "The primary failed over because the health check restarted it",
            ),
            (
                "The cache emptied when the operator ran the purge script",
                "Packet loss went on until engineers restarted the WAN automation",
            ),
            (
                "The replicas fell behind after the on-call engineer paused replication",
                "The disk filled up before the on-call engineer noticed",
            ),
            (
                "When the operator ran the purge script, the cache emptied",
                "Until engineers restarted it, packet loss continued",
            ),
            (
                "After the engineer restarted it, the primary failed over",
                "After the cron job restarted it, the primary failed over",
            ),
            # A state, a coming or going, a person denied or "because of" is no act there.
            (
                "The page went unanswered because the on-call engineer silenced it",
                "The page went unanswered because the on-call engineer was asleep",
            ),
            (
                "The runbook went stale after the operator rewrote the deploy tool",
                "The runbook went stale after the operator left in 2014",
            ),
            (
                "The job ran because an engineer started it by hand",
                "The job ran because no engineer stopped it",
            ),
            (
                "The API failed when an engineer pushed a change",
                "The API failed because of a change the engineer pushed",
            ),
        ],
    )
    def test_a_person_acting_in_a_clause_of_cause_is_a_human_stop(
        self, acts: str, does_not: str
    ) -> None:
        # The root's event was set off by a person's act: the analysis stops at it.
        assert_root_stops_at_human(acts, does_not)

    @pytest.mark.parametrize(
        ("act", "duty"),
        [
            (
                "One engineer ran the pager rotation and restarted the primary",
                "One engineer ran the pager rotation and the primary restarted",
            ),
            (
                "One engineer held the pager for the week and then silenced it",
                "One engineer held the pager for the week and was paged 19 times",
            ),
            (
                "A four-person team carried a 24/7 rotation and deleted the old logs",
                "A four-person team carried a 24/7 rotation and covered the on-call rota",
            ),
            # After "were on call and", "paged" may be a passive's second participle.
            (
                "One engineer held the pager and ran the failover script",
                "Two SREs were on call and paged 40 times",
            ),
            # A duty holder denied shares no act.
            (
                "One engineer carried the rotation and restarted the primary",
                "No engineer carried the rotation and restarted the primary",
            ),
        ],
    )
    def test_a_duty_holders_next_act_is_a_human_stop(self, act: str, duty: str) -> None:
        # The duty is a staffing condition; the verb that shares its subject is the
        # person's action.
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = act
        assert [f.nodes for f in codes(inc)["STOPS_AT_HUMAN"]] == [["ran-script"]]
        inc.node("ran-script").label = duty
        assert "STOPS_AT_HUMAN" not in codes(inc)

    def test_a_root_naming_a_slip_still_stops_whoever_acts(self) -> None:
        # The human-error words are an error wherever they stand, as before.
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").label = "The runbook blamed operator error"
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.severity == "error"

    @pytest.mark.parametrize(
        "unit",
        [
            "the runbook pointed admins, ",
            # Asides, second clauses and duties read at every comma and conjunction.
            "the tool was slow and the admins' console, one of the admins, ",
            "and the ",
            "the console was up, one of the admins on call and ",
            # Clauses of cause, and a duty held before each "and".
            "the job failed when the admin was asleep because the ",
            "one engineer held the pager and ",
        ],
    )
    def test_a_long_root_is_read_in_linear_time(self, unit: str) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = (unit * (10_000 // len(unit) + 1))[:10_000]
        start = time.perf_counter()
        assert "STOPS_AT_HUMAN" not in codes(inc)
        assert time.perf_counter() - start < 1


class TestNegation:
    """Saying what it was not is not blaming: 'this was not human error' is careful work."""

    @pytest.mark.parametrize(
        "label",
        [
            "This was not human error: the form accepted a zero without a prompt",
            "Rather than blaming human error, note that the form defaulted to delete",
            "No operator error was involved; the form defaulted to delete",
            "The engineer wasn't careless; the form defaulted to delete",
            # The subject negated, the verb negated before its object, a paired negation,
            # or the cause denied after the phrase: still saying what it was not.
            "No one was careless: the form defaulted to delete",
            "Nobody was negligent; the form defaulted to delete",
            "None of the responders were careless; the form defaulted to delete",
            "The on-call engineer did not make a mistake: the form defaulted to delete",
            "The operator was neither careless nor rushed; the form defaulted to delete",
            "Human error was not the cause: the form defaulted to delete",
            # In a cause, a denied slip did not happen (in an action title it is asked for).
            "The engineer did not forget the drain step: the form skipped it",
            "The on-call doesn't ignore pages; this one never fired",
        ],
    )
    def test_negated_blame_is_not_flagged(self, label: str) -> None:
        inc = careful()
        inc.node("review-scope").label = label
        assert not {"STOPS_AT_HUMAN", "BLAME_LANGUAGE"} & set(codes(inc))

    @pytest.mark.parametrize(
        "label",
        [
            "The change was not reviewed due to human error",
            "Not tested; a careless engineer pushed it",
            "No one reviewed it and a careless engineer pushed it",
            "Human error was not caught by the review",
        ],
    )
    def test_blame_near_a_negation_is_still_flagged(self, label: str) -> None:
        inc = careful()
        inc.node("review-scope").label = label
        assert "BLAME_LANGUAGE" in codes(inc)


class TestBlameAnywhere:
    """Blame is in the wording, wherever it stands: a slip word with a person as its subject
    judges the person in the middle of a chain as at its root. Stopping at "human error" is
    about roots, and stays STOPS_AT_HUMAN's."""

    @pytest.mark.parametrize(
        ("label", "words"),
        [
            ("The engineer forgot to drain the node before the upgrade", "forgot"),
            ("The operator made a mistake in the replica count", "mistake"),
            ("We mistakenly ran the cleanup against prod-db", "mistakenly"),
            ("The on-call engineer's typo sent the cleanup to prod-db", "typo"),
            ("A typo made by the on-call engineer named the wrong host", "typo"),
            ("The flag was mistakenly enabled by the on-call", "mistakenly"),
            ("The typo was introduced by the SRE team", "typo"),
        ],
    )
    def test_a_slip_a_person_made_is_blame_in_the_middle_of_a_chain(
        self, label: str, words: str
    ) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label  # caused, and the cause of an impact
        found = codes(inc)
        (finding,) = found["BLAME_LANGUAGE"]
        assert finding.nodes == ["rows-deleted"]
        assert finding.message == f"'{words}' judges a person: '{label}'"
        assert "STOPS_AT_HUMAN" not in found

    def test_a_participant_who_forgot_is_judged_and_named(self) -> None:
        inc = careful()
        inc.participants = ["Dana Ortiz"]
        inc.node("rows-deleted").label = "Dana forgot to drain the node"
        found = codes(inc)
        assert found["BLAME_LANGUAGE"][0].message.startswith("'forgot' judges a person")
        assert found["NAMES_PERSON"][0].nodes == ["rows-deleted"]

    @pytest.mark.parametrize(
        ("label", "words", "rewrite"),
        [
            (
                "The on-call ignored the alert",
                "ignored",
                "The on-call did not act on the alert",
            ),
            (
                "The on-call engineer neglected the disk warning",
                "neglected",
                "The on-call engineer did not act on the disk warning",
            ),
            (
                "The team disregarded the capacity warnings for weeks",
                "disregarded",
                "The team did not act on the capacity warnings for weeks",
            ),
            (
                "The engineer overlooked the replica-lag panel",
                "overlooked",
                "The engineer did not see the replica-lag panel",
            ),
            ("The on-call chose to ignore the page as noise", "ignore", None),
            # In the passive, "did not" would not fit: no rewrite is offered.
            ("The lag warning was ignored by the on-call engineer", "ignored", None),
        ],
    )
    def test_an_act_that_judges_a_person_is_blame(
        self, label: str, words: str, rewrite: str | None
    ) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        (finding,) = codes(inc)["BLAME_LANGUAGE"]
        assert finding.nodes == ["rows-deleted"]
        assert finding.message == f"'{words}' judges a person: '{label}'"
        assert finding.rewrite == rewrite

    @pytest.mark.parametrize(
        "label",
        [
            # A system did it: a fact about a mechanism, not a judgement of anyone.
            "The alert was ignored by the dedupe rule",
            "The retry ignored the deadline and kept the connection open",
            "The parser disregards unknown fields in the config",
            "The client forgot to close the connection on timeout",
            "The flag was mistakenly enabled by the deploy script",
            "The mistake was made by the load balancer's health check",
            "The typo was fixed by the on-call within minutes",
            "The engineer saw that the retry ignored the deadline",
            # A slip with no one as its subject is a condition of the system.
            "A typo in the config key sent traffic to the old pool",
            "Years of neglect left the restore runbook stale",
            # A person who did something else to it: found, noticed or fixed it.
            "The engineer found a typo in the config key",
            "The on-call noticed the mistake within a minute",
            "The engineer fixed the typo and redeployed",
            # Nobody says who: an agentless passive is not read as a person's act.
            "Warnings were ignored during the freeze window",
            # Denied.
            "The engineer did not ignore the alert: it never fired",
            # A machine that fails to start is what happened, not hindsight.
            "The new pods kept failing to start after the push",
        ],
    )
    def test_no_false_alarms(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert not {"BLAME_LANGUAGE", "HINDSIGHT_LANGUAGE", "STOPS_AT_HUMAN"} & set(codes(inc))

    def test_at_a_root_a_slip_is_the_human_stop_not_a_second_finding(self) -> None:
        inc = careful()
        inc.node("review-scope").label = "The engineer forgot to renew the certificate"
        found = codes(inc)
        (stop,) = found["STOPS_AT_HUMAN"]
        assert stop.nodes == ["review-scope"]
        assert "ends at 'forgot'" in stop.message
        assert "BLAME_LANGUAGE" not in found

    def test_an_open_question_that_blames_is_still_blame(self) -> None:
        # No human stop (the analysis goes on there), but the words still judge.
        inc = careful()
        inc.node("review-scope").label = "Why the engineer forgot to renew it is not known yet"
        inc.node("review-scope").unknown = True
        found = codes(inc)
        assert "STOPS_AT_HUMAN" not in found
        (finding,) = found["BLAME_LANGUAGE"]
        assert finding.nodes == ["review-scope"]
        assert finding.message.startswith("'forgot' judges a person")

    def test_neglected_to_is_hindsight_only(self) -> None:
        # One wording, one finding: "neglected to" is hindsight, "neglected the" blame.
        inc = careful()
        inc.node("rows-deleted").label = "The engineer neglected to drain the node"
        found = codes(inc)
        assert found["HINDSIGHT_LANGUAGE"][0].message.startswith("'neglected to' judges")
        assert "BLAME_LANGUAGE" not in found

    def test_configured_slip_words_are_blame_too(self) -> None:
        inc = careful()
        inc.node("rows-deleted").label = "The engineer yolo-merged the cleanup"
        assert "BLAME_LANGUAGE" not in codes(inc)
        config = loads_config("language: {human_error: {extend: [yolo-merged]}}")
        (finding,) = codes(inc, config)["BLAME_LANGUAGE"]
        assert finding.message.startswith("'yolo-merged' judges a person")

    @pytest.mark.parametrize(
        ("label", "words"),
        [
            ("The engineer failing to notice the lag let it grow", "failing to"),
            ("The on-call neglecting to drain the node let it fill", "neglecting to"),
            ("The engineer should never have run the cleanup on prod", "should never have"),
            ("The outage could easily have been avoided with a canary", "could easily have"),
        ],
    )
    def test_more_hindsight_phrasings(self, label: str, words: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        (finding,) = codes(inc)["HINDSIGHT_LANGUAGE"]
        assert finding.message == f"'{words}' judges with hindsight: '{label}'"

    @pytest.mark.parametrize(
        "unit",
        [
            "the retry ignored the deadline ",
            "the engineer found a typo ",
            "a typo made by the dedupe rule ",
            "'ignored' ",
            "the engineer " + "had " * 20,
            ",,,,ignored ",
        ],
    )
    def test_a_long_adversarial_text_is_judged_quickly(self, unit: str) -> None:
        inc = careful()
        inc.node("rows-deleted").detail = (unit * (20_000 // len(unit) + 1))[:20_000]
        start = time.perf_counter()
        found = codes(inc)
        assert time.perf_counter() - start < 2, "the language checks should stay linear"
        assert "BLAME_LANGUAGE" not in found


class TestParentheticals:
    """A subject set off from its verb by a clause between commas is still the subject:
    "the engineer, tired after a long shift, forgot" says what "the engineer forgot"
    says. Whose act it is stays with the subject, not with a person in the clause."""

    @pytest.mark.parametrize(
        ("label", "words"),
        [
            ("The engineer, tired after a long shift, forgot to drain the node", "forgot"),
            ("At 03:00 the on-call, who had been paged twice, ignored the third page", "ignored"),
            ("The engineer had, as usual, simply forgotten the drain step", "forgotten"),
            ("The reviewer, short of time, missed the bad line", "missed"),
            ("We paged the engineer, who ignored the first two pages", "ignored"),
        ],
    )
    def test_a_person_before_a_parenthetical_is_the_subject(self, label: str, words: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        (finding,) = codes(inc)["BLAME_LANGUAGE"]
        assert finding.message.startswith(f"'{words}' judges a person: ")

    @pytest.mark.parametrize(
        "label",
        [
            "The retry, after the engineer left, ignored the deadline",
            "The engineer saw the retry, which was stuck, ignored the deadline",
            "The engineer rolled back, then, ignoring the lag, the pool refilled",
            "We paged the engineer, twice, and the retry ignored the deadline",
            "The engineer, tired after a long shift, did not forget to drain the node",
        ],
    )
    def test_the_act_stays_with_its_own_subject(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert "BLAME_LANGUAGE" not in codes(inc)

    @pytest.mark.parametrize(
        "unit",
        [
            ", ignored ",
            ",,,,forgot ",
            "the retry, tired after a long shift, ignored the deadline ",
            "the engineer, " + "x " * 60 + ", forgot ",
            ", , , , , the engineer, ",
        ],
    )
    def test_a_long_text_of_commas_is_judged_quickly(self, unit: str) -> None:
        inc = careful()
        inc.node("rows-deleted").detail = (unit * (10_000 // len(unit) + 1))[:10_000]
        start = time.perf_counter()
        found = codes(inc)
        assert time.perf_counter() - start < 2, "the subject search should stay linear"
        assert "BLAME_LANGUAGE" not in found


class TestRoles:
    """The roles people hold in a change and an incident are people: "the reviewer missed
    the bad line" judges the reviewer. A role word that names software, or a thing made
    of it ("the operator pattern", "the admin console"), is no person."""

    @pytest.mark.parametrize(
        ("label", "words", "rewrite"),
        [
            (
                "The reviewer missed the bad line",
                "missed",
                "The reviewer did not see the bad line",
            ),
            (
                "The approver overlooked the schema change",
                "overlooked",
                "The approver did not see the schema change",
            ),
            ("The team lead ignored the capacity warning", "ignored", None),
            ("The tech lead disregarded the load test", "disregarded", None),
            ("The on-caller ignored the second page", "ignored", None),
            ("The admins ignored the disk warning", "ignored", None),
            ("The reviewers forgot to check the migration", "forgot", None),
            ("The change's author ignored the failing check", "ignored", None),
        ],
    )
    def test_a_role_that_slipped_is_judged(
        self, label: str, words: str, rewrite: str | None
    ) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        (finding,) = codes(inc)["BLAME_LANGUAGE"]
        assert finding.message == f"'{words}' judges a person: '{label}'"
        if rewrite is not None:
            assert finding.rewrite == rewrite

    @pytest.mark.parametrize(
        "label",
        [
            "The operator pattern's reconcile loop ignored the finalizer",
            "The operator controller was at fault for the stuck rollout",
            "The Kubernetes operator ignored the finalizer on the claim",
            "The deployer ignored the failed health check",
            "The deployer service retried the push three times",
            "The admin console ignored the read-only flag",
            "The reviewer bot missed the bad line",
            "The replica missed two heartbeats",
        ],
    )
    def test_software_with_a_role_name_is_no_person(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert "BLAME_LANGUAGE" not in codes(inc)

    @pytest.mark.parametrize(
        ("label", "stops"),
        [
            ("The reviewer approved the migration", True),
            ("The approver merged the change at 09:58", True),
            ("Kubernetes operator reconciled the claim and deleted the volume", False),
            ("The operator pattern reconciled the claim and deleted the volume", False),
            ("The deployer service pushed the build to prod-db", False),
            ("The intern ran the cleanup on prod-db", True),
            ("The change's author merged it without review", True),
            ("Internal DNS sent the internet-facing pool to the old address", False),
            # A program forgets too: only a person's "forget" is a slip.
            ("The patch let the resolver forget stale upstream timings", False),
        ],
    )
    def test_a_root_act_by_a_role_is_a_persons_act(self, label: str, stops: bool) -> None:
        inc = careful()
        inc.node("ran-script").causes = []
        inc.node("ran-script").level = None
        inc.node("ran-script").label = label
        assert ("STOPS_AT_HUMAN" in codes(inc)) is stops


class TestMinimisers:
    """'Just had to', 'didn't bother': the step looks easy, or skipped by choice, only in
    hindsight."""

    @pytest.mark.parametrize(
        ("label", "code"),
        [
            ("The engineer just had to run one command", "HINDSIGHT_LANGUAGE"),
            ("The on-call simply needed to fail over", "HINDSIGHT_LANGUAGE"),
            ("All they had to do was read the runbook", "HINDSIGHT_LANGUAGE"),
            ("The reviewer didn't bother to check the host", "BLAME_LANGUAGE"),
        ],
    )
    def test_minimising_words_are_flagged(self, label: str, code: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert code in codes(inc)

    def test_quiet_on_plain_just_and_simply(self) -> None:
        inc = careful()
        inc.node("rows-deleted").label = "The cache simply returned stale data just after 10:00"
        assert not {"HINDSIGHT_LANGUAGE", "BLAME_LANGUAGE"} & set(codes(inc))


class TestRootCauseWording:
    """Only a node called the root cause is root cause seduction; denying one is not."""

    @pytest.mark.parametrize(
        "detail",
        [
            "There is no single root cause: several conditions combined",
            "Not a root cause on its own; it needed the missing confirmation",
            "The bot titled the ticket 'root cause: db-3'",
        ],
    )
    def test_a_denied_or_quoted_root_cause_is_not_flagged(self, detail: str) -> None:
        inc = careful()
        inc.node("orders-lost").detail = detail
        assert "SINGLE_ROOT" not in codes(inc)

    def test_one_root_is_flagged_beside_an_impact_with_no_cause(self) -> None:
        # A second impact not yet linked is no second root of the chain.
        inc = five_whys()
        inc.nodes.append(Node.model_validate({"id": "refunds", "kind": "impact", "label": "R"}))
        found = codes(inc)
        assert [f.nodes for f in found["SINGLE_ROOT"]] == [["typo"], ["db-dropped"]]
        assert [f.nodes for f in found["STOPS_TOO_EARLY"]] == [["typo"]]
        assert "IMPACT_WITHOUT_CAUSE" in found

    @pytest.mark.parametrize(
        "detail",
        [
            "The root cause was the missing confirmation",
            "Root cause: the missing confirmation",
            "The missing confirmation was the real root cause",
            "Later identified as the root cause of the deletion",
            "Orders lost. The root cause of the deletion was the missing confirmation",
        ],
    )
    def test_a_node_called_the_root_cause_is_flagged(self, detail: str) -> None:
        inc = careful()
        inc.node("orders-lost").detail = detail
        (finding,) = codes(inc)["SINGLE_ROOT"]
        assert finding.nodes == ["orders-lost"]
        # The rewrite is of the text that says it, not a copy of the label.
        assert finding.rewrite is not None
        assert "contributing factor" in finding.rewrite

    @pytest.mark.parametrize(
        "detail",
        [
            # From the corpus (aws-kinesis-2020-11-25, stripe-2019-07-10): the search for
            # the root cause is told, no node is called one.
            "Other errors delayed confirmation of the root cause until 9:39 AM PST",
            "Looking for the root cause, the team found a code path in the new protocol",
            "Root cause analysis took two days",
            "Finding the root cause was hard: the logs had rotated",
        ],
    )
    def test_a_search_for_the_root_cause_is_not_calling_a_node_one(self, detail: str) -> None:
        inc = careful()
        inc.node("orders-lost").detail = detail
        assert "SINGLE_ROOT" not in codes(inc)


class TestQuotes:
    """Words quoted from a log line or an error message are the machine's, not a judgement."""

    @pytest.mark.parametrize(
        "label",
        [
            "The health check logged 'failed to connect' for every replica",
            'The job printed "should have been retried" and exited 0',
            "The proxy returned `upstream failed to respond` to every client",
            "The ticket was titled “operator error on db-3” by the bot",
        ],
    )
    def test_quoted_text_is_not_judged(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert not {"HINDSIGHT_LANGUAGE", "BLAME_LANGUAGE"} & set(codes(inc))

    @pytest.mark.parametrize(
        "label",
        [
            "The engineer's change should have been tested",
            "The 'cleanup' job's owner failed to check the host",
        ],
    )
    def test_apostrophes_and_other_quotes_do_not_hide_a_judgement(self, label: str) -> None:
        inc = careful()
        inc.node("rows-deleted").label = label
        assert "HINDSIGHT_LANGUAGE" in codes(inc)

    def test_many_quoted_phrases_are_skipped_in_linear_time(self) -> None:
        # 8,000 quoted "failed to": each match used to be checked against every quote.
        text = "'failed to' " * 8_000
        start = time.perf_counter()
        assert asserted(lexicon(Language()).hindsight, text) is None
        assert time.perf_counter() - start < 1

    def test_a_quoted_human_error_root_is_not_a_human_stop(self) -> None:
        inc = careful()
        inc.node("review-scope").label = "The deploy tool's prompt read 'fix typo' by default"
        assert "STOPS_AT_HUMAN" not in codes(inc)


class TestOversight:
    """'Oversight' is a systemic factor when it means supervision, a slip when it is one."""

    @pytest.mark.parametrize(
        "label",
        [
            "No management oversight of production changes",
            "Vendor changes had weak oversight by the platform team",
        ],
    )
    def test_supervision_is_not_a_human_stop(self, label: str) -> None:
        inc = careful()
        inc.node("review-scope").label = label
        assert "STOPS_AT_HUMAN" not in codes(inc)

    @pytest.mark.parametrize(
        "label", ["The missing index was an oversight", "Index left out through an oversight"]
    )
    def test_an_oversight_is_a_human_stop(self, label: str) -> None:
        inc = careful()
        inc.node("review-scope").label = label
        (finding,) = codes(inc)["STOPS_AT_HUMAN"]
        assert finding.severity == "error"


class TestActions:
    @pytest.mark.parametrize(
        ("title", "vague"),
        [
            ("Improve monitoring", True),
            ("Investigate the replica lag", True),
            ("Remind engineers to double-check hosts", True),
            ("Ensure the removal tool refuses to go below 80% capacity", False),
            ("Add a paging alert when replica lag exceeds 30 s", False),
            # Leaning on a person's care is vague, negated slip or not (BLAME_LANGUAGE
            # lets a negation pass, as it must for "add a check so they don't forget").
            ("Make sure the engineer does not forget the drain step again", True),
        ],
    )
    def test_vague_titles(self, title: str, vague: bool) -> None:
        inc = careful()
        inc.actions[0].title = title
        assert ("ACTION_VAGUE" in codes(inc)) is vague

    @pytest.mark.parametrize(
        ("title", "words"),
        [
            ("Retrain the on-call who ignored the alert", "ignored"),
            ("Tell the reviewer, who missed the bad line, to read diffs slowly", "missed"),
            ("Ask the engineer who forgot the drain step to write it down", "forgot"),
        ],
    )
    def test_a_title_aimed_at_a_persons_slip_is_blame(self, title: str, words: str) -> None:
        # The same act rules as in node text.
        inc = careful()
        inc.actions[0].title = title
        (finding,) = codes(inc)["BLAME_LANGUAGE"]
        assert finding.actions == ["a1"]
        assert finding.message == f"action a1: '{words}' judges a person"

    @pytest.mark.parametrize(
        "title",
        [
            "Make the dedupe rule stop ignoring page alerts",
            "Make the drain step impossible to forget: the upgrade script drains first",
            "Alert when the retry ignores the deadline",
            "Page when a warning is ignored for 10 minutes",
            # A negated slip is what the action prevents, as in node text.
            "Add a check so engineers don't forget the drain step",
        ],
    )
    def test_a_title_aimed_at_the_system_is_no_blame(self, title: str) -> None:
        inc = careful()
        inc.actions[0].title = title
        assert "BLAME_LANGUAGE" not in codes(inc)

    def test_done_actions_need_no_due_date(self) -> None:
        inc = careful()
        inc.actions[0].due = None
        assert "ACTION_NO_DUE" in codes(inc)
        inc.actions[0].status = ActionStatus.DONE
        assert "ACTION_NO_DUE" not in codes(inc)

    def test_actions_only_on_proximate_nodes(self) -> None:
        inc = careful()
        for action in inc.actions:
            action.addresses = ["rows-deleted"]
        assert "ACTIONS_ONLY_PROXIMATE" in codes(inc)

    def test_systemic_unaddressed(self) -> None:
        inc = careful()
        inc.actions = inc.actions[:1]
        found = {n for f in codes(inc)["SYSTEMIC_UNADDRESSED"] for n in f.nodes}
        assert found == {"no-soft-delete", "review-scope", "runbook-old"}
