"""The second reviewer's labels (bench/data/second-review.yaml) fit the corpus they review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from causemap.catalog import builtin_catalog
from tests.corpus import labelled_corpus

SECOND = Path(__file__).resolve().parents[1] / "bench" / "data" / "second-review.yaml"
EXTRA_KEYS = {"x-config-behaviour-misunderstood", "x-test-coverage-gap"}


def _second() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(SECOND.read_text(encoding="utf-8"))["incidents"]
    return loaded


def test_every_labelled_node_of_every_split_has_a_second_label() -> None:
    second = _second()
    corpus = labelled_corpus()
    assert set(second) == {item.incident.id for item in corpus}
    for item in corpus:
        assert set(second[item.incident.id]) == set(item.factors), item.incident.id


def test_second_labels_use_catalog_keys_and_never_repeat_a_key_as_also() -> None:
    keys = set(builtin_catalog().keys()) | EXTRA_KEYS
    for ident, nodes in _second().items():
        for node, label in nodes.items():
            assert set(label) == {"factor", "also"}, (ident, node)
            assert label["factor"] is None or label["factor"] in keys, (ident, node)
            if label["also"] is not None:
                assert label["factor"] is not None, (ident, node)
                assert label["also"] in keys, (ident, node)
                assert label["also"] != label["factor"], (ident, node)
