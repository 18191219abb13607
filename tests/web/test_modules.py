"""The editor's pure modules (merge, document edits, layout, event parsing, encoding),
tested inside the browser they run in: each test imports the module into a page."""

from __future__ import annotations

import base64
import json
import re
import zlib
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page
from pydantic import ValidationError

from causemap.diff import diff
from causemap.model import Incident, Node
from causemap.patterns import patterns
from causemap.patterns.charts import TREND_COLUMNS
from causemap.patterns.present import periods
from tests.conftest import make_incident
from tests.servers import Server
from tests.web.pages import incident


@pytest.fixture
def page(context: BrowserContext, server: Server) -> Page:
    tab = context.new_page()
    tab.goto(f"{server.url}/#/")
    return tab


def run(page: Page, module: str, body: str, arg: Any = None) -> Any:
    """Run ``body`` (an async function body with ``m`` the module and ``arg``)."""
    return page.evaluate(
        f"async (arg) => {{ const m = await import('/js/{module}'); {body} }}",
        arg,
    )


BASE = incident(
    "m",
    [
        {"id": "a", "kind": "event", "label": "A"},
        {"id": "b", "kind": "event", "label": "B", "causes": ["a"]},
        {"id": "c", "kind": "event", "label": "C", "causes": ["b"]},
        {"id": "impact", "kind": "impact", "label": "Harm", "causes": ["c"]},
    ],
)


