"""Where a command's output goes: standard output, a file, or a file inside a folder.

* A **regular file** (or a path that does not exist yet) is written whole or not at
  all: the bytes go to a hidden temporary file beside it, which then replaces it. If
  anything fails, the temporary file is removed and the message names the ``-o`` path.
* **Anything else** (a FIFO, a terminal, ``/dev/null``, a character device) is opened and
  written in place; it is never replaced.
* In an **output folder** (``render -o DIR``, ``export``, ``schema --out``) a name taken
  by anything but a regular file (a folder, a FIFO) is refused, a usage error
  (:func:`check_entry`). ``export`` and ``schema --out`` write the folder whole or not at
  all: every file is staged first (:class:`Staged`), then all are put in place.
* A **symbolic link** is followed: its target is written and the link stays a link; a
  link to an output folder that does not exist yet creates it.
* An output that is **one of the inputs** (the same file, by any path) is refused before
  anything is written, and so is a folder where one file is expected: usage errors,
  exit 2.
* A write that fails (disk full, no permission, ``/proc``) is an environment error,
  exit 3, naming the path. A reader that stops early (``| head``) ends the command
  quietly with :data:`~causemap.cli.base.EXIT_BROKEN_PIPE` (the command group catches
  the ``BrokenPipeError``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

import click

from causemap.cli.base import EXIT_ENVIRONMENT, silence_stdout
from causemap.staging import stage

__all__ = [
    "OutputError",
    "Staged",
    "check_entry",
    "check_folder",
    "check_target",
    "destination",
    "echo",
    "emit",
    "make_folder",
    "write_file",
    "write_stdout",
]


class OutputError(click.ClickException):
    """Output could not be written: an environment error (exit 3) naming the path."""

    exit_code = EXIT_ENVIRONMENT

    def __init__(self, shown: str, exc: OSError) -> None:
        super().__init__(f"cannot write {shown}: {exc.strerror or exc}")

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"causemap: error: {self.format_message()}", err=True)


def _real(path: str | os.PathLike[str]) -> Path:
    return Path(os.path.realpath(path))


def _same(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _same_stat(there: os.stat_result, source: str | os.PathLike[str]) -> bool:
    """Whether ``source`` is the file ``there`` describes (as ``os.path.samefile``)."""
    try:
        found = os.stat(source)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (there.st_dev, there.st_ino)


Inputs = Iterable[str | os.PathLike[str] | None]
"""Paths a command reads; None (an option not given), ``-`` and ``<stdin>`` are skipped."""


def check_target(path: str | os.PathLike[str], shown: str, inputs: Inputs = ()) -> Path:
    """Return where writing ``path`` really goes (symbolic links followed).

    Raises
    ------
    click.UsageError
        If that is a folder, or the same file as one of ``inputs``.
    """
    real = _real(path)
    if real.is_dir():
        raise click.UsageError(f"-o {shown} is a folder; give a file name")
    try:
        there = os.stat(real)
    except OSError:
        there = None
    for source in inputs:
        if source is None or source in ("-", "<stdin>"):
            continue
        # One stat a file when the target exists (patterns reads 10,000 files, and
        # resolving each name cost half a second); when it does not, only an input of
        # its name, or a symbolic link, can lead there.
        if there is not None:
            same = _same_stat(there, source)
        else:
            named = os.path.basename(source) == real.name or os.path.islink(source)
            same = named and _same(real, _real(source))
        if same:
            raise click.UsageError(
                f"-o {shown} is the input {os.fspath(source)}; refusing to overwrite it"
            )
    return real


def check_entry(path: str | os.PathLike[str], shown: str, inputs: Inputs = ()) -> Path:
    """:func:`check_target` for a file whose name a command makes up inside its output
    folder (``render -o DIR``, ``export``, ``schema --out``): a FIFO or a device there is
    refused too, as opening it to write would wait for a reader for ever.

    Raises
    ------
    click.UsageError
        If that is there but not a regular file (a folder too), or it is one of
        ``inputs``.
    """
    try:
        mode: int | None = os.stat(path).st_mode
    except OSError:  # not there yet, or unreachable: writing it reports that
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        raise click.UsageError(f"{shown} is not a regular file; refusing to replace it")
    return check_target(path, shown, inputs)


def destination(output: str | None, inputs: Inputs = ()) -> Path | None:
    """Check a single-file ``-o`` up front: None means standard output.

    Call it before the real work, so that a bad ``-o`` fails fast and writes nothing.
    """
    if output is None or output == "-":
        return None
    if output.endswith(("/", os.sep)):  # a folder's name, whether it is there yet or not
        raise click.UsageError(f"-o {output} is a folder; give a file name")
    return check_target(output, output, inputs)


def emit(data: str | bytes, target: Path | None, shown: str | None = None) -> None:
    """Write ``data`` to ``target`` (from :func:`destination`), or to stdout for None."""
    if target is None:
        write_stdout(data)
    else:
        write_file(data, target, shown or str(target))


def echo(message: str = "") -> None:
    """Print one line to standard output, like ``click.echo``; see :func:`write_stdout`."""
    write_stdout(message + "\n")


def write_stdout(data: str | bytes) -> None:
    """Write ``data`` to standard output and flush it.

    Raises
    ------
    BrokenPipeError
        When the reader went away; the command group ends quietly.
    OutputError
        For any other failure (a full disk behind ``> file``).
    """
    if sys.stdout is None:  # started with descriptor 1 closed (>&-): click would drop it
        raise OutputError("standard output", OSError(errno.EBADF, "it is closed"))
    try:
        if isinstance(data, bytes):
            sys.stdout.flush()  # whatever click.echo left in the text layer goes first
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            click.echo(data, nl=not data.endswith("\n"))
    except BrokenPipeError:
        raise
    except OSError as exc:
        silence_stdout()
        raise OutputError("standard output", exc) from None


def write_file(data: str | bytes, path: str | os.PathLike[str], shown: str) -> None:
    """Write ``data`` to ``path``; see the module docstring for how.

    Raises
    ------
    OutputError
        If the bytes could not be written; no temporary file is left behind.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    real = _real(path)
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise OutputError(shown, exc) from None
    try:
        if mode is not None and not stat.S_ISREG(mode):
            with open(real, "wb") as stream:
                stream.write(raw)
            return
        real.parent.mkdir(parents=True, exist_ok=True)
        _replace(raw, real, None if mode is None else stat.S_IMODE(mode))
    except OSError as exc:
        raise OutputError(shown, exc) from None


