"""The command line: exit codes, output formats, messages that name the file."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from click.testing import CliRunner

from causemap.cli import cli
from tests.conftest import EXAMPLES, ROOT
from tests.test_bad_inputs import BASE

runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


EMPTY = [
    ["validate", ""],
    ["lint", ""],
    ["analyze", ""],
    ["suggest", ""],
    ["render", ""],
    ["patterns", ""],
    ["import", ""],
    ["export", ""],
    ["render", "EXAMPLE", "-o", ""],
    ["analyze", "EXAMPLE", "-o", ""],
    ["patterns", "EXAMPLE", "-o", ""],
    ["schema", "--out", ""],
]


class TestEmptyPaths:
    @pytest.mark.parametrize("args", EMPTY, ids=lambda a: " ".join(a).replace("EXAMPLE", "x"))
    def test_an_empty_path_is_a_usage_error_not_the_current_folder(
        self, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # `causemap validate "$DIR"` with DIR unset read every file under the current
        # folder; `-o ""` wrote there.
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        example = str(ROOT / "examples" / "retry-storm.yaml")
        result = CliRunner().invoke(cli, [example if a == "EXAMPLE" else a for a in args])
        assert result.exit_code == 2, result.output
        assert "is empty" in result.output
        assert list(tmp_path.iterdir()) == []


class TestValidate:
    def test_valid_file_exits_0(self, tmp_path: Path) -> None:
        good = write(tmp_path, "good.yaml", BASE)
        result = runner.invoke(cli, ["validate", str(good)])
        assert result.exit_code == 0, result.output
        assert f"{good}: ok: demo: 3 nodes, 2 edges, 1 action\n" in result.output
        assert "1 file: 1 valid, 0 invalid" in result.output

    def test_counts_in_the_singular_for_one(self, tmp_path: Path) -> None:
        one = BASE.split("  - id: push")[0] + "  - {id: outage, kind: impact, label: Down}\n"
        path = write(tmp_path, "one.yaml", one)
        result = runner.invoke(cli, ["validate", str(path)])
        assert result.exit_code == 0, result.output
        assert ": ok: demo: 1 node, 0 edges, 0 actions\n" in result.output

    def test_invalid_file_exits_1_and_names_file_and_line(self, tmp_path: Path) -> None:
        bad = write(tmp_path, "bad.yaml", BASE.replace("kind: condition", "kind: conditon"))
        result = runner.invoke(cli, ["validate", str(bad)])
        assert result.exit_code == 1
        assert f"{bad}:11:11: error: /nodes/1/kind: expected one of" in result.output
        assert "did you mean 'condition'?" in result.output
        assert "Traceback" not in result.output

    def test_a_json_key_over_1024_characters_is_named_at_its_line(self, tmp_path: Path) -> None:
        doc = yaml.safe_load(BASE)
        doc["nodes"][1]["x" * 1100] = "from another tool"
        bad = write(tmp_path, "bad.json", json.dumps(doc, indent=2, default=str))
        result = runner.invoke(cli, ["validate", str(bad)])
        assert result.exit_code == 1
        line = next(i for i, text in enumerate(bad.read_text().splitlines(), 1) if '"xxx' in text)
        assert f"{bad}:{line}:7: error: /nodes/1/{'x' * 1100}: unknown key" in result.output

    def test_keys_from_other_tools_get_causemaps_name(self, tmp_path: Path) -> None:
        doc = (
            "causemap: 1\nid: typo\ntitle: T\ndate: 2024-03-01\nnodes:\n"
            "  - {id: a, type: condition, text: No canary stage}\n"
            "  - {id: b, kind: impact, label: Down, causes: a}\n"
            "edges:\n  - {source: a, target: b}\n"
        )
        result = runner.invoke(cli, ["validate", str(write(tmp_path, "typo.yaml", doc))])
        assert result.exit_code == 1
        for wrong, right in [("type", "kind"), ("text", "label"), ("source", "from")]:
            assert f"unknown key '{wrong}' (did you mean '{right}'?)" in result.output
        assert "expected a list, got a string 'a' (write [\"a\"] for a list of one)" in (
            result.output
        )

    def test_warnings_pass_unless_strict(self, tmp_path: Path) -> None:
        doc = BASE.replace("actions:", "  - {id: stray, kind: factor, label: Unrelated}\nactions:")
        path = write(tmp_path, "warn.yaml", doc)
        assert runner.invoke(cli, ["validate", str(path)]).exit_code == 0
        assert runner.invoke(cli, ["validate", "--strict", str(path)]).exit_code == 1

    def test_strict_marks_a_file_with_warnings_invalid_everywhere(self, tmp_path: Path) -> None:
        doc = BASE.replace("actions:", "  - {id: stray, kind: factor, label: Unrelated}\nactions:")
        path = write(tmp_path, "warn.yaml", doc)
        text = runner.invoke(cli, ["validate", "--strict", str(path)]).output
        assert f"{path}: ok:" not in text
        assert f"{path}: fails --strict (warnings): demo: 4 nodes" in text
        assert "1 file: 0 valid, 1 invalid; 0 errors, 1 warning" in text
        result = runner.invoke(cli, ["validate", "--strict", "--format", "json", str(path)])
        report = json.loads(result.output)
        assert [f["valid"] for f in report["files"]] == [False]
        assert report["summary"]["invalid"] == 1
        plain = json.loads(runner.invoke(cli, ["validate", "--format", "json", str(path)]).output)
        assert [f["valid"] for f in plain["files"]] == [True]

    def test_folder_is_searched_and_json_output(self, tmp_path: Path) -> None:
        write(tmp_path, "a.yaml", BASE)
        write(tmp_path, "sub/b.yaml".replace("/", "_"), BASE.replace("id: demo", "id: other"))
        write(tmp_path, "c.json", "{")
        result = runner.invoke(cli, ["validate", "--format", "json", str(tmp_path)])
        assert result.exit_code == 1
        report = json.loads(result.output)
        assert report["summary"] == {"files": 3, "invalid": 1, "errors": 1, "warnings": 0}
        assert [f["valid"] for f in report["files"]] == [True, False, True]
        assert report["files"][1]["diagnostics"][0]["code"] == "json-syntax"

    def test_duplicate_incident_ids_across_files(self, tmp_path: Path) -> None:
        write(tmp_path, "a.yaml", BASE)
        write(tmp_path, "b.yaml", BASE)
        result = runner.invoke(cli, ["validate", str(tmp_path)])
        assert result.exit_code == 1
        assert "incident id 'demo' is already used by" in result.output
        assert "b.yaml:2:5: error: /id:" in result.output

    @pytest.mark.parametrize("text", ["&a [*a]\n", "nodes: &a [*a]\n", "&a {nodes: *a}\n"])
    def test_recursive_alias_exits_1_with_file_line_and_column(
        self, tmp_path: Path, text: str
    ) -> None:
        path = write(tmp_path, "loop.yaml", text)
        result = runner.invoke(cli, ["validate", str(path)])
        assert result.exit_code == 1, result.output
        assert f"{path}:1:" in result.output
        assert "would contain itself" in result.output
        assert "[recursive-alias]" in result.output
        assert "Traceback" not in result.output

    def test_stdin(self) -> None:
        result = runner.invoke(cli, ["validate", "-"], input=BASE)
        assert result.exit_code == 0, result.output
        assert "<stdin>: ok: demo" in result.output

    def test_missing_file_exits_1(self, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["validate", str(tmp_path / "nope.yaml")])
        assert result.exit_code == 1
        assert "nope.yaml: error: cannot read file" in result.output

    def test_empty_folder_is_a_usage_error(self, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["validate", str(tmp_path)])
        assert result.exit_code == 2
        assert "no .yaml, .yml or .json files found" in result.output

    def test_unknown_option_is_a_usage_error(self) -> None:
        assert runner.invoke(cli, ["validate", "--colour", "x"]).exit_code == 2

    def test_examples_are_valid(self) -> None:
        result = runner.invoke(cli, ["validate", "--strict", str(ROOT / "examples")])
        assert result.exit_code == 0, result.output
        assert result.output.count(": ok: ") == len(EXAMPLES) >= 4


class TestUnprintableKeys:
    """A key is not text the format checks: what a diagnostic quotes from it must still
    print as one line, with nothing a terminal would act on."""

    @pytest.mark.parametrize("suffix", [".yaml", ".json"])
    def test_an_unknown_key_is_shown_escaped_on_one_line(self, tmp_path: Path, suffix: str) -> None:
        key = "a\nb\x1b[2J\u202ec"
        doc = yaml.safe_load(BASE) | {key: 1}
        path = write(tmp_path, f"key{suffix}", json.dumps(doc, default=str))
        for command in (["validate"], ["lint", "--format", "github"]):
            result = runner.invoke(cli, [*command, str(path)])
            assert result.exit_code == 1, result.output
            (line,) = [line for line in result.output.splitlines() if "unknown key" in line]
            assert "unknown key 'a\\nb\\x1b[2J\\u202ec'" in line
            assert not set(result.output) & {"\x1b", "\u202e"}
        data = json.loads(runner.invoke(cli, ["validate", "--format", "json", str(path)]).output)
        (diagnostic,) = data["files"][0]["diagnostics"]
        assert diagnostic["pointer"] == f"/{key}"  # JSON keeps the data as it is


class TestOverlappingPaths:
    """A file reached twice, as a folder and a file in it or a folder given twice, is one
    incident, not two with the same id."""

    @pytest.mark.parametrize(
        "command",
        [["validate"], ["lint"], ["render", "-f", "mermaid"], ["patterns"], ["import"]],
        ids=lambda c: c[0],
    )
    def test_a_file_reached_twice_is_read_once(self, tmp_path: Path, command: list[str]) -> None:
        folder = tmp_path / "incidents"
        folder.mkdir()
        path = write(folder, "demo.yaml", BASE)
        if command == ["import"]:
            command = ["import", "--db", f"sqlite:///{tmp_path / 'store.db'}"]
        for paths in ([folder, path], [folder, folder], [path, path]):
            result = runner.invoke(cli, [*command, *map(str, paths)])
            assert result.exit_code == 0, result.output
            assert "already used by" not in result.output

    def test_a_different_file_with_the_same_id_is_still_an_error(self, tmp_path: Path) -> None:
        path = write(tmp_path, "a.yaml", BASE)
        copy = write(tmp_path, "b.yaml", BASE)
        for command in (["validate"], ["patterns"]):
            result = runner.invoke(cli, [*command, str(tmp_path), str(path), str(copy)])
            assert result.exit_code == 1, result.output
            assert f"{copy}:" in result.output
            assert "incident id 'demo' is already used" in result.output

    @pytest.mark.parametrize("command", [["validate"], ["lint"], ["patterns"]], ids=str)
    def test_the_second_id_is_named_at_its_line(self, tmp_path: Path, command: list[str]) -> None:
        write(tmp_path, "a.yaml", BASE)
        copy = write(tmp_path, "b.yaml", BASE)
        result = runner.invoke(cli, [*command, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert f"{copy}:2:5: error: /id: incident id 'demo' is already used by" in result.output


class TestSchema:
    def test_prints_incident_schema(self) -> None:
        result = runner.invoke(cli, ["schema"])
        assert result.exit_code == 0
        assert json.loads(result.output)["$id"].endswith("incident.schema.json")

    def test_unknown_schema_exits_2(self) -> None:
        result = runner.invoke(cli, ["schema", "nope"])
        assert result.exit_code == 2
        assert "unknown schema 'nope'" in result.output

    def test_out_on_a_device_is_a_usage_error(self) -> None:
        """It was 'File exists', exit 3, as export's DIR was."""
        result = runner.invoke(cli, ["schema", "--out", "/dev/null"])
        assert result.exit_code == 2, result.output
        assert "Error: --out /dev/null is not a folder" in result.output

    def test_out_on_a_dangling_link_creates_its_target(self, tmp_path: Path) -> None:
        (tmp_path / "link").symlink_to("made")
        result = runner.invoke(cli, ["schema", "--out", str(tmp_path / "link")])
        assert result.exit_code == 0, result.output
        assert (tmp_path / "made" / "incident.schema.json").is_file()


