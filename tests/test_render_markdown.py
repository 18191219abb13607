"""The Markdown "Causal analysis" section: structure, content, escaping and golden files."""

from __future__ import annotations

import re
from html import unescape

import pytest
from markdown_it import MarkdownIt

from causemap import analyze
from causemap.graph import to_graph
from causemap.model import Action, Incident
from causemap.render.markdown import code, escape, escape_line_start, to_markdown
from causemap.render.options import RenderOptions
from tests.conftest import make_incident
from tests.render_fixtures import (
    GOLDEN,
    acted_on,
    bare_links,
    densely_linked,
    golden_cases,
    golden_output,
    long_labelled_chain,
    shown_text,
    stub_analysis,
)

# Text that CommonMark turns into a block (heading, list, quote, rule, code) at a line start.
BLOCK_STARTS = [
    "# Injected heading",
    "###### six",
    "1. x",
    "12) x",
    "- x",
    "+ x",
    "* x",
    "> x",
    "---",
    "=== x",
    "```x",
    "~~~ x",
    "<div>x",
]


class TestEscape:
    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
            ("![img](x.png)", "!\\[img\\](x.png)"),
            ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
            ("&lt;i&gt;", "&amp;lt;i&amp;gt;"),
            ("*em* _em_ ~~del~~ `c` $x$", "\\*em\\* \\_em\\_ \\~\\~del\\~\\~ \\`c\\` \\$x\\$"),
            ("a | b \\ c", "a \\| b \\\\ c"),
            ("line\n# heading", "line # heading"),
        ],
    )
    def test_inline_markup_is_neutralised(self, raw: str, escaped: str) -> None:
        assert escape(raw) == escaped

    @pytest.mark.parametrize("text", BLOCK_STARTS)
    def test_line_start_syntax_is_escaped(self, text: str) -> None:
        tokens = MarkdownIt("commonmark").parse(escape_line_start(text))
        assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
        assert "".join(c.content for c in tokens[1].children or []) == text

    def test_code_only_for_slugs(self) -> None:
        assert code("no-canary") == "`no-canary`"
        assert code("a`b") == "a\\`b"


JOINER = "&#x2060;"  # U+2060 WORD JOINER, invisible


class TestMentionsAndLinks:
    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ("paged @alice twice", f"paged @{JOINER}alice twice"),
            ("(@alice)", f"(@{JOINER}alice)"),
            ("@org/sre-team was paged", f"@{JOINER}org/sre-team was paged"),
            ("reverted in #123", f"reverted in #{JOINER}123"),
            ("see org/repo#45", f"see org/repo#{JOINER}45"),
            ("GH-123 and gh-9", f"GH-{JOINER}123 and gh-{JOINER}9"),
            ("merge request !77", f"merge request !{JOINER}77"),
            # An "@" inside a word mentions nobody: left as typed (an address is a
            # mailto: link, which notifies no one: see TestBareLinks).
            ("foo@bar", "foo@bar"),
            ("C# 10, #L10, 5 ! 3, @ noon", "C# 10, #L10, 5 ! 3, @ noon"),
        ],
    )
    def test_mentions_and_references_get_a_word_joiner(self, raw: str, escaped: str) -> None:
        assert escape(raw) == escaped
        assert acted_on(escape(raw)) == []
        assert shown_text(escape(raw)).replace("\u2060", "").strip() == raw

    def test_the_old_escaping_would_have_mentioned_them(self) -> None:
        assert acted_on("paged @alice about #123, GH-4 and !5") == ["@a", "#1", "GH-4", "!5"]

    @pytest.mark.parametrize(
        ("raw", "url", "after"),
        [
            ("https://wiki.example.com/db_fail*over", "https://wiki.example.com/db_fail*over", ""),
            ("see http://x.example/a?b=1&c=2.", "http://x.example/a?b=1&c=2", "."),
            ("(https://x.example/Pikachu_(Electric))", "https://x.example/Pikachu_(Electric)", ")"),
            ("https://x.example/@alice#123 ok", "https://x.example/@alice#123", " ok"),
        ],
    )
    def test_a_bare_url_stays_a_link_that_shows_as_typed(
        self, raw: str, url: str, after: str
    ) -> None:
        html = MarkdownIt("commonmark").render(escape(raw))
        assert f'<a href="{url.replace("&", "&amp;")}">{url.replace("&", "&amp;")}</a>' in html
        assert unescape(re.sub(r"<[^>]*>", "", html)).strip() == raw
        assert html.rstrip().endswith(f"</a>{after}</p>")

    def test_a_url_cannot_carry_markup(self) -> None:
        raw = "https://x.example/a`b`<script>|c"
        html = MarkdownIt("gfm-like").disable("linkify").render(f"| {escape(raw)} |\n|---|\n")
        assert "<script>" not in html
        assert "<code>" not in html
        assert unescape(re.sub(r"<[^>]*>", "", html)).split() == [raw]

    def test_the_section_names_people_without_mentioning_them(self, chain: Incident) -> None:
        doc = chain.model_dump(by_alias=True, exclude_none=True)
        doc["title"] = "Checkout down; see GH-88"
        doc["nodes"][0]["label"] = "@alice pushed the config (#123)"
        doc["actions"][0].update(title="Canary for @org/sre, per !12", owner="@bob")
        text = to_markdown(to_graph(Incident.model_validate(doc)))
        assert acted_on(text) == []
        assert f"| `a1`: Canary for @{JOINER}org/sre, per !{JOINER}12 | open | prevent " in text
        assert f"| @{JOINER}bob |" in text
        # The Mermaid block is code to GitHub and GitLab, and SVG text once drawn: as is.
        assert 'push("@alice pushed the config<br/>#40;#35;123#41;")' in text


