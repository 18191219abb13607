"""Running Graphviz ``dot``: the only place causemap starts another program.

``dot`` parses untrusted input, so it runs with every guard causemap can give it:

* an argument vector, never a shell, and the DOT text on standard input;
* a scrubbed environment: a fixed ``PATH``, ``LANG=C.UTF-8`` and ``SERVER_NAME``, which
  makes Graphviz refuse to read image and shape files at all;
* a wall-clock timeout, after which the process is killed;
* CPU-time and address-space limits, set on the child with the ``prlimit`` system call
  (or, where Python lacks it, the ``prlimit`` program from util-linux);
* for PNG, a fixed resolution and a cap on the drawing size, so no bitmap can be huge.

Graphviz's stderr can echo input and reveal file paths. It is logged (truncated) on the
``causemap.render`` logger and kept on the exception for the CLI, never put in the
exception message that a service would show.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import resource
import select
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from typing import Literal

from causemap.errors import GraphvizNotFound, RenderError, RenderTimeout
from causemap.render.options import DEFAULT_LIMITS, RenderLimits

__all__ = [
    "DotProcess",
    "ImageFormat",
    "dot_command",
    "dot_version",
    "draw",
    "find_dot",
    "run_dot",
]

log = logging.getLogger("causemap.render")

ImageFormat = Literal["svg", "png", "pdf"]

_FORMAT_ARGS: dict[str, tuple[str, ...]] = {
    "svg": ("-Tsvg",),
    # 96 dpi and at most 60 x 60 inches: a PNG is never wider than 5,760 pixels.
    "png": ("-Tpng", "-Gdpi=96", "-Gsize=60,60"),
    "pdf": ("-Tpdf",),
}
_STDERR_KEEP = 2_000
_MEMORY_WORDS = ("out of memory", "cannot allocate", "bad_alloc", "memory exhausted")
_KILLED = {signal.SIGKILL, signal.SIGXCPU}
_SET_LIMITS = getattr(resource, "prlimit", None)
_INSTALL = "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz)"
_ENDS = {"svg": b"</svg>\n"}
"""How ``dot``'s output of a format ends once the drawing is complete (see ``run``)."""
_CHUNK = 1 << 16
"""Bytes of DOT written to ``dot``'s (non-blocking) standard input at a time."""
_SELECTOR = getattr(selectors, "PollSelector", selectors.SelectSelector)
"""As ``subprocess`` chooses: poll where there is one, no epoll descriptor per run."""


@functools.lru_cache(maxsize=8)
def _which(name: str, path: str | None) -> str | None:
    return shutil.which(name, path=path)


def find_dot() -> str:
    """Return the path of the ``dot`` executable.

    Raises
    ------
    GraphvizNotFound
        If ``dot`` is not on ``PATH``.
    """
    dot = _which("dot", os.environ.get("PATH"))
    if dot is None:
        raise GraphvizNotFound(f"Graphviz 'dot' was not found on PATH; {_INSTALL}")
    return dot


def _environment(dot: str) -> dict[str, str]:
    path = [os.path.dirname(dot), "/usr/local/bin", "/usr/bin", "/bin"]
    return {
        "PATH": os.pathsep.join(dict.fromkeys(path)),
        "SERVER_NAME": "causemap",
        "LANG": "C.UTF-8",
    }


def dot_command(
    fmt: ImageFormat, limits: RenderLimits = DEFAULT_LIMITS, dot: str | None = None
) -> list[str]:
    """Return the argument vector that renders ``fmt``.

    Where the kernel's ``prlimit`` call is available (Linux), causemap sets the limits on
    the child itself and the command is ``dot`` alone. Elsewhere it is wrapped in the
    ``prlimit`` program when that exists, and runs without CPU and memory limits (but
    still with the wall-clock timeout) when neither does.
    """
    command = [dot or find_dot(), *_FORMAT_ARGS[fmt]]
    if _SET_LIMITS is not None:
        return command
    prlimit = _which("prlimit", os.environ.get("PATH"))
    if prlimit is None:
        log.debug("no prlimit: dot runs without CPU and memory limits")
        return command
    return [prlimit, f"--cpu={limits.cpu_seconds}", f"--as={limits.memory_bytes}", *command]