def check_folder(path: str | os.PathLike[str], shown: str) -> None:
    """Refuse an output folder that exists as something else (exit 2): click's own check
    catches a regular file, not a device or a FIFO."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise click.UsageError(f"{shown} is not a folder")


def make_folder(path: str | os.PathLike[str]) -> None:
    """Create the output folder ``path`` and any missing parents; a symbolic link to a
    folder that does not exist yet creates its target, as a link to a file does."""
    _real(path).mkdir(parents=True, exist_ok=True)


class Staged:
    """Several files written whole or not at all, for a command that writes a folder of
    them (``export``): each is written to a hidden temporary file beside its name by
    :meth:`add`, and :meth:`commit` puts them all in place. Leaving the ``with`` block
    removes what was not put in place, so a failure before the commit (a full disk, a
    name that is taken by a folder) leaves every name as it was.
    """

    def __init__(self) -> None:
        self._files: list[tuple[Path, Path, str]] = []

    def __enter__(self) -> Staged:
        return self

    def __exit__(self, *_exc: object) -> None:
        for tmp, _real_path, _shown in self._files:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._files.clear()

    def add(self, data: str | bytes, path: str | os.PathLike[str], shown: str) -> None:
        """Write ``data`` for ``path`` (a symbolic link is followed, as by
        :func:`write_file`).

        Raises
        ------
        click.UsageError
            If ``path`` is a folder, a FIFO or a device (see :func:`check_entry`).
        OutputError
            If the bytes could not be written.
        """
        raw = data.encode("utf-8") if isinstance(data, str) else data
        real = check_entry(path, shown)
        try:
            mode: int | None = os.stat(real).st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            raise OutputError(shown, exc) from None
        try:
            tmp = stage(raw, real, None if mode is None else stat.S_IMODE(mode))
        except OSError as exc:
            raise OutputError(shown, exc) from None
        self._files.append((tmp, real, shown))

    def commit(self) -> None:
        """Put every staged file in place, in the order they were added."""
        while self._files:
            tmp, real, shown = self._files[0]
            try:
                os.replace(tmp, real)
            except OSError as exc:
                raise OutputError(shown, exc) from None
            self._files.pop(0)


def _replace(raw: bytes, real: Path, mode: int | None) -> None:
    tmp = stage(raw, real, mode)
    try:
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
