"""Mermaid: safe ids, escaped labels, the views, determinism and golden files."""

from __future__ import annotations

import html
import itertools
import re

import pytest

from causemap.graph import to_graph
from causemap.loader import load
from causemap.model import Incident
from causemap.render.mermaid import (
    RESERVED,
    VIEWER_MAX_EDGES,
    VIEWER_MAX_TEXT,
    _Ids,
    escape,
    to_mermaid,
    viewer_problem,
)
from causemap.render.options import RenderOptions
from tests.conftest import EXAMPLES, make_incident
from tests.render_fixtures import GOLDEN, golden_cases, golden_output, stub_analysis
from tests.test_render_view import shuffled

_LABEL = re.compile(r'"([^"]*)"')
# Mermaid's encodeEntities() runs these over the source before parsing, each cutting the
# last character (a ";") from what it matches.
_PREPASS = [re.compile(r"style.*:\S*#.*;"), re.compile(r"classDef.*:\S*#.*;")]


def mermaid_prepass(source: str) -> str:
    for pattern in _PREPASS:
        source = pattern.sub(lambda m: m.group()[:-1], source)
    return source


def decoded(label: str) -> str:
    """The text Mermaid shows for a label: entity codes decoded, line breaks as spaces."""
    text = re.sub(
        r"#(\w+);",
        lambda m: chr(int(m[1])) if m[1].isdigit() else html.unescape(f"&{m[1]};"),
        label,
    )
    return text.replace("<br/>", " ")


_ENTITY = re.compile(r"#(\w+);", re.ASCII)
_OWN_TAGS = re.compile(r"(<br/>|<span></span>)")
_KATEX = re.compile(r"\$\$(.*?)\$\$")
_ICON = re.compile(r"(fa[bklrs]?):fa-([\w-]+)", re.ASCII)


def _placeholders_to_html(text: str) -> str:
    """Mermaid's decodeEntities(): its placeholders back to ``&#``, ``&`` and ``;``."""
    return text.replace("\ufb02\xb0\xb0", "&#").replace("\ufb02\xb0", "&").replace("\xb6\xdf", ";")


def mermaid_label(label: str) -> tuple[str, list[str]]:
    """What Mermaid 11 shows for a node label's source text, and what else it makes of it.

    Mermaid's encodeEntities() turns every ``#name;`` into ``ﬂ°name¶ß`` (``ﬂ°°`` for a
    number) before parsing. A label is then decoded (placeholders back to ``&#``, ``&``,
    ``;``), sanitised by DOMPurify (entities become characters, ``&<>`` are written
    escaped again, tags stay), and on the way to an HTML label decoded once more, after
    which ``$$…$$`` is typeset with KaTeX, ``fa:fa-name`` becomes an icon and a
    backslash followed by ``n`` a line break.
    """
    parts = _OWN_TAGS.split(
        _placeholders_to_html(
            _ENTITY.sub(
                lambda m: (
                    ("\ufb02\xb0\xb0" if m[1].isdigit() else "\ufb02\xb0") + m[1] + "\xb6\xdf"
                ),
                label,
            )
        )
    )
    purified = "".join(
        p if _OWN_TAGS.fullmatch(p) else html.escape(html.unescape(p), quote=False) for p in parts
    )
    final = _placeholders_to_html(purified)
    markup = [
        what
        for what, found in (
            ("math", _KATEX.search(final)),
            ("icon", _ICON.search(final)),
            ("line break", "\\n" in final),
        )
        if found
    ]
    shown = html.unescape(final.replace("<span></span>", "").replace("<br/>", " "))
    return shown, markup


