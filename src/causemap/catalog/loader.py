"""Loading factor catalogs, with every problem located by file, line and column.

A catalog file either **replaces** the built-in catalog, or, when it says
``extends: builtin`` at the top, **extends** it: its entries are added after the built-in
ones, and an entry whose key is already built in replaces that entry in place.

Problems are :class:`~causemap.diagnostics.Diagnostic` objects, made by the same parser
and source map as incident files, so ``causemap suggest --catalog mine.yaml`` prints
``mine.yaml:12:7: error: /entries/0/level: expected one of ...``.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from causemap.catalog.model import Catalog, CatalogAction, Entry
from causemap.diagnostics import (
    Diagnostic,
    error_at,
    from_validation_error,
    in_document_order,
    warning_at,
)
from causemap.errors import CatalogError
from causemap.source import Parsed, parse, read_document
from causemap.typos import Typos

__all__ = [
    "BUILTIN_PATH",
    "CheckedCatalog",
    "builtin_catalog",
    "check_catalog",
    "load_catalog",
    "loads_catalog",
    "resolve_catalog",
]

BUILTIN_PATH = Path(__file__).resolve().parent / "factors.yaml"
"""The built-in catalog shipped with causemap."""


@dataclass
class CheckedCatalog:
    """A catalog document after parsing and validation."""

    name: str
    catalog: Catalog | None = None
    """The model when the document is valid, else None (not yet merged with the built-in)."""
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)


def _allowed_keys(loc: Sequence[str | int]) -> Sequence[str]:
    parent = [p for p in loc[:-1] if isinstance(p, str)]
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): Catalog,
        ("entries",): Entry,
        ("entries", "actions"): CatalogAction,
    }
    model = models.get(tuple(parent), Catalog)
    return [f.alias or name for name, f in model.model_fields.items()]


def _rules(catalog: Catalog, known: Sequence[str]) -> Iterator[Diagnostic]:
    """Rules that relate entries to each other. ``known`` are the keys of the built-in
    catalog when this one extends it, else none."""
    if not catalog.entries and catalog.extends is None:
        yield error_at("no-entries", "a catalog needs at least one entry", "entries")
    yield from _duplicate_keys([entry.key for entry in catalog.entries])
    for i, entry in enumerate(catalog.entries):
        if not (entry.phrases or entry.keywords or entry.examples):
            yield warning_at(
                "unmatchable-entry",
                f"entry '{entry.key}' has no phrases, keywords or examples, so nodes are "
                "matched to it on its name and definition alone",
                "entries",
                i,
            )
    yield from _unreadable(catalog)
    keys = [*known, *(entry.key for entry in catalog.entries)]  # in the merged order
    typos = Typos(keys)  # the factor keys' rule: a related key is a factor key too
    for i, entry in enumerate(catalog.entries):
        for j, ref in enumerate(entry.related):
            if ref not in typos.known:
                near = typos.near(ref)
                hint = f"; did you mean '{near}'?" if near else ""
                yield warning_at(
                    "unknown-related",
                    f"related key '{ref}' is not an entry of this catalog{hint}",
                    "entries",
                    i,
                    "related",
                    j,
                )


def _duplicate_keys(keys: Sequence[object]) -> Iterator[Diagnostic]:
    """An error at each entry whose key an earlier entry already has. ``keys`` may come
    from a document the model refused (None where an entry has no string key), so that
    its duplicates are reported in the same run as its other errors."""
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if not isinstance(key, str):
            continue
        if key in first:
            yield error_at(
                "duplicate-key",
                f"entry key '{key}' is already used by /entries/{first[key]}",
                "entries",
                i,
                "key",
            )
        first.setdefault(key, i)


def _raw_keys(value: dict[str, Any]) -> list[object]:
    """The ``key`` of each entry of a catalog document the model refused."""
    entries = value.get("entries")
    if not isinstance(entries, list):
        return []
    return [e.get("key") if isinstance(e, dict) else None for e in entries]


def _unreadable(catalog: Catalog) -> Iterator[Diagnostic]:
    """One warning per entry whose keywords, phrases or examples hold no word the matcher
    reads (letters and digits, in any script: punctuation or symbols alone can never
    match), at the first of them."""
    from causemap.patterns.text import words

    for i, entry in enumerate(catalog.entries):
        found = [
            (field, j, text)
            for field, items in (
                ("keywords", entry.keywords),
                ("phrases", entry.phrases),
                ("examples", entry.examples),
            )
            for j, text in enumerate(items)
            if not words(text)
        ]
        if found:
            field, j, _ = found[0]
            shown = ", ".join(f"'{text}'" for _, _, text in found[:5])
            more = f" and {len(found) - 5} more" if len(found) > 5 else ""
            yield warning_at(
                "unreadable-wording",
                f"entry '{entry.key}': {len(found)} of its keywords, phrases and examples "
                "have no letter or digit, the only words causemap matches, so they can "
                f"never match: {shown}{more}",
                "entries",
                i,
                field,
                j,
            )


def check_catalog(data: bytes | str, name: str = "<catalog>") -> CheckedCatalog:
    """Parse and validate catalog text; never raises for bad input.

    A document with duplicate mapping keys is validated too (each keeps its first
    value), so that they are reported with its other errors, in document order.
    """
    parsed = parse(data, name)
    if not parsed.built:
        diagnostics = [_about_catalog(d) for d in parsed.diagnostics]
        return CheckedCatalog(name=name, diagnostics=diagnostics)
    result = _validate(parsed, name)
    if parsed.diagnostics and [d.code for d in result.diagnostics] != ["incident-not-catalog"]:
        result.diagnostics = in_document_order([*parsed.diagnostics, *result.diagnostics])
        result.catalog = None
    return result


def _validate(parsed: Parsed, name: str) -> CheckedCatalog:
    """Validate a parsed catalog document."""
    result = CheckedCatalog(name=name)
    if not isinstance(parsed.value, dict):
        result.diagnostics = [
            Diagnostic(
                severity="error",
                code="wrong-type",
                message="expected a catalog mapping (causemap-catalog, name, entries) "
                "at the top level",
                file=name,
                line=1,
                column=1,
            )
        ]
        return result
    if "causemap" in parsed.value and "causemap-catalog" not in parsed.value:
        message = (
            "this is an incident, not a factor catalog (causemap-catalog: 1); "
            "give incidents as arguments"
        )
        wrong = error_at("incident-not-catalog", message, "causemap")
        result.diagnostics = parsed.sourcemap.place_all([wrong.model_copy(update={"file": name})])
        return result
    try:
        catalog = Catalog.model_validate(parsed.value)
    except ValidationError as exc:
        found = from_validation_error(exc, file=name, allowed_keys=_allowed_keys)
        found += [
            d.model_copy(update={"file": name}) for d in _duplicate_keys(_raw_keys(parsed.value))
        ]
        result.diagnostics = parsed.sourcemap.place_all(found)
        return result
    known = builtin_catalog().keys() if catalog.extends == "builtin" else []
    problems = [d.model_copy(update={"file": name}) for d in _rules(catalog, known)]
    result.diagnostics = parsed.sourcemap.place_all(problems)
    if result.ok:
        result.catalog = catalog
    return result


def _about_catalog(diagnostic: Diagnostic) -> Diagnostic:
    """The parser's "empty document" diagnostic, saying that a catalog was expected."""
    if diagnostic.code != "empty":
        return diagnostic
    message = "document is empty; expected a catalog mapping (causemap-catalog, name, entries)"
    return diagnostic.model_copy(update={"message": message})