def edited(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(json.dumps(BASE))
    for node in doc["nodes"]:
        for key, value in changes.get(node["id"], {}).items():
            if value is None:
                node.pop(key, None)
            else:
                node[key] = value
    for key, value in changes.get("incident", {}).items():
        doc[key] = value
    return doc


def visible(texts: list[str]) -> list[str]:
    """The texts without the invisible isolates (U+2068 … U+2069) around user text."""
    return [t.replace("\u2068", "").replace("\u2069", "") for t in texts]


def merge(page: Page, base: Any, mine: Any, theirs: Any, choices: Any = None) -> Any:
    return run(page, "merge.js", "return m.merge3(...arg);", [base, mine, theirs, choices or {}])


class TestMerge:
    def test_changes_to_different_things_merge_without_conflict(self, page: Page) -> None:
        mine = edited(a={"label": "A, reworded"})
        theirs = edited(b={"level": "process"}, incident={"title": "New title"})
        got = merge(page, BASE, mine, theirs)
        assert got["conflicts"] == []
        assert got["doc"] == edited(
            a={"label": "A, reworded"}, b={"level": "process"}, incident={"title": "New title"}
        )

    def test_the_same_field_is_a_conflict_resolved_mine_unless_chosen(self, page: Page) -> None:
        mine, theirs = edited(a={"label": "Mine"}), edited(a={"label": "Theirs"})
        got = merge(page, BASE, mine, theirs)
        assert [c["key"] for c in got["conflicts"]] == ["node:a:label"]
        assert got["doc"]["nodes"][0]["label"] == "Mine"
        got = merge(page, BASE, mine, theirs, {"node:a:label": "theirs"})
        assert got["doc"]["nodes"][0]["label"] == "Theirs"

    def test_deleted_by_them_and_edited_by_me(self, page: Page) -> None:
        mine = edited(b={"label": "B, edited"})
        theirs = json.loads(json.dumps(BASE))
        theirs["nodes"] = [n for n in theirs["nodes"] if n["id"] != "b"]
        theirs["nodes"][1]["causes"] = ["a"]  # c now follows a
        got = merge(page, BASE, mine, theirs)
        assert [c["key"] for c in got["conflicts"]] == ["node:b"]
        assert "b" in [n["id"] for n in got["doc"]["nodes"]]  # mine: kept
        got = merge(page, BASE, mine, theirs, {"node:b": "theirs"})
        assert "b" not in [n["id"] for n in got["doc"]["nodes"]]
        assert all("b" not in n.get("causes", []) for n in got["doc"]["nodes"])

    def test_deleted_by_me_and_linked_or_addressed_by_them(self, page: Page) -> None:
        """They linked a new cause to b and pointed an action at it; I deleted b. Their
        node fields did not change, so b went without a conflict, and their link and
        their action's reference with it (an undo did that silently)."""
        mine = json.loads(json.dumps(BASE))
        mine["nodes"] = [n for n in mine["nodes"] if n["id"] != "b"]
        mine["nodes"][1]["causes"] = ["a"]
        theirs = edited(b={"causes": ["a", "x"]})
        theirs["nodes"].insert(0, {"id": "x", "kind": "condition", "label": "X"})
        theirs["actions"] = [{"id": "fix", "title": "Fix", "addresses": ["b"]}]
        got = merge(page, BASE, mine, theirs)
        assert [c["key"] for c in got["conflicts"]] == ["node:b"]
        assert "b" not in [n["id"] for n in got["doc"]["nodes"]]  # mine, when chosen
        got = merge(page, BASE, mine, theirs, {"node:b": "theirs"})
        nodes = {n["id"]: n for n in got["doc"]["nodes"]}
        assert set(nodes["b"]["causes"]) == {"a", "x"}
        assert got["doc"]["actions"] == [{"id": "fix", "title": "Fix", "addresses": ["b"]}]
        assert got["notes"] == []

    def test_a_link_that_would_close_a_cycle_is_dropped_and_reported(self, page: Page) -> None:
        # Mine adds c → a (a → b → c exists): after the merge it would close a cycle.
        got = merge(page, BASE, edited(a={"causes": ["c"]}), edited(impact={"label": "Harm!"}))
        assert "causes" not in got["doc"]["nodes"][0]
        assert got["doc"]["nodes"][3]["label"] == "Harm!"
        assert any("cycle" in note for note in got["notes"])
        # Theirs adds c → a, mine removes b → c: together no cycle, both kept.
        got = merge(page, BASE, edited(c={"causes": None}), edited(a={"causes": ["c"]}))
        assert got["doc"]["nodes"][0]["causes"] == ["c"]
        assert "causes" not in got["doc"]["nodes"][2]
        assert got["notes"] == []

    def test_nodes_both_sides_added_under_one_id_are_both_kept(self, page: Page) -> None:
        # Two editors each added a different node that got the same id (and an action
        # that got the same number): neither may overwrite the other.
        mine = edited(a={"causes": ["dup"]})
        mine["nodes"].insert(0, {"id": "dup", "kind": "event", "label": "Mine"})
        mine["actions"] = [{"id": "a1", "title": "My action", "addresses": ["dup"]}]
        theirs = edited(b={"causes": ["a", "dup"]})
        theirs["nodes"].insert(0, {"id": "dup", "kind": "condition", "label": "Theirs"})
        theirs["actions"] = [{"id": "a1", "title": "Their action"}]
        got = merge(page, BASE, mine, theirs)
        assert got["conflicts"] == []
        nodes = {n["id"]: n for n in got["doc"]["nodes"]}
        assert nodes["dup"]["label"] == "Theirs"
        assert nodes["dup-2"]["label"] == "Mine"
        assert nodes["a"]["causes"] == ["dup-2"]
        assert nodes["b"]["causes"] == ["a", "dup"]
        assert got["doc"]["actions"] == [
            {"id": "a1", "title": "Their action"},
            {"id": "a2", "title": "My action", "addresses": ["dup-2"]},
        ]
        assert got["renamed"] == [
            {"section": "node", "from": "dup", "to": "dup-2"},
            {"section": "action", "from": "a1", "to": "a2"},
        ]
        # The same node on both sides (the same save arriving twice) stays one node.
        same = merge(page, BASE, mine, mine)
        assert [n["id"] for n in same["doc"]["nodes"]].count("dup") == 1
        assert same["renamed"] == []

    def test_a_deleted_node_kept_comes_back_with_its_links(self, page: Page) -> None:
        theirs = json.loads(json.dumps(BASE))
        theirs["nodes"] = [n for n in theirs["nodes"] if n["id"] != "b"]
        theirs["nodes"][1].pop("causes")  # c lost its cause b
        mine = edited(b={"label": "B, edited"})
        got = merge(page, BASE, mine, theirs)
        assert [c["key"] for c in got["conflicts"]] == ["node:b"]
        nodes = {n["id"]: n for n in got["doc"]["nodes"]}
        assert nodes["b"] == {"id": "b", "kind": "event", "label": "B, edited", "causes": ["a"]}
        assert nodes["c"]["causes"] == ["b"]
        assert got["notes"] == []
        # Deleted by me, changed by them, and theirs taken: back with their links.
        got = merge(page, BASE, theirs, mine, {"node:b": "theirs"})
        nodes = {n["id"]: n for n in got["doc"]["nodes"]}
        assert nodes["b"]["causes"] == ["a"]
        assert nodes["c"]["causes"] == ["b"]
        # A link whose other end is gone is dropped, and the user is told which.
        theirs["nodes"] = [n for n in theirs["nodes"] if n["id"] != "a"]
        got = merge(page, BASE, mine, theirs)
        nodes = {n["id"]: n for n in got["doc"]["nodes"]}
        assert "causes" not in nodes["b"]
        assert nodes["c"]["causes"] == ["b"]
        assert visible(got["notes"]) == [
            "Dropped the link “A” → “B, edited”: one of its nodes was deleted."
        ]

    def test_your_changes_in_words(self, page: Page) -> None:
        mine = edited(a={"label": "A2"})
        mine["nodes"].append({"id": "d", "kind": "condition", "label": "D", "causes": []})
        said = run(page, "merge.js", "return m.describeChanges(...arg);", [BASE, mine])
        assert visible(said) == ["changed label of “A2”", "added “D”"]
        assert said[1] == "added “\u2068D\u2069”"  # labels isolated from the text around them


class TestDiffView:
    def test_a_renamed_node_is_one_node_in_words_and_on_the_canvas(self, page: Page) -> None:
        after: dict[str, Any] = json.loads(json.dumps(BASE))
        for node in after["nodes"]:
            node["id"] = "b2" if node["id"] == "b" else node["id"]
            node["causes"] = ["b2" if c == "b" else c for c in node.get("causes", [])]
        changes = diff(Incident.model_validate(BASE), Incident.model_validate(after))
        said = run(
            page, "diffview.js", "return m.describe(...arg);",
            [changes.model_dump(mode="json"), BASE, after],
        )  # fmt: skip
        assert [[kind, *visible([text])] for kind, text in said] == [["renamed", "“B”: id b → b2"]]
        shown = run(
            page,
            "diffview.js",
            "const r = m.compare(...arg);"
            "return [r.nodes.map((x) => [x.node.id, x.status]),"
            " r.edges.map((x) => [x.link.from, x.link.to, x.status])];",
            [BASE, after, [["b", "b2"]]],
        )
        assert shown == [
            [["a", "same"], ["b2", "renamed"], ["c", "same"], ["impact", "same"]],
            [["a", "b2", "same"], ["b2", "c", "same"], ["c", "impact", "same"]],
        ]

    def test_a_renamed_action_is_said_once(self, page: Page) -> None:
        before: dict[str, Any] = {**BASE, "actions": [{"id": "a1", "title": "Stage it"}]}
        after: dict[str, Any] = {**BASE, "actions": [{"id": "stage", "title": "Stage it"}]}
        changes = diff(Incident.model_validate(before), Incident.model_validate(after))
        said = run(
            page, "diffview.js", "return m.describe(...arg);",
            [changes.model_dump(mode="json"), before, after],
        )  # fmt: skip
        assert [[kind, *visible([text])] for kind, text in said] == [
            ["renamed", "action “Stage it”: id a1 → stage"]
        ]

    def test_an_incident_fields_change_says_what_it_was_and_is(self, page: Page) -> None:
        """The history said only "changed incident title": which title, and what the
        tags became, meant opening both revisions."""
        after: dict[str, Any] = json.loads(json.dumps(BASE))
        after.update(title="Checkout down", tags=["db", "payments"], severity="sev1")
        changes = diff(Incident.model_validate(BASE), Incident.model_validate(after))
        said = run(
            page, "diffview.js", "return m.describe(...arg);",
            [changes.model_dump(mode="json"), BASE, after],
        )  # fmt: skip
        texts = sorted(visible([text for _, text in said]))
        assert texts == [
            "incident severity: (none) → “sev1”",
            "incident tags: (none) → “db”, “payments”",
            f"incident title: “{BASE['title']}” → “Checkout down”",
        ]


class TestUndoAcrossRevisions:
    def undo(self, page: Page, theirs: dict[str, Any], redo: bool = False) -> Any:
        """Rename a to "A, mine", take a revision with ``theirs`` changes, then undo."""
        return run(
            page,
            "store.js",
            """
          const s = new m.Store();
          s.load(arg.base);
          s.change("Rename", (d) => { d.nodes[0].label = "A, mine"; });
          const next = structuredClone(arg.theirs);
          next.nodes[0].label = arg.theirs.nodes[0].label === "A" ? "A, mine" : next.nodes[0].label;
          s.load(next, { reason: "remote", keepHistory: true });
          const could = s.canUndo();
          s.undo();
          const undone = structuredClone(s.doc);
          if (arg.redo) s.redo();
          return { could, undone, redone: s.doc };""",
            {"base": BASE, "theirs": theirs, "redo": redo},
        )

    def test_undo_reverts_my_edit_and_keeps_theirs(self, page: Page) -> None:
        theirs = edited(b={"label": "B, theirs"})
        theirs["nodes"].append({"id": "x", "kind": "condition", "label": "X"})
        got = self.undo(page, theirs, redo=True)
        assert got["could"] is True
        expected = json.loads(json.dumps(theirs))
        assert got["undone"] == expected
        expected["nodes"][0]["label"] = "A, mine"
        assert got["redone"] == expected

    def test_undo_of_an_added_node_they_linked_to_since_keeps_it(self, page: Page) -> None:
        """I added x (my undo step); they then linked a cause to x and addressed it by an
        action. Undo used to delete x and drop their link and reference without a word."""
        after = json.loads(json.dumps(BASE))
        after["nodes"].insert(0, {"id": "x", "kind": "event", "label": "X"})
        after["nodes"][1]["causes"] = ["x"]  # a is caused by x
        theirs = json.loads(json.dumps(after))
        theirs["nodes"].insert(0, {"id": "y", "kind": "condition", "label": "Y"})
        theirs["nodes"][1]["causes"] = ["y"]  # x is caused by y
        theirs["actions"] = [{"id": "fix", "title": "Fix", "addresses": ["x"]}]
        got = run(
            page,
            "store.js",
            """const s = new m.Store(); const refused = [];
            s.on("refused", (e) => refused.push(e.message));
            s.load(arg.base);
            s.change("Add x", (d) => { d.nodes = arg.after.nodes; });
            s.load(arg.theirs, { keepHistory: true });
            s.undo();
            return { doc: s.doc, refused };""",
            {"base": BASE, "after": after, "theirs": theirs},
        )
        assert got["doc"] == theirs
        assert len(got["refused"]) == 1
        assert "changed since, elsewhere" in got["refused"][0]

    def test_undo_never_reverts_their_change_to_the_same_field(self, page: Page) -> None:
        theirs = edited(a={"label": "A, theirs"})
        got = self.undo(page, theirs)
        assert got["undone"]["nodes"][0]["label"] == "A, theirs"


class TestDocumentEdits:
    def test_ids_from_labels(self, page: Page) -> None:
        got = run(
            page,
            "doc.js",
            "return arg.map((t) => m.slugify(t));",
            ["Config pushed to all PoPs", "Ça a planté !", "日本", "a" * 90],
        )
        assert got == ["config-pushed-to-all-pops", "ca-a-plante", "", "a" * 40]

    def test_new_ids_differ_across_editors(self, page: Page) -> None:
        # Two editors adding statements that start alike, or have no Latin letters, to
        # their own copies of the same incident: the ids must not collide.
        labels = [
            "The deploy pipeline skipped the canary stage for the config service",
            "The deploy pipeline skipped the canary stage because a flag was set",
            "日本",
            "日本",
        ]
        ids = run(
            page,
            "doc.js",
            "return arg.labels.map((label) => m.addNode(structuredClone(arg.doc), {label}));",
            {"labels": labels, "doc": BASE},
        )
        assert len(set(ids)) == len(ids), ids
        assert ids[0].startswith("the-deploy-pipeline-skipped")
        assert ids[2].startswith("node-")
        assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]{0,79}", i) for i in ids), ids

    def test_an_impact_carries_no_class(self, page: Page) -> None:
        # The format refuses a classification on an impact (classified-impact).
        got = run(
            page,
            "doc.js",
            """
            const d = structuredClone(arg);
            let refused = null;
            try { m.setNodeField(d, "impact", "classification", "proximate"); }
            catch (e) { refused = e.message; }
            d.nodes.push({ id: "d", kind: "event", label: "D", classification: "systemic" });
            m.setNodeField(d, "d", "kind", "impact");
            return { refused, became: d.nodes.find((n) => n.id === "d") };
            """,
            BASE,
        )
        assert "impact is the harm" in (got["refused"] or "")
        assert got["became"] == {"id": "d", "kind": "impact", "label": "D"}

    def test_link_rules(self, page: Page) -> None:
        got = run(
            page,
            "doc.js",
            "const pairs = [['c', 'a'], ['a', 'a'], ['impact', 'a'], ['a', 'b'], ['a', 'c']];"
            " return pairs.map(([x, y]) => m.whyNotConnect(arg, x, y));",
            BASE,
        )
        assert "cycle" in got[0]
        assert "itself" in got[1]
        assert "impact" in got[2]
        assert "already linked" in got[3]
        assert got[4] is None

    def test_a_labelled_link_moves_to_edges_and_back(self, page: Page) -> None:
        got = run(
            page,
            "doc.js",
            """
          const d = structuredClone(arg);
          m.setLinkField(d, 'a', 'b', 'label', 'because');
          const labelled = structuredClone(d);
          m.setLinkField(d, 'a', 'b', 'label', '');
          return [labelled, d];""",
            BASE,
        )
        labelled, back = got
        assert labelled["edges"] == [{"from": "a", "to": "b", "label": "because"}]
        assert "causes" not in labelled["nodes"][1]
        assert back == BASE

    def test_a_node_takes_no_201st_cause(self, page: Page) -> None:
        """The format holds at most 200 ids in a node's causes; a 201st made every save
        fail. A link whose label is cleared stays in edges when causes is full."""
        got = run(
            page,
            "doc.js",
            """
          const d = structuredClone(arg);
          const impact = d.nodes.find((n) => n.id === 'impact');
          for (let i = 0; i < 199; i++) d.nodes.push({id: `x${i}`, kind: 'event', label: 'X'});
          impact.causes = [...impact.causes, ...d.nodes.slice(4).map((n) => n.id)];
          const refused = m.whyNotConnect(d, 'a', 'impact');
          m.setLinkField(d, 'c', 'impact', 'label', 'because');
          m.connect(d, 'a', 'impact');
          m.setLinkField(d, 'c', 'impact', 'label', '');
          return [refused, impact.causes.length, d.edges];""",
            BASE,
        )
        refused, count, edges = got
        assert "at most 200 causes" in refused
        assert count == 200
        assert edges == [{"from": "c", "to": "impact"}]

    def test_an_action_addresses_at_most_200_nodes(self, page: Page) -> None:
        """The format holds at most 200 ids in an action's addresses; selecting 201
        nodes and pressing 'a', or linking a 201st, made every save fail with a 422."""
        got = run(
            page,
            "doc.js",
            """
          const d = structuredClone(arg);
          const ids = Array.from({length: 201}, (_, i) => `x${i}`);
          const refuse = (f) => { try { f(); return null; } catch (e) { return e.message; } };
          const added = refuse(() => m.addAction(d, {title: 'T', addresses: ids}));
          const id = m.addAction(d, {title: 'T', addresses: ids.slice(0, 200)});
          const linked = refuse(() => m.linkAction(d, id, 'x200'));
          const again = refuse(() => m.linkAction(d, id, 'x5'));
          return [added, linked, again, d.actions.length, d.actions[0].addresses.length];""",
            BASE,
        )
        added, linked, again, actions, addressed = got
        assert "at most 200 nodes" in added
        assert "at most 200 nodes" in linked
        assert again is None  # already addressed: the list stays at 200
        assert (actions, addressed) == (1, 200)

    def test_deleting_takes_links_and_references_along(self, page: Page) -> None:
        doc = json.loads(json.dumps(BASE))
        doc["actions"] = [{"id": "a1", "title": "Fix B", "addresses": ["b"]}]
        got = run(
            page,
            "doc.js",
            "const d = structuredClone(arg); m.removeNodes(d, ['b']); return d;",
            doc,
        )
        assert [n["id"] for n in got["nodes"]] == ["a", "c", "impact"]
        assert "causes" not in got["nodes"][1]
        assert "addresses" not in got["actions"][0]
        refused = run(
            page,
            "doc.js",
            "try { m.removeNodes(arg, ['impact']); return null; } catch (e) { return e.message; }",
            BASE,
        )
        assert "last impact" in refused

    def test_instants(self, page: Page) -> None:
        texts = [
            "2024-02-21",
            "2024-02-21T02:13:05Z",
            "2024-02-21T02:13Z",
            "2024-02-21T02:13:05+02:00",
            "2024-02-30",
            "2024-02-21T02:13:05",
            "21/02/2024",
            "",
        ]
        got = run(page, "doc.js", "return arg.map((t) => m.validInstant(t));", texts)
        assert got == [True, True, True, True, False, False, False, False]

    def test_instants_the_page_accepts_are_those_the_format_accepts(self, page: Page) -> None:
        """'2024-02-21T24:00Z' passed the field's check (JavaScript reads it as midnight)
        and every save then failed with a 422 at /nodes/N/at."""
        texts = [
            "2024-02-21T24:00Z",
            "2024-02-21T24:00:00Z",
            "2024-02-21T10:60Z",
            "2024-02-21T10:00:60Z",
            "2024-02-21T10:00+24:00",
            "2024-02-21T10:00+14:30",
            "2024-02-21T10:00:00.1234567Z",
            "2024-02-21T10:00:00.123Z",
            "2024-02-21t10:00z",
            "0000-01-01",
            "9999-12-31T23:59:59Z",
            "2024-02-29",
            "2023-02-29",
        ]
        got = run(page, "doc.js", "return arg.map((t) => m.validInstant(t));", texts)

        def accepted(text: str) -> bool:
            try:
                Node.model_validate({"id": "a", "kind": "event", "label": "x", "at": text})
            except ValidationError:
                return False
            return True

        assert dict(zip(texts, got, strict=True)) == {t: accepted(t) for t in texts}

    def test_until_is_refused_where_the_format_refuses_it(self, page: Page) -> None:
        """A date alone is its whole UTC day on both sides: 'until: 2024-01-01' after
        'at: 2024-01-01T20:00Z' is kept. The page compared midnights and refused it."""
        pairs = [
            ("2024-01-01T20:00Z", "2024-01-01"),
            ("2024-01-01", "2024-01-01T05:00Z"),
            ("2024-01-01T23:30-05:00", "2024-01-02"),
            ("2024-01-02T00:30Z", "2024-01-01"),
            ("2024-01-02", "2024-01-01T23:59Z"),
            ("2024-01-01T10:00Z", "2024-01-01T09:59Z"),
            ("2024-01-01T10:00Z", "2024-01-01T10:00Z"),
            ("2024-01-02", "2024-01-01"),
            ("2024-01-01", "2024-01-01"),
        ]
        got = run(
            page,
            "doc.js",
            """return arg.map(([at, until]) => m.problems(
                 {nodes: [{id: "a", kind: "impact", label: "x", at, until}]}).length === 0);""",
            pairs,
        )

        def accepted(at: str, until: str) -> bool:
            node = {"id": "a", "kind": "impact", "label": "x", "at": at, "until": until}
            try:
                Node.model_validate(node)
            except ValidationError:
                return False
            return True

        assert got == [accepted(*pair) for pair in pairs]
        assert got[:3] == [True, True, True]
        assert got[3:6] == [False, False, False]


