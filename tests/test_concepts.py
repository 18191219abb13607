"""The concept lexicon: synonyms, negation, word-order-free pairs, and phrase matching."""

from __future__ import annotations

import pytest

from causemap.patterns.concepts import Lexicon, builtin_lexicon
from causemap.patterns.phrases import PhraseIndex, compile_phrase
from causemap.patterns.text import analyse


def concepts(text: str) -> set[str]:
    return {f[2:] for f in builtin_lexicon().features(text) if f.startswith("c:")}


def negated(text: str) -> set[str]:
    return {f[2:] for f in builtin_lexicon().features(text) if f.startswith("n:")}


def pairs(text: str) -> set[str]:
    return {f[2:] for f in builtin_lexicon().features(text) if f.startswith("p:")}


class TestSynonyms:
    @pytest.mark.parametrize(
        "text",
        [
            "pushed to every PoP simultaneously",
            "the update reached all hosts in one go",
            "rolled out fleet-wide at the same time",
            "deployed worldwide at once",
        ],
    )
    def test_scope_and_timing_wordings_share_concepts(self, text: str) -> None:
        assert {"all", "at_once"} <= concepts(text)
        assert "all+at_once" in pairs(text)

    @pytest.mark.parametrize(
        ("text", "concept"),
        [
            ("there was no canary", "staged"),
            ("a phased, ring-based release", "staged"),
            ("the pg_dump snapshot", "backup"),
            ("nobody was paged", "alert"),
            ("the TLS cert lapsed", "expire"),
            ("the status page stayed green", "status_page"),
        ],
    )
    def test_words_map_to_their_concept(self, text: str, concept: str) -> None:
        assert concept in concepts(text)

    def test_longest_phrase_wins(self) -> None:
        assert "status_page" in concepts("the status page")
        assert "alert" not in concepts("the status page")  # not "page" as in paging


class TestNegation:
    @pytest.mark.parametrize(
        "text",
        [
            "There was no canary stage.",
            "The push went out without a canary.",
            "The canary was skipped.",
            "They skipped the canary.",
            "We never canaried this kind of change.",
        ],
    )
    def test_denied_canary(self, text: str) -> None:
        assert "staged" in negated(text)

    def test_affirmed_canary_is_not_negated(self) -> None:
        assert "staged" in concepts("The canary caught the regression.")
        assert "staged" not in negated("The canary caught the regression.")

    def test_self_negating_words(self) -> None:
        assert "test" in negated("an untested restore path")
        assert "owner" in negated("the job was unowned")

    def test_negation_stops_at_the_end_of_the_clause(self) -> None:
        assert "staged" not in negated("No alert fired. The canary stage held.")
        assert "staged" not in negated("Nothing paged, but the canary held.")

    def test_scope_is_a_few_words(self) -> None:
        far = "No one noticed that the new release with its careful phased canary plan"
        assert "staged" not in negated(far)


class TestPhrases:
    @staticmethod
    def found(phrase: str, text: str) -> bool:
        compiled = compile_phrase(0, phrase, lambda word, stem: 1.0)
        assert compiled is not None
        return bool(PhraseIndex([compiled]).find(analyse(text)))

    def test_exact_words_in_order_with_a_small_gap(self) -> None:
        assert self.found("pushed globally", "the rules were pushed out globally")
        assert not self.found("pushed globally", "globally, the rules were pushed")

    def test_a_denial_matches_other_denials(self) -> None:
        assert self.found("no canary", "the canary was skipped")
        assert self.found("no canary", "we never had a canary for it")
        assert self.found("not reviewed", "the change was never reviewed")
        assert not self.found("no canary", "the canary caught it")

    def test_single_words_are_keywords_not_phrases(self) -> None:
        assert compile_phrase(0, "canary", lambda word, stem: 1.0) is None


class TestLexiconFile:
    def test_builtin_is_large_and_deterministic(self) -> None:
        lexicon = builtin_lexicon()
        assert len(lexicon.names) >= 80
        text = "Config pushed to every region at once with no canary and no rollback plan."
        assert builtin_lexicon().features(text) == lexicon.features(text)
        assert list(lexicon.features(text)) == sorted(lexicon.features(text))

    def test_non_text_entries_are_rejected(self) -> None:
        with pytest.raises(TypeError, match="quote it"):
            Lexicon({"concepts": {"x": [False]}})

    def test_custom_lexicon(self) -> None:
        lexicon = Lexicon(
            {"concepts": {"fruit": ["apple", "pear tree"]}, "negators": ["no"], "negated": {}}
        )
        assert lexicon.features("no apples, a pear tree") == (
            "c:fruit",
            "n:fruit",
        )


class TestStemmer:
    def test_the_c_stemmer_gives_the_pure_python_stems(self) -> None:
        # causemap depends on PyStemmer for speed; snowballstemmer then uses it. The stems
        # (and so every suggestion and match) must be those of the reference algorithm.
        from snowballstemmer import english_stemmer

        from causemap.catalog import builtin_catalog
        from causemap.patterns.text import stem, words

        reference = english_stemmer.EnglishStemmer()
        vocabulary = {
            word
            for entry in builtin_catalog().entries
            for text in (entry.name, entry.definition, *entry.phrases, *entry.examples)
            for word in words(text)
            if len(word) > 3 and not word[0].isdigit()
        }
        assert len(vocabulary) > 1000
        assert {w: stem(w) for w in vocabulary} == {w: reference.stemWord(w) for w in vocabulary}
