"""Cross-incident patterns: suggestions, matching layers, the report and its renderers."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import itertools
import json
import math
import os
import random
import re
import xml.etree.ElementTree as ET
from html import escape
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from causemap.catalog import builtin_catalog, loads_catalog
from causemap.catalog.model import Catalog
from causemap.cli import cli
from causemap.loader import load
from causemap.model import Incident
from causemap.patterns import PatternsReport, patterns, render, suggest
from causemap.patterns.charts import EMPTY, LEVEL_COLOURS, WIDTH
from causemap.patterns.matching import MatchSettings, NodeText, match
from causemap.patterns.present import periods
from causemap.patterns.render_html import FIXES_SHOWN, to_html
from causemap.patterns.render_text import to_markdown, to_text
from causemap.patterns.report import severity_weight
from causemap.patterns.suggest import CatalogIndex, Weights, _best, _likelihoods
from causemap.patterns.svgtext import text_width
from causemap.patterns.text import analyse
from tests.conftest import EXAMPLES, ROOT, contrast, make_incident
from tests.render_fixtures import acted_on, shown_text

runner = CliRunner()

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def incident(
    ident: str,
    date: str,
    factors: dict[str, str],
    actions: list[dict[str, Any]] | None = None,
    severity: str | None = "sev2",
    chain: bool = False,
) -> Incident:
    """An incident whose factor nodes (id → label) all cause one trigger event."""
    nodes: list[dict[str, Any]] = []
    previous: str | None = None
    for node_id, label in factors.items():
        node: dict[str, Any] = {"id": node_id, "kind": "condition", "label": label}
        if chain and previous:
            node["causes"] = [previous]
        nodes.append(node)
        previous = node_id
    nodes.append(
        {"id": "trigger", "kind": "event", "label": TRIGGERS[ident], "causes": list(factors)}
    )
    nodes.append(
        {"id": "impact", "kind": "impact", "label": "Users saw errors", "causes": ["trigger"]}
    )
    fields: dict[str, Any] = {"id": ident, "date": date, "actions": actions or []}
    if severity:
        fields["severity"] = severity
    return make_incident(nodes, **fields)


TRIGGERS = {
    "one": "A deploy started at noon.",
    "two": "Someone flipped the switch.",
    "three": "The job began its nightly run.",
    "four": "Lunch was served.",
    "five": "A deploy started at dawn.",
    "six": "A cron job fired.",
}
CANARY = "The config change went to all regions at once with no canary stage."
CANARY_2 = "Rules were pushed globally to every edge server within seconds, no staged rollout."
RETRY = "Clients retried immediately with no backoff or jitter, a retry storm."
RETRY_2 = "Every client retried at once without exponential backoff."


class TestSuggest:
    @pytest.mark.parametrize(
        "text",
        [
            "The deploy used no. Canary stages existed for the other services",
            "Nothing was held back; canary stages ran elsewhere",
        ],
    )
    def test_evidence_never_runs_across_a_sentence(self, text: str) -> None:
        for found in suggest(text, top=5):
            assert not {"no canary", "without a canary", "not staged"} & set(found.phrases)

    def test_label_and_detail_are_two_sentences(self) -> None:
        from causemap.patterns.facts import node_text

        node = make_incident(
            [
                {
                    "id": "c",
                    "kind": "condition",
                    "label": "The update reached all hosts",
                    "detail": "At once the error rate doubled",
                },
                {"id": "i", "kind": "impact", "label": "Down", "causes": ["c"]},
            ]
        ).node("c")
        hits = CatalogIndex(builtin_catalog())._phrase_hits(node_text(node))
        assert "all hosts at once" not in {t for found in hits.values() for t, _ in found}

    def test_top_entry_and_evidence(self) -> None:
        (top,) = suggest(CANARY, top=1)
        assert top.key == "global-change-no-staged-rollout"
        assert "no canary" in top.phrases
        assert 0 < top.confidence <= 1

    def test_evidence_is_what_the_text_says(self) -> None:
        # A keyword of two words needs both side by side; one stem names one keyword.
        found = suggest("The pre-publish step ran in production.", top=5)
        assert all("pre-production" not in s.keywords for s in found)
        assert "pre-production" in suggest("Tested only in pre-production.", top=1)[0].keywords
        (top,) = suggest("The config was not validated before the push.", top=1)
        assert [k for k in top.keywords if k.startswith("valid")] == ["validate"]

    def test_unrelated_text_has_low_confidence(self) -> None:
        found = suggest("Lunch was served at noon.", top=1)
        assert not found or found[0].confidence < 0.35

    @pytest.mark.patches_internals  # counts builds through the module's CatalogIndex
    def test_builds_the_catalog_index_once(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # The web editor asks for suggestions on every pause in typing: only the first call
        # may pay for the index (its speed is measured in bench/bench_patterns.py).
        module = importlib.import_module("causemap.patterns.suggest")
        built: list[Catalog] = []

        def counting(catalog: Catalog) -> CatalogIndex:
            built.append(catalog)
            return CatalogIndex(catalog)

        monkeypatch.setattr(module, "_INDEXES", {})
        monkeypatch.setattr(module, "CatalogIndex", counting)
        first = suggest(CANARY)
        assert [suggest(CANARY) for _ in range(3)] == [first] * 3
        suggest(RETRY)
        assert len(built) == 1


FLAGS = """causemap-catalog: 1
name: ours
entries:
  - key: feature-flag-debt
    name: Stale feature flags
    definition: Flags nobody removed changed behaviour years later.
    level: process
    class: systemic
    phrases: [stale feature flag, flag nobody removed]
    keywords: [flag, toggle]
    examples: [An old feature flag was still read by the billing path.]
  - key: big-bang-deploy
    name: Big-bang deploys
    definition: A change went to every server at once instead of a canary first.
    level: process
    class: systemic
    phrases: [all servers at once, no canary]
    keywords: [canary, rollout]
