"""Reading many incident files for the cross-incident report, on every core.

Each file is read, validated and reduced to :class:`~causemap.patterns.facts.IncidentFacts`
in a worker process (the per-incident work is independent); results come back in file
order, so the output does not depend on scheduling. Small corpora stay in-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from causemap.catalog.model import Catalog
from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic
from causemap.patterns._runtime import usable_cores
from causemap.patterns.facts import Classifier, IncidentFacts, default_classifier, extract
from causemap.patterns.suggest import CatalogIndex
from causemap.patterns.text import Analysed

__all__ = ["Collected", "collect", "collect_one"]

PARALLEL_FROM = 200
"""Fewest files worth starting worker processes for."""


@dataclass
class Collected:
    """The incidents read, and the problems found on the way."""

    incidents: list[IncidentFacts] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


_STATE: dict[str, tuple[CatalogIndex, Classifier | None]] = {}


def _init(catalog: Catalog) -> None:
    classify, _ = default_classifier()
    _STATE["state"] = (CatalogIndex(catalog), classify)


def collect_one(path: str) -> tuple[IncidentFacts | None, list[Diagnostic]]:
    """Read one file in a worker (after :func:`_init`): its facts, or its diagnostics."""
    from causemap.loader import check_file

    index, classify = _STATE["state"]
    checked = check_file(path)
    if checked.incident is None or checked.graph is None:
        return None, checked.errors
    return _slim(extract(checked.incident, checked.graph, index, classify)), []


def _slim(facts: IncidentFacts) -> IncidentFacts:
    """Keep only what the report needs of each node's text (its bag of stems), so that
    less is pickled back from the workers."""
    nodes = tuple(node._replace(text=Analysed((), node.text.bag)) for node in facts.nodes)
    return facts._replace(nodes=nodes)


def _duplicates(found: Sequence[tuple[str, IncidentFacts]]) -> Iterable[Diagnostic]:
    from causemap.loader import check_file

    first: dict[str, str] = {}
    for name, facts in found:
        if facts.id in first:
            duplicate = Diagnostic(
                severity="error",
                code="duplicate-incident-id",
                message=f"incident id '{facts.id}' is already used by {first[facts.id]}",
                pointer="/id",
                file=name,
            )
            # The facts keep no source map, so the (rare) second file is read again to
            # name the line of its id, as `causemap validate` does.
            yield check_file(name).sourcemap.place(duplicate)
        else:
            first[facts.id] = name


def collect(
    files: Sequence[str | os.PathLike[str]],
    catalog: Catalog,
    *,
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Collected:
    """Read and reduce every file; ``jobs`` worker processes (default: one per core this
    process may use)."""
    names = [os.fspath(f) for f in files]
    jobs = jobs if jobs is not None else usable_cores()
    out = Collected(files=len(names))
    found: list[tuple[str, IncidentFacts]] = []
    if jobs <= 1 or len(names) < PARALLEL_FROM:
        _init(catalog)
        results: Iterable[tuple[IncidentFacts | None, list[Diagnostic]]] = map(collect_one, names)
        pool = None
    else:
        if "fork" in multiprocessing.get_all_start_methods():
            with paused_gc(promote=True):  # thousands of lasting objects, and no garbage
                _init(catalog)  # once, here: the forked workers share it
            gc.freeze()  # and their collectors never walk it
            pool = ProcessPoolExecutor(
                max_workers=jobs, mp_context=multiprocessing.get_context("fork")
            )
        else:  # pragma: no cover - platforms without fork
            pool = ProcessPoolExecutor(
                max_workers=jobs,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init,
                initargs=(catalog,),
            )
        results = pool.map(collect_one, names, chunksize=max(1, min(64, len(names) // (jobs * 8))))
    try:
        with paused_gc(promote=True):
            for name, (facts, problems) in zip(names, results, strict=True):
                if facts is not None:
                    found.append((name, facts))
                out.diagnostics.extend(problems)
                if progress:
                    progress(1)
    finally:
        if pool is not None:
            pool.shutdown()
            gc.unfreeze()
    repeated = list(_duplicates(found))
    duplicates = {d.file for d in repeated}
    out.diagnostics.extend(repeated)
    out.incidents = [facts for name, facts in found if name not in duplicates]
    return out


def files_in(
    paths: Iterable[str | os.PathLike[str]], catalog: str | os.PathLike[str] | None = None
) -> tuple[list[Path], list[Diagnostic]]:
    """Incident files under ``paths`` (folders searched recursively), in a stable order,
    and an error for each thing found in a folder that is not a regular file (a FIFO),
    which is not read. The ``catalog`` file is left out: a team may keep it beside its
    incidents."""
    from causemap.loader import discover, not_a_file

    unread: list[Diagnostic] = []
    files = list(discover(paths, special=lambda p: unread.extend(not_a_file(p).diagnostics)))
    if catalog is not None:
        own = os.path.realpath(catalog)
        files = [file for file in files if os.path.realpath(file) != own]
    return files, unread
