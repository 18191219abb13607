"""The factor catalog format (``causemap-catalog: 1``) as pydantic v2 models.

``schemas/catalog.schema.json`` is generated from :class:`Catalog`. The built-in
catalog (``factors.yaml`` beside this module) and users' own catalogs share this format.
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Literal

from pydantic import BeforeValidator, ConfigDict, Field

from causemap.fields import Slug, Text, exact_version
from causemap.model import ActionType, FormatModel, Level, NodeClass

__all__ = ["CATALOG_VERSION", "Catalog", "CatalogAction", "Entry"]

CATALOG_VERSION = 1
MAX_ENTRIES = 2_000
MAX_ITEMS = 500

Short = Annotated[Text, Field(max_length=200)]
Long = Annotated[Text, Field(max_length=5_000)]


class CatalogAction(FormatModel):
    """A kind of action item that addresses the factor."""

    type: ActionType
    """prevent | mitigate | detect | process."""
    text: Annotated[Text, Field(max_length=1_000)]
    """What to do, in a sentence."""


class Entry(FormatModel):
    """One canonical contributing factor: a recurring failure pattern."""

    key: Slug
    """Stable identifier, used in incidents' ``factor:`` field."""
    name: Short
    """Short name, e.g. 'Global change with no staged rollout'."""
    definition: Long
    """Two to four sentences: the pattern, and why it hurts."""
    level: Level
    """Usual AcciMap level: technical | operator | process | organization | external."""
    class_: NodeClass = Field(alias="class")
    """Usual class in a causal graph: proximate | systemic."""
    phrases: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Lowercase phrases that signal the pattern, most of several words (matched on word
    stems in order, with negation understood)."""
    keywords: list[Short] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Lowercase single distinctive words that signal the pattern."""
    examples: list[Long] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Realistic node labels that are instances of the pattern, worded as different teams would."""
    actions: list[CatalogAction] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Kinds of action that address the pattern."""
    related: list[Slug] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Keys of neighbouring entries."""
    sources: list[Long] = Field(default_factory=list, max_length=MAX_ITEMS)
    """Public references the entry draws on."""


class Catalog(FormatModel):
    """A catalog of contributing factors."""

    # The loader's no-entries rule, for editors: a catalog that replaces the built-in one
    # needs an entry.
    model_config = ConfigDict(
        json_schema_extra={  # the rest of the config is FormatModel's, merged in
            "if": {"properties": {"extends": {"const": "builtin"}}, "required": ["extends"]},
            "else": {
                "required": ["entries"],
                "properties": {"entries": {"type": "array", "minItems": 1}},
            },
        },
    )

    schema_: str | None = Field(None, alias="$schema", max_length=2_000)
    """Optional JSON Schema reference for editors."""
    causemap_catalog: Annotated[Literal[1], BeforeValidator(exact_version)] = Field(
        alias="causemap-catalog"
    )
    """Catalog format version. This release reads format 1."""
    name: Short
    """Name of the catalog."""
    extends: Literal["builtin"] | None = None
    """``builtin`` adds these entries to the built-in catalog (an entry with a built-in
    key replaces it); absent, this catalog replaces the built-in one."""
    entries: list[Entry] = Field(default_factory=list, max_length=MAX_ENTRIES)
    """The factors."""

    def entry(self, key: str) -> Entry:
        """Return the entry with ``key``; raise ``KeyError`` if there is none."""
        for entry in self.entries:
            if entry.key == key:
                return entry
        raise KeyError(key)

    def keys(self) -> list[str]:
        """Every entry key, in catalog order."""
        return [entry.key for entry in self.entries]

    def digest(self) -> str:
        """SHA-256 (hex) of the catalog's canonical JSON: equal for equal catalogs however
        their files were written. It names the catalog in the patterns report's ``ETag``
        and in the facts cache."""
        canonical = json.dumps(
            self.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode()).hexdigest()
