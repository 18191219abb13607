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


def test_every_split_is_large_enough_to_measure() -> None:
    splits = [item.split for item in labelled_corpus()]
    assert set(splits) == {"dev", "test", "train"}
    assert splits.count("dev") >= 8
    assert splits.count("test") >= splits.count("dev")
    assert splits.count("train") >= 12


def test_incidents_come_from_many_companies() -> None:
    labels = yaml.safe_load(LABELS.read_text(encoding="utf-8"))["incidents"]
    for split in ("dev", "test", "train"):
        companies = {e["company"] for e in labels.values() if e["split"] == split}
        assert len(companies) >= 6, split


def test_a_split_filter_loads_only_that_split() -> None:
    train = labelled_corpus({"train"})
    assert len(train) >= 12
    assert {item.split for item in train} == {"train"}


class TestCorpusReadme:
    def test_the_readme_names_the_source_of_every_incident(self) -> None:
        """The README's source tables list exactly the corpus's incidents, so a batch added
        later cannot be left out of its description (the train split once was)."""
        readme = (CORPUS / "README.md").read_text(encoding="utf-8")
        rows = {
            line.split("|")[1].strip()
            for line in readme.splitlines()
            if line.startswith("| ") and "://" in line
        }
        assert rows == {p.stem for p in CORPUS.glob("*.yaml")}
