"""User text on its way into a picture: one clean line, then wrapped."""

from __future__ import annotations

import unicodedata

import pytest

from causemap.plain import clean
from causemap.render.text import wrap


class TestClean:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("a\nb\r\nc\td", "a b c d"),
            ("  padded  ", "padded"),
            ("bell\x07 and del\x7f", "bell and del"),
            ("\u202eevil\u202c \u2066iso\u2069", "evil iso"),
            ("C1\x85control", "C1 control"),
            ("non\ufffechar\ufdd0act\U0010ffffers\uffff", "noncharacters"),
        ],
    )
    def test_one_line_without_controls(self, raw: str, expected: str) -> None:
        assert clean(raw) == expected


class TestUnicodeForms:
    """Text typed as NFD (a letter, then a combining accent) is drawn as its NFC form,
    so it wraps where the same words typed as NFC do."""

    TEXT = "Le rôle du réplica décalé a été promu à la place du maître"

    def test_clean_gives_nfc(self) -> None:
        assert clean(unicodedata.normalize("NFD", self.TEXT)) == self.TEXT

    def test_wrap_is_the_same_in_either_form(self) -> None:
        assert wrap(unicodedata.normalize("NFD", self.TEXT)) == wrap(self.TEXT)


class TestWrap:
    def test_lines_never_exceed_width(self) -> None:
        text = "The rules compiler built global bundle r-88213 " * 5
        assert all(len(line) <= 20 for line in wrap(text, 20))

    def test_long_words_are_broken(self) -> None:
        url = "https://logs.example/" + "x" * 80
        lines = wrap(url, 30)
        assert "".join(lines) == url
        assert max(map(len, lines)) == 30

    def test_empty_text_gives_one_empty_line(self) -> None:
        assert wrap("   ") == [""]

    @pytest.mark.parametrize(
        ("text", "width", "expected"),
        [
            ("a per-zone quota", 9, ["a per-", "zone", "quota"]),
            ("a per-zone quota", 30, ["a per-zone quota"]),
            ("9-5 shift x-ray", 7, ["9-5", "shift", "x-ray"]),
            ("well--known--bad", 6, ["well--", "known-", "-bad"]),
            ("a \x01 b", 30, ["a b"]),  # a control between spaces leaves one space
            ("a \x01 b-c", 3, ["a", "b-c"]),
        ],
    )
    def test_breaks_at_spaces_and_after_hyphens(
        self, text: str, width: int, expected: list[str]
    ) -> None:
        assert wrap(text, width) == expected
