"""The analysis endpoints: analyze, lint, suggest, patterns (posted and over the store),
the stored incident's analysis, and whoami."""

from __future__ import annotations

import importlib
import json
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from causemap import __version__
from causemap.analyses import analyze
from causemap.cli import cli
from causemap.loader import dump, load, loads
from causemap.patterns import patterns
from causemap.service import Tokens
from causemap.service import catalog as service_catalog
from causemap.service.routes.patterns import REPORT_CSP
from causemap.service.settings import Settings
from tests.adversarial import or_pairs
from tests.conftest import EXAMPLES
from tests.postgres import free_port
from tests.test_bad_inputs import BASE
from tests.test_service import ADMIN, API, READ, TOKENS, WRITE, YAML, MakeClient, make_client

__all__ = ["make_client"]

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    return found


def examples_json() -> str:
    return "[" + ",".join(dump(load(p), "json") for p in EXAMPLES) + "]"


class TestAnalyze:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_same_as_the_library_and_the_schema(self, client: TestClient, path: Path) -> None:
        response = client.post(f"{API}/analyze", content=path.read_text(), headers=YAML)
        assert response.status_code == 200, response.text
        expected = analyze(load(path)).model_dump(mode="json", by_alias=True)
        assert response.json() == expected
        jsonschema.Draft202012Validator(schema("analysis")).validate(response.json())

    def test_invalid_incident_is_422(self, client: TestClient) -> None:
        bad = BASE.replace("kind: condition", "kind: conditon")
        response = client.post(f"{API}/analyze", content=bad, headers=YAML)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid-incident"

    def test_one_analysis_serves_every_copy_of_a_body(
        self, client: TestClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Every viewer of a live review posts each new revision; 50 viewers used to cost
        # 50 analyses of one document.
        from causemap.service.routes import analysis as route

        runs: list[str] = []

        def counted(G: Any) -> Any:
            runs.append(G.graph["id"])
            return analyze(G)

        monkeypatch.setattr(route, "analyze", counted)
        first = EXAMPLES[0].read_text()
        answers = [client.post(f"{API}/analyze", content=first, headers=YAML) for _ in range(3)]
        assert [a.status_code for a in answers] == [200] * 3
        assert answers[0].content == answers[1].content == answers[2].content
        assert len(runs) == 1
        other = client.post(f"{API}/analyze", content=EXAMPLES[1].read_text(), headers=YAML)
        assert other.status_code == 200
        assert len(runs) == 2
        bad = BASE.replace("kind: condition", "kind: conditon")
        for _ in range(2):  # a refused body is refused every time, never kept
            assert client.post(f"{API}/analyze", content=bad, headers=YAML).status_code == 422

    def test_concurrent_copies_wait_for_the_first(self) -> None:
        from causemap.service.answers import Answers

        answers, runs = Answers(), []
        started, release = threading.Event(), threading.Event()

        def slow() -> bytes:
            runs.append(1)
            started.set()
            release.wait(30)
            return b"{}"

        got: list[bytes] = []
        first = threading.Thread(target=lambda: got.append(answers.get("a", "json", b"x", slow)))
        first.start()
        assert started.wait(30)
        others = [
            threading.Thread(target=lambda: got.append(answers.get("a", "json", b"x", slow)))
            for _ in range(8)
        ]
        for thread in others:
            thread.start()
        release.set()
        for thread in [first, *others]:
            thread.join(30)
        assert got == [b"{}"] * 9
        assert len(runs) == 1

    def test_an_unlinked_impact_is_analysed(self, client: TestClient) -> None:
        # Valid while the causes are not linked yet (the editor sends such drafts).
        draft = BASE.replace("causes: [push, no-canary]", "")
        response = client.post(f"{API}/analyze", content=draft, headers=YAML)
        assert response.status_code == 200, response.text

    def test_exponentially_many_cut_sets_are_capped(self, client: TestClient) -> None:
        # 2**30 minimal cut sets: this body used to take the server past 20 GB.
        body = json.dumps(or_pairs(30))
        response = client.post(
            f"{API}/analyze", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 200, response.text
        prevention = response.json()["prevention"]
        assert prevention["truncated"]
        assert len(prevention["minimal_cut_sets"]) == 128
        assert prevention["minimal_prevention_sets"][0] == ["r0", "r1"]

    def test_stored_analysis_with_etag(self, client: TestClient) -> None:
        assert client.post(f"{API}/incidents", content=BASE, headers=YAML).status_code == 201
        url = f"{API}/incidents/demo/analysis"
        response = client.get(url)
        assert response.status_code == 200
        # The revision and the causemap version: an upgrade may analyse it differently,
        # and a browser revalidating its copy with the bare revision got 304.
        first = f'"1-{__version__}"'
        assert response.headers["etag"] == first
        assert response.json() == analyze(loads(BASE)).model_dump(mode="json", by_alias=True)
        assert client.get(url, headers={"if-none-match": first}).status_code == 304
        assert client.get(url, headers={"if-none-match": '"1"'}).status_code == 200
        edited = BASE.replace("title: Demo incident", "title: Edited")
        client.put(f"{API}/incidents/demo", content=edited, headers={**YAML, "if-match": '"1"'})
        assert client.get(url, headers={"if-none-match": first}).headers["etag"] == (
            f'"2-{__version__}"'
        )
        assert client.get(f"{API}/incidents/nope/analysis").status_code == 404
        client.delete(f"{API}/incidents/demo")
        assert client.get(url).status_code == 410


CLOSED_NOT_DONE = """\
causemap: 1
id: closed-not-done
title: An action closed but not done, and a node that reaches no impact
date: 2024-03-01
nodes:
  - {id: no-canary, kind: condition, label: No canary stage, evidence: [https://w.example]}
  - {id: push, kind: event, label: A bad push, causes: [no-canary], evidence: [https://g.example]}
  - {id: errors, kind: impact, label: API errors for 20 minutes, causes: [push]}
  - {id: stray, kind: condition, label: Slow status page, evidence: [https://s.example]}
actions:
  - id: a1
    title: Add a canary stage that halts config pushes on errors
    addresses: [no-canary]
    owner: release-eng
    due: 2024-04-01
    closed: 2024-03-20
"""


class TestLint:
    def test_findings_are_placed_in_the_body(self, client: TestClient) -> None:
        text = EXAMPLES[0].read_text()
        response = client.post(f"{API}/lint", content=text, headers=YAML)
        assert response.status_code == 200, response.text
        body = response.json()
        incident = load(EXAMPLES[0])
        findings = analyze(incident).findings
        assert sorted(f["code"] for f in body["findings"]) == sorted(f.code for f in findings)
        rank = {"error": 0, "warning": 1, "info": 2}
        places = [(rank[f["severity"]], f["line"] or 0, f["column"] or 0) for f in body["findings"]]
        assert places == sorted(places)  # as `causemap lint` lists them
        lines = text.splitlines()
        for found in body["findings"]:
            if found["nodes"] or found["actions"]:
                # A finding about one action item is placed at the action, not its node.
                one_action = len(found["actions"]) == 1
                ident = found["actions"][0] if one_action else found["nodes"][0]
                assert found["line"] is not None
                assert f"id: {ident}" in lines[found["line"] - 1]
        assert body["failed"] is any(f.severity == "error" for f in findings)

    def test_action_findings_are_placed_at_the_action(self, client: TestClient) -> None:
        vague = BASE.replace(
            "    title: Add a canary stage that halts on error-rate increase\n"
            "    addresses: [no-canary]\n"
            "    owner: release-eng\n"
            "    due: 2024-04-01\n",
            "    title: Improve things\n    addresses: [no-canary]\n",
        )
        body = client.post(f"{API}/lint", content=vague, headers=YAML).json()
        placed = {f["code"]: f["line"] for f in body["findings"] if f["code"].startswith("ACTION_")}
        # /actions/0 is on line 19; the node it addresses, /nodes/1, on line 10.
        assert placed == {"ACTION_NO_OWNER": 19, "ACTION_NO_DUE": 19, "ACTION_VAGUE": 19}

    @pytest.mark.parametrize(("fail_on", "failed"), [("error", False), ("info", True)])
    def test_fail_on(self, client: TestClient, fail_on: str, failed: bool) -> None:
        response = client.post(
            f"{API}/lint", params={"fail_on": fail_on}, content=BASE, headers=YAML
        )
        body = response.json()
        assert body["findings"]  # BASE has findings, none of them errors
        assert all(f["severity"] != "error" for f in body["findings"])
        assert body["failed"] is failed

    def test_json_bodies_get_lines_too(self, client: TestClient) -> None:
        text = json.dumps(json.loads(dump(loads(BASE), "json")), indent=2)
        body = client.post(f"{API}/lint", content=text).json()
        assert all(f["line"] is not None for f in body["findings"] if f["nodes"])

    def test_format_warnings_count_as_causemap_lint_counts_them(
        self, client: TestClient, tmp_path: Path
    ) -> None:
        text = CLOSED_NOT_DONE
        body = client.post(
            f"{API}/lint", params={"fail_on": "warning"}, content=text, headers=YAML
        ).json()
        # closed-not-done is the format's own; orphan-node is left to ORPHAN_NODE.
        assert [(w["code"], w["pointer"], w["line"]) for w in body["warnings"]] == [
            ("closed-not-done", "/actions/0/closed", 16)
        ]
        assert "ORPHAN_NODE" in [f["code"] for f in body["findings"]]
        assert body["failed"] is True
        path = tmp_path / "in.yaml"
        path.write_text(text)
        linted = CliRunner().invoke(
            cli, ["lint", "--format", "json", "--fail-on", "warning", str(path)]
        )
        assert linted.exit_code == 1
        printed = sorted(d["code"] for f in json.loads(linted.output) for d in f["findings"])
        answered = [w["code"] for w in body["warnings"]] + [f["code"] for f in body["findings"]]
        assert printed == sorted(answered)

    def test_bad_fail_on_is_422(self, client: TestClient) -> None:
        response = client.post(
            f"{API}/lint", params={"fail_on": "fatal"}, content=BASE, headers=YAML
        )
        assert response.status_code == 422


class TestSuggest:
    def test_shape_and_agreement_with_the_cli(self, client: TestClient) -> None:
        path = EXAMPLES[0]
        response = client.post(
            f"{API}/suggest", params={"top": 2}, content=path.read_text(), headers=YAML
        )
        assert response.status_code == 200, response.text
        body = response.json()
        incident = load(path)
        assert body["incident"] == incident.id
        assert list(body["nodes"]) == [n.id for n in incident.nodes if n.kind != "impact"]
        ran = CliRunner().invoke(cli, ["suggest", str(path), "--format", "json", "--top", "2"])
        assert ran.exit_code == 0, ran.output
        expected = {
            row["node"]: [(s["key"], s["score"], s["confidence"]) for s in row["suggestions"]]
            for row in json.loads(ran.output)["nodes"]
        }
        got = {
            node: [(s["key"], s["score"], s["confidence"]) for s in found]
            for node, found in body["nodes"].items()
        }
        assert got == expected
        for found in body["nodes"].values():
            assert len(found) <= 2
            for s in found:
                assert set(s) == {
                    "key",
                    "name",
                    "score",
                    "confidence",
                    "phrases",
                    "keywords",
                    "example",
                }

    def test_nodes_are_ranked_with_their_class_as_patterns_ranks_them(
        self, client: TestClient, tmp_path: Path
    ) -> None:
        from tests.test_patterns import TestSuggestAgreesWithPatterns

        path = ROOT / "examples" / "certificate-expiry.yaml"
        path = TestSuggestAgreesWithPatterns.unkeyed(path, tmp_path)
        body = client.post(f"{API}/suggest", content=path.read_text(), headers=YAML).json()
        shown = {node: found[0]["key"] if found else None for node, found in body["nodes"].items()}
        assert shown == TestSuggestAgreesWithPatterns.best_by_patterns(path)

    def test_a_suggestion_has_the_fields_of_the_cli_json(self, client: TestClient) -> None:
        # docs/dev/api-contract.md: each suggestion is the JSON of `causemap suggest`.
        path = EXAMPLES[0]
        body = client.post(f"{API}/suggest", content=path.read_text(), headers=YAML).json()
        ran = CliRunner().invoke(cli, ["suggest", str(path), "--format", "json"])
        assert ran.exit_code == 0, ran.output
        for row in json.loads(ran.output)["nodes"]:
            assert row["suggestions"] == body["nodes"][row["node"]]

    def test_nodes_with_a_factor_still_get_suggestions(self, client: TestClient) -> None:
        text = BASE.replace("level: process", "level: process\n    factor: no-canary")
        body = client.post(f"{API}/suggest", content=text, headers=YAML).json()
        assert body["nodes"]["no-canary"]
        assert "outage" not in body["nodes"]

    def test_a_factor_the_catalog_lacks_is_a_warning_at_its_line(self, client: TestClient) -> None:
        """As ``causemap suggest`` prints it: the answer said nothing, and ``patterns``
        would count the typo as a factor of its own."""
        from causemap.service.routes.analysis import SuggestReport

        text = BASE.replace("level: process", "level: process\n    factor: alerting-gpa")
        response = client.post(f"{API}/suggest", content=text, headers=YAML)
        assert response.status_code == 200, response.text
        (warning,) = response.json()["warnings"]
        line = text.splitlines().index("    factor: alerting-gpa") + 1
        assert warning["code"] == "unknown-factor"
        assert warning["severity"] == "warning"
        assert (warning["line"], warning["column"]) == (line, 13)
        assert warning["pointer"].endswith("/factor")
        assert warning["file"] is None
        assert warning["message"] == (
            "'alerting-gpa' is not a key of the catalog (causemap built-in catalog); "
            "did you mean 'alerting-gap'?"
        )
        report = SuggestReport.model_validate_json(response.content)
        assert report.model_dump_json().encode() == response.content
        known = text.replace("alerting-gpa", "alerting-gap")
        assert client.post(f"{API}/suggest", content=known, headers=YAML).json()["warnings"] == []

    @pytest.mark.parametrize(
        ("factor", "hint"),
        [
            ("capacity-gap", ""),  # the team's own, shorter by a word
            ("our-alerting", ""),
            ("alerting_gaps", "; did you mean 'alerting-gap'?"),
        ],
    )
    def test_only_a_likely_typo_gets_a_catalog_key(
        self, client: TestClient, factor: str, hint: str
    ) -> None:
        """difflib's rule offered 'capacity-planning-gap' for a team's 'capacity-gap'."""
        text = BASE.replace("level: process", f"level: process\n    factor: {factor}")
        response = client.post(f"{API}/suggest", content=text, headers=YAML)
        assert response.status_code == 200, response.text
        (warning,) = response.json()["warnings"]
        assert warning["message"] == (
            f"'{factor}' is not a key of the catalog (causemap built-in catalog){hint}"
        )

    @pytest.mark.parametrize("top", [3, 50])
    def test_the_answer_is_the_report_models_json(self, client: TestClient, top: int) -> None:
        """The answer is written from the suggestions without a model per suggestion:
        it must stay, byte for byte, what the documented SuggestReport serialises to."""
        from causemap.patterns.suggest import Suggestion
        from causemap.service.routes.analysis import SuggestionOut, SuggestReport

        assert list(SuggestionOut.model_fields) == list(Suggestion._fields)
        for path in EXAMPLES:
            response = client.post(
                f"{API}/suggest", params={"top": top}, content=path.read_text(), headers=YAML
            )
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/json"
            report = SuggestReport.model_validate_json(response.content)
            assert report.model_dump_json().encode() == response.content, path.name

    @pytest.mark.parametrize("top", [1, 50])
    def test_the_answer_satisfies_its_schema(self, client: TestClient, top: int) -> None:
        """schemas/suggest-api.schema.json: the documented shape had no schema."""
        validator = jsonschema.Draft202012Validator(schema("suggest-api"))
        for path in EXAMPLES:
            response = client.post(
                f"{API}/suggest", params={"top": top}, content=path.read_text(), headers=YAML
            )
            assert response.status_code == 200, response.text
            validator.validate(response.json())

    @pytest.mark.parametrize("top", [0, 51])
    def test_top_is_bounded(self, client: TestClient, top: int) -> None:
        response = client.post(f"{API}/suggest", params={"top": top}, content=BASE, headers=YAML)
        assert response.status_code == 422


OWN_CATALOG = """causemap-catalog: 1
name: ours
extends: builtin
entries:
  - key: flag-day
    name: Flag day
    definition: Every region changed in one step.
    level: process
    class: systemic
    phrases: [flag-day change, flag day]
"""
FLAG_DAY = BASE.replace(
    "The pipeline had no canary stage", "The flag-day change had no canary stage"
)


class TestOwnCatalog:
    """``causemap serve --catalog``: the team's catalog in suggestions and reports."""

    @pytest.fixture
    def own(self, make_client: MakeClient, tmp_path: Path) -> TestClient:
        path = tmp_path / "ours.yaml"
        path.write_text(OWN_CATALOG, encoding="utf-8")
        return make_client(catalog=path)

    def test_suggestions_come_from_it(self, own: TestClient, client: TestClient) -> None:
        assert FLAG_DAY != BASE
        ours = own.post(f"{API}/suggest", content=FLAG_DAY, headers=YAML).json()
        assert ours["nodes"]["no-canary"][0]["key"] == "flag-day"
        builtin = client.post(f"{API}/suggest", content=FLAG_DAY, headers=YAML).json()
        assert "flag-day" not in {s["key"] for s in builtin["nodes"]["no-canary"]}

    def test_the_stored_report_uses_it_and_its_etag_differs(
        self, own: TestClient, client: TestClient
    ) -> None:
        for text in (FLAG_DAY, FLAG_DAY.replace("id: demo", "id: demo-2")):
            assert own.post(f"{API}/incidents", content=text, headers=YAML).status_code == 201
        ours = own.get(f"{API}/patterns")
        assert ours.json()["catalog"] == "causemap built-in catalog + ours"
        assert "flag-day" in {f["key"] for f in ours.json()["factors"]}
        builtin = client.get(f"{API}/patterns")  # another app on the same database
        assert "ours" not in builtin.json()["catalog"]
        assert ours.headers["ETag"] != builtin.headers["ETag"]
        stale = own.get(f"{API}/patterns", headers={"If-None-Match": builtin.headers["ETag"]})
        assert stale.status_code == 200

    def test_a_bad_catalog_stops_serve_naming_the_file_and_line(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.yaml"
        path.write_text(OWN_CATALOG.replace("level: process", "level: proces"))
        ran = CliRunner().invoke(
            cli, ["serve", "--db", f"sqlite:///{tmp_path / 's.db'}", "--catalog", str(path)]
        )
        assert ran.exit_code == 1
        assert f"{path}:8:12: error: /entries/0/level" in ran.output

    def test_serve_reads_it_once(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """serve read and validated the file, then its one worker read it all again (and
        could find another file there than the one it had announced)."""
        import uvicorn

        path = tmp_path / "ours.yaml"
        path.write_text(OWN_CATALOG, encoding="utf-8")
        for name in ("CAUSEMAP_CATALOG", "CAUSEMAP_DB", "CAUSEMAP_TOKENS"):
            monkeypatch.delenv(name, raising=False)
        from causemap.source import read_document as read

        reads: list[Any] = []

        def counted(path: Any) -> Any:
            reads.append(path)
            return read(path)

        monkeypatch.setattr("causemap.catalog.loader.read_document", counted)
        apps: list[Any] = []

        def run(app: Any, **options: Any) -> None:
            """What uvicorn does before serving: import and build the app."""
            if isinstance(app, str):
                module, _, name = app.partition(":")
                app = getattr(importlib.import_module(module), name)
            if options.get("factory"):
                app = app()
            apps.append(app)

        monkeypatch.setattr(uvicorn, "run", run)
        db = f"sqlite:///{tmp_path / 's.db'}"
        port = str(free_port())
        ran = CliRunner().invoke(cli, ["serve", "--db", db, "--catalog", str(path), "--port", port])
        assert ran.exit_code == 0, ran.output
        [app] = apps
        try:
            assert app.state.catalog.name == "causemap built-in catalog + ours"
            assert len(reads) == 1, reads
        finally:
            app.state.store.close()

    def test_from_the_environment(self, tmp_path: Path) -> None:
        assert Settings.from_env({"CAUSEMAP_CATALOG": str(tmp_path / "x.yaml")}).catalog == (
            tmp_path / "x.yaml"
        )
        assert Settings.from_env({}).catalog is None


class TestCatalogPreparation:
    """The service's catalog index is built on first use, off the event loop."""

    @pytest.mark.parametrize("path", ["/suggest", "/patterns", "/catalog"])
    def test_building_it_does_not_hold_up_other_requests(
        self, make_client: MakeClient, monkeypatch: pytest.MonkeyPatch, path: str
    ) -> None:
        # A team's catalog of 2,000 entries takes seconds to index: built on the event
        # loop, every request waited for it, /healthz too (a liveness probe failed).
        started, release, built = threading.Event(), threading.Event(), threading.Event()
        real = service_catalog._index
        calls: list[int] = []

        def slow(catalog: Any, digest: str) -> Any:
            calls.append(1)
            started.set()
            release.wait(timeout=10)
            index = real(catalog, digest)
            built.set()
            return index

        monkeypatch.setattr(service_catalog, "_index", slow)
        client = make_client()
        body = BASE if path == "/suggest" else f"[{dump(loads(BASE), 'json')}]"
        answers: list[Any] = []

        def ask() -> None:
            if path == "/catalog":
                answers.append(client.get(f"{API}{path}"))
                return
            headers = YAML if path == "/suggest" else {"Content-Type": "application/json"}
            answers.append(client.post(f"{API}{path}", content=body, headers=headers))

        first, second = threading.Thread(target=ask), threading.Thread(target=ask)
        first.start()
        assert started.wait(timeout=10)
        second.start()
        health = client.get("/healthz")
        answered_while_building = not built.is_set()
        release.set()
        first.join()
        second.join()
        assert health.status_code == 200
        assert answered_while_building
        assert [a.status_code for a in answers] == [200, 200]
        assert len(calls) == 1  # the two first requests share one index


class TestPatterns:
    def test_posted_list(self, client: TestClient) -> None:
        response = client.post(f"{API}/patterns", content=examples_json())
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        expected = patterns([load(p) for p in EXAMPLES]).model_dump(mode="json")
        assert response.json() == expected
        jsonschema.Draft202012Validator(schema("patterns")).validate(response.json())

    def test_html_and_markdown(self, client: TestClient) -> None:
        html = client.post(f"{API}/patterns", params={"format": "html"}, content=examples_json())
        assert html.headers["content-type"] == "text/html; charset=utf-8"
        assert html.headers["content-security-policy"] == REPORT_CSP
        assert html.text.startswith("<!DOCTYPE html>")
        markdown = client.post(
            f"{API}/patterns",
            params={"format": "markdown", "since": "2099-01-01"},
            content=examples_json(),
        )
        assert markdown.headers["content-type"] == "text/markdown; charset=utf-8"
        assert "0 incidents" in markdown.text

    def test_yaml_list(self, client: TestClient) -> None:
        text = "\n".join("- " + p.read_text().replace("\n", "\n  ") for p in EXAMPLES[:2])
        response = client.post(f"{API}/patterns", content=text, headers=YAML)
        assert response.status_code == 200, response.text

    @pytest.mark.parametrize(
        ("body", "pointer"),
        [
            ("{}", ""),
            ('[{"causemap": 1}]', "/0"),
            ("[" + dump(loads(BASE), "json") + "," + dump(loads(BASE), "json") + "]", "/1/id"),
        ],
    )
    def test_invalid_lists_are_422(self, client: TestClient, body: str, pointer: str) -> None:
        response = client.post(f"{API}/patterns", content=body)
        assert response.status_code == 422, response.text
        details = response.json()["error"]["details"]
        assert details[0]["pointer"].startswith(pointer)

    @pytest.mark.parametrize(
        ("path", "body", "message"),
        [
            ("/patterns", "{}", "expected a list of incidents, got a mapping"),
            ("/patterns", "3", "expected a list of incidents, got a number"),
            ("/analyze", "null", "expected an incident mapping at the top level, got null"),
            ("/analyze", '"x"', "expected an incident mapping at the top level, got a string"),
        ],
    )
    def test_a_body_of_the_wrong_type_is_named_in_words(
        self, client: TestClient, path: str, body: str, message: str
    ) -> None:
        # A user reads JSON's words, not Python's ("got dict", "got NoneType").
        response = client.post(f"{API}{path}", content=body)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"][0]["message"] == message

    def test_invalid_item_is_located(self, client: TestClient) -> None:
        items = [json.loads(dump(load(p), "json")) for p in EXAMPLES[:2]]
        items[1]["nodes"][0]["kind"] = "conditon"
        text = json.dumps(items, indent=1)
        error = client.post(f"{API}/patterns", content=text).json()["error"]
        assert error["details"][0]["pointer"] == "/1/nodes/0/kind"
        line = text.splitlines()[error["details"][0]["line"] - 1]
        assert '"conditon"' in line

    def test_unknown_format_is_400(self, client: TestClient) -> None:
        for response in (
            client.post(f"{API}/patterns", params={"format": "pdf"}, content="[]"),
            client.get(f"{API}/patterns", params={"format": "pdf"}),
        ):
            assert response.status_code == 400
            error = response.json()["error"]
            assert error["code"] == "unknown-format"
            # the report's formats, not the diagrams' (dot, svg, ...)
            assert error["details"] == {"formats": ["json", "html", "markdown"]}

    def test_over_the_store(self, client: TestClient) -> None:
        for path in EXAMPLES:
            assert (
                client.post(f"{API}/incidents", content=path.read_text(), headers=YAML).status_code
                == 201
            )
        response = client.get(f"{API}/patterns")
        assert response.status_code == 200, response.text
        assert response.json() == patterns([load(p) for p in EXAMPLES]).model_dump(mode="json")
        tag = response.headers["etag"]
        assert client.get(f"{API}/patterns", headers={"if-none-match": tag}).status_code == 304
        html = client.get(f"{API}/patterns", params={"format": "html"})
        assert html.headers["etag"] != tag
        assert html.headers["content-security-policy"] == REPORT_CSP
        cached = client.get(
            f"{API}/patterns",
            params={"format": "html"},
            headers={"if-none-match": html.headers["etag"]},
        )
        assert cached.status_code == 304
        assert cached.headers["content-security-policy"] == REPORT_CSP
        since = client.get(f"{API}/patterns", params={"since": "2099-01-01"}).json()
        assert since["incidents"] == 0
        # A Unix time, a time of day or a compact date is not a date, as in the CLI.
        for odd in ("0", "1700000000", "2024-01-01T00:00:00+02:00", "20240101"):
            refused = client.get(f"{API}/patterns", params={"since": odd})
            assert refused.status_code == 422, odd
            assert refused.json()["error"]["code"]
            listed = client.get(f"{API}/incidents", params={"date_from": odd})
            assert listed.status_code == 422, odd
        first = load(EXAMPLES[0]).id
        assert client.delete(f"{API}/incidents/{first}").status_code == 200
        after = client.get(f"{API}/patterns", headers={"if-none-match": tag})
        assert after.status_code == 200
        assert first not in [i["id"] for i in after.json()["incident_list"]]


class TestWhoami:
    def test_without_tokens(self, client: TestClient) -> None:
        assert client.get(f"{API}/whoami").json() == {"auth": False, "role": None}

    @pytest.mark.parametrize(
        ("token", "role"), [(None, None), (READ, "read"), (WRITE, "write"), (ADMIN, "admin")]
    )
    def test_with_tokens(
        self, make_client: MakeClient, token: str | None, role: str | None
    ) -> None:
        client = make_client(tokens=Tokens.parse(TOKENS))
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = client.get(f"{API}/whoami", headers=headers)
        assert response.status_code == 200
        assert response.json() == {"auth": True, "role": role}

    def test_unknown_token_is_401(self, make_client: MakeClient) -> None:
        client = make_client(tokens=Tokens.parse(TOKENS))
        response = client.get(f"{API}/whoami", headers={"authorization": "Bearer " + "x" * 20})
        assert response.status_code == 401


class TestRoles:
    def test_read_may_analyse_write_may_store(self, make_client: MakeClient) -> None:
        client = make_client(tokens=Tokens.parse(TOKENS))
        read = {**YAML, "authorization": f"Bearer {READ}"}
        write = {**YAML, "authorization": f"Bearer {WRITE}"}
        for path in ("/analyze", "/lint", "/suggest"):
            assert client.post(f"{API}{path}", content=BASE).status_code == 401
            assert client.post(f"{API}{path}", content=BASE, headers=read).status_code == 200
        patterns_list = "[" + dump(loads(BASE), "json") + "]"
        assert (
            client.post(
                f"{API}/patterns",
                content=patterns_list,
                headers={"authorization": f"Bearer {READ}"},
            ).status_code
            == 200
        )
        assert client.post(f"{API}/incidents", content=BASE, headers=read).status_code == 403
        assert client.post(f"{API}/incidents", content=BASE, headers=write).status_code == 201
        for path in ("/incidents/demo/analysis", "/patterns"):
            assert client.get(f"{API}{path}").status_code == 401
            assert client.get(f"{API}{path}", headers=read).status_code == 200