"""


class TestLikelihood:
    """The naive Bayes signal judges entries by how often their wordings use a word, not
    by how many wordings they list."""

    def test_a_word_counts_by_its_share_of_an_entry_not_by_the_entry_size(self) -> None:
        thin = [(("canari",), 1.0), (("flag",), 1.0)]  # "canary" in 1 of 2 parts
        rich = [(("canari",), 1.0), (("flag",), 1.0)] * 10  # in 10 of 20 parts
        other = [(("retri",), 1.0)] * 4
        added = _likelihoods([thin, rich, other])
        assert added["canari"][0] == pytest.approx(added["canari"][1])
        assert 2 not in added["canari"]  # an entry that never uses a word gains nothing

    def test_it_puts_the_entry_whose_wordings_use_the_words_first(self) -> None:
        # The same text, scored with and without the signal: its words are the staged
        # rollout entry's own, so the signal widens that entry's lead.
        text = analyse("The config change went to all regions at once with no canary stage.")
        on = CatalogIndex(builtin_catalog()).score(text, None, 2)
        off = CatalogIndex(builtin_catalog(), Weights(likelihood=0)).score(text, None, 2)
        assert on[0].key == off[0].key == "global-change-no-staged-rollout"
        assert on[0].score - on[1].score > off[0].score - off[1].score


class TestOwnCatalog:
    """A catalog that replaces the built-in one is still judged against what causemap
    knows: with two entries and no runner-up, anything would otherwise look sure."""

    @pytest.fixture(scope="class")
    @classmethod
    def index(cls) -> CatalogIndex:
        return CatalogIndex(loads_catalog(FLAGS))

    @pytest.mark.parametrize(
        "text",
        [
            "An automated system on every client checked configuration values in cache.",
            "Traffic was shifted to a lower-capacity router during the upgrade.",
            "The leap second made the kernel livelock.",
        ],
    )
    @pytest.mark.parametrize("level", [None, "process"])
    def test_unrelated_text_is_not_assigned(
        self, index: CatalogIndex, text: str, level: str | None
    ) -> None:
        found = index.score(analyse(text), level, 1, "systemic")
        assert not found or found[0].confidence < MatchSettings().catalog_threshold

    def test_only_its_own_entries_are_suggested(self, index: CatalogIndex) -> None:
        found = index.score(analyse("Clients retried immediately with no backoff."), None)
        assert {s.key for s in found} <= {"feature-flag-debt", "big-bang-deploy"}

    def test_its_entries_still_match_their_instances(self, index: CatalogIndex) -> None:
        # big-bang-deploy is the built-in staged-rollout entry under another name: that
        # one is left out of the background instead of halving the confidence.
        (top,) = index.score(analyse(CANARY), "process", 1, "systemic")
        assert top.key == "big-bang-deploy"
        assert top.confidence >= MatchSettings().catalog_threshold
        (top,) = index.score(analyse("A feature toggle nobody removed."), "process", 1)
        assert top.key == "feature-flag-debt"
        assert top.confidence >= MatchSettings().catalog_threshold

    def test_builtin_catalog_has_no_background(self) -> None:
        builtin = builtin_catalog()
        alone = CatalogIndex(builtin)
        assert alone.score(analyse(CANARY), None) == CatalogIndex(builtin, background=()).score(
            analyse(CANARY), None
        )


class TestSuggestAgreesWithPatterns:
    """``causemap suggest`` ranks a node as ``causemap patterns`` (and the benchmark) do:
    with its level and its class, proximate or systemic."""

    @staticmethod
    def best_by_patterns(path: Path) -> dict[str, str | None]:
        from causemap.graph import to_graph
        from causemap.patterns.facts import default_classifier, extract

        incident = load(path)
        classify, _ = default_classifier()
        index = CatalogIndex(builtin_catalog())
        facts = extract(incident, to_graph(incident), index, classify)
        return {n.id: n.suggestion.key if n.suggestion else None for n in facts.nodes}

    @staticmethod
    def unkeyed(path: Path, folder: Path) -> Path:
        """A copy of an example without its factor keys (patterns asks the catalog only
        about unkeyed nodes)."""
        lines = path.read_text().splitlines(keepends=True)
        copy = folder / path.name
        copy.write_text("".join(x for x in lines if not x.lstrip().startswith("factor:")))
        return copy

    def test_the_first_suggestion_is_the_one_patterns_matches(self, tmp_path: Path) -> None:
        path = self.unkeyed(ROOT / "examples" / "certificate-expiry.yaml", tmp_path)
        result = runner.invoke(cli, ["suggest", str(path), "--format", "json"])
        assert result.exit_code == 0, result.output
        shown = {
            row["node"]: row["suggestions"][0]["key"] if row["suggestions"] else None
            for row in json.loads(result.output)["nodes"]
        }
        assert shown == self.best_by_patterns(path)
        assert sum(key is not None for key in shown.values()) >= 5

    def test_patterns_asks_the_catalog_only_about_unkeyed_nodes(self) -> None:
        # A node's own key decides its factor: scoring it too cost time and changed nothing.
        found = self.best_by_patterns(ROOT / "examples" / "certificate-expiry.yaml")
        keyed = {
            node.id
            for node in load(ROOT / "examples" / "certificate-expiry.yaml").nodes
            if node.factor
        }
        assert keyed
        assert all(found[n] is None for n in keyed)
        assert any(found[n] is not None for n in found.keys() - keyed)

    def test_text_shows_each_suggestions_confidence(self) -> None:
        # suggest --help promises a score, a confidence and evidence; the text had no
        # confidence, the one figure that says how far to trust the first entry.
        path = ROOT / "examples" / "certificate-expiry.yaml"
        data = json.loads(runner.invoke(cli, ["suggest", str(path), "--format", "json"]).output)
        text = runner.invoke(cli, ["suggest", str(path)]).output
        evidence = [line.strip() for line in text.splitlines() if "evidence:" in line]
        confidences = [s["confidence"] for row in data["nodes"] for s in row["suggestions"]]
        assert len(evidence) == len(confidences) > 0
        for line, confidence in zip(evidence, confidences, strict=True):
            assert line.startswith(f"{confidence:.0%} confident; evidence: "), line

    def test_each_suggestion_names_its_closest_example(self, tmp_path: Path) -> None:
        # The JSON (and POST /suggest) promise the entry's example wording closest to the
        # node's: one of that entry's examples, the nearest one.
        doc = make_incident(
            [
                {"id": "c", "kind": "condition", "label": "The TLS certificate expired"},
                {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
            ],
            id="cert",
        )
        path = tmp_path / "cert.json"
        path.write_text(doc.model_dump_json(by_alias=True, exclude_none=True))
        result = runner.invoke(cli, ["suggest", str(path), "--format", "json"])
        assert result.exit_code == 0, result.output
        (row,) = json.loads(result.output)["nodes"]
        first = row["suggestions"][0]
        assert first["key"] == "expired-certificate-or-credential"
        examples = builtin_catalog().entry(first["key"]).examples
        assert first["example"] in examples
        assert "certificate" in first["example"].lower()


class TestClosestExamples:
    """``closest_examples`` finds each entry's closest example through an index by term;
    it must choose what the cosine over every term of the text chooses."""

    @staticmethod
    def reference(index: CatalogIndex, text: Any, key: str) -> str | None:
        query = {t: index._query[t] for t in text.bag + text.feats if t in index._query}
        best: tuple[float, str | None] = (0.0, None)
        for example, vector in index._examples_of(key):
            cos = sum(value * vector.get(term, 0.0) for term, value in query.items())
            if cos > best[0]:
                best = (cos, example)
        return best[1]

    def test_every_entry_for_every_node_of_the_examples(self) -> None:
        from causemap.patterns.facts import incident_glossary, node_text

        index = CatalogIndex(builtin_catalog())
        keys = builtin_catalog().keys()
        texts = [analyse("The TLS certificate expired"), analyse("")]
        for path in EXAMPLES:
            incident = load(path)
            drop = incident_glossary(incident)
            texts += [node_text(node, drop) for node in incident.nodes]
        chosen = 0
        for text in texts:
            found = index.closest_examples(text, keys)
            assert found == {key: self.reference(index, text, key) for key in keys}
            assert all(index.closest_example(text, key) == found[key] for key in keys[:3])
            chosen += sum(value is not None for value in found.values())
        assert chosen > len(texts)

    def test_an_unknown_key_is_a_key_error(self) -> None:
        with pytest.raises(KeyError):
            CatalogIndex(builtin_catalog()).closest_examples(analyse("x"), ["no-such-entry"])


class TestPickedSuggestions:
    """A few suggestions are picked from the scores (``_best``) instead of sorted out of
    them; both ways must give the same list, ties and margins included."""

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.sampled_from([0.0, -1.0, 0.5, 1.0, 1.0, 2.5, 7.0]), max_size=12),
        st.integers(min_value=1, max_value=4),
        st.randoms(use_true_random=False),
    )
    def test_best_is_the_head_of_the_sorted_scores(
        self, scores: list[float], k: int, rng: random.Random
    ) -> None:
        order = list(range(len(scores)))
        rng.shuffle(order)
        ranked = sorted((-v, order[e], e) for e, v in enumerate(scores) if v > 0)
        assert _best(scores, order, k) == ranked[:k]

    @pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
    def test_a_short_list_is_the_head_of_the_long_one(self, path: Path) -> None:
        from causemap.patterns.facts import node_text

        index = CatalogIndex(builtin_catalog())
        for node in load(path).nodes:
            text, level = node_text(node), str(node.level) if node.level else None
            every = index.score(text, level, cls="systemic")
            for top in (1, 2, 3):
                assert index.score(text, level, top=top, cls="systemic") == every[:top]


class TestPausedGc:
    """The cross-incident pipeline pauses the cycle collector; it must leave it as found."""

    @pytest.mark.parametrize("promote", [True, False])
    @pytest.mark.parametrize("enabled", [True, False])
    def test_the_collector_is_left_as_it_was(self, enabled: bool, promote: bool) -> None:
        import gc

        from causemap.collector import paused_gc

        was = gc.isenabled()
        (gc.enable if enabled else gc.disable)()
        try:
            with paused_gc(promote=promote):
                assert not gc.isenabled()
            assert gc.isenabled() is enabled
            assert gc.get_freeze_count() == 0
        finally:
            (gc.enable if was else gc.disable)()

    def test_a_cycle_made_in_the_block_is_still_collected(self) -> None:
        import gc
        import weakref

        from causemap.collector import paused_gc

        class Node:
            other: Node | None = None

        with paused_gc(promote=True):
            a, b = Node(), Node()
            a.other, b.other = b, a
            gone = weakref.ref(a)
            del a, b
        assert gone() is not None  # a cycle: reference counting alone does not free it
        gc.collect()
        assert gone() is None


class TestSeverityWeight:
    @pytest.mark.parametrize(
        ("severity", "weight"),
        [
            *[("SEV-0", 5), ("P0", 5), ("Sev 1", 4), ("critical", 4), ("p2", 3), ("major", 3)],
            *[("S3", 2), ("medium", 2), ("sev4", 1), ("P5", 1), ("low", 1), ("whatever", 1)],
            (None, 1),
        ],
    )
    def test_the_most_severe_weighs_most(self, severity: str | None, weight: float) -> None:
        assert severity_weight(severity) == weight

    def test_readme_states_the_weights_the_code_uses(self) -> None:
        readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
        found = re.search(r"Severity weights: ([^.]*)\.", readme)
        assert found, "README no longer states the severity weights"
        *named, rest = found.group(1).split("; ")
        stated = {}
        for group in named:
            names, weight = group.rsplit(" ", 1)
            stated.update(dict.fromkeys(names.split("/"), float(weight)))
        assert {name: severity_weight(name) for name in stated} == stated
        other = re.fullmatch(r"anything else 1 \((.*), or no severity\)", rest)
        assert other, rest
        examples = other.group(1).replace(" and lower", "").split(", ")
        assert [severity_weight(s) for s in [*examples, "sev9", None]] == [1.0] * (
            len(examples) + 2
        )
        assert severity_weight("sev0") == max(stated.values())


class TestMatch:
    @staticmethod
    def node(inc: str, ident: str, label: str, key: str | None = None) -> NodeText:
        return NodeText(inc, ident, label, "condition", None, key, analyse(label))

    def test_keys_are_exact(self) -> None:
        found = match([self.node("a", "x", "one", "k"), self.node("b", "y", "two", "k")])
        assert [(m.factor, m.layer, m.confidence) for m in found if m] == [
            ("k", "key", 1.0),
            ("k", "key", 1.0),
        ]

    def test_cannot_link_same_incident(self) -> None:
        label = "The quarterly zorblax reconciliation had no clear owner anywhere"
        found = match(
            [self.node("a", "x", label), self.node("a", "y", label), self.node("b", "z", label)]
        )
        clustered = [m for m in found if m and m.layer == "cluster"]
        assert len(clustered) == 2
        incidents = {("a", "b")[i > 0] for i, m in enumerate(found) if m and m.layer == "cluster"}
        assert incidents == {"a", "b"}, "two nodes of incident a were merged"

    @staticmethod
    def suggested(inc: str, kind: str, confidence: float) -> NodeText:
        from causemap.patterns.suggest import Suggestion

        label = f"node of {inc}"
        best = Suggestion("retry-storm-no-backoff", "Retry storm", 5.0, confidence)
        return NodeText(inc, "n", label, kind, None, None, analyse(label), (), best)

    def test_abstains_below_the_threshold(self) -> None:
        settings = MatchSettings(catalog_threshold=0.4, event_threshold=0.7)
        found = match(
            [
                self.suggested("a", "condition", 0.45),  # assigned
                self.suggested("b", "condition", 0.35),  # too unsure: left unmatched
                self.suggested("c", "event", 0.6),  # an event needs more
                self.suggested("d", "event", 0.75),
            ],
            settings,
        )
        assert [m.layer if m else None for m in found] == ["catalog", None, None, "catalog"]

    def test_matching_is_deterministic(self) -> None:
        nodes = [self.suggested(inc, "condition", 0.5 + i / 100) for i, inc in enumerate("abcd")]
        assert match(nodes) == match(nodes[::-1])[::-1]

    def test_different_keys_never_merge(self) -> None:
        label = "The quarterly zorblax reconciliation had no owner"
        found = match([self.node("a", "x", label, "k1"), self.node("b", "y", label, "k2")])
        assert [m.factor for m in found if m] == ["k1", "k2"]

    def test_wording_with_and_without_accents_and_in_other_scripts_clusters(self) -> None:
        """Only a-z and 0-9 made words, so "Déploiement" was "d" and "ploiement", never the
        "Deploiement" another team typed, and Cyrillic or Japanese wording had no word."""
        found = match(
            [
                self.node("a", "x", "Déploiement planifié à Zürich sans étape canari"),
                self.node("b", "y", "Deploiement planifie a Zurich sans etape canari"),
                self.node("c", "z", "Развертывание конфигурации без канареечного этапа"),
                self.node("d", "w", "Развертывание конфигурации без канареечного этапа"),
                self.node("e", "v", "設定の全台同時配布 カナリア なし"),
                self.node("f", "u", "設定の全台同時配布 カナリア 省略"),
            ]
        )
        factors = [m.factor if m else None for m in found]
        assert None not in factors
        assert factors[0] == factors[1]
        assert factors[2] == factors[3]
        assert factors[4] == factors[5]
        assert len({factors[0], factors[2], factors[4]}) == 3

    def test_a_cluster_is_never_named_like_a_key(self) -> None:
        # A team's own key "cluster-1" is one factor, and two similar nodes without keys
        # another; both were named cluster-1, so the report merged them into one.
        label = "The quarterly zorblax reconciliation had no owner"
        found = match(
            [
                self.node("a", "x", "Teapots were left on", "cluster-1"),
                self.node("b", "y", "Kettles were left on", "cluster-1"),
                self.node("c", "z", label),
                self.node("d", "w", label),
            ]
        )
        assert [m.factor if m else None for m in found] == [
            "cluster-1",
            "cluster-1",
            "cluster-2",
            "cluster-2",
        ]


class TestReport:
    def corpus(self) -> list[Incident]:
        return [
            incident(
                "one",
                "2024-01-10",
                {"c": CANARY, "r": RETRY},
                actions=[
                    {
                        "id": "a1",
                        "title": "Add a canary",
                        "addresses": ["c"],
                        "status": "done",
                        "closed": "2024-02-01",
                    },
                ],
                chain=True,
            ),
            incident("two", "2024-01-20", {"c": CANARY_2, "r": RETRY_2}, chain=True),
            incident("three", "2024-03-05", {"c": CANARY}, severity="sev1"),
            incident("four", "2024-03-06", {"x": "The kettle was descaled."}, severity=None),
        ]

    def test_leaderboard(self) -> None:
        report = patterns(self.corpus())
        top = report.factors[0]
        assert top.key == "global-change-no-staged-rollout"
        assert top.incidents == ["one", "two", "three"]
        assert top.score == 3 + 3 + 4
        assert (top.first_seen, top.last_seen) == (dt.date(2024, 1, 10), dt.date(2024, 3, 5))
        assert top.actions.done == 1
        assert {m.incident for m in top.members} == {"one", "two", "three"}

    def test_a_teams_key_is_the_source_even_when_its_oldest_member_was_clustered(self) -> None:
        # The source was read from the oldest member: a node without the key, joined to
        # the key's factor by its wording, made a team's own key a "cluster".
        label = "Zebra giraffe okapi reconciliation wombat"
        corpus = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": label + extra, **key},
                    {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
                ],
                id=ident,
                date=date,
            )
            for ident, date, extra, key in (
                ("a", "2024-01-01", "", {}),
                ("b", "2024-02-01", " at all", {"factor": "zebra-job"}),
                ("c", "2024-03-01", " again", {"factor": "zebra-job"}),
            )
        ]
        (factor,) = patterns(corpus).factors
        assert [(m.incident, m.layer) for m in factor.members] == [
            ("a", "cluster"),
            ("b", "key"),
            ("c", "key"),
        ]
        assert (factor.key, factor.source) == ("zebra-job", "key")

    def test_two_incidents_with_one_id_are_refused(self) -> None:
        # In memory, the second incident overwrote the first one's matches: a factor of
        # two incidents went missing from the report without a word.
        from causemap.errors import InvalidIncident

        corpus = [
            incident("one", "2024-01-10", {"c": CANARY}),
            incident("one", "2024-02-10", {"c": RETRY}),
            incident("two", "2024-03-10", {"c": CANARY_2}),
        ]
        with pytest.raises(InvalidIncident) as caught:
            patterns(corpus)
        (problem,) = caught.value.diagnostics
        assert (problem.code, problem.pointer) == ("duplicate-incident-id", "/1/id")
        assert problem.message == "incident id 'one' is already used by incident 0"

    def test_recurrence_after_fix_respects_dates(self) -> None:
        report = patterns(self.corpus())
        (rec,) = report.recurring_after_fix
        assert (rec.factor, rec.fixed_in, rec.closed) == (
            "global-change-no-staged-rollout",
            "one",
            dt.date(2024, 2, 1),
        )
        assert rec.recurred_in == ["three"]  # "two" is before the fix was done

    def test_a_fix_comes_back_only_after_its_own_incident(self) -> None:
        # "three" closed its action before its own date (validate warns of it): "two",
        # dated between the two, was listed as where three's fix "came back".
        corpus = self.corpus()
        fix = {"id": "a9", "title": "Stage it", "addresses": ["c"], "status": "done"}
        corpus[2] = incident(
            "three", "2024-03-05", {"c": CANARY}, actions=[{**fix, "closed": "2024-01-15"}]
        )
        fixed_in = {
            (r.fixed_in, tuple(r.recurred_in)) for r in patterns(corpus).recurring_after_fix
        }
        assert fixed_in == {("one", ("three",))}

    def test_links_by_ancestry(self) -> None:
        report = patterns(self.corpus())
        assert [(lk.source, lk.target, lk.incidents) for lk in report.links] == [
            ("global-change-no-staged-rollout", "retry-storm-no-backoff", ["one", "two"])
        ]

    def test_links_through_a_long_chain(self) -> None:
        # Links are found through any number of nodes without a factor, along every
        # branch, and never upstream.
        def chained(ident: str) -> Incident:
            middle = [f"m{i}" for i in range(300)]
            nodes: list[dict[str, Any]] = [
                {"id": "top", "kind": "condition", "label": "Top", "factor": "alpha"},
                *(
                    {"id": m, "kind": "event", "label": f"Step {m}", "causes": [up]}
                    for m, up in zip(middle, ["top", *middle], strict=False)
                ),
                {
                    "id": "bottom",
                    "kind": "event",
                    "label": "B",
                    "factor": "beta",
                    "causes": ["m299"],
                },
                {
                    "id": "side",
                    "kind": "event",
                    "label": "S",
                    "factor": "gamma",
                    "causes": ["m150"],
                },
                {"id": "hurt", "kind": "impact", "label": "Hurt", "causes": ["bottom", "side"]},
            ]
            return make_incident(nodes, id=ident, date="2024-01-01")

        report = patterns([chained("one"), chained("two")])
        keys = {"alpha", "beta", "gamma"}
        links = [lk for lk in report.links if {lk.source, lk.target} <= keys]
        assert [(lk.source, lk.target, lk.incidents) for lk in links] == [
            ("alpha", "beta", ["one", "two"]),
            ("alpha", "gamma", ["one", "two"]),
        ]

    def test_cooccurrence_lift(self) -> None:
        report = patterns(self.corpus())
        (pair,) = report.cooccurrence
        assert pair.incidents == ["one", "two"]
        assert pair.lift == pytest.approx(4 * 2 / (3 * 2), abs=1e-3)

    def test_since_filters_incidents(self) -> None:
        report = patterns(self.corpus(), since=dt.date(2024, 1, 15))
        assert [i.id for i in report.incident_list] == ["two", "three", "four"]
        assert report.recurring_after_fix == []

    def test_trends_fill_empty_months(self) -> None:
        report = patterns(self.corpus())
        assert [b.period for b in report.trends.monthly] == ["2024-01", "2024-02", "2024-03"]
        assert [b.incidents for b in report.trends.monthly] == [2, 0, 2]

    def test_a_span_of_centuries_shows_the_latest_forty_years(self) -> None:
        # A date typed 0202 for 2022 spans 1,800 years: every year was a column, and
        # the HTML chart drew them with negative widths.
        corpus = [
            incident("one", "0202-12-10", {"c": CANARY}),
            incident("two", "2022-01-20", {"c": CANARY_2}),
        ]
        report = patterns(corpus)
        unit, buckets, earlier = periods(report, 40)
        assert unit == "year"
        assert [b.period for b in buckets] == [str(y) for y in range(1983, 2023)]
        assert earlier == 1821 - 40
        chart = render(report, "html")
        assert 'width="-' not in chart
        assert "(the last 40 of 1821 years)" in chart
        markdown = render(report, "markdown")
        assert "## Trends by year (the last 40 of 1821 years)" in markdown
        assert "| 2022 | 1 |" in markdown
        assert "| 0202 |" not in markdown

    def test_json_trends_of_a_span_of_centuries_keep_the_latest_forty_years(self) -> None:
        """The JSON listed every month from 0202 on (21,830 buckets for two incidents),
        while the other formats show the last 40 years; now it says what it left out."""
        corpus = [
            incident("one", "0202-12-10", {"c": CANARY}),
            incident("two", "2022-01-20", {"c": CANARY_2}),
        ]
        data = json.loads(render(patterns(corpus), "json"))
        trends = data["trends"]
        monthly = [b["period"] for b in trends["monthly"]]
        quarterly = [b["period"] for b in trends["quarterly"]]
        assert (monthly[0], monthly[-1], len(monthly)) == ("1983-01", "2022-01", 39 * 12 + 1)
        assert (quarterly[0], quarterly[-1], len(quarterly)) == ("1983-Q1", "2022-Q1", 157)
        assert (trends["first_period"], trends["earlier_years"]) == ("0202-12", 1821 - 40)
        assert trends["earlier_incidents"] == 1
        assert sum(b["incidents"] for b in trends["monthly"]) + 1 == data["incidents"]
        schema = json.loads((ROOT / "schemas" / "patterns.schema.json").read_text())
        jsonschema.Draft202012Validator(schema).validate(data)

    def test_json_trends_of_a_short_span_leave_nothing_out(self) -> None:
        trends = json.loads(render(patterns(self.corpus()), "json"))["trends"]
        assert (trends["first_period"], trends["earlier_years"]) == ("2024-01", 0)
        assert trends["earlier_incidents"] == 0

    def test_trends_of_years_before_1000(self) -> None:
        # A typo such as 0202 for 2022 is a valid date; it used to end in an internal
        # error, as the year was not written with four digits.
        corpus = [
            incident("one", "0202-12-10", {"c": CANARY}),
            incident("two", "0203-01-20", {"c": CANARY_2}),
        ]
        report = patterns(corpus)
        assert [b.period for b in report.trends.monthly] == ["0202-12", "0203-01"]
        assert [b.period for b in report.trends.quarterly] == ["0202-Q4", "0203-Q1"]
        assert "  0202-12 1 " in render(report, "text")

    def test_levels_are_in_accimap_order(self) -> None:
        levels = json.loads(render(corpus_report(), "json"))["trends"]["levels"]
        assert list(levels) == ["technical", "operator", "process", "organization", "external"]

    def test_output_is_deterministic(self) -> None:
        corpus = self.corpus()
        first = {fmt: render(patterns(corpus), fmt) for fmt in ("json", "text", "markdown", "html")}
        again = {fmt: render(patterns(corpus[::-1]), fmt) for fmt in first}
        assert first == again

    def test_long_lists_are_capped_with_their_counts(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from causemap.patterns import report as module

        monkeypatch.setattr(module, "MEMBERS_LISTED", 2)
        monkeypatch.setattr(module, "RECURRENCES_LISTED", 1)
        corpus = [
            *self.corpus(),
            incident("five", "2024-04-01", {"c": CANARY_2}),
            incident("six", "2024-05-01", {"c": CANARY}),
        ]
        report = patterns(corpus)
        top = report.factors[0]
        assert top.member_count == 5
        assert [m.incident for m in top.members] == ["five", "six"]  # the most recent
        (rec,) = report.recurring_after_fix
        assert (rec.recurrences, rec.recurred_in) == (3, ["three"])  # the first after the fix
        assert "came back in three and 2 more" in " ".join(render(report, "text").split())

    def test_json_shape(self) -> None:
        data = json.loads(render(patterns(self.corpus()), "json"))
        assert data["incidents"] == 4
        factor = data["factors"][0]
        assert {"key", "label", "incidents", "members"} <= set(factor)
        assert {"incident", "node", "confidence"} <= set(factor["members"][0])
        for key in ("links", "cooccurrence", "recurring_after_fix", "trends"):
            assert key in data


@functools.cache
def corpus_report() -> PatternsReport:
    """The report of the examples and the real-postmortem corpus: 61 incidents, 2010-2024."""
    files = [*EXAMPLES, *sorted((ROOT / "tests" / "data" / "corpus").glob("*.yaml"))]
    return patterns([load(p) for p in files])


LONG = "x" * 420
"""An unbroken label, as a paste of a log line or a URL might give."""


def long_label_corpus() -> list[Incident]:
    """Two incidents that share a key whose only wording is one 420-character word."""
    return [
        make_incident(
            [
                {"id": "w", "kind": "condition", "label": LONG, "factor": "long-" + "y" * 70},
                {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["w"]},
            ],
            id=ident,
            date=date,
        )
        for ident, date in (("a" * 80, "2024-01-01"), ("b", "2024-02-01"))
    ]


WIDE_LABELS = {
    "wide": "WWWWWWWWWWMMMMMMMMMMWWWWWWWWWWMMMMMMMMMMWWWWWWWWWWMMMMMMMMMM",
    "caps": "DATABASE FAILOVER PROMOTED A LAGGING REPLICA AND DROPPED ACKNOWLEDGED WRITES",
    "arabic": "تم دفع التغيير إلى جميع المناطق في وقت واحد دون مرحلة الكناري أو أي تحقق مسبق",
    "hebrew": "השינוי נדחף לכל האזורים בבת אחת ללא שלב קנרי וללא בדיקה מוקדמת כלשהי בכלל",
    "cjk": "数据库故障转移期间复制延迟导致主库选举失败并且所有写入被拒绝长达四十分钟",
    "markup": '<script>alert(1)</script> "><img src=x onerror=alert(2)> & &amp; more words',
}
"""Factor labels that are wide to draw: wide Latin capitals, right-to-left scripts, CJK
(a whole em a character) and markup."""


def wide_label_corpus() -> list[Incident]:
    """Three incidents that share every factor of :data:`WIDE_LABELS`, with long ids."""
    return [
        make_incident(
            [
                *(
                    {"id": key, "kind": "condition", "label": label, "factor": "x-" + key}
                    for key, label in WIDE_LABELS.items()
                ),
                {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["wide"]},
            ],
            id=f"incident-{n}-" + "w" * 60,
            date=f"2024-0{n}-01",
        )
        for n in (1, 2, 3)
    ]


def section(text: str, heading: str) -> list[str]:
    """The lines of a text report's section, from its heading to the next blank line."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