class TestLayout:
    def test_missing_nodes_are_placed_without_moving_or_overlapping(self, page: Page) -> None:
        got = run(
            page,
            "layout.js",
            """
          const doc = arg;
          const size = (n) => [n.id, m.nodeSize(n.kind)];
          const sizes = Object.fromEntries(doc.nodes.map(size));
          const first = m.tidy({nodes: doc.nodes.slice(0, 4)}, sizes);
          const placed = m.placeMissing(doc, first, sizes);
          return {first, placed, sizes};""",
            {
                **BASE,
                "nodes": [
                    *BASE["nodes"],
                    {"id": "x", "kind": "condition", "label": "X", "causes": []},
                    {"id": "y", "kind": "event", "label": "Y", "causes": ["x"]},
                ],
            },
        )
        first, placed, sizes = got["first"], got["placed"], got["sizes"]
        assert {k: placed[k] for k in first} == first
        boxes = [(k, p["x"], p["y"], sizes[k]["w"], sizes[k]["h"]) for k, p in placed.items()]
        for i, (a, ax, ay, aw, ah) in enumerate(boxes):
            for b, bx, by, bw, bh in boxes[i + 1 :]:
                assert abs(ax - bx) >= (aw + bw) / 2 or abs(ay - by) >= (ah + bh) / 2, (a, b)
        assert placed["y"]["x"] > placed["x"]["x"]  # an effect to the right of its cause


