"""Loading and writing incident documents.

``check_*`` never raise for bad input: they return a :class:`Checked` with every
diagnostic located by file, line, column and JSON pointer. ``load``/``loads`` raise
:class:`~causemap.errors.InvalidIncident` instead, for programs that just want the model.
``dump`` writes the canonical form: keys in format order, defaults left out, so that the
same incident always gives the same bytes and loads back equal.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from causemap.collector import paused_gc
from causemap.diagnostics import (
    Diagnostic,
    error_at,
    from_validation_error,
    in_document_order,
    pointer_parts,
    type_name,
    warning_at,
)
from causemap.errors import InvalidIncident
from causemap.graph import CausalGraph, build_graph
from causemap.model import Incident
from causemap.source import (
    MAX_BYTES,
    Format,
    Parsed,
    decode,
    detect_format,
    parse,
    read_document,
)
from causemap.sourcemap import SourceMap
from causemap.validation import check_structure
from causemap.yamlbuilder import FLOAT, top_level_keys

__all__ = [
    "SUFFIXES",
    "Checked",
    "check_bytes",
    "check_data",
    "check_file",
    "discover",
    "not_a_file",
    "dump",
    "load",
    "loads",
]

SUFFIXES = (".yaml", ".yml", ".json")
MODELINE = "# yaml-language-server: $schema={}\n"
SCHEMA_URL = "https://causemap.dev/schemas/incident.schema.json"


@dataclass
class Checked:
    """A document after parsing and validation."""

    name: str
    """File name or other label of the input."""
    incident: Incident | None = None
    """The model when the document is valid, else None."""
    graph: CausalGraph | None = None
    """The causal graph when the document is valid, else None."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sourcemap: SourceMap = field(default_factory=SourceMap)

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not any(d.severity == "error" for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        """The error diagnostics."""
        return [d for d in self.diagnostics if d.severity == "error"]

    def locate(self, ptr: str) -> tuple[int, int] | None:
        """Return (line, column) of the value at JSON pointer ``ptr``, when known."""
        return self.sourcemap.locate(pointer_parts(ptr))


def _finish(name: str, parsed: Parsed) -> Checked:
    """Validate the parsed document. One with duplicate keys is validated too (each key
    keeps its first value), so that they come with its other errors, in document order;
    a document that is something else gets its one line."""
    if not parsed.built:
        return Checked(name=name, sourcemap=parsed.sourcemap, diagnostics=parsed.diagnostics)
    result = check_data(parsed.value, name=name, sourcemap=parsed.sourcemap)
    if not parsed.diagnostics or [d.code for d in result.errors] in _FOREIGN:
        return result
    result.diagnostics = in_document_order([*parsed.diagnostics, *result.diagnostics])
    result.incident = result.graph = None
    return result


_FOREIGN = (["not-an-incident"], ["catalog-not-incident"])


def check_data(data: Any, *, name: str = "<input>", sourcemap: SourceMap | None = None) -> Checked:
    """Validate already-parsed data (e.g. an HTTP JSON body) as an incident."""
    with paused_gc():
        return _check_data(data, name, sourcemap)


def _check_data(data: Any, name: str, sourcemap: SourceMap | None) -> Checked:
    sourcemap = sourcemap or SourceMap()
    result = Checked(name=name, sourcemap=sourcemap)
    if not isinstance(data, dict):
        kind = type_name(data)
        result.diagnostics = [
            Diagnostic(
                severity="error",
                code="wrong-type",
                file=name,
                line=1,
                column=1,
                message=f"expected an incident mapping at the top level, got {kind}",
            )
        ]
        return result
    if "causemap-catalog" in data and "causemap" not in data:
        # A factor catalog kept beside the incidents, or given in the wrong place: one
        # line saying so, not an error for every key it has and every key it lacks.
        message = (
            "this is a factor catalog, not an incident "
            "(suggest and patterns take a catalog with --catalog FILE)"
        )
        wrong = error_at("catalog-not-incident", message, "causemap-catalog")
        result.diagnostics = sourcemap.place_all([wrong.model_copy(update={"file": name})])
        return result
    if foreign := not_an_incident(data, name):
        result.diagnostics = [foreign]
        return result
    try:
        incident = Incident.model_validate(data)
    except ValidationError as exc:
        result.diagnostics = sourcemap.place_all(from_validation_error(exc, file=name))
        return result
    G = build_graph(incident)
    found = [*check_structure(incident, G), *_finer_than_microseconds(data)]
    problems = [d.model_copy(update={"file": name}) for d in found]
    result.diagnostics = sourcemap.place_all(problems)
    if result.ok:
        result.incident, result.graph = incident, G
    return result


INCIDENT_KEYS = frozenset(f.alias or n for n, f in Incident.model_fields.items())
"""The keys an incident may have at its top level."""
MARKS = frozenset({"causemap", "nodes"})
"""The keys that make a document an incident: its format version and its causal graph.
A document with neither, and with keys an incident never has, is something else."""


def not_an_incident(keys: Iterable[str], name: str) -> Diagnostic | None:
    """The one error for a document whose top-level ``keys`` say it is something else (a
    lockfile, a manifest found beside the incidents), else None.

    Told apart by its keys alone, it is refused before anything is validated or located:
    checked key by key, a 12 MB lockfile took seconds and hundreds of megabytes to be told
    every key it lacks and every key it has. A document with an incident's mark, or with
    incident keys only (a draft), is validated in full, every problem in one run.
    """
    keys = list(keys)
    foreign = [k for k in keys if k not in INCIDENT_KEYS]
    if MARKS.intersection(keys) or not foreign or "causemap-catalog" in keys:
        return None  # a catalog is named as one by check_data
    shown = ", ".join(foreign[:3]) + (", …" if len(foreign) > 3 else "")
    return Diagnostic(
        severity="error",
        code="not-an-incident",
        file=name,
        line=1,
        column=1,
        message="not a causemap incident: it has no 'causemap:' or 'nodes:' key, and keys "
        f"an incident never has ({shown}); an incident starts with 'causemap: 1'",
    )


_FRACTION = re.compile(r"\d[T ]\d{2}:\d{2}:\d{2}[.,](\d{7,})")


def _finer_than_microseconds(data: dict[str, Any]) -> Iterator[Diagnostic]:
    """Warn where a node's time has digits past the microsecond, which the model cuts
    (a tracing tool's nanoseconds): the file then says more than causemap keeps."""
    nodes = data.get("nodes")
    for i, node in enumerate(nodes if isinstance(nodes, list) else []):
        for key in ("at", "until"):
            value = node.get(key) if isinstance(node, dict) else None
            if isinstance(value, str) and (found := _FRACTION.search(value)):
                yield warning_at(
                    "time-precision",
                    f"'{value}' gives {len(found.group(1))} digits of a second; causemap "
                    "keeps 6 (microseconds) and drops the rest",
                    "nodes",
                    i,
                    key,
                )


def check_bytes(data: bytes | str, name: str = "<input>", fmt: Format | None = None) -> Checked:
    """Parse and validate a document given as bytes or text.

    A YAML document that is something else (see :func:`not_an_incident`) is told apart
    by its top-level keys, skimmed from the event stream before anything is built.
    """
    if isinstance(data, bytes):
        text, problems = decode(data, name)
        if text is None:
            return Checked(name=name, diagnostics=problems)
    else:
        text = data
    fmt = fmt or detect_format(name, text)
    if fmt == "yaml" and len(text) <= MAX_BYTES:
        keys = top_level_keys(text, enough=MARKS)
        if keys is not None and (foreign := not_an_incident(keys, name)):
            return Checked(name=name, diagnostics=[foreign])
    return _finish(name, parse(text, name, fmt))


def check_file(path: str | os.PathLike[str]) -> Checked:
    """Read, parse and validate one file; unreadable files become diagnostics too."""
    name = os.fspath(path)
    try:
        data = read_document(path)
    except OSError as exc:
        message = f"cannot read file: {exc.strerror or exc}"
        if Path(path).is_dir():
            try:
                os.scandir(path).close()
                message = "is a folder, not an incident file"
            except OSError as folder:
                message = f"cannot read folder: {folder.strerror or folder}"
        return Checked(
            name=name,
            diagnostics=[
                Diagnostic(severity="error", code="unreadable", file=name, message=message)
            ],
        )
    return check_bytes(data, name)


def load(path: str | os.PathLike[str]) -> Incident:
    """Load one incident file (YAML or JSON).

    Raises
    ------
    InvalidIncident
        With every diagnostic, when the file is not a valid incident.
    """
    checked = check_file(path)
    if checked.incident is None:
        raise InvalidIncident(checked.diagnostics, checked.name)
    return checked.incident


def loads(text: str | bytes, *, format: Format | None = None, name: str = "<input>") -> Incident:
    """Load an incident from YAML or JSON text (``format`` guessed when omitted).

    Examples
    --------
    >>> inc = loads('''
    ... causemap: 1
    ... id: demo
    ... title: Demo
    ... date: 2024-01-01
    ... nodes:
    ...   - {id: push, kind: event, label: Config pushed}
    ...   - {id: down, kind: impact, label: Site down, causes: [push]}
    ... ''')
    >>> inc.nodes[1].causes
    ['push']
    """
    checked = check_bytes(text, name, format)
    if checked.incident is None:
        raise InvalidIncident(checked.diagnostics, checked.name)
    return checked.incident


def canonical(incident: Incident) -> dict[str, Any]:
    """Return the canonical plain-data form: format order, defaults left out."""
    return incident.model_dump(mode="json", by_alias=True, exclude_defaults=True)


class _Dumper(yaml.SafeDumper):
    """Block style; dates and times stay plain (causemap reads them as strings).

    PyYAML's own emitter, not libyaml's (``CSafeDumper``, three times as fast): libyaml
    writes other bytes for the same incident, and the canonical text must not depend on
    how PyYAML was built. It escapes characters past U+FFFF (an emoji becomes
    ``"\\U0001F525"``), folds long double-quoted text at other places, and once a text
    ending in a blank line was written, ends the document with ``...``.
    """


# The emitter quotes any string a YAML 1.1 reader would take for a bool, number or null;
# dates are left plain because people write them so and our reader keeps them as text.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}
# Our reader's YAML 1.2 numbers that 1.1 has not (a float without a dot: 1e3, 7e-10) are
# quoted too, or an id such as '1e3' would come back as a number.
_Dumper.add_implicit_resolver("tag:yaml.org,2002:float", FLOAT, list("-+.0123456789"))


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML writes NEL (U+0085) unescaped in every style but double-quoted, and a reader
    # takes it for a line break: only the "\N" escape brings it back.
    style = '"' if "\x85" in value else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(
    incident: Incident, format: Literal["yaml", "json"] = "yaml", schema: str | None = SCHEMA_URL
) -> str:
    """Return the canonical YAML or JSON text of ``incident``.

    YAML output starts with a ``yaml-language-server`` modeline pointing at ``schema``
    (pass None to leave it out).
    """
    data = canonical(incident)
    if format == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    text = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
        default_flow_style=False,
    )
    return (MODELINE.format(schema) if schema else "") + text