class TestBareLinks:
    """What GitHub links by itself (GFM's autolink extension) is written as a link of its
    own, which shows exactly as typed and goes where GitHub's would, or as no link."""

    @pytest.mark.parametrize(
        ("raw", "escaped", "href"),
        [
            (
                "www.example.com/some_path",
                "[www.example.com/some\\_path](<http://www.example.com/some_path>)",
                "http://www.example.com/some_path",
            ),
            (
                "runbook (www.example.com/db_(failover)).",
                "runbook ([www.example.com/db\\_(failover)](<http://www.example.com/db_(failover)>)).",
                "http://www.example.com/db_(failover)",
            ),
            (
                "x_WWW.example.com/a*b*",
                "x\\_[WWW.example.com/a\\*b](<http://WWW.example.com/a*b>)\\*",
                "http://WWW.example.com/a*b",
            ),
            (
                "ask first_last@example.com.",
                "ask <first_last@example.com>.",
                "mailto:first_last@example.com",
            ),
            ("mail alice@example.com", "mail <alice@example.com>", "mailto:alice@example.com"),
            ("ftp://files.example/a_b", "<ftp://files.example/a_b>", "ftp://files.example/a_b"),
        ],
    )
    def test_an_address_is_a_link_that_shows_as_typed(
        self, raw: str, escaped: str, href: str
    ) -> None:
        assert escape(raw) == escaped
        html = MarkdownIt("commonmark").render(escaped)
        text = href.removeprefix("mailto:").removeprefix("http://")
        assert f'<a href="{href}">{text}</a>' in html, html
        assert unescape(re.sub(r"<[^>]*>", "", html)).strip() == raw
        assert bare_links(escaped) == []

    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            # GitHub links it (an "_" may follow the "@"); CommonMark cannot write it.
            ("a_b@foo_bar.example", f"a\\_b@{JOINER}foo\\_bar.example"),
            # "www." and no name: GitHub would link a backslash of the "\\*".
            ("the www.* names", f"the {JOINER}www.\\* names"),
        ],
    )
    def test_an_address_markdown_cannot_write_is_no_link(self, raw: str, escaped: str) -> None:
        assert escape(raw) == escaped
        html = MarkdownIt("commonmark").render(escaped)
        assert "<a " not in html
        assert shown_text(escaped).replace("\u2060", "").strip() == raw
        assert bare_links(escaped) == []

    def test_the_old_escaping_left_them_to_github(self) -> None:
        old = "first\\_last@example.com read www.example.com/some\\_path"
        assert bare_links(old) == ["t@example.c", "www.e"]

    def test_a_www_link_cannot_carry_markup(self) -> None:
        raw = "www.x.example/a|b](javascript:alert(1))*x*<script>"
        html = MarkdownIt("gfm-like").disable("linkify").render(f"| {escape(raw)} |\n|---|\n")
        assert html.count("<th>") == 1, html
        assert re.findall(r'href="([^"]*)"', html) == [
            "http://www.x.example/a%7Cb%5D(javascript:alert(1))*x"
        ]
        assert "<script>" not in html
        assert "<em>" not in html
        assert unescape(re.sub(r"<[^>]*>", "", html)).split() == [raw]

    def test_the_section_links_addresses_as_typed(self, chain: Incident) -> None:
        doc = chain.model_dump(by_alias=True, exclude_none=True)
        doc["nodes"][3]["label"] = "Runbook www.example.com/db_failover was stale"
        doc["actions"][0]["owner"] = "first_last@example.com"
        text = to_markdown(to_graph(Incident.model_validate(doc)))
        assert (
            "**Runbook [www.example.com/db\\_failover](<http://www.example.com/db_failover>)"
            " was stale**" in text
        )
        assert "| <first_last@example.com> |" in text
        assert bare_links(text) == []

    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            (
                "'read https://wiki.example.com/db_fail…'",
                f"'read https:{JOINER}//wiki.example.com/db\\_fail…'",
            ),
            ("'read www.example.com/db_fail…'", f"'read www{JOINER}.example.com/db\\_fail…'"),
        ],
    )
    def test_an_address_cut_short_is_no_link(self, raw: str, escaped: str) -> None:
        # A finding quotes a label cut at 60 characters: "<https://wiki.exa…>" linked to
        # an address that does not exist.
        assert escape(raw) == escaped
        assert "<a " not in MarkdownIt("commonmark").render(escaped)
        assert shown_text(escaped).replace("\u2060", "").strip() == raw
        assert bare_links(escaped) == []

    def test_a_finding_that_quotes_a_url_cut_short_links_nowhere(self) -> None:
        label = "The on-call engineer should have read https://wiki.example.com/runbooks/db"
        incident = make_incident(
            [
                {"id": "read", "kind": "event", "label": label},
                {"id": "down", "kind": "impact", "label": "Orders failed", "causes": ["read"]},
            ]
        )
        G = to_graph(incident)
        text = to_markdown(G, analysis=analyze(G))
        (line,) = [x for x in text.splitlines() if x.startswith("- ⚠ **warning** `HINDSIGHT")]
        assert f"https:{JOINER}//wiki." in line
        assert "…" in line
        assert "<https://" not in line
        assert bare_links(text) == []