def parse_events(page: Page, chunks: list[str]) -> Any:
    """The events live.js's parser finds in ``chunks``, fed one after another."""
    return run(
        page,
        "live.js",
        "const p = new m.EventParser(); return arg.flatMap((c) => p.push(c));",
        chunks,
    )


class TestLiveAndExport:
    def test_event_stream_parsing_across_chunks(self, page: Page) -> None:
        chunks = [
            ": ping\r\n\r\nid: 3\nevent: revision\nda",
            'ta: {"number": 3}\n\n',
            "event: revision\nid: 4\ndata: {}\n\nid: 5",
        ]
        got = parse_events(page, chunks)
        assert got == [
            {"event": "revision", "id": "3", "data": '{"number": 3}'},
            {"event": "revision", "id": "4", "data": "{}"},
        ]

    def test_a_line_end_split_between_its_cr_and_lf_is_one_line_end(self, page: Page) -> None:
        """The server ends lines with CR LF; a chunk may end between the two. The LF
        alone was taken for an empty line, which ended the event early: its `event:`
        and its `data:` came apart, and the revision was dropped."""
        chunks = [
            "id: 4\r\nevent: revision\r",
            '\ndata: {"number": 4}\r',
            "\n\r",
            "\nid: 5\r\nevent: revision\r\ndata: {}\r\n\r\n",
        ]
        got = parse_events(page, chunks)
        assert got == [
            {"event": "revision", "id": "4", "data": '{"number": 4}'},
            {"event": "revision", "id": "5", "data": "{}"},
        ]

    def test_reconnecting_starts_fast_backs_off_and_is_spread_out(self, page: Page) -> None:
        """A viewer stared at a stale picture for up to 10 s after the service restarted
        (waits of 0.5, 1, 2, 5 and 10 s), and every viewer in the room came back in the
        same instant. The first retry is now within half a second, later ones wait longer
        up to a few seconds, and each wait is a random part of that, so 50 viewers that
        lost the server together do not reconnect together."""
        delays = run(
            page,
            "live.js",
            "return [0, 0.5, 1].map((r) => [...Array(12).keys()]"
            ".map((n) => m.reconnectDelay(n, () => r)));",
        )
        low, mid, high = delays
        assert high[0] <= 500
        assert all(0 < d <= 5000 for row in delays for d in row)
        assert high == sorted(high)
        assert high[-1] > 5 * high[0]
        assert all(a < b < c for a, b, c in zip(low, mid, high, strict=True))

    def test_the_image_url_encoding_is_zlib_and_base64url(self, page: Page) -> None:
        text = json.dumps(BASE) * 20
        encoded = run(page, "export.js", "return m.encode(arg);", text)
        assert not set("+/=") & set(encoded)
        assert (
            zlib.decompress(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))).decode()
            == text
        )


