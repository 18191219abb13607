"""The bad-input suite: every malformed document gets its own precise diagnostic.

Each case is a document (a variant of one small valid incident, or raw bytes) and the
diagnostic it must produce: code, JSON pointer, and for YAML the line. A case passes only
if that exact diagnostic is among the errors, the document is refused, and nothing raises.
"""

from __future__ import annotations

import tracemalloc
from dataclasses import dataclass

import pytest

from causemap.loader import check_bytes

BASE = """\
causemap: 1
id: demo
title: Demo incident
date: 2024-03-05
nodes:
  - id: push
    kind: event
    label: A config change was pushed to every region
    at: 2024-03-05T10:00:00Z
  - id: no-canary
    kind: condition
    label: The pipeline had no canary stage
    level: process
  - id: outage
    kind: impact
    label: Checkout returned errors for 40 minutes
    causes: [push, no-canary]
actions:
  - id: a1
    title: Add a canary stage that halts on error-rate increase
    addresses: [no-canary]
    owner: release-eng
    due: 2024-04-01
"""

BASE_JSON = """\
{
  "causemap": 1,
  "id": "demo",
  "title": "Demo incident",
  "date": "2024-03-05",
  "nodes": [
    {"id": "push", "kind": "event", "label": "Config pushed"},
    {"id": "outage", "kind": "impact", "label": "Errors", "causes": ["push"]}
  ]
}
"""


def variant(old: str, new: str, base: str = BASE) -> str:
    assert old in base, old
    return base.replace(old, new, 1)


@dataclass(frozen=True)
class Case:
    name: str
    document: str | bytes
    code: str
    pointer: str | None = None
    line: int | None = None
    filename: str = "doc.yaml"


# Each document below that is about the YAML reader has an incident's key ('causemap' or
# 'nodes'): without one it would be refused as not an incident before it is read in full.
BOMB = "causemap: 1\n" + "".join(
    f"{a}: &{a} [{', '.join(['*' + p] * 9 if p else ['lol'] * 9)}]\n"
    for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
)