class TestSection:
    def test_the_key_explains_the_focus_border(self, chain: Incident) -> None:
        G = to_graph(chain)
        assert "Heavy border: the node in focus" in to_markdown(G, RenderOptions(focus="spread"))
        assert "Heavy border" not in to_markdown(G)

    def test_structure_with_analysis(self, chain: Incident) -> None:
        G = to_graph(chain)
        text = to_markdown(G, analysis=stub_analysis(G))
        headings = re.findall(r"^#{2,3} .*$", text, re.MULTILINE)
        assert headings == [
            "## Causal analysis",
            "### Impact",
            "### Proximate factors: what happened",
            "### Systemic factors: why it could happen",
            "### Findings",
            "### Action coverage",
            "### Action items",
        ]
        fence = text.index("```mermaid\nflowchart LR\n")
        assert text.index("```\n", fence + 10) > fence
        assert "subgraph legend" not in text
        assert "_Shapes: rounded box = event, ellipse = condition" in text

    @pytest.mark.parametrize("title", BLOCK_STARTS)
    def test_a_title_makes_no_block(self, title: str) -> None:
        G = to_graph(make_incident([{"id": "i", "kind": "impact", "label": "U"}], title=title))
        tokens = MarkdownIt("commonmark").parse(to_markdown(G))
        types = [t.type for t in tokens[: [t.type for t in tokens].index("fence")]]
        assert types == [
            "heading_open",
            "inline",
            "heading_close",
            "paragraph_open",
            "inline",
            "paragraph_close",
        ]
        assert "".join(c.content for c in tokens[4].children or []) == f"{title} (t, 2024-01-01)"

    def test_factors_with_reasons_in_causal_order(self, chain: Incident) -> None:
        G = to_graph(chain)
        text = to_markdown(G, analysis=stub_analysis(G))
        proximate = text.split("### Proximate factors: what happened\n\n")[1].split("\n\n")[0]
        assert proximate.splitlines() == [
            "- **Config pushed** (`push`, event, operator): Stub reason for push.",
            "- **Every region loaded it** (`spread`, event): Stub reason for spread.",
        ]
        assert "- **No canary stage** (`no-canary`, condition, process)" in text

    def test_findings_carry_the_question_for_the_room(self, chain: Incident) -> None:
        G = to_graph(chain)
        text = to_markdown(G, analysis=stub_analysis(G))
        assert "- ⚠ **error** `STUB_ERROR`: This link skips a step." in text
        assert "  - _Ask the room:_ What happened in between?" in text
        assert "  - About: `no-canary` → `spread`" in text

    def test_coverage_table_paths_and_cut(self, chain: Incident) -> None:
        G = to_graph(chain)
        text = to_markdown(G, analysis=stub_analysis(G))
        assert "| Planned (prevent and process actions) | **no** | **no** | 0 |" in text
        assert "- `push` → `spread` → `outage`" in text
        assert "Suggested cut, to cover the remaining paths: `push` (Config pushed)." in text

    def test_action_table(self, chain: Incident) -> None:
        text = to_markdown(to_graph(chain))
        assert "| `a1`: Add a canary stage | open | prevent |  |  | `no-canary` |" in text

    def test_without_analysis_says_so(self, chain: Incident) -> None:
        text = to_markdown(to_graph(chain))
        assert "_No analysis was run: factors, findings and coverage are not shown._" in text
        assert "### Findings" not in text

    def test_view_options_reach_the_diagram(self, chain: Incident) -> None:
        text = to_markdown(to_graph(chain), RenderOptions(lanes="level", actions=True))
        assert "```mermaid\nflowchart TB\n    subgraph lane_0" in text
        assert "action_a1 -.- no_canary" in text


