"""Reading many incident files for the cross-incident report, on every core.

Each file is read, validated and reduced to :class:`~causemap.patterns.facts.IncidentFacts`
in a worker process (the per-incident work is independent); results come back in file
order, so the output does not depend on scheduling. Small corpora stay in-process.

With a :class:`~causemap.patterns.cache.FactsCache`, a file whose bytes were reduced in
an earlier run (with the same catalog and causemap) is not read again by a worker: its
facts come from the cache, and the new ones go into it.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from causemap.catalog.model import Catalog
from causemap.collector import paused_gc
from causemap.diagnostics import Diagnostic
from causemap.patterns._runtime import usable_cores
from causemap.patterns.cache import FactsCache, dumps, file_digest, loads
from causemap.patterns.facts import Classifier, IncidentFacts, default_classifier, extract
from causemap.patterns.suggest import CatalogIndex
from causemap.patterns.text import Analysed

__all__ = ["Collected", "collect", "collect_one", "collect_stored"]

PARALLEL_FROM = 200
"""Fewest files worth starting worker processes for."""


@dataclass
class Collected:
    """The incidents read, and the problems found on the way."""

    incidents: list[IncidentFacts] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: int = 0


_STATE: dict[str, tuple[CatalogIndex, Classifier | None]] = {}

_Reduced = tuple[IncidentFacts | bytes | None, list[Diagnostic], bytes | None]
"""One file's facts (pickled when kept), its diagnostics, and the key of its bytes."""


def _init(catalog: Catalog, cache: FactsCache | None = None) -> None:
    classify, _ = default_classifier()
    index = cache.index(catalog) if cache is not None else CatalogIndex(catalog)
    _STATE["state"] = (index, classify)


def collect_one(path: str, keep: bool = False) -> _Reduced:
    """Read one file in a worker (after :func:`_init`): its facts or its diagnostics, and,
    with ``keep`` (for the cache), the facts pickled (as the cache keeps them, and as they
    would be to come back from a worker anyway) with the key of the bytes they were made
    from."""
    from causemap.loader import check_bytes, check_file
    from causemap.source import read_document

    try:
        data = read_document(path)
    except OSError:
        return None, check_file(path).errors, None  # worded as `validate` words it
    index, classify = _STATE["state"]
    # A file's objects make no cycles: the collector would only walk them, and in the
    # workers, which run outside the caller's pause, that was a few percent of the time.
    with paused_gc():
        checked = check_bytes(data, path)
        if checked.incident is None or checked.graph is None:
            return None, checked.errors, None
        facts = _slim(extract(checked.incident, checked.graph, index, classify))
        return (dumps(facts), [], file_digest(path, data)) if keep else (facts, [], None)


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
    cache: FactsCache | None = None,
) -> Collected:
    """Read and reduce every file; ``jobs`` worker processes (default: one per core this
    process may use). With a ``cache``, files met before are taken from it and the others
    are added to it."""
    names = [os.fspath(f) for f in files]
    out = Collected(files=len(names))
    kept = _cached(names, cache) if cache is not None and cache.holds_facts() else {}
    todo = [name for i, name in enumerate(names) if i not in kept]
    # Started before the collector pauses below: forked workers inherit its state.
    results, pool = _start(todo, catalog, jobs, cache)
    found: list[tuple[str, IncidentFacts]] = []
    new: list[tuple[bytes, bytes]] = []
    try:
        with paused_gc(promote=True):
            for i, name in enumerate(names):
                facts = kept.get(i)
                if facts is None:
                    reduced, problems, digest = next(results)
                    if isinstance(reduced, bytes):
                        facts = _unpickled(reduced)
                        if digest is not None:
                            new.append((digest, reduced))
                    else:
                        facts = reduced
                    out.diagnostics.extend(problems)
                if facts is not None:
                    found.append((name, facts))
                if progress:
                    progress(1)
    finally:
        if pool is not None:
            pool.shutdown()
            gc.unfreeze()
    if cache is not None and new:
        cache.put(new)
    repeated = list(_duplicates(found))
    duplicates = {d.file for d in repeated}
    out.diagnostics.extend(repeated)
    out.incidents = [facts for name, facts in found if name not in duplicates]
    return out


