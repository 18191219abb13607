"""``causemap schema``: print or write the JSON Schemas of causemap's documents."""

from __future__ import annotations

import json

import click

from causemap.cli.base import NonEmptyPath
from causemap.cli.output import Staged, check_folder, echo, make_folder


@click.command()
@click.argument("name", required=False, default="incident")
@click.option(
    "--out",
    "out",
    type=NonEmptyPath(file_okay=False),
    default=None,
    help="Write every schema into this folder instead of printing one.",
)
def schema(name: str, out: str | None) -> None:
    """Print the JSON Schema of NAME (default: incident).

    With --out DIR, write all schemas (incident, and the others causemap produces) as
    DIR/<name>.schema.json, the files committed in schemas/.
    """
    from causemap.errors import UnknownFormat
    from causemap.schema import schema_files, schemas

    if out is not None:
        check_folder(out, f"--out {out}")
        make_folder(out)
        files = schema_files(out)
        with Staged() as staged:
            for path, text in files.items():
                staged.add(text, path, str(path))
            staged.commit()
        for path in files:
            echo(f"wrote {path}")
        return
    every = schemas()
    if name not in every:
        raise UnknownFormat(f"unknown schema '{name}'; choose from: {', '.join(every)}")
    echo(json.dumps(every[name], indent=2, ensure_ascii=False))