class TestCoverageWording:
    def test_paths_a_mitigation_cuts_are_not_said_to_be_cut_by_no_action(
        self, chain: Incident
    ) -> None:
        """The uncut paths are the preventive actions'; a mitigate action on the trigger cuts
        them, so "no action cuts" was false, and the table did not show that it does."""
        incident = chain.model_copy(
            update={
                "actions": [
                    *chain.actions,
                    Action.model_validate(
                        {
                            "id": "a2",
                            "title": "Drain the region",
                            "type": "mitigate",
                            "addresses": ["push"],
                        }
                    ),
                ]
            }
        )
        G = to_graph(incident)
        text = to_markdown(G, analysis=analyze(incident))
        assert "no action cuts" not in text
        assert "Causal paths that no preventive action cuts:" in text
        assert "| All actions together (detect and mitigate too) | yes | yes | 1 |" in text


class TestActionOrder:
    def test_the_detection_sentence_lists_actions_in_the_order_of_the_table(
        self, chain: Incident
    ) -> None:
        """The sentence followed the document (a10, a2) and the table the ids (a2, a10)."""
        mitigations = [
            Action.model_validate(
                {"id": ident, "title": "Drain", "type": "mitigate", "addresses": ["push"]}
            )
            for ident in ("a10", "b1", "a2")
        ]
        incident = chain.model_copy(update={"actions": [*chain.actions, *mitigations]})
        text = to_markdown(to_graph(incident), analysis=analyze(incident))
        sentence = text.split("Detection and mitigation actions (")[1].split(")")[0]
        assert sentence == "`a2`, `a10`, `b1`"
        table = text.split("### Action items\n\n")[1]
        rows = [line.split("`")[1] for line in table.splitlines()[2:] if line.startswith("| `")]
        assert [r for r in rows if r in ("a2", "a10", "b1")] == ["a2", "a10", "b1"]

    def test_impacts_are_listed_by_id_as_actions_are(self) -> None:
        """The impact list sorted ids as plain text (impact-10 before impact-2)."""
        incident = make_incident(
            [
                {"id": "push", "kind": "event", "label": "Pushed"},
                *(
                    {
                        "id": f"impact-{n}",
                        "kind": "impact",
                        "label": f"Down {n}",
                        "causes": ["push"],
                    }
                    for n in (10, 2, 1)
                ),
            ]
        )
        text = to_markdown(to_graph(incident), analysis=analyze(incident))
        listed = text.split("### Impact\n\n")[1].split("\n\n")[0]
        assert re.findall(r"`(impact-\d+)`", listed) == ["impact-1", "impact-2", "impact-10"]