def discover(
    paths: Iterable[str | os.PathLike[str]],
    *,
    special: Callable[[Path], object] | None = None,
) -> Iterator[Path]:
    """Yield incident files: given files as they are, folders searched recursively.

    Files in a folder are yielded in sorted order; hidden files and folders, and
    :data:`SKIPPED` folders (``node_modules``), are skipped.
    A path that does not exist is yielded as is, so that reading it reports the problem;
    so are a folder that cannot be read and a broken link with an incident suffix found
    in a folder, so that no incident goes missing without a word.
    Something with an incident suffix in a folder that is not a regular file (a FIFO, a
    socket, a device) is never read, as reading it could block for ever: it is passed
    to ``special`` in its sorted place instead (report it with :func:`not_a_file`).
    A file reached more than once (a folder given twice, or a file and a folder that
    holds it) is yielded once, as first reached: paths are compared once resolved, so
    only a genuinely different file can repeat an incident id. A symbolic-link loop is
    yielded too: reading it reports the loop.
    """
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        found: Iterable[tuple[Path, bool, str | None]] = (
            _walk(path) if path.is_dir() else ((path, True, None),)
        )
        for file, regular, resolved in found:
            # os.path.realpath, as Path.resolve raises on a link loop.
            resolved = resolved or os.path.realpath(file)
            if resolved in seen:
                continue
            seen.add(resolved)
            if regular:
                yield file
            elif special is not None:
                special(file)