def _merge(base: Catalog, extra: Catalog) -> Catalog:
    replaced = {entry.key: entry for entry in extra.entries}
    entries = [replaced.pop(entry.key, entry) for entry in base.entries]
    entries += [entry for entry in extra.entries if entry.key in replaced]
    return base.model_copy(
        update={"name": f"{base.name} + {extra.name}", "entries": entries, "extends": None}
    )


Warn = Callable[[Diagnostic], object]
"""Receives each warning of a catalog that loads (an unknown ``related`` key, with the
key it is likely a typo of, an entry with nothing to match on), so that a command can
show it."""


def loads_catalog(
    text: str | bytes, name: str = "<catalog>", *, warn: Warn | None = None
) -> Catalog:
    """Load a catalog from YAML or JSON text, merged with the built-in one if it extends it.

    Warnings go to ``warn``, in file order; without it they are dropped.

    Raises
    ------
    CatalogError
        With every located diagnostic, when the text is not a valid catalog.

    Examples
    --------
    >>> mine = loads_catalog('''
    ... causemap-catalog: 1
    ... name: ours
    ... extends: builtin
    ... entries:
    ...   - key: feature-flag-debt
    ...     name: Stale feature flags
    ...     definition: Flags nobody removed changed behaviour years later.
    ...     level: process
    ...     class: systemic
    ...     keywords: [flag]
    ... ''')
    >>> mine.keys()[-1], len(mine.entries) == len(builtin_catalog().entries) + 1
    ('feature-flag-debt', True)
    """
    checked = check_catalog(text, name)
    if checked.catalog is None:
        raise CatalogError(checked.diagnostics, name)
    if warn is not None:
        for diagnostic in checked.diagnostics:
            warn(diagnostic)
    if checked.catalog.extends == "builtin":
        return _merge(builtin_catalog(), checked.catalog)
    return checked.catalog


def load_catalog(path: str | os.PathLike[str], *, warn: Warn | None = None) -> Catalog:
    """Load a catalog file; see :func:`loads_catalog`.

    Raises
    ------
    CatalogError
        When the file cannot be read or is not a valid catalog.
    """
    name = os.fspath(path)
    try:
        data = read_document(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise CatalogError(
            [
                Diagnostic(
                    severity="error",
                    code="unreadable",
                    file=name,
                    message=f"cannot read catalog: {reason}",
                )
            ],
            name,
        ) from None
    return loads_catalog(data, name, warn=warn)


@functools.cache
def builtin_catalog() -> Catalog:
    """The catalog shipped with causemap (read once, then cached; treat it as read-only)."""
    checked = check_catalog(BUILTIN_PATH.read_bytes(), str(BUILTIN_PATH))
    if checked.catalog is None:  # pragma: no cover - a test keeps the built-in valid
        raise CatalogError(checked.diagnostics, str(BUILTIN_PATH))
    return checked.catalog


def resolve_catalog(path: str | os.PathLike[str] | None, *, warn: Warn | None = None) -> Catalog:
    """The built-in catalog when ``path`` is None, else the catalog in ``path`` (its
    warnings to ``warn``)."""
    return builtin_catalog() if path is None else load_catalog(path, warn=warn)
