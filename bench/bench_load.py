"""Loading and validating large incidents: parse, model, structure, graph; and writing
one back as canonical YAML."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import yaml

from bench.synthetic import incident
from bench.table import Row, best_of
from causemap.loader import check_bytes, check_data, dump


def rows() -> Iterator[Row]:
    for n in (1_000, 10_000, 20_000):
        doc = incident(n)
        text_yaml = yaml.safe_dump(doc, sort_keys=False).encode()
        text_json = json.dumps(doc).encode()
        for fmt, data in (("yaml", text_yaml), ("json", text_json)):

            def run(data: bytes = data, fmt: str = fmt) -> None:
                checked = check_bytes(data, f"big.{fmt}")
                assert checked.ok, checked.diagnostics[:3]

            seconds = best_of(run, repeat=3)
            target = {1_000: None, 10_000: 2.0, 20_000: 4.0}[n]
            yield Row(
                "load",
                f"{n:,}-node incident, {fmt} ({len(data) / 1e6:.1f} MB): parse + validate + graph",
                seconds,
                target,
            )
    # `causemap export` and the service's YAML answers: PyYAML's own emitter, as libyaml's
    # writes other bytes (see causemap.loader._Dumper). No target: a figure to watch.
    big = check_data(incident(20_000)).incident
    assert big is not None
    seconds = best_of(lambda: dump(big), repeat=2)
    yield Row("load", "20,000-node incident written as canonical YAML (dump)", seconds)
    started = time.perf_counter()
    EOF_BOMB = "".join(
        f"{a}: &{a} [{', '.join(['*' + p] * 9 if p else ['lol'] * 9)}]\n"
        for p, a in zip(["", *"abcdefgh"], "abcdefghi", strict=True)
    )
    check_bytes(EOF_BOMB.encode(), "bomb.yaml")
    yield Row("load", "billion-laughs YAML refused", time.perf_counter() - started, 1.0)
    # Every error of a file is placed at its line: 20,000 unknown keys in one node, or
    # 20,000 duplicates of one key, must take time linear in the file (a mapping scanned
    # once per error took 12 s for the first).
    head = (
        "causemap: 1\nid: wide\ntitle: t\ndate: 2024-01-01\nnodes:\n  - id: a\n    kind: impact\n"
    )
    # JSON is located by a reader of its own (a key over 1,024 characters is too long for
    # a YAML one), which must be as linear.
    json_head = '{"causemap": 1, "id": "wide", "title": "t", "date": "2024-01-01", "nodes": ['
    json_head += '{"id": "a", "kind": "impact"'
    for what, line, member in (
        ("unknown keys", "    k{i}: v\n", ', "k{i}": "v"'),
        ("duplicate keys", "    label: v{i}\n", ', "label": "v{i}"'),
    ):
        yaml_text = head + "".join(line.format(i=i) for i in range(20_000))
        json_text = json_head + "".join(member.format(i=i) for i in range(20_000)) + "}]}"
        for fmt, text in (("yaml", yaml_text), ("json", json_text)):
            started = time.perf_counter()
            checked = check_bytes(text.encode(), f"wide.{fmt}")
            assert len(checked.errors) >= 19_999, len(checked.errors)
            assert all(d.line for d in checked.errors), checked.errors[:3]
            seconds = time.perf_counter() - started
            yield Row("load", f"20,000 {what} in one node, {fmt}, each placed", seconds, 2.0)
    # Every cycle is reported at the edge that closes it: 9,999 two-node cycles (the node
    # limit) must not look that edge up by scanning the document once per cycle (35 s).
    loops = head.replace("id: a\n    kind: impact\n", "id: a\n    kind: impact\n    label: I\n")
    loops += "".join(
        f"  - {{id: p{i}, kind: event, label: P, causes: [q{i}]}}\n"
        f"  - {{id: q{i}, kind: event, label: Q, causes: [p{i}]}}\n"
        for i in range(9_999)
    )
    started = time.perf_counter()
    checked = check_bytes(loops.encode(), "loops.yaml")
    assert sum(d.code == "cycle" for d in checked.errors) == 9_999, checked.errors[:3]
    yield Row("load", "9,999 two-node cycles, each placed", time.perf_counter() - started, 5.0)
    # Every unknown reference gets a "did you mean": 19,999 nodes, each citing a missing
    # node of its own, compared each with every id (about 20 minutes).
    wrong = head.replace("id: a\n    kind: impact\n", "id: a\n    kind: impact\n    label: I\n")
    wrong += "".join(
        f"  - {{id: n{i}, kind: event, label: N, causes: [m{i}]}}\n" for i in range(19_999)
    )
    started = time.perf_counter()
    checked = check_bytes(wrong.encode(), "wrong.yaml")
    assert sum(d.code == "unknown-node" for d in checked.errors) == 19_999, checked.errors[:3]
    seconds = time.perf_counter() - started
    yield Row("load", "19,999 nodes citing a missing node each, each placed", seconds, 8.0)