def test_python_dash_m_and_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "causemap", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.startswith("causemap, version ")


def test_readme_cli_reference_is_current() -> None:
    from causemap.cli.reference import END, START, render_reference

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index(START) : readme.index(END) + len(END)]
    assert block == render_reference(), "README CLI reference is stale: run `make docs`"


@pytest.mark.parametrize("command", ["validate", "render", "schema"])
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"### `causemap {command}`" in (ROOT / "README.md").read_text(encoding="utf-8")


class TestFolders:
    @pytest.mark.parametrize("command", ["validate", "lint", "import"])
    def test_a_broken_link_in_a_folder_is_reported(self, tmp_path: Path, command: str) -> None:
        write(tmp_path, "a.yaml", BASE)
        (tmp_path / "b.yaml").symlink_to("gone.yaml")
        result = runner.invoke(cli, [command, str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "b.yaml" in result.output

    @pytest.mark.parametrize("command", ["validate", "lint", "import", "render", "patterns"])
    def test_a_link_loop_is_reported(self, tmp_path: Path, command: str) -> None:
        write(tmp_path, "a.yaml", BASE)
        (tmp_path / "loop1.yaml").symlink_to("loop2.yaml")
        (tmp_path / "loop2.yaml").symlink_to("loop1.yaml")
        db = f"sqlite:///{tmp_path / 's.db'}"
        extra = {"import": ["--db", db], "render": ["-f", "json", "-o", str(tmp_path / "o")]}
        result = runner.invoke(cli, [command, *extra.get(command, []), str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "loop1.yaml: error: cannot read file: Too many levels of symbolic links" in (
            result.output
        )

    @pytest.mark.parametrize("command", ["validate", "lint", "import", "render", "patterns"])
    def test_a_fifo_in_a_folder_is_reported_not_read(self, tmp_path: Path, command: str) -> None:
        """It was skipped without a word; reading it would block until a writer came."""
        write(tmp_path, "a.yaml", BASE)
        os.mkfifo(tmp_path / "b.yaml")
        db = f"sqlite:///{tmp_path / 's.db'}"
        extra = {"import": ["--db", db], "render": ["-f", "json", "-o", str(tmp_path / "o")]}
        result = runner.invoke(cli, [command, *extra.get(command, []), str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert (
            f"{tmp_path / 'b.yaml'}: error: not a regular file (a FIFO); only regular files "
            "found in a folder are read"
        ) in result.output

    def test_a_fifo_given_by_name_is_still_read(self, tmp_path: Path) -> None:
        fifo = tmp_path / "in.yaml"
        os.mkfifo(fifo)
        writer = threading.Thread(target=fifo.write_text, args=(BASE,))
        writer.start()
        try:
            result = runner.invoke(cli, ["validate", str(fifo)])
        finally:
            writer.join(timeout=30)
        assert result.exit_code == 0, result.output
        assert "1 valid" in result.output


class TestPatterns:
    def test_standard_input_is_a_usage_error(self) -> None:
        result = runner.invoke(cli, ["patterns", "-"], input=BASE)
        assert result.exit_code == 2, result.output
        assert "patterns reads files and folders, not standard input ('-')" in result.output

    def test_nothing_valid_to_report_on_exits_1(self, tmp_path: Path) -> None:
        write(tmp_path, "bad.yaml", "causemap: 1\nid: bad\n")
        result = runner.invoke(cli, ["patterns", "--skip-invalid", str(tmp_path)])
        assert result.exit_code == 1, result.output
        assert "causemap: no valid incident to report on" in result.output


class TestPreCommitHook:
    """The hook that ``.pre-commit-hooks.yaml`` offers a postmortem repository."""

    def hook(self) -> dict[str, Any]:
        hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        assert [h["id"] for h in hooks] == ["causemap-lint"]
        hook: dict[str, Any] = hooks[0]
        return hook

    def test_it_runs_an_installed_command_on_incident_files_only(self) -> None:
        hook = self.hook()
        assert hook["language"] == "python"  # pre-commit pip-installs this repository
        scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
        assert hook["entry"].split()[0] in scripts
        files = re.compile(hook["files"])
        assert [
            n for n in ("a.yaml", "b/c.yml", "d.json", "README.md", "e.yaml.bak") if files.search(n)
        ] == [
            "a.yaml",
            "b/c.yml",
            "d.json",
        ]

    def test_the_entry_passes_clean_files_and_fails_a_broken_one(self, tmp_path: Path) -> None:
        # pre-commit appends the changed files' names to the entry.
        args = self.hook()["entry"].split()[1:]
        examples = [str(p) for p in EXAMPLES]
        result = runner.invoke(cli, [*args, *examples])
        assert result.exit_code == 0, result.output
        broken = write(tmp_path, "broken.yaml", BASE.replace("causes: [push", "causes: [pushed"))
        result = runner.invoke(cli, [*args, examples[0], str(broken)])
        assert result.exit_code == 1, result.output
        assert f"{broken}:" in result.output


class Endless(io.RawIOBase):
    """Standard input that never ends, refusing to be read far past the 16 MiB limit (a
    reader that tried to hold it all would otherwise take the machine's memory)."""

    def __init__(self) -> None:
        self.given = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        assert self.given < 32 * 1024 * 1024, "read far past the limit"
        size = len(buffer)
        buffer[:size] = bytes(size)
        self.given += size
        return size


def run_limited(*args: str) -> subprocess.CompletedProcess[str]:
    """Run causemap in a process with 1 GiB of address space, so that reading an endless
    input whole ends in a MemoryError rather than in the machine's memory running out."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    command = [sys.executable, "-m", "causemap", *args]
    return subprocess.run(command, capture_output=True, text=True, preexec_fn=limit, timeout=60)


class TestEndlessInputs:
    """A device that never ends (/dev/zero), endless standard input or a file far over the
    16 MiB limit is refused as too large once read just past the limit; it used to be read
    whole, until the process ran out of memory (an internal error, exit 4)."""

    LIMIT = "document is larger than 16,777,216 bytes, the limit [too-large]"

    @pytest.mark.parametrize("command", ["validate", "lint", "import", "analyze", "suggest"])
    def test_standard_input(self, tmp_path: Path, command: str) -> None:
        db = ["--db", f"sqlite:///{tmp_path / 's.db'}"] if command == "import" else []
        result = runner.invoke(cli, [command, *db, "-"], input=io.BufferedReader(Endless()))
        assert result.exit_code == 1, result.output
        assert f"<stdin>: error: {self.LIMIT}" in result.output

    @pytest.mark.parametrize(
        "args",
        [
            ["validate", "/dev/zero"],
            ["patterns", "/dev/zero"],
            ["lint", "--config", "/dev/zero", str(EXAMPLES[0])],
            ["suggest", "--catalog", "/dev/zero", str(EXAMPLES[0])],
        ],
    )
    def test_a_device(self, args: list[str]) -> None:
        result = run_limited(*args)
        assert result.returncode == 1, result.stderr
        assert f"/dev/zero: error: {self.LIMIT}" in result.stderr + result.stdout

    def test_a_huge_file_is_not_read_whole(self, tmp_path: Path) -> None:
        huge = tmp_path / "huge.yaml"
        with huge.open("wb") as stream:
            stream.truncate(4 << 30)  # sparse: 4 GiB of NUL bytes that take no disk
        result = run_limited("validate", str(huge))
        assert result.returncode == 1, result.stderr
        assert f"huge.yaml: error: {self.LIMIT}" in result.stdout


class TestClosedStandardInput:
    @pytest.mark.parametrize("command", ["validate", "analyze", "suggest"])
    def test_is_an_unreadable_input(self, command: str) -> None:
        """'-' with standard input closed (``<&-``) was an internal error (exit 4)."""
        result = subprocess.run(
            [sys.executable, "-m", "causemap", command, "-"],
            capture_output=True,
            text=True,
            preexec_fn=lambda: os.close(0),
            timeout=60,
        )
        assert result.returncode == 1, result.stderr
        assert "<stdin>: error: cannot read standard input: it is closed [unreadable]" in (
            result.stdout + result.stderr
        )


class TestUnreadableOptionFiles:
    """An unreadable --config or --catalog is a problem in the input (exit 1, named like an
    unreadable incident file), as a missing one is; it used to be a usage error (exit 2)."""

    @pytest.mark.parametrize(
        ("command", "option", "says"),
        [
            (["analyze"], "--config", "cannot read file"),
            (["lint"], "--config", "cannot read file"),
            (["render", "-f", "dot"], "--config", "cannot read file"),
            (["suggest"], "--catalog", "cannot read catalog"),
            (["patterns"], "--catalog", "cannot read catalog"),
        ],
    )
    def test_exits_1_naming_the_file(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        command: list[str],
        option: str,
        says: str,
    ) -> None:

        locked = write(tmp_path, "locked.yaml", "{}\n")
        incident = write(tmp_path, "demo.yaml", BASE)
        real_access, real_open = os.access, Path.open

        def access(path: object, mode: int, *args: object, **kwargs: object) -> bool:
            return False if Path(str(path)) == locked else real_access(path, mode)  # type: ignore[arg-type]

        def open_(self: Path, *args: Any, **kwargs: Any) -> Any:
            if self == locked:
                raise PermissionError(13, "Permission denied", str(self))
            return real_open(self, *args, **kwargs)

        # Root reads any file, so the test makes this one unreadable for everyone.
        monkeypatch.setattr(os, "access", access)
        monkeypatch.setattr(Path, "open", open_)
        result = runner.invoke(cli, [*command, option, str(locked), str(incident)])
        assert result.exit_code == 1, result.output
        assert f"{locked}: error: {says}: Permission denied [unreadable]" in result.output

    @pytest.mark.parametrize(
        ("command", "option"),
        [
            (["analyze"], "--config"),
            (["lint"], "--config"),
            (["render", "-f", "dot"], "--config"),
            (["suggest"], "--catalog"),
            (["patterns"], "--catalog"),
            (["serve"], "--catalog"),
        ],
    )
    def test_standard_input_is_a_usage_error(
        self, tmp_path: Path, command: list[str], option: str
    ) -> None:
        """'-' was taken for a file of that name: "-: cannot read catalog: No such file"."""
        incident = write(tmp_path, "demo.yaml", BASE)
        paths = [] if command == ["serve"] else [str(incident)]
        result = runner.invoke(cli, [*command, option, "-", *paths])
        assert result.exit_code == 2, result.output
        assert "reads a file, not standard input ('-')" in result.output


class TestShortOptions:
    def test_every_format_option_is_also_f(self) -> None:
        # 'render -f svg' worked and 'analyze -f json' was "No such option: -f".
        with_format = []
        for name, command in sorted(cli.commands.items()):
            for param in command.params:
                if isinstance(param, click.Option) and "--format" in param.opts:
                    with_format.append(name)
                    assert "-f" in param.opts, name
        assert {"analyze", "lint", "patterns", "render", "suggest", "validate"} <= set(with_format)

    def test_analyze_f_json(self) -> None:
        result = runner.invoke(cli, ["analyze", str(EXAMPLES[0]), "-f", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["prevention"]