class TestIds:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("push", "push"),
            ("no-canary", "no_canary"),
            ("v1.2", "v1_2"),
            ("9lives", "n_9lives"),
            ("end", "end_0"),
            ("click", "click_0"),
            ("Graph", "Graph_0"),
        ],
    )
    def test_made_safe(self, raw: str, expected: str) -> None:
        assert _Ids().make(raw) == expected

    def test_clashes_get_numbered(self) -> None:
        ids = _Ids()
        assert [ids.make(r) for r in ("a-b", "a_b", "a.b", "end", "end_0")] == [
            "a_b",
            "a_b_0",
            "a_b_1",
            "end_0",
            "end_0_0",
        ]

    def test_many_clashes_of_one_base_count_on(self) -> None:
        ids = _Ids()
        made = [ids.make(r) for r in ("x", "x_1", "x", "x", "x", "x_1", "End", "end", "end")]
        assert made == ["x", "x_1", "x_0", "x_2", "x_3", "x_1_0", "End_0", "end_0", "end_1"]
        assert [ids.make("x") for _ in range(300)][-1] == "x_303"

    def test_every_id_is_plain_and_no_keyword(self) -> None:
        incident = make_incident(
            [{"id": word, "kind": "event", "label": word} for word in sorted(RESERVED - {"bt"})]
            + [
                {
                    "id": "bt",
                    "kind": "impact",
                    "label": "I",
                    "causes": sorted(RESERVED - {"bt"}),
                }
            ]
        )
        source = to_mermaid(to_graph(incident), RenderOptions(legend=False))
        heads = [line.split("(", 1)[0].split("[", 1)[0].strip() for line in source.splitlines()]
        nodes = [h for h in heads[1:] if h and " " not in h]
        assert len(nodes) == len(RESERVED)
        assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in nodes)
        assert not {n.lower() for n in nodes} & RESERVED


class TestEscape:
    @pytest.mark.parametrize(
        ("raw", "escaped"),
        [
            ('say "hi"', "say #quot;hi#quot;"),
            ("<b>x</b>", "#lt;b#gt;x#lt;/b#gt;"),
            ("a|b", "a#124;b"),
            ("[x](y) {z}", "#91;x#93;#40;y#41; #123;z#125;"),
            ("#quot; & 100%", "#35;quot; #amp; 100#37;"),
            ("`code`", "#96;code#96;"),
        ],
    )
    def test_metacharacters_become_entity_codes(self, raw: str, escaped: str) -> None:
        assert escape(raw) == escaped

    @pytest.mark.parametrize(
        ("node_id", "label"),
        [
            ("a", 'style color:#fff "quoted"'),
            ("a", "classDef x:[1] y"),
            ("a", "style:a|b"),
            ("a", "style it; then color:#f00; ok"),
            ("stylesheet", 'a:"b"'),
        ],
    )
    def test_labels_survive_mermaids_style_prepass(self, node_id: str, label: str) -> None:
        incident = make_incident([{"id": node_id, "kind": "impact", "label": label}])
        source = to_mermaid(to_graph(incident), RenderOptions(legend=False))
        assert mermaid_prepass(source) == source
        (shown,) = _LABEL.findall(source)
        assert decoded(shown) == label

    @pytest.mark.parametrize(
        "label",
        [
            "Bill went from $$ to $$$",
            "$$\\href{js:x}{y}$$",
            "see fa:fa-car now",
            "fab:fa-github mirror",
            "C:\\new folder",
            "\ufb02\xb0lt\xb6\xdfscript",
            "\ufb02\xb0\xb060\xb6\xdfb",
            "x \xb6\xdf y",
            "#64258;\xb0lt#182;\xdf",
        ],
    )
    def test_mermaid_shows_the_text_itself(self, label: str) -> None:
        """Not math, an icon, a line break or a character decoded from Mermaid's own
        entity placeholders: a label shows what the user typed."""
        incident = make_incident([{"id": "a", "kind": "impact", "label": label}])
        (shown,) = _LABEL.findall(to_mermaid(to_graph(incident), RenderOptions(legend=False)))
        assert mermaid_label(shown) == (label, []), shown

    def test_other_colons_stay_readable(self) -> None:
        incident = make_incident([{"id": "i", "kind": "impact", "label": "Down 18:08-19:14"}])
        assert '"Down 18:08-19:14"' in to_mermaid(to_graph(incident))

    def test_labels_hold_no_raw_metacharacters(self, chain: Incident) -> None:
        source = to_mermaid(to_graph(chain), RenderOptions(actions=True))
        for label in _LABEL.findall(source):
            text = label.replace("<br/>", "")
            assert not set(text) & set('"<>[](){}|`\\'), label