CASES = [
    # --- syntax -----------------------------------------------------------------------
    Case(
        "unclosed-flow-list",
        variant("causes: [push, no-canary]", "causes: [push, no-canary"),
        "yaml-syntax",
        line=18,
    ),
    Case("tab-indentation", variant("    kind: impact", "\tkind: impact"), "yaml-syntax", line=15),
    Case(
        "bad-indentation",
        variant("    level: process", "      level: process"),
        "yaml-syntax",
        line=13,
    ),
    Case("unclosed-quote", variant("title: Demo incident", 'title: "Demo incident'), "yaml-syntax"),
    Case(
        "json-trailing-comma",
        variant('"Errors", "causes": ["push"]}', '"Errors",}', BASE_JSON),
        "json-syntax",
        line=8,
        filename="doc.json",
    ),
    Case("json-truncated", BASE_JSON[:60], "json-syntax", filename="doc.json"),
    Case("empty-file", "", "empty", line=1),
    Case("only-comments", "# nothing here\n# at all\n", "empty"),
    Case("top-level-list", "- causemap: 1\n", "wrong-type"),
    Case("top-level-scalar", "just a sentence\n", "wrong-type"),
    Case("multiple-documents", BASE + "---\n" + BASE, "multiple-documents", line=24),
    Case(
        "duplicate-key-yaml",
        variant("title: Demo incident", "title: A\ntitle: B"),
        "duplicate-key",
        "/title",
        4,
    ),
    Case(
        "duplicate-key-json",
        variant('"id": "demo",', '"id": "demo", "id": "again",', BASE_JSON),
        "duplicate-key",
        "/id",
        3,
        filename="doc.json",
    ),
    Case(
        "python-object-tag",
        variant("title: Demo incident", "title: !!python/object:os.system x"),
        "yaml-tag",
        "/title",
        3,
    ),
    Case(
        "local-tag",
        variant("kind: condition", "kind: !shout condition"),
        "yaml-tag",
        "/nodes/1/kind",
        11,
    ),
    Case(
        "merge-key",
        "base: &b {kind: event}\n" + variant("  - id: push\n", "  - id: push\n    <<: *b\n"),
        "merge-key",
    ),
    Case("billion-laughs", BOMB, "too-large"),
    Case("recursive-alias-list", "&a [*a]\n", "recursive-alias", "/0", 1),
    Case("recursive-alias-in-key", "nodes: &a [*a]\n", "recursive-alias", "/nodes/0", 1),
    Case("recursive-alias-mapping", "&a {nodes: *a}\n", "recursive-alias", "/nodes", 1),
    Case(
        "recursive-alias-nodes",
        variant("nodes:\n  - id: push\n", "nodes: &n\n  - id: push\n    causes: *n\n"),
        "recursive-alias",
        "/nodes/0/causes",
        7,
    ),
    Case(
        "undefined-alias",
        variant("title: Demo incident", "title: *nope"),
        "undefined-alias",
        "/title",
        3,
    ),
    Case("deep-flow-nesting", "causemap: " + "[" * 5000 + "]" * 5000 + "\n", "too-deep"),
    Case(
        "deep-block-nesting",
        "causemap: 1\n" + "".join(" " * i + "k:\n" for i in range(80)) + " " * 80 + "v\n",
        "too-deep",
    ),
    Case(
        "deep-json-nesting",
        '{"causemap": 1,\n"summary": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "too-deep",
        line=2,
        filename="doc.json",
    ),
    Case(
        "huge-integer",
        variant("    level: process", "    level: " + "9" * 5000),
        "number-too-large",
        "/nodes/1/level",
        13,
    ),
    Case(
        "huge-integer-json",
        variant('"causemap": 1', '"causemap": 1' + "0" * 5000, BASE_JSON),
        "number-too-large",
        "/causemap",
        2,
        filename="doc.json",
    ),
    Case(
        "latin-1", variant("Demo incident", "Démo incident").encode("latin-1"), "encoding", line=3
    ),
    Case("utf-16", BASE.encode("utf-16"), "encoding", line=1),
    Case("binary-garbage", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    Case("oversized", "causemap: 1\nsummary: " + "x" * (17 * 1024 * 1024) + "\n", "too-large"),
    # --- shape and types ----------------------------------------------------------------
    Case("missing-version", variant("causemap: 1\n", ""), "missing-key", "/causemap", 1),
    Case(
        "unsupported-version",
        variant("causemap: 1", "causemap: 2"),
        "unsupported-version",
        "/causemap",
        1,
    ),
    Case(
        "version-true",
        variant("causemap: 1", "causemap: true"),
        "unsupported-version",
        "/causemap",
        1,
    ),
    Case(
        "version-float",
        variant("causemap: 1", "causemap: 1.5"),
        "unsupported-version",
        "/causemap",
        1,
    ),
    Case(
        "version-string",
        variant("causemap: 1", 'causemap: "1"'),
        "unsupported-version",
        "/causemap",
        1,
    ),
    Case(
        "version-true-json",
        variant('"causemap": 1', '"causemap": true', BASE_JSON),
        "unsupported-version",
        "/causemap",
        2,
        filename="doc.json",
    ),
    Case(
        "unknown-top-level-key",
        variant("title: Demo incident", "title: Demo\ntitel: typo"),
        "unknown-key",
        "/titel",
        4,
    ),
    Case(
        "unknown-node-key",
        variant("    level: process", "    lable: x"),
        "unknown-key",
        "/nodes/1/lable",
        13,
    ),
    Case("bad-incident-slug", variant("id: demo", "id: My Incident"), "invalid-id", "/id", 2),
    Case(
        "bad-node-slug", variant("  - id: push", "  - id: Push_Cmd"), "invalid-id", "/nodes/0/id", 6
    ),
    Case("slug-too-long", variant("id: demo", "id: " + "a" * 81), "invalid-id", "/id", 2),
    Case(
        "bad-kind",
        variant("kind: condition", "kind: conditon"),
        "invalid-value",
        "/nodes/1/kind",
        11,
    ),
    Case(
        "bad-level",
        variant("level: process", "level: management"),
        "invalid-value",
        "/nodes/1/level",
        13,
    ),
    Case(
        "bad-gate",
        variant("    level: process", "    gate: xor"),
        "invalid-value",
        "/nodes/1/gate",
        13,
    ),
    Case(
        "label-is-number",
        variant("label: The pipeline had no canary stage", "label: 404"),
        "wrong-type",
        "/nodes/1/label",
        12,
    ),
    Case(
        "label-empty",
        variant("label: The pipeline had no canary stage", 'label: ""'),
        "empty",
        "/nodes/1/label",
        12,
    ),
    Case(
        "label-blank",
        variant("label: The pipeline had no canary stage", 'label: "   "'),
        "blank-text",
        "/nodes/1/label",
        12,
    ),
    Case(
        "huge-label",
        variant("label: The pipeline had no canary stage", "label: " + "x" * 10_000),
        "too-long",
        "/nodes/1/label",
        12,
    ),
    Case(
        "huge-detail",
        variant("    level: process", "    level: process\n    detail: " + "x" * 10_001),
        "too-long",
        "/nodes/1/detail",
        14,
    ),
    Case(
        "control-character",
        variant("label: The pipeline had no canary stage", 'label: "bell \\a here"'),
        "control-character",
        "/nodes/1/label",
        12,
    ),
    Case(
        "invalid-date", variant("date: 2024-03-05", "date: 2024-02-30"), "invalid-date", "/date", 4
    ),
    Case(
        "date-with-time",
        variant("date: 2024-03-05", "date: 2024-03-05T10:00:00Z"),
        "date",
        "/date",
        4,
    ),
    Case("week-date", variant("date: 2024-03-05", "date: 2024-W10-2"), "date", "/date", 4),
    Case(
        "week-date-time",
        variant("at: 2024-03-05T10:00:00Z", "at: 2024-W10-2T10:00:00Z"),
        "instant",
        "/nodes/0/at",
        9,
    ),
    Case(
        "naive-datetime",
        variant("at: 2024-03-05T10:00:00Z", "at: 2024-03-05T10:00:00"),
        "instant-timezone",
        "/nodes/0/at",
        9,
    ),
    Case(
        "garbage-datetime",
        variant("at: 2024-03-05T10:00:00Z", "at: last tuesday"),
        "instant",
        "/nodes/0/at",
        9,
    ),
    Case(
        "until-before-at",
        variant("at: 2024-03-05T10:00:00Z", "at: 2024-03-05T10:00:00Z\n    until: 2024-03-04"),
        "until-before-at",
        "/nodes/0/until",
        10,
    ),
    Case("nodes-empty", BASE.split("nodes:")[0] + "nodes: []\n", "list-size", "/nodes", 5),
    Case(
        "nodes-not-a-list", BASE.split("nodes:")[0] + "nodes: {id: x}\n", "wrong-type", "/nodes", 5
    ),
    Case(
        "evidence-not-a-list",
        variant("    level: process", "    evidence: https://x"),
        "wrong-type",
        "/nodes/1/evidence",
        13,
    ),
    Case(
        "unknown-not-bool",
        variant("    level: process", "    unknown: maybe"),
        "wrong-type",
        "/nodes/1/unknown",
        13,
    ),
    Case(
        "unknown-yes",
        variant("    level: process", "    unknown: yes"),
        "wrong-type",
        "/nodes/1/unknown",
        13,
    ),
    Case(
        "unknown-one",
        variant("    level: process", "    unknown: 1"),
        "wrong-type",
        "/nodes/1/unknown",
        13,
    ),
    Case(
        "bad-action-status",
        variant("owner: release-eng", "owner: x\n    status: finished"),
        "invalid-value",
        "/actions/0/status",
        23,
    ),
    Case(
        "bad-action-due",
        variant("due: 2024-04-01", "due: next sprint"),
        "date",
        "/actions/0/due",
        23,
    ),
    Case(
        "action-missing-title",
        variant("    title: Add a canary stage that halts on error-rate increase\n", ""),
        "missing-key",
        "/actions/0/title",
        19,
    ),
    # --- structure ----------------------------------------------------------------------
    Case(
        "duplicate-node-id",
        variant("  - id: no-canary", "  - id: push"),
        "duplicate-node-id",
        "/nodes/1/id",
        10,
    ),
    Case(
        "duplicate-action-id",
        BASE + "  - id: a1\n    title: Another\n",
        "duplicate-action-id",
        "/actions/1/id",
        24,
    ),
    Case(
        "edge-unknown-node",
        BASE + "edges:\n  - {from: pushh, to: outage, label: x}\n",
        "unknown-node",
        "/edges/0/from",
        25,
    ),
    Case(
        "cause-unknown-node",
        variant("causes: [push, no-canary]", "causes: [push, no-canry]"),
        "unknown-node",
        "/nodes/2/causes/1",
        17,
    ),
    Case(
        "action-unknown-node",
        variant("addresses: [no-canary]", "addresses: [canary]"),
        "unknown-node",
        "/actions/0/addresses/0",
        21,
    ),
    Case(
        "self-loop-causes",
        variant("    level: process", "    causes: [no-canary]"),
        "self-loop",
        "/nodes/1/causes/0",
        13,
    ),
    Case(
        "self-loop-edge", BASE + "edges:\n  - {from: push, to: push}\n", "self-loop", "/edges/0", 25
    ),
    Case(
        "cycle",
        variant("    level: process", "    causes: [push]").replace(
            "    at: 2024-03-05T10:00:00Z", "    causes: [no-canary]"
        ),
        "cycle",
    ),
    Case("no-impact", variant("kind: impact", "kind: event"), "no-impact", "/nodes", 6),
    Case(
        "impact-with-cause-reference",
        variant("    level: process", "    causes: [outage]"),
        "impact-has-effects",
        "/nodes/1/causes/0",
        13,
    ),
    Case(
        "classified-impact",
        variant(
            "    causes: [push, no-canary]",
            "    causes: [push, no-canary]\n    classification: proximate",
        ),
        "classified-impact",
        "/nodes/2/classification",
        18,
    ),
    Case(
        "impact-with-edge",
        BASE + "edges:\n  - {from: outage, to: push}\n",
        "impact-has-effects",
        "/edges/0/from",
        25,
    ),
    Case(
        "duplicate-edge",
        BASE + "edges:\n  - {from: push, to: outage, label: a}\n"
        "  - {from: push, to: outage, label: b}\n",
        "duplicate-edge",
        "/edges/1",
        26,
    ),
    Case(
        "duplicate-cause",
        variant("causes: [push, no-canary]", "causes: [push, push]"),
        "duplicate-edge",
        "/nodes/2/causes/1",
        17,
    ),
]


def test_suite_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_gets_its_diagnostic(case: Case) -> None:
    document = case.document.encode() if isinstance(case.document, str) else case.document
    checked = check_bytes(document, case.filename)
    assert not checked.ok
    assert checked.incident is None
    codes = [(d.code, d.pointer, d.line) for d in checked.errors]
    matching = [d for d in checked.errors if d.code == case.code]
    assert matching, f"expected [{case.code}], got {codes}"
    if case.pointer is not None:
        assert any(d.pointer == case.pointer for d in matching), codes
    if case.line is not None:
        assert any(d.line == case.line for d in matching), codes
    for d in matching:
        assert d.file == case.filename
        assert d.message, d
        assert "{" not in d.message, d.message


def test_valid_base_documents_are_valid() -> None:
    assert check_bytes(BASE.encode(), "doc.yaml").ok
    assert check_bytes(BASE_JSON.encode(), "doc.json").ok


def test_billion_laughs_is_refused_before_it_expands() -> None:
    tracemalloc.start()
    checked = check_bytes(BOMB.encode(), "bomb.yaml")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [d.code for d in checked.errors] == ["too-large"]
    assert peak < 20 * 1024 * 1024  # expanded, the document would take gigabytes


def test_cycle_message_prints_the_cycle() -> None:
    case = next(c for c in CASES if c.name == "cycle")
    checked = check_bytes(str(case.document).encode(), "doc.yaml")
    (cycle,) = [d for d in checked.errors if d.code == "cycle"]
    assert "push → no-canary → push" in cycle.message or "no-canary → push → no-canary" in (
        cycle.message
    )


@pytest.mark.parametrize("case", ["huge-label", "huge-detail"])
def test_text_limits_count_characters(case: str) -> None:
    document = next(c.document for c in CASES if c.name == case)
    (error,) = check_bytes(str(document).encode(), "doc.yaml").errors
    assert error.message.startswith("text is 10"), error.message
    assert error.message.endswith(
        " characters long; the limit is " + ("500", "10000")[case == "huge-detail"]
    )


def test_orphan_is_a_warning_not_an_error() -> None:
    doc = variant("actions:", "  - {id: stray, kind: factor, label: Unrelated}\nactions:")
    checked = check_bytes(doc.encode(), "doc.yaml")
    assert checked.ok
    (warning,) = checked.diagnostics
    assert (warning.severity, warning.code, warning.pointer, warning.line) == (
        "warning",
        "orphan-node",
        "/nodes/3",
        18,
    )


def test_a_factor_key_on_an_impact_is_a_warning_at_its_line() -> None:
    # The patterns report counts factors among an impact's causes, never the impact: a
    # key put there was dropped without a word.
    doc = variant(
        "    causes: [push, no-canary]", "    causes: [push, no-canary]\n    factor: outage"
    )
    checked = check_bytes(doc.encode(), "doc.yaml")
    assert checked.ok
    (warning,) = checked.diagnostics
    assert (warning.severity, warning.code, warning.pointer, warning.line) == (
        "warning",
        "factor-on-impact",
        "/nodes/2/factor",
        18,
    )
    assert warning.message.startswith("impact 'outage' has a factor key, which the patterns")
    on_a_cause = variant("    level: process", "    level: process\n    factor: no-canary")
    assert check_bytes(on_a_cause.encode(), "doc.yaml").diagnostics == []


class TestValuesInMessages:
    """A value quoted in a message is written as the document writes it: null, a list, a
    mapping; never as Python prints it (None, ['x'], {'a': 1})."""

    @pytest.mark.parametrize(
        ("old", "new", "expected"),
        [
            ("causemap: 1", "causemap: ~", "unsupported format version null:"),
            ("causemap: 1", "causemap: [1]", "unsupported format version a list:"),
            (
                "    kind: event",
                "    kind: [event]",
                "expected one of event, condition, factor, impact; got a list",
            ),
            ("    level: process", "    level: {a: 1}", "got a mapping"),
            # An optional key given null is absent (status: ~ is open); a required one is named.
            ("    kind: condition", "    kind: ~", "got null"),
            ("nodes:\n", "nodes: []\nother:\n", "expected at least 1 item, got 0"),
        ],
    )
    def test_a_value_is_named_in_the_documents_words(
        self, old: str, new: str, expected: str
    ) -> None:
        checked = check_bytes(variant(old, new).encode(), "doc.yaml")
        messages = [d.message for d in checked.errors]
        assert any(expected in m for m in messages), messages
        for message in messages:
            assert "None" not in message
            assert "did you mean" not in message, message  # 'None' is nothing like 'done'
            assert "[" not in message
            assert "{" not in message


def test_a_quoted_version_says_to_write_the_number() -> None:
    # "unsupported format version '1': this causemap reads format 1" contradicted itself.
    (error,) = check_bytes(variant("causemap: 1", "causemap: '1'").encode(), "doc.yaml").errors
    assert error.code == "unsupported-version"
    assert error.message == (
        "the format version is the number 1, not the text '1': write it without quotes"
    )


@pytest.mark.parametrize(
    ("old", "new", "hint"),
    [
        ("    kind: impact", "    kind: IMPACT", "(did you mean 'impact'?)"),
        ("    kind: condition", "    kind: Condition\n    gate: AND", "(did you mean 'and'?)"),
    ],
)
def test_a_value_in_capitals_gets_the_same_hint(old: str, new: str, hint: str) -> None:
    # 'Done' got "(did you mean 'done'?)", 'DONE' and 'AND' got no hint at all.
    errors = check_bytes(variant(old, new).encode(), "doc.yaml").errors
    assert any(e.message.endswith(hint) for e in errors), [e.message for e in errors]