SKIPPED = frozenset({"node_modules"})
"""Folders never searched below a folder given (one given by name is): a JavaScript
project's packages hold thousands of JSON and YAML files that are not incidents."""


def _walk(root: Path) -> list[tuple[Path, bool, str | None]]:
    """The incident files under ``root``, sorted, with the folders that could not be read
    and the broken links, each with False when it is there but not a regular file, and
    its resolved path when known without asking the file system again (None: resolve
    it). Linked folders are followed, each real folder once: where first reached, going
    through the folders in name order (a link to a folder beside it is not walked again).

    Each folder is listed once with :func:`os.scandir`, whose entries know their type,
    and resolved once: a file in it that is no link resolves to the folder's real path
    and its name. (A stat and a full resolution per file took a second at 10,000 files.)
    """
    found: list[tuple[Path, bool, str | None]] = []
    visited: set[tuple[int, int]] = set()
    folders = [os.fspath(root)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:  # a folder that cannot be read: reading it says why
            found.append((Path(exc.filename or folder), True, None))
            continue
        info = os.stat(folder)
        if (info.st_dev, info.st_ino) in visited:  # a link back up the tree
            continue
        visited.add((info.st_dev, info.st_ino))
        real = os.path.realpath(folder)
        below = []
        for entry in sorted(entries, key=lambda e: e.name):
            name = entry.name
            if name.startswith("."):
                continue
            if _is_dir(entry):
                if name not in SKIPPED:
                    below.append(entry.path)
            elif os.path.splitext(name)[1].lower() in SUFFIXES:
                file = Path(entry.path)
                if entry.is_symlink():  # a broken link or a loop is read, to report it
                    found.append((file, file.is_file() or not file.exists(), None))
                else:  # its type is known from the listing (gone meanwhile: read it)
                    regular = entry.is_file(follow_symlinks=False) or not file.exists()
                    found.append((file, regular, os.path.join(real, name)))
        folders.extend(reversed(below))  # the first in name order is walked next
    found.sort(key=lambda item: item[0].parts)
    return found


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """Whether a folder's entry is a folder, or a link to one (as :func:`os.walk` with
    ``followlinks`` sees it)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_a_file(path: str | os.PathLike[str]) -> Checked:
    """The result for something :func:`discover` found in a folder but did not read."""
    name = os.fspath(path)
    try:
        mode = os.stat(path).st_mode
    except OSError:  # it went away meanwhile
        mode = 0
    kind = next((f" ({what})" for test, what in _KINDS if test(mode)), "")
    message = f"not a regular file{kind}; only regular files found in a folder are read"
    diagnostic = Diagnostic(severity="error", code="unreadable", file=name, message=message)
    return Checked(name=name, diagnostics=[diagnostic])
