"""The labelled corpus is well-formed: valid incidents, labels for exactly the right nodes."""

from __future__ import annotations

import yaml

from tests.corpus import CORPUS, LABELS, labelled_corpus


def test_every_incident_is_labelled_and_every_label_names_an_incident() -> None:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["incidents"]
    files = {p.stem for p in CORPUS.glob("*.yaml")}
    assert files == set(labels)
    assert len(files) >= 16


def test_labels_cover_exactly_the_non_impact_nodes() -> None:
    for item in labelled_corpus():
        non_impact = {n.id for n in item.incident.nodes if n.kind != "impact"}
        assert set(item.classes) == non_impact, item.incident.id
        assert set(item.classes.values()) <= {"proximate", "systemic"}


def test_answers_are_not_in_the_incident_files() -> None:
    for item in labelled_corpus():
        for node in item.incident.nodes:
            assert node.factor is None, (item.incident.id, node.id)
            assert node.classification is None, (item.incident.id, node.id)


def test_both_splits_are_large_enough_to_measure() -> None:
    splits = [item.split for item in labelled_corpus()]
    assert set(splits) == {"dev", "test"}
    assert splits.count("dev") >= 8
    assert splits.count("test") >= splits.count("dev")
