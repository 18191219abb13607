"""``causemap export``: write the latest revision of every live incident in the store
back to files that ``causemap import`` reads unchanged.

Export is the other half of the round trip files → store → files: edits made in the web
editor reach the repository the incidents were imported from. It writes into a folder
people also edit, so most of this module decides what it may replace: each incident goes
into the file already holding it, a previous export in the other format goes, and a file
holding changes no revision holds is refused before anything is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import click

from causemap.cli.base import NonEmptyPath
from causemap.cli.output import echo
from causemap.cli.store import db_option, opened
from causemap.counts import counted

if TYPE_CHECKING:
    from causemap.model import Incident
    from causemap.source import Format
    from causemap.store import Store

__all__ = ["export"]


@click.command()
@click.argument("directory", type=NonEmptyPath(file_okay=False, path_type=Path), metavar="DIR")
@db_option
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["yaml", "json"]),
    default="yaml",
    show_default=True,
    help="File format, and suffix of the files (DIR/<id>.json with json).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace files in DIR that hold changes no revision holds (an edited export, "
    "a draft that does not validate), losing those changes.",
)
def export(directory: Path, db: str | None, fmt: str, force: bool) -> None:
    """Write the latest revision of every live incident to DIR/<id>.yaml.

    The files are canonical (format order, defaults left out), so `causemap import DIR`
    reads them back unchanged. An incident that a file in DIR already holds, whatever
    its name and in any subfolder (the folder it was imported from), is written into
    that file, in that file's format, so that DIR holds each incident once. The previous
    export of an incident in DIR is replaced, also when it was in the other format
    (DIR/<id>.json for yaml, as export wrote it but for its line endings, which a git
    checkout may have made CRLF), unless a symbolic link in DIR points to it; other
    files are left alone. A file is replaced only if it is empty or holds a revision
    of its incident that the store has (the previous export, of any revision): one
    that holds changes no revision holds (an export edited and not imported yet, a
    draft of the incident that does not validate) is refused (exit 2) unless --force,
    and so is a name taken by a folder or a FIFO, by a symbolic link to another
    incident's file, or by a file that holds no version of that incident (notes, a
    broken file). Every refusal is made before anything is
    written, and every file is written in full before any is put in place, so an
    export that fails (a full disk) leaves DIR as it was.
    """
    from causemap.cli.output import Staged, check_folder, make_folder
    from causemap.loader import dump
    from causemap.source import detect_format

    check_folder(directory, f"DIR {directory}")
    other = "yaml" if fmt == "json" else "json"
    count, removed = 0, 0
    with opened(db, create=False) as store, Staged() as staged:
        seen = _Seen()
        live = [i for i, _ in store.heads()]
        homes = _homes(directory, live, fmt, seen)
        paths = {i: homes.get(i) or directory / f"{i}.{fmt}" for i in live}
        previous = {  # the previous export in the other format goes
            i: old
            for i in live
            if i not in homes and _is_export(old := directory / f"{i}.{other}", i, seen)
        }
        _check_shared(paths)
        _check_replaced(store, [*paths.values(), *previous.values()], seen, force)
        make_folder(directory)
        for record in store.iter_documents():
            incident_id = record.incident_id
            path = paths.get(incident_id)
            if path is None:  # created since heads(): its name was not checked yet
                path = directory / f"{incident_id}.{fmt}"
                _check_replaced(store, [path], seen, force)
            written = os.path.realpath(path)  # through a link, in the format of its file
            staged.add(dump(record.to_incident(), detect_format(written, "")), path, str(path))
            count += 1
        staged.commit()
        for incident_id, path in previous.items():
            removed += _remove_previous_export(path, incident_id, seen)
        where = store.url
    held = len(homes)
    into = (
        ""
        if not held
        else " (1 into the file already holding it)"
        if held == 1
        else f" ({held} into the files already holding them)"
    )
    echo(
        f"{counted(count, 'incident')} from {where} written to {directory}{into}"
        + (f"; {counted(removed, 'previous export')} in {other} removed" if removed else "")
    )


@dataclass(frozen=True)
class _Held:
    """What a file in DIR holds, as far as replacing it is concerned: a valid incident
    (its id and the digest a revision of it would have), nothing (``empty``), a draft of
    an incident that does not validate (``draft``, its id), or something else
    (``why`` it is no version of the incident at its name)."""

    incident_id: str = ""
    digest: str = ""
    empty: bool = False
    draft: bool = False
    why: str = ""


@dataclass
class _Seen:
    """What one export learnt of DIR's files, so that a previous export in the other
    format, asked about twice (to choose where to write, then before removing it), is
    parsed once (by the scan for homes) and dumped once, not parsed three times and
    dumped twice. What is known of a previous export is keyed by the file's text, read
    again each time: what is known of other text is never used."""

    parsed: dict[Path, tuple[str, Format, Incident]] = field(default_factory=dict)
    """The scan's ``<id>.<other>`` files: their text as ``read_text`` gives it, the
    format the scan parsed it in, and the incident."""
    verdicts: dict[tuple[Path, str], tuple[str, bool]] = field(default_factory=dict)
    """:func:`_is_export` of (path, incident id), with the text it was about."""
    linked: set[str] = field(default_factory=set)
    """The real paths that symbolic links in DIR point to (:func:`_link_targets`)."""
    held: dict[str, _Held] = field(default_factory=dict)
    """What the scan found in the files export may replace, by real path (read moments
    before :func:`_check_replaced` asks, and before anything is written)."""


def _homes(directory: Path, live: list[str], fmt: str, seen: _Seen) -> dict[str, Path]:
    """The file in ``directory`` (searched as ``import`` searches it) that each live
    incident is written into instead of ``<id>.<fmt>``: the one file that holds it
    under another name, unless that is its previous export in the other format (which
    goes) or the name another incident is written to. What the files it may replace
    hold goes into ``seen.held``, for :func:`_check_replaced`."""
    from causemap.loader import discover
    from causemap.source import detect_format, read_document

    if not directory.is_dir():
        return {}
    seen.linked = _link_targets(directory)
    other = "yaml" if fmt == "json" else "json"
    found: dict[str, list[Path]] = {}
    names = {f"{incident_id}.{fmt}": incident_id for incident_id in live}
    ids = set(live)
    for path in discover([directory], special=lambda _path: None):
        named = names.get(path.name) if path.parent == directory else None
        try:
            data = read_document(path)  # as check_file reads it
        except OSError as exc:
            if named:
                seen.held[os.path.realpath(path)] = _Held(why=_unreadable(exc))
            continue  # check_file's "unreadable": no incident
        incident, held = _read(data, str(path), named, ids)
        if held is not None:
            seen.held[os.path.realpath(path)] = held
        if incident is None:
            continue
        found.setdefault(incident.id, []).append(path)
        if path == directory / f"{incident.id}.{other}" and not data.startswith(b"\xef\xbb\xbf"):
            try:  # without a BOM, the very text the scan parsed
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            seen.parsed[path] = (text, detect_format(str(path), text), incident)
    homes = {
        incident_id: paths[0]
        for incident_id in live
        if len(paths := found.get(incident_id, [])) == 1
        and paths[0] != directory / f"{incident_id}.{fmt}"
        and not _is_export(directory / f"{incident_id}.{other}", incident_id, seen)
    }
    while True:  # a home that is another's <id>.<fmt> sends its incident there too
        taken = {directory / f"{i}.{fmt}" for i in live if i not in homes}
        clashing = [i for i, path in homes.items() if path in taken]
        if not clashing:
            break
        for incident_id in clashing:
            del homes[incident_id]
    return homes


def _unreadable(exc: OSError) -> str:
    return f"it cannot be read: {exc.strerror or exc}"


def _read(
    data: bytes, name: str, named: str | None, ids: set[str]
) -> tuple[Incident | None, _Held | None]:
    """The incident file ``name`` holds, if valid, and what it holds if export may
    replace it: it holds one of the live incidents ``ids`` or is at the export name of
    ``named``."""
    from causemap.loader import check_bytes
    from causemap.source import parse
    from causemap.store.records import encode

    incident = check_bytes(data, name).incident
    if incident is not None:
        if incident.id in ids or named:
            return incident, _Held(incident.id, encode(incident)[1])
        return incident, None
    if named is None:
        return None, None
    if not data.strip():
        return None, _Held(empty=True)
    value = parse(data, name).value
    if isinstance(value, dict) and value.get("id") == named:
        return None, _Held(named, draft=True)
    return None, _Held(why=f"it is not a valid incident and its id is not '{named}'")


def _check_shared(paths: dict[str, Path]) -> None:
    """Refuse to write two incidents into one file, which a symbolic link at one's
    name pointing to the other's makes: the second export replaced the first, and an
    incident was in no file though export counted it written.

    Raises
    ------
    click.UsageError
        Naming the two names and incidents.
    """
    first: dict[str, tuple[str, Path]] = {}
    for incident_id, path in paths.items():
        real = os.path.realpath(path)
        if real not in first:
            first[real] = (incident_id, path)
            continue
        other_id, other = first[real]
        raise click.UsageError(
            f"{other} and {path} are the same file (a symbolic link); refusing to write "
            f"incidents '{other_id}' and '{incident_id}' into it: remove the link, or "
            "export into another folder"
        )


def _check_replaced(store: Store, paths: list[Path], seen: _Seen, force: bool) -> None:
    """Refuse, before anything is written, to replace any of ``paths`` that holds
    something no revision in ``store`` holds: an edited export or a draft (unless
    ``force``), or something that is no version of the incident at all.

    A file is replaceable when it is empty or holds a document that a revision of its
    incident holds, as ``import`` decides "saved before" (the digest of its canonical
    JSON): a previous export of any revision, whatever its line endings or comments.

    Raises
    ------
    click.UsageError
        Naming every file refused, and why.
    """
    from causemap.source import read_document

    held: dict[Path, _Held] = {}
    for path in paths:
        real = os.path.realpath(path)
        if not os.path.isfile(real):
            continue  # not there yet; a folder or a FIFO is refused when staged
        known = seen.held.get(real)
        if known is None:  # not found by the scan (created since)
            try:
                data = read_document(real)
            except OSError as exc:
                known = _Held(why=_unreadable(exc))
            else:
                known = _read(data, str(path), path.stem, {path.stem})[1] or _Held()
        held[path] = known
    digests = {(h.incident_id, h.digest) for h in held.values() if h.digest}
    saved = store.saved(sorted(digests))
    refusals = []
    for path, h in held.items():
        if h.empty:
            continue
        if h.why:
            refusals.append(
                f"{path} does not hold incident '{path.stem}' ({h.why}); refusing to "
                "replace it with its export: move it, or export into another folder"
            )
        elif not force and (h.draft or (h.incident_id, h.digest) not in saved):
            what = f"of incident '{h.incident_id}'"
            if h.draft:
                what = f"(a draft of incident '{h.incident_id}' that does not validate)"
            refusals.append(
                f"{path} holds changes that are in no revision {what}: import it first, "
                "or pass --force to overwrite"
            )
    if refusals:
        raise click.UsageError("\n".join(refusals))


def _link_targets(directory: Path) -> set[str]:
    """The real paths of what the symbolic links in ``directory`` point to, whatever
    their names, searched as :func:`~causemap.loader.discover` searches (hidden and
    ``node_modules`` folders left out)."""
    from causemap.loader import SKIPPED

    targets: set[str] = set()
    for folder, folders, files in os.walk(directory):
        for name in (*folders, *files):
            if os.path.islink(entry := os.path.join(folder, name)):
                targets.add(os.path.realpath(entry))
        folders[:] = [name for name in folders if not name.startswith(".") and name not in SKIPPED]
    return targets


def _is_export(path: Path, incident_id: str, seen: _Seen) -> bool:
    """Whether ``path`` is what ``export`` writes for ``incident_id``, character for
    character but for its line endings: a git checkout with ``core.autocrlf`` makes
    them CRLF, and the copy must go as the file export wrote would (else an export
    in the other format would be written into it, unlike on any other checkout). Any
    other difference (a BOM, a comment, a key moved) makes it a file someone wrote.
    So does a symbolic link in DIR pointing to it: removed, it left the link dangling
    and the folder no longer imported; written into, the link shows the new export.

    The file is read each time; its text is parsed and dumped only when ``seen`` knows
    nothing of that very text (the scan's parse is used when it was of the same text in
    the same format, which gives the same incident)."""
    from causemap.errors import CausemapError
    from causemap.loader import dump, loads
    from causemap.source import detect_format

    if path.is_symlink() or not path.is_file() or os.path.realpath(path) in seen.linked:
        return False
    fmt = detect_format(path.name, "")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    known = seen.verdicts.get((path, incident_id))
    if known is not None and known[0] == text:
        return known[1]
    scanned = seen.parsed.get(path)
    if scanned is not None and scanned[:2] == (text, fmt):
        incident = scanned[2]
    else:
        try:
            incident = loads(text, format=fmt, name=str(path))
        except CausemapError:
            return False
    verdict = incident.id == incident_id and dump(incident, fmt) == text
    seen.verdicts[(path, incident_id)] = (text, verdict)
    return verdict


def _remove_previous_export(path: Path, incident_id: str, seen: _Seen) -> int:
    """Remove ``path`` (1) if it is an export of ``incident_id``, what ``export`` writes
    but for its line endings (see :func:`_is_export`), that the export in the other
    format replaced: left there, it
    looked current and the folder no longer imported (two files, one incident id). A
    file anyone wrote or changed is left alone (0)."""
    if not _is_export(path, incident_id, seen):
        return 0
    path.unlink()
    return 1
