"""The format's checked text and id types: text without control characters or blanks,
ids (slugs), and the format version number.

They are :data:`typing.Annotated` types that carry their pydantic validator and their
JSON Schema, so the models (:mod:`causemap.model`, :mod:`causemap.catalog.model`) and the
schemas they publish check text and ids alike; the plain checks (:func:`is_slug`,
:func:`control_character`) serve the code that reads ids outside a model.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, GetJsonSchemaHandler, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

__all__ = [
    "NOT_BLANK_PATTERN",
    "SLUG_PATTERN",
    "Slug",
    "Text",
    "control_character",
    "exact_version",
    "is_slug",
]

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,79}$"
"""An id, as JSON Schema and OpenAPI publish it. Their regexes are ECMA-262, where ``$``
is the end of the text; in Python's ``re`` it also matches before a final newline, so
Python code checks ids with :func:`is_slug` (a full match), never with this pattern."""
_SLUG = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character(value: str) -> str | None:
    """The first control character in ``value`` that the format refuses in text (all but
    tab and line breaks), if any.

    Examples
    --------
    >>> control_character("a\\x00b"), control_character("a\\tb")
    ('\\x00', None)
    """
    found = _CONTROL.search(value)
    return found.group() if found else None


def _clean_text(value: str) -> str:
    found = control_character(value)
    if found is not None:
        raise PydanticCustomError(
            "control_character",
            "text must not contain control characters (found {char})",
            {"char": repr(found)},
        )
    if not value.strip():
        raise PydanticCustomError("blank_text", "text must not be empty or blank")
    return value


def is_slug(value: str) -> bool:
    """Whether ``value`` is an id: ``[a-z0-9][a-z0-9._-]{0,79}``, all of it.

    Examples
    --------
    >>> is_slug("db-failover"), is_slug("db-failover\\n"), is_slug("Db")
    (True, False, False)
    """
    return _SLUG.fullmatch(value) is not None


def _check_slug(value: str) -> str:
    if not is_slug(value):
        raise PydanticCustomError(
            "string_pattern_mismatch",
            "String should match pattern '{pattern}'",
            {"pattern": SLUG_PATTERN},
        )
    return value


NOT_BLANK_PATTERN = r"\S"
"""Text is not blank, as JSON Schema says it: it has a character that is not white space."""


class _NotBlank:
    """The JSON Schema side of :func:`_clean_text`: at least one character that is not
    white space, so an editor flags blank text before ``causemap validate`` does."""

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        schema["pattern"] = NOT_BLANK_PATTERN
        return schema


Text = Annotated[str, AfterValidator(_clean_text), _NotBlank()]
Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN}),
]
"""An id (incident, node, action, factor key), checked by :func:`is_slug`."""


def exact_version(value: Any) -> Any:
    """Format 1 is the number 1: ``1.0`` is accepted as JSON Schema's ``integer`` accepts
    it (a validator run on the file must agree with causemap), but ``true``, which also
    equals 1 in Python, is not a number."""
    if type(value) is float and value == 1:
        return 1
    if type(value) is not int:
        raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": "1"})
    return value