class TestNumbers:
    @pytest.mark.parametrize("fmt", ["html", "text", "markdown"])
    def test_match_counts_have_thousands_separators_like_the_other_counts(self, fmt: str) -> None:
        # The HTML card said "35,205 nodes matched" above a lead of "34000 by the catalog";
        # the text and Markdown headlines put "7,200 nodes" next to "1859 by catalog".
        many = corpus_report().model_copy(
            update={"matched": {"key": 1200, "catalog": 34000, "cluster": 5}}
        )
        page = render(many, fmt)
        assert "1,200" in page
        assert "34,000" in page
        assert "34000" not in page


class TestText:
    def test_every_line_fits_an_80_column_terminal(self) -> None:
        for report in (corpus_report(), patterns(long_label_corpus())):
            text = render(report, "text")
            wide = [line for line in text.splitlines() if len(line) > 80]
            assert not wide, wide
        assert LONG[:70] in text  # broken over lines, not lost

    def test_each_factor_shows_its_figures(self) -> None:
        text = render(patterns(TestReport().corpus()), "text")
        assert section(text, "Shared factors")[1:5] == [
            "  1. Global change with no staged rollout [global-change-no-staged-rollout]",
            "     3 incidents (75%), score 10, seen 2024-01-10 .. 2024-03-05",
            "     level process, systemic; actions 0 open / 1 done; confidence 0.88",
            "  2. Retry storm without backoff or jitter [retry-storm-no-backoff]",
        ]

    def test_every_capped_list_says_how_many_more(self) -> None:
        report = corpus_report()
        text = to_text(report)
        assert len(report.cooccurrence) > 20
        assert section(text, "Factors that occur together")[-1] == (
            f"  … and {len(report.cooccurrence) - 20} more (use --format json for all)"
        )
        small = to_text(patterns(TestReport().corpus()), top=0)
        assert section(small, "Shared factors")[1:] == [
            "  … and 2 more (use --format json for all)"
        ]
        for heading in ("Fixes that did not hold", "Recurring causal links", "Factors that"):
            assert section(small, heading)[1:] == ["  … and 1 more (use --format json for all)"], (
                heading
            )

    def test_links_name_factors_by_label(self) -> None:
        report = corpus_report()
        names = {f.key: f.label for f in report.factors}
        link = next(lk for lk in report.links if lk.target.startswith("cluster-"))
        lines = section(to_text(report), "Recurring causal links")
        joined = " ".join(" ".join(lines).split())
        assert f"{names[link.source]} [{link.source}]" in joined
        assert f"→ {names[link.target]} [{link.target}]" in joined

    def test_sparklines_of_a_century_fit(self) -> None:
        # More years than the line has room for used to be an internal error (a negative
        # width); the sparklines show the most recent years that fit.
        corpus = [
            incident("one", "1900-01-10", {"c": CANARY}),
            incident("two", "2024-01-20", {"c": CANARY_2}),
        ]
        text = render(patterns(corpus), "text")
        years = section(text, "Incidents per year")
        assert years[0] == "Incidents per year, the last 40 of 125 years:"
        assert [line[:8] for line in years[1:]] == [
            f"  {y} {int(y == 2024)}" for y in range(1985, 2025)
        ]
        *heading, spark = section(text, "Leading factors")
        assert " ".join(heading).startswith(
            "Leading factors, share of each year's incidents, the last 40 of 125"
        )
        assert spark.startswith("  Global change with no staged rollout ")
        assert spark.endswith(" " + "·" * 39 + "█")
        assert max(len(line) for line in text.splitlines()) <= 80

    def test_sparklines_of_wide_labels_fit_and_line_up(self) -> None:
        # A factor's name before its sparkline was cut and padded by characters, so a
        # CJK name (two columns a character) drew the row 153 columns wide, and the
        # sparklines of the rows no longer started in one column.
        import unicodedata

        def columns(line: str) -> int:
            return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

        text = render(patterns(wide_label_corpus()), "text")
        rows = [line for line in section(text, "Leading factors") if line.endswith("█")]
        assert len(rows) == len(WIDE_LABELS), rows
        assert {columns(line) for line in rows} == {80}, rows
        assert max(columns(line) for line in text.splitlines()) <= 80

    def test_a_long_cjk_name_takes_two_lines_at_most_as_a_latin_one_does(self) -> None:
        # Names were cut at 100 characters: a CJK character takes two columns, so a CJK
        # name ran to three lines of the leaderboard where a Latin one took two.
        label = "数据库故障转移期间复制延迟导致主库选举失败" * 5  # 105 characters, 210 columns
        incidents = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": label, "factor": "x-cjk"},
                    {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
                ],
                id=f"cjk-{n}",
                date=f"2024-0{n}-01",
            )
            for n in (1, 2)
        ]
        lines = render(patterns(incidents), "text").splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("  1. "))
        end = next(i for i in range(start, len(lines)) if " incidents (" in lines[i])
        assert end - start == 2, lines[start:end]
        assert lines[start + 1].rstrip().endswith("… [x-cjk]"), lines[start:end]

    def test_sparklines_of_labels_with_invisible_characters_line_up(self) -> None:
        # A zero-width space, joiner or word joiner, or a keycap's enclosing mark,
        # draws in no column, but each was counted as one: the name was
        # padded short and its sparkline started columns left of the others.
        import unicodedata

        def columns(line: str) -> int:
            return sum(
                0
                if unicodedata.category(c) in ("Mn", "Me", "Cf")
                else 2
                if unicodedata.east_asian_width(c) in "WF"
                else 1
                for c in line
            )

        labels = {
            "plain": "Retries had no backoff",
            "invisible": "zero\u200bwidth\u200djoined key 1\u20e3 \u2060words\u200b",
        }
        corpus = [
            make_incident(
                [
                    *(
                        {"id": key, "kind": "condition", "label": label, "factor": "x-" + key}
                        for key, label in labels.items()
                    ),
                    {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["plain"]},
                ],
                id=f"inv-{n}",
                date=f"2024-0{n}-01",
            )
            for n in (1, 2, 3)
        ]
        text = render(patterns(corpus), "text")
        rows = [line for line in section(text, "Leading factors") if line.endswith("█")]
        assert len(rows) == 2, rows
        assert {columns(line) for line in rows} == {80}, rows

    def test_trends_and_levels(self) -> None:
        text = render(patterns(TestReport().corpus()), "text")
        assert section(text, "Incidents per month")[1:] == [
            "  2024-01 2 " + "█" * 68,
            "  2024-02 0",
            "  2024-03 2 " + "█" * 68,
        ]
        years = section(render(corpus_report(), "text"), "Incidents per year")
        assert [line.split()[0] for line in years[1:]] == [str(y) for y in range(2010, 2025)]
        levels = section(render(corpus_report(), "text"), "Shared-factor occurrences by level")
        order = [part.split()[0] for part in " ".join(levels[1:]).split(", ")]
        assert order == ["technical", "operator", "process", "organization", "external"]


