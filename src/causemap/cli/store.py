"""``causemap import``: save incident files into the store; and what the commands that
use the store share: the ``--db`` option and :func:`opened`.

``export``, the way back to files, is :mod:`causemap.cli.export`; ``serve`` and
``patterns --db`` take the same ``--db`` option from here, so the URL is checked one way
for every command.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from causemap.cli.base import (
    EXIT_PROBLEMS,
    PATH,
    check_inputs,
    echo_diagnostic,
    no_inputs_found,
)
from causemap.cli.output import echo
from causemap.counts import counted

if TYPE_CHECKING:
    from causemap.store import Store

__all__ = ["db_option", "import_", "opened"]


def _usable(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """The ``--db`` URL, checked before anything is opened: one causemap cannot use
    (``mysql://``, SQLite in memory, no URL at all) is a bad option value (exit 2), as
    any other is. (``$CAUSEMAP_DB`` is checked when the store is opened, since a command
    given files never opens it; it is a usage error naming the variable then.)

    ``--db ""`` (a variable that was never set, ``--db "$DB"``) is a mistake, not a
    request for the default store, which it would quietly have written to.

    Without ``--db`` nothing is imported: the store package (SQLAlchemy, alembic) takes
    0.3 s to load, which ``patterns`` over files never needs."""
    if value is not None and not value.strip():
        raise click.BadParameter(
            "is empty; leave --db out to use $CAUSEMAP_DB or the default store"
        )
    if value is not None:
        from causemap.errors import InvalidDatabaseUrl
        from causemap.store.engine import check_url

        try:
            check_url(value)
        except InvalidDatabaseUrl as exc:
            raise click.BadParameter(str(exc)) from None
    return value


db_option = click.option(
    "--db",
    "db",
    metavar="URL",
    callback=_usable,
    help="Database URL: sqlite:///PATH or postgresql+psycopg://USER@HOST/DB "
    "(default: $CAUSEMAP_DB, else causemap.db in the user's data folder).",
)


@contextmanager
def opened(db: str | None, *, create: bool = True) -> Iterator[Store]:
    """The store at ``db``; a database error once it is open names it, as opening's do
    (a lock held too long by another process, a file that became read-only)."""
    from causemap.errors import StoreUnavailable
    from causemap.store import Store

    with Store.open(db, create=create) as store:
        try:
            yield store
        except StoreUnavailable as exc:
            raise StoreUnavailable(f"{store.url}: {exc}") from exc


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=PATH, metavar="PATH...")
@db_option
@click.option(
    "--force",
    is_flag=True,
    help="Save a file that holds an earlier revision of its incident, undoing the later ones.",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid files and report the invalid ones, which are skipped (exit 1).",
)
def import_(paths: tuple[str, ...], db: str | None, force: bool, skip_invalid: bool) -> None:
    """Save incident files (YAML or JSON) into the store.

    PATH may be a file, a folder (searched recursively) or '-' for standard input. Every
    file is validated first; if any is invalid nothing is imported (exit 1), unless
    --skip-invalid: then each invalid file is reported and skipped, the valid ones are
    imported (of files sharing an incident id, the first), and the exit status is 1
    still. All are saved in one transaction: an import the database fails midway saves
    nothing. A new incident is created; a changed one gets a new revision; an unchanged
    one is left alone, so importing the same files twice changes nothing. A deleted
    incident stays deleted (restore it first, in the web editor or by POST
    /incidents/ID/restore). A file that holds an earlier revision of its incident, not
    the latest, is skipped: the store has later edits (the web editor's) that importing
    it would undo; export to get them into the files, or pass --force.
    """
    results = check_inputs(paths)
    if not results:
        raise click.UsageError(no_inputs_found(paths))
    invalid = [r for r in results if not r.ok]
    for r in invalid:
        for diagnostic in r.diagnostics:
            echo_diagnostic(diagnostic)
    if invalid and (not skip_invalid or len(invalid) == len(results)):
        click.echo(f"causemap: {_refusal(len(invalid), len(results), skip_invalid)}", err=True)
        raise SystemExit(EXIT_PROBLEMS)
    results = [r for r in results if r.ok]
    counts = {"created": 0, "updated": 0, "unchanged": 0, "deleted": 0, "stale": 0}
    with opened(db) as store:
        batch = [r.incident for r in results if r.incident is not None]
        saved = store.put_all(batch, force=force)
        where = store.url
    for r, (record, outcome) in zip(results, saved, strict=True):
        counts[outcome] += 1
        shown = _SKIPPED.get(outcome, outcome)
        echo(f"{r.name}: {record.incident_id}: {shown} (revision {record.number})")
    echo(
        f"{counted(len(results), 'incident')} into {where}: {counts['created']} created, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged, "
        f"{counts['deleted']} skipped (deleted), {counts['stale']} skipped (older)"
    )
    if invalid:  # --skip-invalid: what was left out is a problem in the input
        total = counted(len(results) + len(invalid), "file")
        # "Imported" would count unchanged, deleted and older files too: the lines above
        # say what became of each valid file.
        click.echo(
            f"causemap: {len(invalid)} of {total} skipped (invalid); "
            f"the other {counted(len(results), 'file')} "
            f"{'is' if len(results) == 1 else 'are'} listed above",
            err=True,
        )
        raise SystemExit(EXIT_PROBLEMS)


def _refusal(invalid: int, total: int, skip_invalid: bool) -> str:
    """Why an import with ``invalid`` of ``total`` files invalid saved nothing, and what
    to do: without --skip-invalid, that it imports the rest when there is one."""
    if invalid == total:
        return (
            f"{counted(invalid, 'invalid file')} and nothing valid; nothing imported"
            if skip_invalid
            else f"{counted(invalid, 'invalid file')}; nothing imported"
        )
    fix = "fix it" if invalid == 1 else "fix them"
    return (
        f"{counted(invalid, 'invalid file')}; nothing imported: {fix}, or pass "
        "--skip-invalid to import the rest"
    )


_SKIPPED = {
    "deleted": "skipped: deleted in the store",
    "stale": "skipped: the store has later edits than this file, which it would undo "
    "(export to get them; --force imports it over them)",
}
"""How ``import`` reports a file it did not save."""