class TestPatternPeriods:
    @pytest.mark.parametrize(
        "dates",
        [
            ["2022-01-10", "2024-06-10"],  # months
            ["2015-01-10", "2024-06-10"],  # quarters
            ["1990-01-10", "2024-06-10"],  # years, all of them
            ["1950-05-01", "2024-06-10"],  # a typo: the latest 40 years, 35 left out
            ["0202-05-01", "2022-06-10"],  # the report itself keeps 40 years
        ],
    )
    def test_the_editor_charts_the_periods_the_html_report_does(
        self, page: Page, dates: list[str]
    ) -> None:
        """The patterns page picks months, quarters or years as the HTML report does, so a
        date decades off does not squeeze hundreds of quarters into the chart."""
        report = patterns(
            [
                make_incident(
                    [{"id": "i", "kind": "impact", "label": "Users saw errors"}],
                    id=f"p{n}",
                    date=date,
                )
                for n, date in enumerate(dates)
            ]
        )
        want = periods(report, TREND_COLUMNS)
        got = run(
            page,
            "patterns.js",
            "return m.trendPeriods(arg);",
            report.trends.model_dump(mode="json"),
        )
        assert got["unit"] == want.unit
        assert [(r["period"], r["incidents"]) for r in got["rows"]] == [
            (b.period, b.incidents) for b in want.buckets
        ]
        assert got["earlier"] == want.earlier