class TestFactorOrder:
    def test_systemic_factors_say_they_come_by_leverage_with_ties_by_id(self) -> None:
        """The list is ordered by leverage, which the section did not say; two factors of
        equal leverage on as many paths come by id, as in the analysis's ranking."""
        incident = make_incident(
            [
                {"id": "zz-limit", "kind": "condition", "label": "No limit", "level": "process"},
                {"id": "aa-canary", "kind": "condition", "label": "No canary", "level": "process"},
                {"id": "push", "kind": "event", "label": "Pushed", "causes": ["zz-limit"]},
                {"id": "spread", "kind": "event", "label": "Spread", "causes": ["aa-canary"]},
                {"id": "out", "kind": "impact", "label": "Errors", "causes": ["push", "spread"]},
            ]
        )
        text = to_markdown(to_graph(incident), analysis=analyze(incident))
        section = text.split("### Systemic factors: why it could happen\n\n")[1]
        note, factors = section.split("\n\n")[:2]
        assert note == (
            "_Most leverage first; equal leverage: on more causal paths first, then by id._"
        )
        assert [line.split("(`")[1].split("`")[0] for line in factors.splitlines()] == [
            "aa-canary",
            "zz-limit",
        ]


class TestMermaidLimits:
    """GitHub and GitLab draw a diagram past Mermaid's default limits (50,000 characters,
    500 links) as an error box, which reads as a broken postmortem: the section leaves it
    out and says why, with the size and what to do instead."""

    AS_IMAGE = (
        "Draw it as an image with `causemap render -f svg` (or `-f png`; the same view "
        "options apply) and link that here, or draw a part of it with `--focus NODE`._"
    )

    def test_a_diagram_with_too_much_text_is_left_out_with_its_size(self) -> None:
        G = to_graph(long_labelled_chain())
        text = to_markdown(G, analysis=stub_analysis(G))
        assert "```mermaid" not in text
        (line,) = [ln for ln in text.splitlines() if ln.startswith("_The diagram is left out")]
        assert line == (
            "_The diagram is left out: its Mermaid text is 66,815 characters long; GitHub and "
            "GitLab draw Mermaid diagrams of at most 50,000 characters and 500 links "
            "(Mermaid's defaults) and show an error box in place of a larger one. " + self.AS_IMAGE
        )
        assert "### Proximate factors: what happened" in text  # the rest is all there

    def test_a_diagram_with_too_many_links_is_left_out_with_their_count(self) -> None:
        text = to_markdown(to_graph(densely_linked()))
        assert "```mermaid" not in text
        assert "_The diagram is left out: its Mermaid text has 540 links; GitHub and " in text
        assert self.AS_IMAGE in text
        smaller = to_markdown(to_graph(densely_linked()), RenderOptions(focus="c0"))
        assert "```mermaid\nflowchart LR\n" in smaller  # as the note says
        assert "left out" not in smaller

    def test_the_note_renders_as_one_emphasised_paragraph(self) -> None:
        tokens = MarkdownIt("commonmark").parse(to_markdown(to_graph(densely_linked())))
        note = next(t for t in tokens if t.type == "inline" and "left out" in t.content)
        kinds = [c.type for c in note.children or []]
        assert kinds[0] == "em_open"
        assert kinds[-1] == "em_close"
        assert kinds.count("code_inline") == 3


class TestGolden:
    @pytest.mark.parametrize(
        "case", [c for c in golden_cases() if c[2] == "markdown"], ids=lambda c: c[0]
    )
    def test_matches_golden_file(self, case: tuple[str, str, str, dict[str, object]]) -> None:
        name, stem, fmt, options = case
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        assert golden_output(stem, fmt, options) == expected, (
            f"{name} is stale: run `make golden` and review the diff"
        )
