"""Settings of the analyses: the word lists of the language checks and a few thresholds.

Word lists are phrases, matched case-insensitively on word boundaries; a trailing ``*``
matches any ending (``careless*`` finds "carelessly" and "carelessness"). A team can
extend or replace them with a YAML file (``causemap analyze --config FILE``, schema in
``schemas/config.schema.json``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from causemap.errors import InvalidIncident, MalformedDocument

__all__ = ["AnalysisConfig", "Language", "default_words", "load_config"]

_WORDS = Path(__file__).with_name("words.yaml")


@lru_cache(maxsize=1)
def default_words() -> dict[str, list[str]]:
    """The default word lists, read once from ``words.yaml`` next to this module."""
    data: dict[str, list[str]] = yaml.safe_load(_WORDS.read_text(encoding="utf-8"))
    return data


def _default(name: str) -> Any:
    return Field(default_factory=lambda: list(default_words()[name]))


class Language(BaseModel):
    """Phrase lists of the language checks."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    hindsight: list[str] = _default("hindsight")
    """Counterfactual and hindsight phrases (HINDSIGHT_LANGUAGE)."""
    blame: list[str] = _default("blame")
    """Words that judge people (BLAME_LANGUAGE)."""
    human_error: list[str] = _default("human_error")
    """Labels that stop the analysis at a person (STOPS_AT_HUMAN)."""
    vague_action_verbs: list[str] = _default("vague_action_verbs")
    """Leading verbs of actions without a verifiable outcome (ACTION_VAGUE)."""
    vague_action_phrases: list[str] = _default("vague_action_phrases")
    """Phrases that make an action vague wherever they appear (ACTION_VAGUE)."""
    person_words: list[str] = _default("person_words")
    """Words that mark an event as a person's action."""
    first_names: list[str] = _default("first_names")
    """Given names to spot in causes (NAMES_PERSON), besides the incident's participants."""


class AnalysisConfig(BaseModel):
    """Everything a team can tune in the analyses."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    language: Language = Field(default_factory=Language)
    """Word lists of the language checks."""
    proximate_action_share: float = Field(0.7, ge=0, le=1)
    """ACTIONS_ONLY_PROXIMATE fires when more than this share of the preventive actions'
    targets are proximate nodes."""
    example_paths: int = Field(5, ge=1, le=50)
    """How many uncovered example paths to report."""


def load_config(path: str | Path) -> AnalysisConfig:
    """Read an analysis config from YAML; missing keys keep their defaults.

    A list given as ``{extend: [...]}`` is added to the default list instead of replacing it.
    The file is read as safely as an incident (:func:`causemap.source.parse`).

    Raises
    ------
    MalformedDocument
        If the file is not readable YAML (with the line and column of the problem).
    InvalidIncident
        If it is not a valid config.
    OSError
        If it cannot be read.
    """
    from causemap.diagnostics import from_validation_error
    from causemap.source import parse

    name = str(path)
    parsed = parse(Path(path).read_bytes(), name, "yaml")
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, name)
    data = parsed.value or {}
    language = data.get("language") if isinstance(data, dict) else None
    if isinstance(language, dict):
        defaults = Language()
        for key, value in list(language.items()):
            if isinstance(value, dict) and set(value) == {"extend"}:
                language[key] = [*getattr(defaults, key, []), *value["extend"]]
    try:
        return AnalysisConfig.model_validate(data)
    except ValidationError as exc:
        found = [
            parsed.sourcemap.place(d, key=d.code == "unknown-key")
            for d in from_validation_error(exc, file=name)
        ]
        raise InvalidIncident(found, name) from None
