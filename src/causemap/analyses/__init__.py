"""Analyses of a causal graph: pure functions that return plain, typed data.

``analyze`` runs them all; the modules can be used one by one:

* :mod:`~causemap.analyses.classify`: proximate vs systemic, with the rule and reasons;
* :mod:`~causemap.analyses.findings`: method checks with facilitator prompts;
* :mod:`~causemap.analyses.prevention`: would the action items have prevented this?
* :mod:`~causemap.analyses.leverage`: which nodes carry the most leverage.
"""

from __future__ import annotations

from collections.abc import Mapping

from causemap.analyses.classify import classify
from causemap.analyses.config import AnalysisConfig, load_config
from causemap.analyses.findings import CODES, Context, find
from causemap.analyses.leverage import rank
from causemap.analyses.prevention import prevention
from causemap.analyses.result import (
    Analysis,
    Classification,
    Coverage,
    Finding,
    Prevention,
    Ranked,
)
from causemap.analyses.structure import Shape
from causemap.graph import CausalGraph, to_graph
from causemap.model import Incident

__all__ = [
    "CODES",
    "Analysis",
    "AnalysisConfig",
    "Classification",
    "Coverage",
    "Finding",
    "Prevention",
    "Ranked",
    "analyze",
    "classify",
    "load_config",
]


def analyze(
    subject: Incident | CausalGraph,
    *,
    config: AnalysisConfig | None = None,
    support: Mapping[str, int] | None = None,
    picture: bool = False,
) -> Analysis:
    """Classify every node, run the method checks, judge prevention and rank leverage.

    ``subject`` is an incident or its causal graph (from :func:`causemap.to_graph`);
    ``support`` optionally maps factor keys to how many incidents of a corpus share them,
    which raises their leverage. ``picture=True`` is for diagrams, which draw the
    classes, the findings' codes and the uncovered paths only: it skips the leverage
    ranking, the suggested cut and the cut and prevention sets (about a third of the
    time), leaves them empty, and so drops the suggested cut from the PATHS_UNCUT prompt.

    Examples
    --------
    >>> from causemap import load
    >>> result = analyze(load("examples/global-config-push.yaml"))
    >>> result.prevention.scenario_prevented
    True
    """
    config = config or AnalysisConfig()
    G = to_graph(subject) if isinstance(subject, Incident) else subject
    shape = Shape.of(G)
    classes = classify(G, shape=shape)
    kinds = {n: c.class_ for n, c in classes.items()}
    verdict = prevention(G, kinds, shape=shape, complete=not picture, paths=config.example_paths)
    context = Context(G=G, classes=classes, prevention=verdict, config=config, shape=shape)
    return Analysis(
        incident=str(G.graph.get("id", "")),
        nodes=classes,
        findings=find(context),
        prevention=verdict,
        ranking=[] if picture else rank(G, kinds, support, shape=shape),
    )