def _limit(pid: int, limits: RenderLimits) -> None:
    """Set the CPU and address-space limits of the just-started ``dot`` process.

    This happens microseconds after the start, long before ``dot`` has read its input
    (which it cannot before ``communicate`` writes it), so no layout runs unlimited; it
    needs neither ``preexec_fn`` (unsafe with threads) nor an extra ``prlimit`` process.
    """
    if _SET_LIMITS is None:
        return
    try:
        _SET_LIMITS(pid, resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds))
        _SET_LIMITS(pid, resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    except ProcessLookupError:  # already gone; its exit status tells what happened
        pass


def _truncate(stderr: bytes) -> str:
    text = stderr.decode("utf-8", "replace").strip()
    return text if len(text) <= _STDERR_KEEP else text[:_STDERR_KEEP] + " …(truncated)"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _failure(returncode: int, stderr: str, limits: RenderLimits) -> RenderError:
    signalled = -returncode if returncode < 0 else returncode - 128 if returncode > 128 else 0
    error: RenderError
    if signalled in _KILLED:
        error = RenderTimeout(
            f"Graphviz dot used more than its {limits.cpu_seconds} s of CPU time and was "
            "stopped; the graph is too large or too tangled to lay out"
        )
        error.limit = "cpu"
    elif any(word in stderr.lower() for word in _MEMORY_WORDS):
        error = RenderTimeout(
            f"Graphviz dot ran out of its {limits.memory_bytes // 2**20:,} MiB memory limit "
            "and was stopped; the graph is too large to lay out"
        )
        error.limit = "memory"
    elif signalled > 0:
        error = RenderError(
            f"Graphviz dot crashed ({_signal_name(signalled)}); under its "
            f"{limits.memory_bytes // 2**20:,} MiB memory limit this usually means the "
            "graph is too large to lay out"
        )
    else:
        error = RenderError(f"Graphviz dot failed (exit status {returncode})")
    error.stderr = stderr
    return error


class DotProcess:
    """One confined ``dot`` run, started before its input is known.

    ``DotProcess(fmt, limits).run(source)`` is :func:`run_dot` in two steps, so that a
    caller can start ``dot`` first and build the DOT meanwhile: ``dot`` loads its
    libraries while the caller works (the service analyses the incident meanwhile).
    ``dot`` reads nothing before :meth:`run` gives it the whole graph, so the bytes are
    those of :func:`run_dot`. Call :meth:`close` when :meth:`run` is not reached.

    Raises
    ------
    GraphvizNotFound
        If ``dot`` is not installed.
    """

    def __init__(self, fmt: ImageFormat, limits: RenderLimits = DEFAULT_LIMITS) -> None:
        self.dot = find_dot()
        self.fmt, self.limits = fmt, limits
        pipe = subprocess.PIPE
        try:
            self.process = subprocess.Popen(
                dot_command(fmt, limits, self.dot),
                stdin=pipe,
                stdout=pipe,
                stderr=pipe,
                env=_environment(self.dot),
            )
        except FileNotFoundError:
            raise GraphvizNotFound(f"Graphviz 'dot' could not be started; {_INSTALL}") from None
        _limit(self.process.pid, limits)

    def run(self, source: str, finish: Callable[[bytes], bytes] | None = None) -> bytes:
        """Give ``dot`` the DOT ``source``; return what it drew, through ``finish`` if given.

        For SVG, ``finish`` (the safety check) runs as soon as the document is complete,
        while ``dot`` is still exiting: a process that has mapped Graphviz's libraries
        takes about a millisecond to tear down before its output pipe reports its end.
        The bytes finished are the whole output all the same: were more to follow, or
        ``dot`` to fail, that early result is dropped (a failure is reported as before).

        Raises
        ------
        RenderTimeout
            If ``dot`` ran past the wall-clock, CPU or memory limit and was stopped.
        RenderError
            If ``dot`` failed for any other reason; ``stderr`` holds its (truncated) output.
        """
        process, limits = self.process, self.limits
        early = _Early(finish, _ENDS.get(self.fmt))
        with process:
            try:
                stdout, raw_stderr = _exchange(
                    process, source.encode("utf-8"), limits.timeout, early
                )
            except subprocess.TimeoutExpired:
                process.kill()
                _close_pipes(process)
                process.wait()
                log.warning("dot stopped after %.1f s (wall-clock limit)", limits.timeout)
                raise RenderTimeout(
                    f"Graphviz dot did not finish within {limits.timeout:g} s and was stopped"
                ) from None
        stderr = _truncate(raw_stderr)
        if process.returncode != 0:
            log.warning("dot failed with exit status %d: %s", process.returncode, stderr)
            raise _failure(process.returncode, stderr, limits)
        if stderr:
            log.debug("dot: %s", stderr)
        if finish is None:
            return stdout
        if early.seen == len(stdout):  # nothing followed the end: it saw all of it
            return early.result()
        return finish(stdout)

    def close(self) -> None:
        """Stop the process if it has not run, close its pipes and reap it (idempotent)."""
        process = self.process
        if process.returncode is None:
            with contextlib.suppress(OSError):
                process.kill()
        _close_pipes(process)
        process.wait()


class _Early:
    """``finish`` of a drawing whose output ended like a complete one before ``dot``
    exited: the length of the output it saw, and what it returned or raised."""

    def __init__(self, finish: Callable[[bytes], bytes] | None, end: bytes | None) -> None:
        self.finish = finish if end else None
        self.end = end or b""
        self.seen = -1
        self.value = b""
        self.error: Exception | None = None

    def wanted(self, output: list[bytes]) -> bool:
        """True once: when ``output`` (the chunks read so far) first ends with ``end``."""
        if self.finish is None or self.seen >= 0:
            return False
        last = output[-1] if len(output[-1]) >= len(self.end) else b"".join(output)
        return last.endswith(self.end)

    def run(self, data: bytes) -> None:
        assert self.finish is not None
        self.seen = len(data)
        try:
            self.value = self.finish(data)
        except Exception as exc:  # raised by result(), once dot has exited with success
            self.error = exc

    def result(self) -> bytes:
        if self.error is not None:
            raise self.error
        return self.value


def _close_pipes(process: subprocess.Popen[bytes]) -> None:
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def _exchange(
    process: subprocess.Popen[bytes], data: bytes, timeout: float, early: _Early
) -> tuple[bytes, bytes]:
    """``process.communicate(data, timeout)``, finishing the output early (see ``_Early``).

    As ``communicate``: writes and reads wait on a selector, so a ``dot`` that writes
    much to stderr before reading all its input cannot deadlock; a ``dot`` gone before
    reading everything is no error here (its exit status tells). The time ``early``
    takes is not counted against ``dot``'s wall-clock limit.

    Raises
    ------
    subprocess.TimeoutExpired
        When the process has not closed its output ``timeout`` seconds after the start.
    """
    stdin, stdout, stderr = process.stdin, process.stdout, process.stderr
    assert stdin is not None
    assert stdout is not None
    assert stderr is not None
    deadline = time.monotonic() + timeout
    out: list[bytes] = []
    err: list[bytes] = []
    view, offset = memoryview(data), 0
    with _SELECTOR() as selector:
        if view:
            os.set_blocking(stdin.fileno(), False)
            selector.register(stdin, selectors.EVENT_WRITE)
        else:
            stdin.close()
        selector.register(stdout, selectors.EVENT_READ, out)
        selector.register(stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise subprocess.TimeoutExpired(process.args, timeout)
            for key, _ in selector.select(remaining):
                if key.data is None:  # stdin
                    try:
                        offset += os.write(key.fd, view[offset : offset + _CHUNK])
                    except BlockingIOError:
                        continue
                    except BrokenPipeError:
                        offset = len(view)
                    if offset >= len(view):
                        selector.unregister(stdin)
                        stdin.close()
                    continue
                chunk = os.read(key.fd, 32768)
                if not chunk:
                    selector.unregister(key.fileobj)
                    (stdout if key.data is out else stderr).close()
                    continue
                key.data.append(chunk)
                if key.data is out and early.wanted(out):
                    started = time.monotonic()
                    early.run(b"".join(out))
                    deadline += time.monotonic() - started
    _reap(process, deadline - time.monotonic(), timeout)
    return b"".join(out), b"".join(err)


def _reap(process: subprocess.Popen[bytes], remaining: float, timeout: float) -> None:
    """Wait up to ``remaining`` seconds for ``process`` to exit, and reap it.

    ``Popen.wait`` with a timeout polls, sleeping 1 ms before its second look; a ``dot``
    that has just closed its output is seldom reapable at the first, so every render
    waited about a millisecond more than ``dot`` took. A pidfd (Linux) says the moment
    the process exits; elsewhere ``Popen.wait`` it is.

    Raises
    ------
    subprocess.TimeoutExpired
        If the process is still running after ``remaining`` seconds.
    """
    remaining = max(0.0, remaining)
    if process.returncode is not None:
        return
    try:
        pidfd = os.pidfd_open(process.pid)  # not reaped yet: the pid is still ours
    except (AttributeError, OSError):
        process.wait(remaining)
        return
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        if not poller.poll(remaining * 1000):
            raise subprocess.TimeoutExpired(process.args, timeout)
    finally:
        os.close(pidfd)
    process.wait()  # it has exited: reaped at once


def run_dot(source: str, fmt: ImageFormat, limits: RenderLimits = DEFAULT_LIMITS) -> bytes:
    """Lay out and draw DOT ``source`` as ``fmt``; return the bytes ``dot`` wrote.

    Raises
    ------
    GraphvizNotFound
        If ``dot`` is not installed.
    RenderTimeout
        If ``dot`` ran past the wall-clock, CPU or memory limit and was stopped.
    RenderError
        If ``dot`` failed for any other reason; ``stderr`` holds its (truncated) output.
    """
    return DotProcess(fmt, limits).run(source)


def draw(
    fmt: ImageFormat,
    build: Callable[[], str],
    limits: RenderLimits = DEFAULT_LIMITS,
    start: Callable[[ImageFormat, RenderLimits], DotProcess] = DotProcess,
    finish: Callable[[bytes], bytes] | None = None,
) -> bytes:
    """Start ``dot``, call ``build`` for the DOT source meanwhile, then lay it out.

    ``dot`` spends a good part of a small render loading its libraries; starting it first
    lets that happen while causemap writes the DOT. If ``build`` raises, ``dot`` is stopped
    and the error propagates. ``start`` gives the process (a
    :class:`~causemap.render.pool.DotPool`'s ``take`` hands out one started earlier);
    ``finish`` is what the drawing goes through (see :meth:`DotProcess.run`).
    """
    process = start(fmt, limits)
    try:
        source = build()
    except BaseException:
        process.close()
        raise
    return process.run(source, finish)


def dot_version() -> str:
    """Return the version line of the installed ``dot`` (for the benchmark and bug reports)."""
    dot = find_dot()
    done = subprocess.run(
        [dot, "-V"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=10,
        env=_environment(dot),
        check=False,
    )
    return _truncate(done.stderr or done.stdout)
