"""Running dot: no shell, stdin, a scrubbed environment, limits, and errors that say why."""

from __future__ import annotations

import logging
import random
import shutil
import stat
import time
from pathlib import Path

import pytest

from causemap.errors import GraphvizNotFound, RenderError, RenderTimeout, UnsafeOutput
from causemap.render import runner
from causemap.render.options import RenderLimits
from causemap.render.runner import DotProcess, dot_command, dot_version, find_dot, run_dot
from causemap.render.svg import finish_svg, svg_from_dot


def fake_dot(folder: Path, body: str) -> Path:
    """Put an executable ``dot`` shell script first on PATH."""
    folder.mkdir(exist_ok=True)
    script = folder / "dot"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.fixture
def fake_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{folder}:/usr/bin:/bin")
    return folder


def heavy_dot(n: int = 500, e: int = 3000) -> str:
    """A random DAG that plain dot takes well over a minute to lay out."""
    rng = random.Random(1)
    edges: set[tuple[int, int]] = set()
    while len(edges) < e:
        a, b = sorted(rng.sample(range(n), 2))
        edges.add((a, b))
    return "digraph g {\n" + "".join(f"  x{a} -> x{b};\n" for a, b in sorted(edges)) + "}\n"


class TestFindDot:
    def test_missing_dot_is_graphviz_not_found(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PATH", str(tmp_path))
        with pytest.raises(GraphvizNotFound, match="apt-get install graphviz"):
            find_dot()
        with pytest.raises(GraphvizNotFound):
            run_dot("digraph {}", "svg")

    def test_version_reads_no_stdin(self, fake_path: Path) -> None:
        fake_dot(fake_path, 'cat; echo "dot - graphviz version 9.9" >&2')
        assert dot_version() == "dot - graphviz version 9.9"

    def test_command_is_dot_alone_with_argv_only(self, fake_path: Path) -> None:
        dot = fake_dot(fake_path, "exit 0")
        assert dot_command("png") == [str(dot), "-Tpng", "-Gdpi=96", "-Gsize=60,60"]

    def test_falls_back_to_the_prlimit_program(
        self, fake_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(runner, "_SET_LIMITS", None)
        dot = fake_dot(fake_path, "exit 0")
        command = dot_command("svg", RenderLimits(cpu_seconds=7, memory_bytes=2**30))
        if shutil.which("prlimit"):
            assert command == [
                shutil.which("prlimit"),
                "--cpu=7",
                f"--as={2**30}",
                str(dot),
                "-Tsvg",
            ]
        monkeypatch.setenv("PATH", str(fake_path))
        assert dot_command("svg") == [str(dot), "-Tsvg"]


class TestLimits:
    def test_cpu_and_memory_limits_reach_dot(self, fake_path: Path) -> None:
        fake_dot(fake_path, "cat >/dev/null; ulimit -t; ulimit -v")
        out = run_dot("digraph {}", "svg", RenderLimits(cpu_seconds=7, memory_bytes=2**30))
        assert out.decode().split() == ["7", str(2**30 // 1024)]


class TestStartedEarly:
    def test_run_in_two_steps(self, fake_path: Path) -> None:
        fake_dot(fake_path, 'echo "ARGS:$*"; cat')
        process = DotProcess("svg")
        assert process.run("digraph {}") == b"ARGS:-Tsvg\ndigraph {}"
        process.close()  # after run: nothing to do

    def test_close_stops_an_unused_process(self, fake_path: Path) -> None:
        fake_dot(fake_path, "exec cat >/dev/null")
        process = DotProcess("svg", RenderLimits(cpu_seconds=7))
        process.close()
        assert process.process.returncode is not None
        process.close()


class TestEnvironment:
    def test_env_is_scrubbed_and_sets_server_name(
        self, fake_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("CAUSEMAP_TEST_SECRET", "leaked")
        fake_dot(fake_path, 'cat >/dev/null; echo "ARGS:$*"; /usr/bin/env')
        out = run_dot("digraph {}", "svg").decode()
        env = dict(line.split("=", 1) for line in out.splitlines()[1:] if "=" in line)
        assert out.startswith("ARGS:-Tsvg\n")
        assert env["SERVER_NAME"] == "causemap"
        assert env["LANG"] == "C.UTF-8"
        assert env["PATH"].startswith(str(fake_path))
        assert "CAUSEMAP_TEST_SECRET" not in env
        assert "HOME" not in env

    def test_source_goes_to_stdin_not_argv(self, fake_path: Path) -> None:
        fake_dot(fake_path, 'echo "ARGS:$*"; cat')
        out = run_dot('digraph { a [label="$(touch /tmp/x)"] }', "svg").decode()
        assert out == 'ARGS:-Tsvg\ndigraph { a [label="$(touch /tmp/x)"] }'


class TestFailures:
    def test_stderr_is_logged_and_kept_but_not_in_the_message(
        self, fake_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        fake_dot(fake_path, "cat >/dev/null; echo 'Error: /etc/shadow is unsafe' >&2; exit 1")
        with (
            caplog.at_level(logging.WARNING, logger="causemap.render"),
            pytest.raises(RenderError) as info,
        ):
            run_dot("digraph {}", "svg")
        assert str(info.value) == "Graphviz dot failed (exit status 1)"
        assert type(info.value) is RenderError
        assert info.value.stderr == "Error: /etc/shadow is unsafe"
        assert "/etc/shadow" in caplog.text

    def test_long_stderr_is_truncated(self, fake_path: Path) -> None:
        fake_dot(fake_path, "cat >/dev/null; head -c 50000 /dev/zero | tr '\\0' x >&2; exit 1")
        with pytest.raises(RenderError) as info:
            run_dot("digraph {}", "svg")
        assert len(info.value.stderr) < 2100
        assert info.value.stderr.endswith("(truncated)")

    def test_wall_clock_timeout_kills_dot(self, fake_path: Path) -> None:
        fake_dot(fake_path, "exec sleep 30")
        started = time.perf_counter()
        with pytest.raises(RenderTimeout, match=r"did not finish within 0\.5 s") as info:
            run_dot("digraph {}", "svg", RenderLimits(timeout=0.5))
        assert time.perf_counter() - started < 5
        assert info.value.limit == "wall-clock"

    def test_a_dot_that_closes_its_output_and_lingers_is_stopped(self, fake_path: Path) -> None:
        fake_dot(fake_path, "cat >/dev/null; printf '<svg/>'; exec >&- 2>&-; exec sleep 30")
        started = time.perf_counter()
        with pytest.raises(RenderTimeout, match=r"did not finish within 0\.5 s"):
            run_dot("digraph {}", "svg", RenderLimits(timeout=0.5))
        assert time.perf_counter() - started < 5

    def test_memory_exhaustion_is_a_limit_error(self, fake_path: Path) -> None:
        fake_dot(fake_path, "cat >/dev/null; echo 'out of memory' >&2; exit 1")
        with pytest.raises(RenderTimeout, match="ran out of its 2,048 MiB memory limit") as info:
            run_dot("digraph {}", "svg")
        assert info.value.limit == "memory"

    @pytest.mark.dot
    def test_cpu_limit_stops_a_pathological_layout(self) -> None:
        started = time.perf_counter()
        with pytest.raises(RenderTimeout, match="more than its 1 s of CPU time") as info:
            run_dot(heavy_dot(), "svg", RenderLimits(cpu_seconds=1))
        assert time.perf_counter() - started < 10
        assert info.value.limit == "cpu"

    @pytest.mark.dot
    def test_memory_limit_stops_dot(self) -> None:
        with pytest.raises(RenderError, match=r"crashed \(SIG\w+\); under its 20 MiB memory"):
            run_dot(heavy_dot(200, 400), "svg", RenderLimits(memory_bytes=20 * 2**20))


@pytest.mark.dot
class TestRealDot:
    def test_renders_svg(self) -> None:
        assert b"<svg" in run_dot('digraph { a -> b [label="x"] }', "svg")

    def test_syntax_error_is_a_render_error(self) -> None:
        with pytest.raises(RenderError, match="exit status 1") as info:
            run_dot("digraph { a -> }", "svg")
        assert "syntax error" in info.value.stderr

    def test_version(self) -> None:
        assert "graphviz version" in dot_version()


class TestFinish:
    """``run(source, finish)``: an SVG is checked while dot exits, on all it wrote."""

    SVG = "printf '<svg xmlns=\"http://www.w3.org/2000/svg\"><g/></svg>\\n'"

    def test_finish_sees_the_whole_output(self, fake_path: Path) -> None:
        fake_dot(fake_path, f"cat >/dev/null; {self.SVG}; sleep 0.2; printf 'more'")
        seen: list[bytes] = []

        def finish(data: bytes) -> bytes:
            seen.append(data)
            return data.upper()

        drawn = DotProcess("svg").run("digraph {}", finish)
        assert drawn.endswith(b"</SVG>\nMORE")
        assert seen[-1].endswith(b"</svg>\nmore")

    def test_a_failing_dot_wins_over_the_check(self, fake_path: Path) -> None:
        fake_dot(fake_path, f"cat >/dev/null; {self.SVG}; sleep 0.1; exit 1")

        def finish(data: bytes) -> bytes:
            raise UnsafeOutput("refused")

        with pytest.raises(RenderError, match="exit status 1"):
            DotProcess("svg").run("digraph {}", finish)

    def test_an_unsafe_drawing_is_refused(self, fake_path: Path) -> None:
        svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
        fake_dot(fake_path, f"cat >/dev/null; printf '{svg}\\n'; sleep 0.1")
        with pytest.raises(UnsafeOutput, match="event attribute 'onload'"):
            svg_from_dot("digraph {}")

    def test_a_dot_that_hangs_after_drawing_is_stopped(self, fake_path: Path) -> None:
        fake_dot(fake_path, f"cat >/dev/null; {self.SVG}; exec sleep 30")
        started = time.perf_counter()
        with pytest.raises(RenderTimeout, match=r"did not finish within 0\.5 s"):
            DotProcess("svg", RenderLimits(timeout=0.5)).run("digraph {}", finish_svg)
        assert time.perf_counter() - started < 5

    def test_a_large_input_is_written_whole(self, fake_path: Path) -> None:
        fake_dot(fake_path, "wc -c")
        source = "digraph {\n" + "  a -> b;\n" * 50_000 + "}\n"
        assert DotProcess("svg").run(source).strip() == str(len(source)).encode()