def _start(
    names: list[str], catalog: Catalog, jobs: int | None, cache: FactsCache | None
) -> tuple[Iterator[_Reduced], ProcessPoolExecutor | None]:
    """Each file's facts (pickled, with their key, for the ``cache``) or problems, in
    order: from worker processes for many files (and the pool, to shut down), else made
    here as they are asked for. The catalog index comes from the cache when it has it."""
    jobs = jobs if jobs is not None else usable_cores()
    one = functools.partial(collect_one, keep=cache is not None)
    if not names:  # all from the cache: no index to build
        return iter(()), None
    if jobs <= 1 or len(names) < PARALLEL_FROM:
        _init(catalog, cache)
        return map(one, names), None
    if "fork" in multiprocessing.get_all_start_methods():
        with paused_gc(promote=True):  # thousands of lasting objects, and no garbage
            _init(catalog, cache)  # once, here: the forked workers share it
        gc.freeze()  # and their collectors never walk it
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    else:  # pragma: no cover - platforms without fork
        pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init,
            initargs=(catalog,),
        )
    # Chunks of at most 16 files: the last one, which a worker may finish alone while
    # the other waits, is then some 60 ms of work.
    chunks = max(1, min(16, len(names) // (jobs * 16)))
    return pool.map(one, names, chunksize=chunks), pool


def _cached(names: Sequence[str], cache: FactsCache) -> dict[int, IncidentFacts]:
    """The facts the cache holds for the files (by position in ``names``); a file that
    cannot be read here is left to the workers, which name the problem."""
    from causemap.source import read_document

    digests: dict[int, bytes] = {}
    for i, name in enumerate(names):
        try:
            digests[i] = file_digest(name, read_document(name))
        except OSError:
            continue
    rows = cache.get(sorted(set(digests.values())))
    kept: dict[int, IncidentFacts] = {}
    with paused_gc(promote=True):
        for i, digest in digests.items():
            if digest in rows and (facts := _unpickled(rows[digest])) is not None:
                kept[i] = facts
    return kept


def _unpickled(data: bytes) -> IncidentFacts | None:
    """Facts from a cache row or a worker; None for a row that is not facts (damaged, or
    written by something else)."""
    facts = loads(data)
    return facts if isinstance(facts, IncidentFacts) else None


def collect_stored(
    documents: Sequence[str],
    index: Callable[[], CatalogIndex],
    cache: FactsCache | None = None,
) -> list[IncidentFacts]:
    """The facts of stored incidents, given as their JSON documents (valid when saved), in
    order: from the ``cache`` for a document reduced before, else reduced here with the
    catalog ``index`` (asked for only then) and added to the cache. A store's report after
    one save reduces that one incident again, not all of them."""
    import json

    from causemap.graph import to_graph
    from causemap.model import Incident

    digests = [file_digest(".json", document.encode()) for document in documents]
    rows = cache.get(sorted(set(digests))) if cache is not None else {}
    out: list[IncidentFacts] = []
    new: list[tuple[bytes, bytes]] = []
    prepared: tuple[CatalogIndex, Classifier | None] | None = None
    with paused_gc(promote=True):
        for document, digest in zip(documents, digests, strict=True):
            facts = _unpickled(rows[digest]) if digest in rows else None
            if facts is None:
                if prepared is None:
                    prepared = index(), default_classifier()[0]
                incident = Incident.model_validate(json.loads(document))
                facts = _slim(extract(incident, to_graph(incident), *prepared))
                if cache is not None:
                    new.append((digest, dumps(facts)))
            out.append(facts)
    if cache is not None and new:
        cache.put(new)
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
