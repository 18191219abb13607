"""Where output goes (``causemap.cli.output``): ``-o`` never clobbers an input, a link, a
FIFO or a device; a write that fails is an environment error naming the path; a reader
that goes away ends the command quietly."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner

from causemap.cli import cli
from causemap.loader import dump, loads
from tests.conftest import EXAMPLES, ROOT
from tests.test_bad_inputs import BASE

runner = CliRunner()

# Every command that writes one file with -o, with the options it needs for that.
WRITERS = {
    "render": ["render", "-f", "dot"],
    "analyze": ["analyze"],
    "patterns": ["patterns"],
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestRefusedTargets:
    @pytest.mark.parametrize("command", WRITERS.values(), ids=list(WRITERS))
    def test_the_input_itself(self, tmp_path: Path, command: list[str]) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        result = runner.invoke(cli, [*command, str(path), "-o", str(path)])
        assert result.exit_code == 2, result.output
        assert f"-o {path} is the input {path}; refusing to overwrite it" in result.output
        assert path.read_text(encoding="utf-8") == BASE

    @pytest.mark.parametrize("spelling", ["./in.yaml", "link.yaml", "hard.yaml"])
    def test_the_input_by_another_path(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
    ) -> None:
        monkeypatch.chdir(tmp_path)
        path = write(tmp_path, "in.yaml", BASE)
        (tmp_path / "link.yaml").symlink_to("in.yaml")
        os.link(path, tmp_path / "hard.yaml")
        result = runner.invoke(cli, ["render", "-f", "dot", "in.yaml", "-o", spelling])
        assert result.exit_code == 2, result.output
        assert "refusing to overwrite it" in result.output
        assert path.read_text(encoding="utf-8") == BASE

    def test_an_input_linking_to_a_target_not_there_yet(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Inputs are compared by a stat each when the target exists, else only those
        # named as it is or linked: a dangling link to the target is one of them.
        monkeypatch.chdir(tmp_path)
        write(tmp_path, "ok.yaml", BASE)
        (tmp_path / "in.yaml").symlink_to("out.yaml")
        result = runner.invoke(cli, ["patterns", "ok.yaml", "in.yaml", "-o", "out.yaml"])
        assert result.exit_code == 2, result.output
        assert "-o out.yaml is the input in.yaml; refusing to overwrite it" in result.output
        assert not (tmp_path / "out.yaml").exists()

    def test_the_config_file(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        config = write(tmp_path, "c.yaml", "example_paths: 3\n")
        result = runner.invoke(
            cli, ["analyze", "--config", str(config), str(path), "-o", str(config)]
        )
        assert result.exit_code == 2, result.output
        assert config.read_text(encoding="utf-8") == "example_paths: 3\n"

    @pytest.mark.parametrize("by_env", [False, True], ids=["--db", "CAUSEMAP_DB"])
    def test_the_store_a_report_is_made_from(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_env: bool
    ) -> None:
        # `patterns` with no PATH reads the store; -o naming its SQLite file used to
        # replace the whole database with the report.
        db = tmp_path / "team.db"
        url = f"sqlite:///{db}"
        made = runner.invoke(cli, ["import", "--db", url, str(write(tmp_path, "a.yaml", BASE))])
        assert made.exit_code == 0, made.output
        before = db.read_bytes()
        store = [] if by_env else ["--db", url]
        monkeypatch.setenv("CAUSEMAP_DB", url)
        result = runner.invoke(cli, ["patterns", *store, "-o", str(db)])
        assert result.exit_code == 2, result.output
        assert f"-o {db} is the input {db}; refusing to overwrite it" in result.output
        assert db.read_bytes() == before

    def test_an_input_in_the_output_folder(self, tmp_path: Path) -> None:
        canonical = dump(loads(BASE), "json")
        path = write(tmp_path, "demo.json", canonical)
        result = runner.invoke(cli, ["render", str(tmp_path), "-f", "json", "-o", str(tmp_path)])
        assert result.exit_code == 2, result.output
        assert "refusing to overwrite it" in result.output
        assert path.read_text(encoding="utf-8") == canonical

    @pytest.mark.parametrize("command", [["analyze"], ["patterns"]], ids=["analyze", "patterns"])
    def test_a_folder_where_one_file_is_written(self, tmp_path: Path, command: list[str]) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        folder = tmp_path / "out"
        folder.mkdir()
        result = runner.invoke(cli, [*command, str(path), "-o", str(folder)])
        assert result.exit_code == 2, result.output
        assert f"-o {folder} is a folder" in result.output
        assert list(folder.iterdir()) == []


class TestTargets:
    def test_a_symbolic_link_writes_its_target(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        real = write(tmp_path, "real.dot", "old")
        link = tmp_path / "link.dot"
        link.symlink_to("real.dot")
        result = runner.invoke(cli, ["render", "-f", "dot", str(path), "-o", str(link)])
        assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert real.read_text(encoding="utf-8").startswith("digraph incident {")

    def test_a_dangling_link_creates_its_target(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        link = tmp_path / "link.dot"
        link.symlink_to("made.dot")
        result = runner.invoke(cli, ["render", "-f", "dot", str(path), "-o", str(link)])
        assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert (tmp_path / "made.dot").read_text(encoding="utf-8").startswith("digraph")

    @pytest.mark.parametrize("command", ["render", "export"])
    def test_a_dangling_link_to_a_folder_creates_its_target(
        self, tmp_path: Path, command: str
    ) -> None:
        """Render's and export's output folder: it was 'File exists', exit 3."""
        path = write(tmp_path, "in.yaml", BASE)
        link = tmp_path / "out"
        link.symlink_to("made")
        db = f"sqlite:///{tmp_path / 's.db'}"
        runner.invoke(cli, ["import", "--db", db, str(path)])
        args = {
            "render": ["render", "-f", "json", str(path), str(EXAMPLES[0]), "-o", str(link)],
            "export": ["export", "--db", db, str(link)],
        }[command]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        assert link.is_symlink()
        assert "demo" in [p.stem for p in (tmp_path / "made").iterdir()]

    def test_a_fifo_is_written_in_place(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        fifo = tmp_path / "pipe.dot"
        os.mkfifo(fifo)
        # A reader that is already there, so opening the FIFO to write does not block.
        reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            result = runner.invoke(cli, ["render", "-f", "dot", str(path), "-o", str(fifo)])
            received = os.read(reader, 1 << 16)
        finally:
            os.close(reader)
        assert result.exit_code == 0, result.output
        assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced"
        assert received.startswith(b"digraph incident {")

    def test_an_existing_file_keeps_its_mode(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        out = write(tmp_path, "out.txt", "old")
        out.chmod(0o640)
        result = runner.invoke(cli, ["analyze", str(path), "-o", str(out)])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
        assert "Prevention" in out.read_text(encoding="utf-8")


class TestWriteFailures:
    def test_a_path_that_cannot_be_made_exits_3_naming_it(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        out = tmp_path / "in.yaml" / "out.txt"
        result = runner.invoke(cli, ["analyze", str(path), "-o", str(out)])
        assert result.exit_code == 3, result.output
        assert f"causemap: error: cannot write {out}:" in result.output

    def test_a_failed_write_leaves_no_temporary_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = write(tmp_path, "in.yaml", BASE)

        def full(*_args: object) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(os, "replace", full)
        result = runner.invoke(cli, ["analyze", str(path), "-o", str(tmp_path / "out.txt")])
        assert result.exit_code == 3, result.output
        assert f"cannot write {tmp_path / 'out.txt'}: No space left on device" in result.output
        assert ".tmp" not in result.output
        assert sorted(p.name for p in tmp_path.iterdir()) == ["in.yaml"]


# Runs the CLI with fd 1 on a "full disk": writes fail for as long as fd 1 is the regular
# file the test gave it, as they would on a full file system.
FULL_STDOUT = """\
import errno, io, os, stat, sys
class Full(io.RawIOBase):
    def writable(self): return True
    def fileno(self): return 1
    def write(self, b):
        if stat.S_ISREG(os.fstat(1).st_mode):
            raise OSError(errno.ENOSPC, "No space left on device")
        return os.write(1, b)
