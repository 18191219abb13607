"""JSON Schemas of causemap's documents, generated from the models.

The files in ``schemas/`` are these schemas, written by ``causemap schema --out schemas``
(``make schemas``); a test fails when the committed files are stale.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode

from causemap.staging import stage

__all__ = ["SCHEMA_BASE", "schema_files", "schema_text", "schemas", "write_schemas"]

SCHEMA_BASE = "https://causemap.dev/schemas/"


def _from_model(
    model: type[BaseModel], name: str, title: str, mode: JsonSchemaMode = "validation"
) -> dict[str, Any]:
    body = model.model_json_schema(by_alias=True, mode=mode)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{name}.schema.json",
        **body,
        "title": title,
    }


def _incident() -> dict[str, Any]:
    from causemap.model import Incident

    return _from_model(Incident, "incident", "causemap incident (format 1)")


def _analysis() -> dict[str, Any]:
    from causemap.analyses.result import Analysis

    return _from_model(Analysis, "analysis", "causemap analysis result", "serialization")


def _config() -> dict[str, Any]:
    from causemap.analyses.config import AnalysisConfig

    return _from_model(AnalysisConfig, "config", "causemap analysis settings")


def _catalog() -> dict[str, Any]:
    from causemap.catalog.model import Catalog

    return _from_model(Catalog, "catalog", "causemap factor catalog (format 1)")


def _patterns() -> dict[str, Any]:
    from causemap.patterns.result import PatternsReport

    return _from_model(PatternsReport, "patterns", "causemap cross-incident patterns report")


def _suggest() -> dict[str, Any]:
    from causemap.patterns.suggestions import SuggestListing

    title = "causemap suggestions (causemap suggest --format json)"
    return _from_model(SuggestListing, "suggest", title, "serialization")


def _suggest_api() -> dict[str, Any]:
    from causemap.patterns.suggestions import SuggestReport

    title = "causemap suggestions by node (POST /suggest)"
    return _from_model(SuggestReport, "suggest-api", title, "serialization")


_SOURCES: dict[str, Callable[[], dict[str, Any]]] = {
    "analysis": _analysis,
    "catalog": _catalog,
    "config": _config,
    "incident": _incident,
    "patterns": _patterns,
    "suggest": _suggest,
    "suggest-api": _suggest_api,
}


def schemas() -> dict[str, dict[str, Any]]:
    """Return every schema by name, in a fixed order."""
    return {name: _SOURCES[name]() for name in sorted(_SOURCES)}


def schema_text(schema: dict[str, Any]) -> str:
    """Serialise a schema the way the committed files are written."""
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_files(folder: str | Path) -> dict[Path, str]:
    """Every schema's file, ``folder/<name>.schema.json``, and its text."""
    return {
        Path(folder) / f"{name}.schema.json": schema_text(schema)
        for name, schema in schemas().items()
    }


def write_schemas(folder: str | Path) -> list[Path]:
    """Write every schema to ``folder/<name>.schema.json``; return the paths.

    All or nothing, as ``causemap schema --out`` does: each file is written in full to a
    hidden temporary file beside its name before any is put in place, so a failure (a
    full disk) leaves no truncated schema for an editor to use.
    """
    Path(folder).mkdir(parents=True, exist_ok=True)
    files = schema_files(folder)
    staged: dict[Path, Path] = {}
    try:
        for path, text in files.items():
            staged[path] = stage(text.encode("utf-8"), path)
        for path, tmp in staged.items():
            os.replace(tmp, path)
    finally:
        for tmp in staged.values():
            with contextlib.suppress(OSError):
                tmp.unlink()
    return list(files)