class TestMarkdown:
    def test_every_capped_table_says_how_many_more(self) -> None:
        report = corpus_report()
        text = to_markdown(report)
        assert len(report.cooccurrence) > 50
        assert f"… and {len(report.cooccurrence) - 50} more (the JSON report lists all)." in text
        small = to_markdown(patterns(TestReport().corpus()), top=0)
        assert small.count("… and 1 more") == 3  # fixes, links and co-occurrence
        assert small.count("… and 2 more") == 1  # the two factors of the leaderboard

    def test_links_name_factors_by_label(self) -> None:
        report = corpus_report()
        names = {f.key: f.label for f in report.factors}
        link = next(lk for lk in report.links if lk.target.startswith("cluster-"))
        row = f"| {names[link.source]} (`{link.source}`) | {names[link.target]} (`{link.target}`) |"
        assert row in to_markdown(report).replace("\\", "")

    @staticmethod
    def sharing(label: str, key: str) -> list[Incident]:
        """Two incidents whose one condition, worded ``label``, is the factor ``key``."""
        return [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": label, "factor": key},
                    {"id": "i", "kind": "impact", "label": "Down", "causes": ["c"]},
                ],
                id=ident,
                date=date,
            )
            for ident, date in (("m1", "2024-01-02"), ("m2", "2024-02-03"))
        ]

    def test_labels_stay_text(self) -> None:
        # GitHub renders ~~x~~ as struck out, $x$ as math and &amp; as "&": a label
        # written that way must read the same in the rendered report as in the file.
        label = "Flag ~~old~~ path cost $5 per $call &amp; a | pipe, `tick` and <b>tag</b>"
        corpus = self.sharing(label, "x-md")
        tokens = MarkdownIt("gfm-like").disable("linkify").parse(to_markdown(patterns(corpus)))
        start = next(i for i, t in enumerate(tokens) if t.type == "table_open")
        end = next(i for i, t in enumerate(tokens) if t.type == "table_close")
        cells = [t for t in tokens[start:end] if t.type == "inline"]
        assert len(cells) == 20  # a header and one row of ten cells: no pipe split a cell
        factor = cells[11].children or []
        assert [t.type for t in factor] == ["text", "code_inline", "text"]
        assert factor[0].content == f"{label} ("

    def test_labels_mention_nobody(self) -> None:
        # Pasted into an issue, the report must not notify @alice nor link issue 123.
        label = "Deploys paged @alice and @org/sre, as in #123 and GH-7"
        text = to_markdown(patterns(self.sharing(label, "x-at")))
        assert acted_on(text) == []
        assert label in shown_text(text).replace("\u2060", "")

    def test_one_node_matched_by_key_is_singular(self) -> None:
        corpus = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": "Zz qq", "factor": key},
                    {"id": "i", "kind": "impact", "label": "Down", "causes": ["c"]},
                ],
                id=ident,
            )
            for ident, key in (("m1", "x-one"), ("m2", None))
        ]
        report = patterns(corpus)
        assert report.matched["key"] == 1
        assert ". Matched 1 node by factor key," in to_markdown(report)

    def test_trends_by_year_for_a_long_span(self) -> None:
        text = to_markdown(corpus_report())
        assert "## Trends by year\n\n| year | incidents |" in text
        assert "| 2010 | 1 |" in text


