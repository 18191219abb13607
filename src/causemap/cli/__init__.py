"""The ``causemap`` command line: parse arguments, call the library, print, exit.

Exit codes, the same for every command:

====  =============================================================================
0     success (warnings allowed)
1     the input has problems: an invalid document, or findings at the --fail-on level
2     usage error: unknown option, missing argument, unknown format
3     environment error: Graphviz missing, a render timed out, the store is unreachable
4     internal error: a bug in causemap (please report it)
141   standard output was closed early (``| head``); nothing is printed
====  =============================================================================

Heavy modules (networkx, pydantic models, renderers) are imported inside the commands
so that ``causemap --help`` starts fast.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import sys

import click

from causemap import __version__
from causemap.cli.base import EXIT_INTERNAL, CLIGroup

__all__ = ["cli", "main"]


@click.group(
    cls=CLIGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, "-V", "--version", prog_name="causemap")
def cli() -> None:
    """Blameless postmortems as causal graphs.

    Model an incident as events, conditions, contributing factors and impacts linked
    cause → effect, then check it, analyse it and draw it. Exit codes: 0 ok, 1 problems
    in the input, 2 usage error, 3 environment error, 4 internal error.
    """


def _utf8_streams() -> None:
    """Make standard output and error UTF-8 whatever the locale says.

    Output is then the same bytes in every environment, as ``-o`` files are, and a label
    in any script cannot make a command fail under a legacy locale (ISO-8859-1, a
    Windows code page) on the first character that locale cannot encode. A file name
    that is not UTF-8 is printed as its bytes on standard output (as ``ls`` prints it),
    and with backslash escapes on standard error (as Python does there).
    """
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(LookupError, ValueError, io.UnsupportedOperation):
                if (codecs.lookup(stream.encoding).name, stream.errors) != ("utf-8", errors):
                    stream.reconfigure(encoding="utf-8", errors=errors)


def main() -> None:
    """Entry point of the console script."""
    _utf8_streams()
    try:
        cli.main(prog_name="causemap")
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # pragma: no cover - last resort, never a traceback
        click.echo(f"causemap: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo(
            "causemap: please report this at https://github.com/causemap/causemap/issues", err=True
        )
        sys.exit(EXIT_INTERNAL)


def _register() -> None:
    from causemap.cli.analyze import analyze
    from causemap.cli.export import export
    from causemap.cli.lint import lint
    from causemap.cli.patterns import patterns
    from causemap.cli.render import render_command
    from causemap.cli.schema import schema
    from causemap.cli.serve import serve
    from causemap.cli.store import import_
    from causemap.cli.suggest import suggest
    from causemap.cli.validate import validate

    commands = (
        validate,
        analyze,
        lint,
        render_command,
        suggest,
        patterns,
        serve,
        import_,
        export,
        schema,
    )
    for command in commands:
        cli.add_command(command)


_register()