class TestViews:
    def test_flowchart_direction_and_shapes(self, chain: Incident) -> None:
        source = to_mermaid(to_graph(chain), RenderOptions(legend=False))
        assert source.splitlines()[:5] == [
            "flowchart LR",
            '    no_canary(["No canary stage"])',
            '    outage[["Checkout errors"]]',
            '    push("Config pushed")',
            '    spread("Every region loaded it")',
        ]
        assert '    no_canary -->|"nothing held it back"| spread' in source

    def test_the_legend_explains_the_focus_border(self, chain: Incident) -> None:
        source = to_mermaid(to_graph(chain), RenderOptions(focus="spread"))
        assert '        legend_focus["heavy border: the node in focus' in source
        (line,) = [ln for ln in source.splitlines() if ln.endswith(" focus")]
        assert line == "    class spread,legend_focus focus"
        assert "legend_focus" not in to_mermaid(to_graph(chain))

    def test_classes_and_finding_markers(self, chain: Incident) -> None:
        G = to_graph(chain)
        source = to_mermaid(G, RenderOptions(legend=False), stub_analysis(G))
        assert "    class push,spread proximate" in source
        assert "    class no_canary systemic" in source
        assert '    no_canary(["⚠ warning: STUB_WARNING<br/>No canary stage"])' in source
        assert "classDef proximate fill:#FCE8C2" in source

    def test_lanes_are_ordered_subgraphs(self, chain: Incident) -> None:
        source = to_mermaid(to_graph(chain), RenderOptions(lanes="level"))
        assert source.startswith("flowchart TB\n")
        assert re.findall(r'subgraph (lane_\d)\["([^"]+)"\]', source) == [
            ("lane_0", "Process"),
            ("lane_1", "Operator"),
            ("lane_2", "No level given"),
            ("lane_3", "Impact"),
        ]
        assert "    lane_0 ~~~ lane_1\n    lane_1 ~~~ lane_2\n    lane_2 ~~~ lane_3\n" in source

    def test_lane_ids_never_clash_with_node_ids(self) -> None:
        incident = make_incident(
            [
                {"id": "lane_0", "kind": "event", "label": "A", "level": "technical"},
                {"id": "lane_1", "kind": "condition", "label": "B", "level": "process"},
                {"id": "i", "kind": "impact", "label": "C", "causes": ["lane_0", "lane_1"]},
            ]
        )
        source = to_mermaid(to_graph(incident), RenderOptions(lanes="level", legend=False))
        lanes = re.findall(r"subgraph (\w+)\[", source)
        nodes = re.findall(r"^ {8}(\w+)\(", source, re.MULTILINE)
        assert sorted(nodes) == ["lane_0", "lane_1"]
        assert len(lanes) == 3
        assert not set(lanes) & set(nodes)
        assert re.findall(r"(\w+) ~~~ (\w+)", source) == list(itertools.pairwise(lanes))

    def test_actions_are_flags_with_dotted_links(self, chain: Incident) -> None:
        source = to_mermaid(to_graph(chain), RenderOptions(actions=True, legend=False))
        assert '    action_a1>"OPEN · prevent · a1<br/>Add a canary stage"]' in source
        assert "    action_a1 -.- no_canary" in source
        assert "class action_a1 action_open" in source

    def test_highlight_styles_links_by_their_index(self, chain: Incident) -> None:
        G = to_graph(chain)
        source = to_mermaid(G, RenderOptions(highlight="uncovered"), stub_analysis(G))
        links = [line.strip() for line in source.splitlines() if " -->" in line]
        assert links[0].startswith("no_canary -->")
        assert "    linkStyle 1,2 stroke:#D55E00,stroke-width:4px" in source
        assert "    linkStyle 0 stroke:#858585" in source
        assert "    class outage,push,spread uncovered" in source

    def test_or_gate_uses_circle_ends(self) -> None:
        incident = make_incident(
            [
                {"id": "a", "kind": "event", "label": "A"},
                {"id": "b", "kind": "event", "label": "B"},
                {"id": "i", "kind": "impact", "label": "I", "causes": ["a", "b"], "gate": "or"},
            ]
        )
        source = to_mermaid(to_graph(incident))
        assert "    a --o i" in source
        assert "    b --o i" in source