sys.stdout = io.TextIOWrapper(io.BufferedWriter(Full()), encoding="utf-8")
from causemap.cli import main
main()
"""


def on_a_full_disk(tmp_path: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    """``causemap ARGS`` with standard output on a disk that is full."""
    with (tmp_path / "stdout").open("wb") as stdout:
        return subprocess.run(
            [sys.executable, "-c", FULL_STDOUT, *args],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=ROOT,
        )


class TestStandardOutput:
    @pytest.mark.parametrize("command", ["analyze", "validate"])
    def test_a_full_disk_exits_3(self, tmp_path: Path, command: str) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        done = on_a_full_disk(tmp_path, [command, str(path)])
        assert done.returncode == 3, done.stderr
        assert (
            done.stderr
            == "causemap: error: cannot write standard output: No space left on device\n"
        )

    def test_a_reader_that_goes_away_ends_it_quietly(self, tmp_path: Path) -> None:
        chain = [
            f"  - {{id: n{i}, kind: event, label: Step {i}, causes: [n{i - 1}]}}"
            for i in range(1, 400)
        ]
        doc = BASE.split("nodes:")[0] + "nodes:\n  - {id: n0, kind: event, label: Step 0}\n"
        doc += "\n".join(chain) + "\n  - {id: end, kind: impact, label: Impact, causes: [n399]}\n"
        path = write(tmp_path, "big.yaml", doc)  # its DOT is larger than a pipe holds
        with subprocess.Popen(
            [sys.executable, "-m", "causemap", "render", "-f", "dot", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        ) as child:
            assert child.stdout is not None
            assert child.stderr is not None
            child.stdout.close()
            errors = child.stderr.read().decode()
            assert child.wait(timeout=60) == 141, errors
        assert errors == ""


class TestLegacyLocale:
    """Under a locale that is not UTF-8 (LANG=en_US.ISO-8859-1, simulated here with
    PYTHONIOENCODING), every command writes the same UTF-8 bytes as it does elsewhere
    (as it does with -o), instead of failing as an internal error on a '→' or a label."""

    @pytest.mark.parametrize(
        "command",
        [
            ["analyze"],
            ["analyze", "--format", "json"],
            ["lint", "--fail-on", "error"],
            ["validate"],
            ["suggest"],
            ["render", "-f", "mermaid"],
            ["patterns"],
        ],
        ids=lambda c: "-".join(c),
    )
    def test_output_is_utf8_whatever_the_locale(self, tmp_path: Path, command: list[str]) -> None:
        label = "Zoë's «ring» ⇒ ⚠ 数据库 failed to restart"
        path = write(tmp_path, "in.yaml", BASE.replace("The pipeline had no canary stage", label))
        outputs = []
        for encoding in ("utf-8", "latin-1"):
            done = subprocess.run(
                [sys.executable, "-m", "causemap", *command, str(path)],
                capture_output=True,
                timeout=60,
                cwd=ROOT,
                env={**os.environ, "PYTHONIOENCODING": encoding},
            )
            assert done.returncode in (0, 1), done.stderr.decode("utf-8", "replace")
            outputs.append(done.stdout)
        assert outputs[0] == outputs[1]
        assert "数据库".encode() in outputs[0] or command[0] in ("patterns", "validate")

    @pytest.mark.parametrize("encoding", ["utf-8", "latin-1", "utf-8:surrogateescape"])
    def test_a_file_name_that_is_not_utf8(self, tmp_path: Path, encoding: str) -> None:
        folder = os.fsencode(tmp_path)
        with open(folder + b"/caf\xe9.yaml", "wb") as stream:
            stream.write(b"causemap: 1\nid: demo\n")
        done = subprocess.run(
            [sys.executable, "-m", "causemap", "validate", str(tmp_path)],
            capture_output=True,
            timeout=60,
            cwd=ROOT,
            env={**os.environ, "PYTHONIOENCODING": encoding},
        )
        assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
        assert b"/caf\xe9.yaml:1:1: error: /title: missing required key" in done.stdout


class TestHelpAndVersion:
    """What the group itself prints (--help, --version) fails like any other output: it was
    an internal error (4) on a full disk and exit 1 on a closed pipe."""

    @pytest.mark.parametrize(
        "args", [["--help"], ["--version"], ["validate", "--help"]], ids=" ".join
    )
    def test_a_full_disk_exits_3(self, tmp_path: Path, args: list[str]) -> None:
        done = on_a_full_disk(tmp_path, args)
        assert done.returncode == 3, done.stderr
        assert done.stderr.startswith("causemap: error: ")
        assert done.stderr.endswith(": No space left on device\n")

    @pytest.mark.parametrize("args", [["--help"], ["--version"], ["validate", "--help"]])
    def test_a_closed_pipe_ends_it_quietly(self, args: list[str]) -> None:
        read, write_end = os.pipe()
        os.close(read)  # the reader is gone before anything is written
        try:
            done = subprocess.run(
                [sys.executable, "-m", "causemap", *args],
                stdout=write_end,
                stderr=subprocess.PIPE,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
        finally:
            os.close(write_end)
        assert (done.returncode, done.stderr) == (141, "")


class TestClosedStandardOutput:
    @pytest.mark.parametrize(
        "args",
        [
            ["validate", "examples/retry-storm.yaml"],
            ["render", "-f", "mermaid", "examples/retry-storm.yaml"],
        ],
        ids=" ".join,
    )
    def test_output_to_a_closed_descriptor_is_exit_3_not_silently_lost(
        self, args: list[str]
    ) -> None:
        # `causemap validate x >&-`: Python sets sys.stdout to None, and click.echo then
        # printed nothing and the command exited 0.
        done = subprocess.run(
            [sys.executable, "-m", "causemap", *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            cwd=ROOT,
            preexec_fn=lambda: os.close(1),
        )
        assert done.returncode == 3, done.stderr
        assert done.stderr == "causemap: error: cannot write standard output: it is closed\n"


class TestFormatFromSuffix:
    """``-o FILE`` without ``--format``: the report's format is the one FILE's suffix
    names. It used to be text whatever the suffix, so ``-o report.html`` held plain
    text; ``--format`` always wins, and a suffix that names no format keeps text."""

    # What each format's output starts with.
    HEADS: ClassVar[dict[str, str]] = {
        "json": "{",
        "markdown": "#",
        "html": "<!doctype html>",
        "text": "",
    }

    @staticmethod
    def run(tmp_path: Path, command: str, name: str, *extra: str) -> tuple[int, str, str]:
        path = write(tmp_path, "in.yaml", BASE)
        out = tmp_path / name
        result = runner.invoke(cli, [command, str(path), "-o", str(out), *extra])
        text = out.read_text(encoding="utf-8") if out.exists() else ""
        return result.exit_code, result.output, text

    @pytest.mark.parametrize(
        ("command", "name", "fmt"),
        [
            ("analyze", "out.json", "json"),
            ("analyze", "out.JSON", "json"),
            ("analyze", "out.md", "markdown"),
            ("analyze", "out.markdown", "markdown"),
            ("analyze", "out.txt", "text"),
            ("analyze", "out.log", "text"),
            ("analyze", "out", "text"),
            ("patterns", "report.html", "html"),
            ("patterns", "report.htm", "html"),
            ("patterns", "report.json", "json"),
            ("patterns", "report.md", "markdown"),
            ("patterns", "report.txt", "text"),
            ("patterns", "report.log", "text"),
        ],
    )
    def test_the_suffix_names_the_format(
        self, tmp_path: Path, command: str, name: str, fmt: str
    ) -> None:
        code, output, text = self.run(tmp_path, command, name)
        assert code == 0, output
        assert text.lower().startswith(self.HEADS[fmt]), text[:80]
        if fmt == "text":
            assert not text.startswith(("{", "#", "<")), text[:80]
        if fmt == "json":
            json.loads(text)

    @pytest.mark.parametrize("command", ["analyze", "patterns"])
    def test_an_explicit_format_wins(self, tmp_path: Path, command: str) -> None:
        code, output, text = self.run(tmp_path, command, "out.json", "--format", "markdown")
        assert code == 0, output
        assert text.startswith("#"), text[:80]

    @pytest.mark.parametrize("command", ["analyze", "patterns"])
    @pytest.mark.parametrize("name", ["report.pdf", "report.SVG", "report.png", "out.dot"])
    def test_a_diagrams_suffix_is_a_usage_error(
        self, tmp_path: Path, command: str, name: str
    ) -> None:
        """`patterns -o report.pdf` wrote the text report into report.pdf."""
        code, output, _ = self.run(tmp_path, command, name)
        assert code == 2, output
        assert "diagram, which 'causemap render' draws" in output
        assert not (tmp_path / name).exists()

    def test_a_suffix_of_a_format_the_command_lacks_is_a_usage_error(self, tmp_path: Path) -> None:
        """analyze has no html: writing its text into report.html is the mistake this
        fixes, so it is refused (as render refuses -o diagram.jpg), and nothing written."""
        code, output, _ = self.run(tmp_path, "analyze", "report.html")
        assert code == 2, output
        assert f"-o {tmp_path / 'report.html'}: the suffix '.html' names html" in output
        assert "or give --format" in output
        assert not (tmp_path / "report.html").exists()
        code, output, text = self.run(tmp_path, "analyze", "report.html", "--format", "text")
        assert code == 0, output
        assert not text.startswith(("{", "#", "<")), text[:80]

    def test_standard_output_stays_text(self, tmp_path: Path) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        result = runner.invoke(cli, ["analyze", str(path), "-o", "-"])
        assert result.exit_code == 0, result.output
        assert not result.output.startswith(("{", "#"))


class TestSpecialFilesInAnOutputFolder:
    """A FIFO or a device at a name a command makes up inside its output folder (render's
    <incident-id>.<ext>, schema's <name>.schema.json) is refused before anything is
    written; the command used to open it and wait for a reader for ever."""

    @pytest.mark.parametrize("command", ["render", "schema"])
    def test_a_fifo_at_a_made_up_name_is_refused(self, tmp_path: Path, command: str) -> None:
        path = write(tmp_path, "in.yaml", BASE)
        out = tmp_path / "out"
        out.mkdir()
        name = {"render": "demo.json", "schema": "incident.schema.json"}[command]
        os.mkfifo(out / name)
        args = {
            "render": ["render", "-f", "json", str(path), str(EXAMPLES[0]), "-o", str(out)],
            "schema": ["schema", "--out", str(out)],
        }[command]
        done = subprocess.run(
            [sys.executable, "-m", "causemap", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert done.returncode == 2, done.stderr
        assert f"{out / name} is not a regular file; refusing to replace it" in done.stderr
        assert [p.name for p in out.iterdir()] == [name]
        assert stat.S_ISFIFO((out / name).lstat().st_mode)