class TestHtml:
    def hostile_corpus(self) -> list[Incident]:
        label = f"{HOSTILE} The config change went to all regions at once with no canary"
        return [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": label, "factor": "x-evil"},
                    {"id": "i", "kind": "impact", "label": HOSTILE, "causes": ["c"]},
                ],
                id=ident,
                title=HOSTILE,
                date=date,
                severity=HOSTILE[:100],
                actions=[
                    {
                        "id": "a",
                        "title": HOSTILE,
                        "addresses": ["c"],
                        "status": "done",
                        "closed": "2024-01-05",
                    }
                ],
            )
            for ident, date in (("a", "2024-01-01"), ("b", "2024-02-01"))
        ]

    def test_the_headline_gives_the_span_or_the_one_day(self) -> None:
        one = [incident("one", "2024-03-01", {"c": CANARY})]
        assert "1 incident, on 2024-03-01. Nodes" in render(patterns(one), "html")
        two = [*one, incident("two", "2024-01-15", {"c": CANARY_2})]
        assert "2 incidents, 2024-01-15 to 2024-03-01. Nodes" in render(patterns(two), "html")

    def test_the_trends_caption_speaks_of_factor_shares_only_when_there_are_some(self) -> None:
        # With no shared factor the chart has no share lines, yet the caption said "below,
        # the share of ... each leading factor".
        alone = render(patterns([incident("one", "2024-03-01", {"c": CANARY})]), "html")
        assert "no factor is shared, so there is no share to draw" in alone
        assert "contain each leading factor" not in alone
        two = [
            incident("one", "2024-03-01", {"c": CANARY}),
            incident("two", "2024-01-15", {"c": CANARY_2}),
        ]
        assert "contain each leading factor" in render(patterns(two), "html")

    def test_hostile_labels_are_escaped(self) -> None:
        page = render(patterns(self.hostile_corpus()), "html")
        assert "<script" not in page
        assert "<img" not in page
        assert "&lt;script&gt;" in page
        assert 'onerror=alert(1)"' not in page

    @pytest.mark.parametrize("fmt", ["html", "text", "markdown"])
    def test_bidi_controls_are_dropped(self, fmt: str) -> None:
        # An override left open would reverse the label and the text after it, in a
        # browser and in a terminal alike.
        label = "\u202eexe.fdp no canary, the change went to all regions at once\u2066"
        corpus = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": label, "factor": "x-bidi"},
                    {"id": "i", "kind": "impact", "label": "Down", "causes": ["c"]},
                ],
                id=ident,
                title="\u202eTitle",
                date=date,
            )
            for ident, date in (("b1", "2024-01-02"), ("b2", "2024-02-03"))
        ]
        page = render(patterns(corpus), fmt)
        assert "exe.fdp no canary" in page
        assert not set(page) & {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066"}

    def test_self_contained(self) -> None:
        page = render(patterns(self.hostile_corpus()), "html")
        assert "<svg" in page
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
        assert "<script" not in page
        assert "<link" not in page

    def test_heat_map_cells_show_their_incidents_confidence(self) -> None:
        # Each cell is the incident's own best match, as the JSON members give it; it
        # used to be raised to the factor's mean, so a weak match looked like a strong one.
        report = corpus_report()
        heat = svgs(render(report, "html"))["Incidents by shared factor"]
        tips = {t.text for t in heat.iter("title")}
        rows = {inc.id for inc in report.incident_list[-60:]}  # the most recent have a row
        for factor in report.factors[:25]:
            best: dict[str, float] = {}
            for m in factor.members:
                best[m.incident] = max(best.get(m.incident, 0.0), m.confidence)
            for incident, confidence in best.items():
                assert (
                    incident not in rows
                    or f"{incident} × {factor.label}: confidence {confidence:.2f}" in tips
                )

    def test_a_cell_whose_members_were_capped_shows_its_own_confidence(self) -> None:
        # A factor lists at most 100 members, those of its most recent incidents. The
        # oldest incident's only member, a wording match at 0.88, was cut by the 120 keyed
        # nodes after it, and its heat-map cell showed the factor's mean, 1.00.
        key = "global-change-no-staged-rollout"
        keyed = [
            {"id": f"k{j}", "kind": "condition", "label": f"Stage {j} skipped", "factor": key}
            for j in range(60)
        ]
        impact = {"id": "i", "kind": "impact", "label": "Users saw errors"}
        corpus = [
            make_incident(
                [{"id": "c", "kind": "condition", "label": CANARY}, {**impact, "causes": ["c"]}],
                id="old",
                date="2024-01-01",
            ),
            *(
                make_incident(
                    [*keyed, {**impact, "causes": [n["id"] for n in keyed]}], id=ident, date=date
                )
                for ident, date in (("mid", "2024-02-01"), ("new", "2024-03-01"))
            ),
        ]
        report = patterns(corpus)
        (factor,) = report.factors
        assert (factor.member_count, len(factor.members)) == (121, 100)
        assert "old" not in {m.incident for m in factor.members}
        own = {"old": "0.88", "mid": "1.00", "new": "1.00"}
        page = render(report, "html")
        tips = {t.text for t in svgs(page)["Incidents by shared factor"].iter("title")}
        for ident, confidence in own.items():
            assert f"{ident} × {factor.label}: confidence {confidence}" in tips, tips
        for ident, confidence in own.items():  # the same numbers, as a table
            row = page.split(f"<td>{ident}<br>")[1].split("</tr>")[0]
            assert f"<bdi>{factor.label}</bdi> ({confidence})" in row, row
        data = json.loads(render(report, "json"))["factors"][0]
        assert (data["incidents"], data["confidences"]) == (["old", "mid", "new"], [0.8842, 1, 1])

    def test_a_heat_map_cut_short_says_how_many_more(self) -> None:
        # 62 incidents and 27 shared factors: the heat map and its table showed the 60
        # most recent and the 25 leading without a word of the 2 and 2 left out, so the
        # table read as every incident of the report.
        corpus = [
            make_incident(
                [
                    *(
                        {"id": f"n{j}", "kind": "condition", "label": f"Qz {k} {j}", "factor": key}
                        for j, key in enumerate((f"own-{k % 27}", f"own-{(k + 1) % 27}"))
                    ),
                    {"id": "i", "kind": "impact", "label": "Down", "causes": ["n0", "n1"]},
                ],
                id=f"h{k:02}",
                date=(dt.date(2024, 1, 1) + dt.timedelta(days=k)).isoformat(),
            )
            for k in range(62)
        ]
        report = patterns(corpus)
        assert (len(report.incident_list), len(report.factors)) == (62, 27)
        page = " ".join(render(report, "html").split())
        matrix = page[page.index('<h2 id="matrix">') : page.index('<h2 id="links">')]
        assert "… and 2 older incidents and 2 more factors (the JSON report" in matrix
        fewer = " ".join(render(patterns(corpus[-5:]), "html").split())
        assert "older incidents" not in fewer

    def test_markdown_escapes_table_cells(self) -> None:
        text = render(patterns(self.hostile_corpus()), "markdown")
        assert "<script>" not in text


def svgs(page: str) -> dict[str, ET.Element]:
    """The report's inline SVG charts, parsed, by their aria-label (the trend chart's
    without its period)."""
    found = {}
    for svg in re.findall(r"<svg .*?</svg>", page, re.DOTALL):
        root = ET.fromstring(svg)
        found[re.sub(r" by (month|quarter|year)$", "", root.attrib["aria-label"])] = root
    return found


def opaque(fill: str) -> str:
    """An ``rgba(r,g,b,a)`` fill as the ``#rrggbb`` it shows on a white page."""
    r, g, b, a = (float(x) for x in re.findall(r"[\d.]+", fill))
    return "#" + "".join(f"{round(a * c + (1 - a) * 255):02x}" for c in (r, g, b))


def texts(svg: ET.Element) -> list[ET.Element]:
    return list(svg.iter("text"))


def width(svg: ET.Element) -> float:
    return float(svg.attrib["viewBox"].split()[2])


def estimated(element: ET.Element) -> float:
    """How wide a text element's own words are, at the charts' estimate."""
    return text_width(element.text or "")


class TestHtmlCounts:
    def test_a_month_of_one_incident_is_singular_in_the_trend_chart(self) -> None:
        corpus = [
            make_incident(
                [
                    {"id": "c", "kind": "condition", "label": "Zz qq", "factor": "x-one"},
                    {"id": "i", "kind": "impact", "label": "Down", "causes": ["c"]},
                ],
                id=ident,
                date=date,
            )
            for ident, date in (("m1", "2024-01-02"), ("m2", "2024-03-03"))
        ]
        html = to_html(patterns(corpus))
        assert "<title>2024-01: 1 incident</title>" in html
        assert "incidents</title>" not in html.replace("0 incidents</title>", "")


class TestHtmlLayout:
    def test_leaderboard_first_and_fixes_capped_with_a_link_from_the_top(self) -> None:
        report = corpus_report()
        fix = report.recurring_after_fix[0]
        many = report.model_copy(update={"recurring_after_fix": [fix] * 970})
        page = render(many, "html")
        assert page.index('id="factors"') < page.index('id="fixes"')
        assert page.index('id="fixes"') < page.index('id="trends"')
        assert '<a class="card alert" href="#fixes"><b>970</b>fixes that did not hold</a>' in page
        fixes = page[page.index('id="fixes"') : page.index('id="trends"')]
        assert fixes.count("<tr>") == 1 + FIXES_SHOWN
        assert f"… and {970 - FIXES_SHOWN} more (the JSON report, --format json, lists all)" in (
            fixes
        )

    def test_every_capped_table_says_how_many_more(self) -> None:
        report = corpus_report()
        page = to_html(report, top=2)
        for ident, total in (
            ("factors", len(report.factors)),
            ("links", len(report.links)),
            ("together", len(report.cooccurrence)),
        ):
            part = page[page.index(f'id="{ident}"') :]
            assert part.count("<tr>", 0, part.index("</table>")) == 1 + 2, ident
            end = part.find("<h2", 10)
            assert f"… and {total - 2} more" in part[: end if end > 0 else None], ident
        page = to_html(report)
        assert page.count("… and ") == 2  # co-occurrence: 96 pairs, 50 rows
        # The heat map: 61 incidents in 60 rows, 50 factors in 25 columns.
        assert "… and 1 older incident and 25 more factors (the JSON" in page

    def test_links_and_pairs_name_factors_by_label(self) -> None:
        report = corpus_report()
        names = {f.key: f.label for f in report.factors}
        link = next(lk for lk in report.links if lk.target.startswith("cluster-"))
        page = render(report, "html")
        links = page[page.index('id="links"') : page.index('id="together"')]
        assert (
            f'<bdi>{escape(names[link.target])}</bdi><br><span class="muted">{link.target}</span>'
            in links
        )
        pair = report.cooccurrence[0]
        assert f'<bdi>{escape(names[pair.a])}</bdi><br><span class="muted">{pair.a}</span>' in page

    def test_trends_fit_the_page_with_a_value_axis(self) -> None:
        chart = svgs(render(corpus_report(), "html"))["Incidents and leading factors"]
        assert chart.attrib["aria-label"].endswith("by year")  # 2010-2024: 57 quarters
        assert width(chart) <= WIDTH
        labels = [t for t in texts(chart) if re.fullmatch(r"\d{4}", t.text or "")]
        assert [t.text for t in labels] == [str(y) for y in range(2010, 2025)]
        xs = [float(t.attrib["x"]) for t in labels]
        assert all(b - a >= estimated(labels[0]) + 4 for a, b in itertools.pairwise(xs))
        ticks = [t.text for t in texts(chart) if t.attrib.get("text-anchor") == "end"]
        assert ticks[1:4] == ["0", "5", "10"]  # after the axis title
        assert "share of the year's incidents:" in [t.text for t in texts(chart)]

    @pytest.mark.parametrize(("months", "unit"), [(36, "month"), (120, "quarter"), (170, "year")])
    def test_trends_choose_the_period_that_fits(self, months: int, unit: str) -> None:
        corpus = [
            incident(ident, f"{2010 + m // 12}-{m % 12 + 1:02}-15", {"c": CANARY})
            for ident, m in (("one", 0), ("two", months - 1))
        ]
        chart = svgs(render(patterns(corpus), "html"))["Incidents and leading factors"]
        assert chart.attrib["aria-label"].endswith(f"by {unit}")
        assert width(chart) <= WIDTH
        labels = [t for t in texts(chart) if (t.text or "")[:2] == "20"]
        xs = [float(t.attrib["x"]) for t in labels]
        gaps = [
            b - a - estimated(t)
            for (a, b), t in zip(itertools.pairwise(xs), labels[:-1], strict=True)
        ]
        assert len(labels) >= 2
        assert min(gaps) >= 0, gaps

    def test_heatmap_heads_stay_inside_and_there_is_a_legend(self) -> None:
        chart = svgs(render(corpus_report(), "html"))["Incidents by shared factor"]
        heads = [t for t in texts(chart) if "rotate(-55)" in t.attrib.get("transform", "")]
        assert len(heads) == 25
        for head in heads:
            x = float(re.search(r"translate\(([\d.]+),", head.attrib["transform"])[1])  # type: ignore[index]
            assert x + estimated(head) * math.cos(math.radians(55)) <= width(chart), head.text
        words = [t.text for t in texts(chart)]
        assert words[-6:] == ["match confidence:", "absent", "0.25", "0.5", "0.75", "1"]

    def test_levels_in_accimap_order_with_a_legend_that_does_not_overlap(self) -> None:
        chart = svgs(render(corpus_report(), "html"))["Shared-factor occurrences by level"]
        fills = [r.attrib["fill"] for r in chart.iter("rect")]
        order = ["technical", "operator", "process", "organization", "external"]
        assert fills[:5] == [LEVEL_COLOURS[level] for level in order]
        legend = texts(chart)
        assert [t.text.split()[0] for t in legend] == order  # type: ignore[union-attr]
        xs = [float(t.attrib["x"]) for t in legend]
        assert all(
            b - a >= estimated(t)
            for (a, b), t in zip(itertools.pairwise(xs), legend[:-1], strict=True)
        )

    @pytest.mark.parametrize("level", list(LEVEL_COLOURS))
    def test_level_colours_keep_the_contrast_graphics_need(self, level: str) -> None:
        # WCAG 1.4.11: a bar or a swatch that tells a level, 3:1 against the page; the
        # web page's patterns view and its legend swatches draw the same colours.
        colour = LEVEL_COLOURS[level]
        assert contrast("#ffffff", colour) >= 3.0, (level, colour)
        script = (ROOT / "web" / "js" / "patterns.js").read_text(encoding="utf-8")
        assert f'{level}: "{colour}"' in script
        css = (ROOT / "web" / "app.css").read_text(encoding="utf-8")
        assert f".swatch.level-{level} {{ background: {colour}; }}" in css

    @pytest.mark.parametrize(
        "chart", ["Incidents by shared factor", "Incidents and leading factors"]
    )
    def test_every_filled_cell_stands_out_from_the_page_and_an_empty_cell(self, chart: str) -> None:
        # WCAG 1.4.11: that an incident has a factor is information; a weak match's pale
        # fill was 1.6:1 against an empty cell, so its cells need an edge of 3:1.
        svg = svgs(render(corpus_report(), "html"))[chart]
        cells = [r for r in svg.iter("rect") if r.attrib["fill"].startswith("rgba(")]
        assert len(cells) > 20
        for cell in cells:
            fill, edge = opaque(cell.attrib["fill"]), cell.attrib.get("stroke", "")
            for ground in ("#ffffff", EMPTY):
                seen = max(contrast(ground, fill), contrast(ground, edge) if edge else 0)
                assert seen >= 3.0, (ground, cell.attrib)

    def test_the_leaderboard_chart_has_a_legend_for_its_colours(self) -> None:
        report = corpus_report()
        chart = svgs(render(report, "html"))["Incidents per shared factor"]
        bars = {r.attrib["fill"] for r in chart.iter("rect") if r.attrib["height"] != "12"}
        keys = [r.attrib["fill"] for r in chart.iter("rect") if r.attrib["height"] == "12"]
        assert bars == set(keys)
        shown = {f.level for f in report.factors[:15]}
        assert len(shown) > 1
        order = [level for level in LEVEL_COLOURS if level in shown]  # AcciMap order
        assert [t.text for t in texts(chart)][-len(order) :] == order

    def test_cjk_labels_are_cut_at_an_em_a_character(self) -> None:
        # A CJK character draws a whole em wide; cut at 50 characters like Latin text,
        # a CJK label ran 200 px past the leaderboard's left edge.
        chart = svgs(render(patterns(wide_label_corpus()), "html"))["Incidents per shared factor"]
        cjk = next(t.text or "" for t in texts(chart) if (t.text or "").startswith("数据"))
        assert cjk.endswith("…")
        assert len(cjk) * 11 <= 340 - 8

    def test_right_to_left_labels_are_isolated_in_tooltips(self) -> None:
        # "label: 3 incidents" with an Arabic label showed "3 incidents :label" reordered.
        page = render(patterns(wide_label_corpus()), "html")
        tips = [t.text or "" for svg in svgs(page).values() for t in svg.iter("title")]
        arabic = WIDE_LABELS["arabic"]
        compound = [t for t in tips if arabic[:10] in t and ":" in t]
        assert compound
        for tip in compound:
            assert f"\u2068{arabic}\u2069: " in tip, tip

    def test_long_labels_wrap_and_dates_do_not(self) -> None:
        page = render(patterns(long_label_corpus()), "html")
        assert "overflow-wrap:anywhere" in page
        assert f'<td class="f"><b><bdi>{LONG}</bdi></b>' in page  # wrapped by the browser, not cut
        assert max(len(t.text or "") for svg in svgs(page).values() for t in texts(svg)) <= 50
        assert '<span class="d">2024-01-01</span><br><span class="d">2024-02-01</span>' in page
        assert re.search(r"\.d\{white-space:nowrap", page)


class TestCli:
    def write(self, folder: Path, items: list[Incident]) -> Path:
        from causemap.loader import dump

        for item in items:
            (folder / f"{item.id}.yaml").write_text(dump(item), encoding="utf-8")
        return folder

    def test_patterns_formats_and_output_file(self, tmp_path: Path) -> None:
        folder = self.write(tmp_path, TestReport().corpus())
        result = runner.invoke(cli, ["patterns", str(folder)])
        assert result.exit_code == 0, result.output
        assert "Global change with no staged rollout" in result.output
        out = tmp_path / "report.html"
        result = runner.invoke(cli, ["patterns", str(folder), "--format", "html", "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert out.read_text().startswith("<!DOCTYPE html>")

    def test_a_factor_key_a_letter_from_a_catalog_key_is_warned_of(self, tmp_path: Path) -> None:
        # A typo of a catalog key was counted, without a word, as a factor of its own,
        # splitting one factor in two; a team's own key stays silent.
        items = TestReport().corpus()
        typo = items[0].model_copy(deep=True)
        typo.nodes[0].factor = "global-change-no-staged-rolout"
        own = items[1].model_copy(deep=True)
        own.nodes[0].factor = "payments-batch-window"
        folder = self.write(tmp_path, [typo, own, *items[2:]])
        result = runner.invoke(cli, ["patterns", str(folder), "-f", "json"])
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            "causemap: warning: factor 'global-change-no-staged-rolout' (1 node, in one) is "
            "not a key of the catalog; did you mean 'global-change-no-staged-rollout'? The "
            "report counts it as a factor of its own\n"
        )
        assert json.loads(result.stdout)["incidents"] == 4  # the report is as it was

    def test_a_key_of_the_teams_own_is_not_called_a_typo(self, tmp_path: Path) -> None:
        """difflib's rule called 'capacity-gap' a typo of 'capacity-planning-gap' and told
        the team its own key was wrong; a key shorter by a word is the team's own, while
        '_' for '-' is still a typo."""
        items = TestReport().corpus()
        own = items[0].model_copy(deep=True)
        own.nodes[0].factor = "capacity-gap"
        typo = items[1].model_copy(deep=True)
        typo.nodes[0].factor = "retry_storm_no_backoff"
        folder = self.write(tmp_path, [own, typo, *items[2:]])
        result = runner.invoke(cli, ["patterns", str(folder), "-f", "json"])
        assert result.exit_code == 0, result.output
        assert result.stderr == (
            "causemap: warning: factor 'retry_storm_no_backoff' (1 node, in two) is not a key "
            "of the catalog; did you mean 'retry-storm-no-backoff'? The report counts it as a "
            "factor of its own\n"
        )

    @pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
    def test_output_named_as_a_folder_is_refused(self, tmp_path: Path, fmt: str) -> None:
        # "-o reports/" wrote a file called "reports" when no such folder was there yet,
        # though "-o reports/" for a folder that is there is refused.
        (tmp_path / "in").mkdir()
        folder = self.write(tmp_path / "in", TestReport().corpus())
        (tmp_path / "there").mkdir()
        for name in ("made", "there"):
            result = runner.invoke(
                cli, ["patterns", str(folder), "-f", fmt, "-o", f"{tmp_path / name}{os.sep}"]
            )
            assert result.exit_code == 2, result.output
            assert "is a folder; give a file name" in result.output
        assert not (tmp_path / "made").exists()

    def test_patterns_since_and_bad_date(self, tmp_path: Path) -> None:
        folder = self.write(tmp_path, TestReport().corpus())
        result = runner.invoke(
            cli, ["patterns", str(folder), "--since", "2024-03-01", "--format", "json"]
        )
        assert json.loads(result.output)["incidents"] == 2
        result = runner.invoke(cli, ["patterns", str(folder), "--since", "March"])
        assert result.exit_code == 2

    @pytest.mark.parametrize("since", ["20240301", "2024-W09-5", "0", "2024-03-01T00:00:00+02:00"])
    def test_since_is_a_date_written_as_in_the_files(self, tmp_path: Path, since: str) -> None:
        # One form for the CLI, the API and the incident files: Python alone would take
        # a compact or week date here while GET /patterns refused it.
        folder = self.write(tmp_path, TestReport().corpus())
        result = runner.invoke(cli, ["patterns", str(folder), "--since", since])
        assert result.exit_code == 2
        assert "expected a date like 2017-02-28" in result.output

    def test_invalid_file_exits_1_unless_skipped(self, tmp_path: Path) -> None:
        folder = self.write(tmp_path, TestReport().corpus())
        (folder / "bad.yaml").write_text("causemap: 1\nid: bad\n")
        result = runner.invoke(cli, ["patterns", str(folder)])
        assert result.exit_code == 1
        assert "bad.yaml" in result.output
        assert "1 of 5 files is invalid; fix it, or pass --skip-invalid" in result.output
        out = tmp_path / "report.json"
        result = runner.invoke(cli, ["patterns", str(folder), "--skip-invalid", "-o", str(out)])
        # The report is on the rest, and the status says the input had a problem, as
        # `import --skip-invalid` does: a scheduled report does not hide a broken file.
        assert result.exit_code == 1, result.output
        assert "bad.yaml" in result.output
        assert "the report leaves out 1 invalid of 5 files" in result.output
        assert json.loads(out.read_text())["incidents"] == 4

    def test_nothing_valid_does_not_suggest_skipping(self, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["patterns", str(tmp_path / "missing.yaml")])
        assert result.exit_code == 1
        assert "1 of 1 file is invalid; there is nothing valid to report on" in result.output
        assert "--skip-invalid" not in result.output

    def test_bad_catalog_exits_1_with_location(self, tmp_path: Path) -> None:
        folder = self.write(tmp_path, TestReport().corpus())
        bad = tmp_path / "cat.yaml"
        bad.write_text("causemap-catalog: 1\nname: x\nentries: 3\n")
        result = runner.invoke(cli, ["patterns", str(folder), "--catalog", str(bad)])
        assert result.exit_code == 1
        assert f"{bad}:3:" in result.output

    def test_the_catalog_given_with_catalog_is_not_read_as_an_incident(
        self, tmp_path: Path
    ) -> None:
        # A team's factors.yaml kept beside its incidents was read as one more incident,
        # and the run failed telling the user to pass it with --catalog, which they had.
        (tmp_path / "incidents").mkdir()
        folder = self.write(tmp_path / "incidents", TestReport().corpus())
        catalog = folder / "factors.yaml"
        catalog.write_text(
            "causemap-catalog: 1\nname: ours\nextends: builtin\nentries: []\n", encoding="utf-8"
        )
        result = runner.invoke(
            cli, ["patterns", str(folder), "--catalog", str(catalog), "-f", "json"]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert (data["incidents"], data["catalog"]) == (4, "causemap built-in catalog + ours")
        # Without --catalog it is still a file that is not an incident.
        result = runner.invoke(cli, ["patterns", str(folder)])
        assert result.exit_code == 1
        assert "[catalog-not-incident]" in result.stderr

    def test_suggest_text_keeps_labels_and_names_on_their_lines(self, tmp_path: Path) -> None:
        label = "The flag-day change\nwent to every region at once\n\twith no canary stage, " * 4
        doc = make_incident(
            [
                {"id": "c", "kind": "condition", "label": label.strip()},
                {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
            ],
            id="multi",
        )
        path = self.write(tmp_path, [doc]) / "multi.yaml"
        catalog = tmp_path / "catalog.yaml"
        catalog.write_text(
            "causemap-catalog: 1\nname: ours\nextends: builtin\nentries:\n"
            '  - key: flag-day\n    name: "Flag day:\\nevery region\\nat once"\n'
            "    definition: Everything changed at once.\n    level: process\n"
            "    class: systemic\n    phrases: [flag-day change]\n",
            encoding="utf-8",
        )
        result = runner.invoke(cli, ["suggest", str(path), "--catalog", str(catalog)])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert max(len(line) for line in lines) <= 80, result.output
        assert (
            lines[0]
            == "c: The flag-day change went to every region at once with no canary stage, The"
        )
        # Nothing but the node's first line starts at the margin.
        assert all(line.startswith("  ") for line in lines[1:]), result.output
        entry = r"^  [ \d]{2}\d\.\d\d  flag-day \(Flag day: every region at once\)$"
        assert re.search(entry, result.output, re.MULTILINE), result.output
        assert re.search(
            r'^          \d+% confident; evidence: "flag-day change"$', result.output, re.MULTILINE
        ), result.output

    def test_suggest_text_fits_80_columns_in_any_script(self, tmp_path: Path) -> None:
        # A terminal gives a CJK character two columns: wrapping by characters drew
        # this label 157 columns wide.
        import unicodedata

        label = (
            "設定の変更が検証なしで全てのサーバーに一度に配布された。カナリアリリースがなかった"
            "ため、すべての地域で同時にエラーが発生した。運用チームは気づかなかった。"
        )
        doc = make_incident(
            [
                {"id": "c", "kind": "condition", "label": label},
                {"id": "i", "kind": "impact", "label": "Users saw errors", "causes": ["c"]},
            ],
            id="cjk",
        )
        path = self.write(tmp_path, [doc]) / "cjk.yaml"
        result = runner.invoke(cli, ["suggest", str(path)])
        assert result.exit_code == 0, result.output

        def columns(line: str) -> int:
            return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

        lines = result.output.splitlines()
        assert max(columns(line) for line in lines) <= 80, result.output
        assert "".join(line.strip() for line in lines[:-1]) == f"c: {label}"

    def test_suggest_says_so_when_there_is_nothing_to_suggest_for(self, tmp_path: Path) -> None:
        doc = make_incident([{"id": "i", "kind": "impact", "label": "Users saw errors"}], id="bare")
        path = self.write(tmp_path, [doc]) / "bare.yaml"
        result = runner.invoke(cli, ["suggest", str(path)])
        assert result.exit_code == 0, result.output
        assert result.stdout == "bare: no nodes but impacts, so nothing to suggest a factor for\n"

    def test_suggest_text_and_json(self, tmp_path: Path) -> None:
        (path,) = (self.write(tmp_path, TestReport().corpus()[:1]) / "one.yaml",)
        result = runner.invoke(cli, ["suggest", str(path)])
        assert result.exit_code == 0, result.output
        assert "global-change-no-staged-rollout" in result.output
        result = runner.invoke(cli, ["suggest", str(path), "--format", "json", "--top", "2"])
        data = json.loads(result.output)
        assert [len(n["suggestions"]) for n in data["nodes"]] == [2, 2, 2]
        assert data["nodes"][0]["suggestions"][0]["phrases"]

    def test_suggest_text_gives_each_suggestion_its_confidence(self, tmp_path: Path) -> None:
        """--help says each suggestion has a score, a confidence and its evidence; the text
        showed the score and the evidence only."""
        (path,) = (self.write(tmp_path, TestReport().corpus()[:1]) / "one.yaml",)
        text = runner.invoke(cli, ["suggest", str(path), "--top", "1"]).output
        data = json.loads(
            runner.invoke(cli, ["suggest", str(path), "--format", "json", "--top", "1"]).output
        )
        for node in data["nodes"]:
            (first,) = node["suggestions"]
            assert f"{first['confidence']:.0%} confident; evidence:" in text, text

    def test_suggest_warns_of_a_factor_key_not_in_the_catalog(self, tmp_path: Path) -> None:
        """A mistyped 'factor:' was shown as if accepted, and patterns then counted it as a
        factor of its own: suggest names its place and the nearest key of the catalog."""
        source = Path(__file__).resolve().parents[1] / "examples" / "retry-storm.yaml"
        text = source.read_text(encoding="utf-8")
        assert text.splitlines()[32] == "    factor: capacity-planning-gap"
        path = tmp_path / "typo.yaml"
        path.write_text(text.replace("capacity-planning-gap", "capacity-planing-gap"), "utf-8")
        for fmt in ("text", "json"):
            result = runner.invoke(cli, ["suggest", str(path), "--format", fmt])
            assert result.exit_code == 0, result.output
            assert result.stderr == (
                f"{path}:33:13: warning: /nodes/1/factor: 'capacity-planing-gap' is not a key "
                "of the catalog (causemap built-in catalog); did you mean "
                "'capacity-planning-gap'? [unknown-factor]\n"
            ), result.stderr
        # A key of the team's own is warned of with no key to use instead.
        path.write_text(text.replace("capacity-planning-gap", "capacity-gap"), "utf-8")
        result = runner.invoke(cli, ["suggest", str(path)])
        assert result.stderr == (
            f"{path}:33:13: warning: /nodes/1/factor: 'capacity-gap' is not a key of the "
            "catalog (causemap built-in catalog) [unknown-factor]\n"
        ), result.stderr
        # Keys of the catalog in use are quiet; a built-in key is unknown to a catalog
        # that replaces the built-in one.
        result = runner.invoke(cli, ["suggest", str(source)])
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        own = tmp_path / "ours.yaml"
        own.write_text(
            "causemap-catalog: 1\nname: ours\nentries:\n  - key: flag-day\n    name: Flag day\n"
            "    definition: Every region changed in one step.\n    level: process\n"
            "    class: systemic\n    phrases: [flag-day change]\n",
            encoding="utf-8",
        )
        result = runner.invoke(cli, ["suggest", "-", "--catalog", str(own)], input=text)
        assert result.exit_code == 0, result.output
        warned = result.stderr.splitlines()
        assert len(warned) == text.count("    factor: "), result.stderr
        assert warned[0] == (
            "<stdin>:33:13: warning: /nodes/1/factor: 'capacity-planning-gap' is not a key of "
            "the catalog (ours) [unknown-factor]"
        )


class TestWorkers:
    """Files are read by one worker per core this process may run on (its CPU affinity:
    taskset, a container's cpuset), not per core of the machine."""

    def test_default_workers_follow_the_cpu_affinity(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        import os
        from concurrent.futures import ProcessPoolExecutor

        import causemap.patterns.collect as collect_module

        started: list[int] = []

        class Recorder(ProcessPoolExecutor):
            def __init__(self, max_workers: int, **kwargs: Any) -> None:
                started.append(max_workers)
                super().__init__(max_workers=max_workers, **kwargs)

        monkeypatch.setattr(collect_module, "ProcessPoolExecutor", Recorder)
        monkeypatch.setattr(collect_module, "PARALLEL_FROM", 1)
        monkeypatch.setattr(os, "cpu_count", lambda: 64)
        monkeypatch.setattr(os, "sched_getaffinity", lambda _pid: {0, 1})
        files = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
        for file, path in zip(files, EXAMPLES, strict=False):
            file.write_bytes(path.read_bytes())
        collected = collect_module.collect(files, builtin_catalog())
        assert len(collected.incidents) == 2
        assert started == [2]