class TestViewerProblem:
    """GitHub and GitLab draw Mermaid with its defaults, maxTextSize 50,000 and maxEdges
    500: a diagram text longer than 50,000 characters, or the 501st link, gets an error
    box in place of the diagram."""

    def test_the_limits_are_mermaids_defaults(self) -> None:
        assert (VIEWER_MAX_TEXT, VIEWER_MAX_EDGES) == (50_000, 500)

    def test_text_up_to_the_limit_is_drawn_and_one_more_character_is_not(self) -> None:
        head = "flowchart LR\n    a --> b\n    %"
        assert viewer_problem(head.ljust(50_000, "x")) is None
        problem = viewer_problem(head.ljust(50_001, "x"))
        assert problem is not None
        assert problem.startswith("its Mermaid text is 50,001 characters long; GitHub and ")
        assert "at most 50,000 characters and 500 links (Mermaid's defaults)" in problem

    def test_characters_are_counted_as_javascript_counts_them(self) -> None:
        # An emoji is two UTF-16 code units: 25,000 of them are 50,000 to Mermaid.
        source = "flowchart LR\n" + "\U0001f525" * 24_994
        assert len(source) < 50_000 < len(source.encode("utf-16-le")) // 2
        assert viewer_problem(source) is not None

    def test_links_up_to_the_limit_are_drawn_and_one_more_is_not(self) -> None:
        links = [
            "    a --> b",
            '    a -->|"x --> y"| b',
            "    a --o b",
            "    a -.- b",
            "    a ~~~ b",
        ]
        assert viewer_problem("flowchart LR\n" + "\n".join(links * 100) + "\n") is None
        problem = viewer_problem("flowchart LR\n" + "\n".join([*links * 100, links[0]]))
        assert problem is not None
        assert problem.startswith("its Mermaid text has 501 links; ")

    def test_every_link_of_a_drawing_counts(self, chain: Incident) -> None:
        # 3 causal links, 3 spacers between 4 lanes, 1 action link; no node line counts.
        source = to_mermaid(
            to_graph(chain), RenderOptions(lanes="level", actions=True, legend=True)
        )
        assert len(re.findall(r"^    \w+ (?:-->|~~~|-\.-)", source, re.MULTILINE)) == 7
        bigger = source + "\n".join(["    push --> spread"] * (VIEWER_MAX_EDGES - 7))
        assert viewer_problem(bigger) is None
        assert viewer_problem(bigger + "\n    push --> spread") is not None

    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_the_examples_are_within_the_limits(self, path: object) -> None:
        options = RenderOptions(actions=True, lanes="level")
        assert viewer_problem(to_mermaid(to_graph(load(path)), options)) is None  # type: ignore[arg-type]


class TestDeterminism:
    @pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
    def test_shuffled_input_gives_identical_mermaid(self, path: object) -> None:
        incident = load(path)  # type: ignore[arg-type]
        options = RenderOptions(actions=True, lanes="level", highlight="uncovered")
        G = to_graph(incident)
        expected = to_mermaid(G, options, stub_analysis(G))
        H = to_graph(shuffled(incident, 5))
        assert to_mermaid(H, options, stub_analysis(H)) == expected


class TestGolden:
    @pytest.mark.parametrize(
        "case", [c for c in golden_cases() if c[2] == "mermaid"], ids=lambda c: c[0]
    )
    def test_matches_golden_file(self, case: tuple[str, str, str, dict[str, object]]) -> None:
        name, stem, fmt, options = case
        expected = (GOLDEN / name).read_text(encoding="utf-8")
        assert golden_output(stem, fmt, options) == expected, (
            f"{name} is stale: run `make golden` and review the diff"
        )
