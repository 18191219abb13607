"""Settings of the analyses: the word lists of the language checks and a few thresholds.

Word lists are phrases, matched case-insensitively on word boundaries; a trailing ``*``
matches any ending (``careless*`` finds "carelessly" and "carelessness"). A team can
extend or replace them with a YAML file (``causemap analyze --config FILE``, schema in
``schemas/config.schema.json``), read like an incident file: safe YAML only, and every
problem reported at its file, line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, WithJsonSchema

from causemap.diagnostics import Diagnostic, error_at, from_validation_error, type_name
from causemap.errors import InvalidIncident, MalformedDocument

__all__ = ["AnalysisConfig", "Language", "default_words", "load_config", "loads_config"]

_WORDS = Path(__file__).with_name("words.yaml")


@lru_cache(maxsize=1)
def default_words() -> dict[str, list[str]]:
    """The default word lists, read once from ``words.yaml`` next to this module."""
    data: dict[str, list[str]] = yaml.safe_load(_WORDS.read_text(encoding="utf-8"))
    return data


_STRINGS = {"type": "array", "items": {"type": "string"}}
WordList = Annotated[
    list[str],
    WithJsonSchema(
        {
            "anyOf": [
                _STRINGS,
                {
                    "type": "object",
                    "properties": {"extend": _STRINGS},
                    "required": ["extend"],
                    "additionalProperties": False,
                },
            ]
        },
        mode="validation",
    ),
]
"""A word list. A config file gives it as a list, which replaces the default, or as
``{extend: [...]}``, added to the default (:func:`loads_config` turns that into a list
before validation); the JSON Schema says both."""


def _default(name: str) -> Any:
    return Field(default_factory=lambda: list(default_words()[name]))


class Language(BaseModel):
    """Phrase lists of the language checks."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    hindsight: WordList = _default("hindsight")
    """Counterfactual and hindsight phrases (HINDSIGHT_LANGUAGE)."""
    blame: WordList = _default("blame")
    """Words that judge people (BLAME_LANGUAGE)."""
    blame_acts: WordList = _default("blame_acts")
    """Acts that judge a person when a person does them: "the on-call ignored the alert",
    not "the retry ignored the deadline" (BLAME_LANGUAGE)."""
    human_error: WordList = _default("human_error")
    """Labels that stop the analysis at a person (STOPS_AT_HUMAN) when a root says them;
    anywhere else, with a person as their subject, they judge the person (BLAME_LANGUAGE)."""
    vague_action_verbs: WordList = _default("vague_action_verbs")
    """Leading verbs of actions without a verifiable outcome (ACTION_VAGUE)."""
    vague_action_phrases: WordList = _default("vague_action_phrases")
    """Phrases that make an action vague wherever they appear (ACTION_VAGUE)."""
    person_words: WordList = _default("person_words")
    """Words that mark an event as a person's action."""
    first_names: WordList = _default("first_names")
    """Given names to spot in causes (NAMES_PERSON), besides the incident's participants."""
    ordinary_names: WordList = _default("ordinary_names")
    """Names that are also ordinary words ("Max", "Root"): a participant's name part among
    them names the participant only where it is capitalised mid-sentence (NAMES_PERSON)."""


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
    """Read an analysis config file (YAML or JSON); see :func:`loads_config`.

    Raises
    ------
    InvalidIncident
        With located diagnostics, when the file cannot be read or is not a valid config.
    """
    from causemap.source import read_document

    name = str(path)
    try:
        data = read_document(path)
    except OSError as exc:
        unreadable = Diagnostic(
            severity="error",
            code="unreadable",
            file=name,
            message=f"cannot read file: {exc.strerror or exc}",
        )
        raise InvalidIncident([unreadable], name) from None
    return loads_config(data, name)


def loads_config(data: bytes | str, name: str = "<config>") -> AnalysisConfig:
    """Read an analysis config from YAML or JSON text; missing keys keep their defaults.

    An empty document is the defaults. A list given as ``{extend: [...]}`` is added to
    the default list instead of replacing it.

    Raises
    ------
    MalformedDocument
        If the text is not readable YAML or JSON (with the line and column of the problem).
    InvalidIncident
        If it is not a valid config, with diagnostics located by line, column and pointer.

    Examples
    --------
    >>> loads_config("language: {blame: {extend: [rollout-happy]}}").language.blame[-1]
    'rollout-happy'
    >>> loads_config("proximate_action_share: 2")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    causemap.errors.InvalidIncident: <config>:1:25: error: /proximate_action_share: ...
    """
    from causemap.source import parse

    parsed = parse(data, name)
    if [d.code for d in parsed.diagnostics] == ["empty"]:
        return AnalysisConfig()
    if parsed.diagnostics:
        raise MalformedDocument(parsed.diagnostics, name)
    value = {} if parsed.value is None else parsed.value
    problems: list[Diagnostic] = []
    if not isinstance(value, dict):
        problems.append(
            Diagnostic(
                severity="error",
                code="wrong-type",
                message="expected a config mapping (language, proximate_action_share, "
                "example_paths) at the top level",
                file=name,
                line=1,
                column=1,
            )
        )
    else:
        problems = _extend(value)
        try:
            config = AnalysisConfig.model_validate(value)
        except ValidationError as exc:
            problems += from_validation_error(exc, allowed_keys=_allowed_keys)
        else:
            if not problems:
                return config
    named = [d.model_copy(update={"file": name}) for d in problems]
    raise InvalidIncident(parsed.sourcemap.place_all(named), name)


def _extend(data: dict[str, Any]) -> list[Diagnostic]:
    """Replace every ``{extend: [...]}`` in ``data["language"]`` by the extended default list.

    A known list whose ``extend`` is wrong is reported here and removed, so that the
    validation that follows reports every other problem of the file, and not this one
    a second time.
    """
    language = data.get("language")
    if not isinstance(language, dict):
        return []
    problems = []
    for key, value in list(language.items()):
        if not (isinstance(value, dict) and set(value) == {"extend"}):
            continue
        extra = value["extend"]
        known = key in Language.model_fields
        if not isinstance(extra, list):
            problems.append(
                error_at(
                    "wrong-type",
                    f"expected a list of phrases to add, got {type_name(extra)}",
                    "language",
                    key,
                    "extend",
                )
            )
            if known:
                del language[key]
            continue
        wrong = [i for i, item in enumerate(extra) if not isinstance(item, str)]
        problems += [
            error_at("wrong-type", "expected a string", "language", key, "extend", i) for i in wrong
        ]
        if known and wrong:
            del language[key]
        elif known:
            language[key] = [*default_words()[key], *extra]
    return problems


def _allowed_keys(loc: Sequence[str | int]) -> Sequence[str]:
    """The keys allowed beside an unknown key at ``loc``: the config's own."""
    model = Language if [p for p in loc[:-1] if isinstance(p, str)] == ["language"] else None
    return list((model or AnalysisConfig).model_fields)
