"""The built wheel works without the source tree: CLI, schemas and web assets included."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("causemap-*.whl")
    return path


def test_wheel_contains_schemas_and_web(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "causemap/_schemas/incident.schema.json" in names
    assert "causemap/_web/index.html" in names
    assert "causemap/py.typed" in names
    assert "causemap/store/migrations/env.py" in names
    assert "causemap/store/migrations/versions/0001_initial.py" in names
    assert "causemap/catalog/factors.yaml" in names
    assert "causemap/patterns/concepts.yaml" in names


@pytest.mark.slow
def test_wheel_installs_and_runs_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", str(wheel)], check=True, capture_output=True)
    exe = venv / "bin" / "causemap"
    example = tmp_path / "incident.yaml"
    example.write_bytes(EXAMPLES[0].read_bytes())
    run = subprocess.run(
        [str(exe), "validate", str(example)], capture_output=True, text=True, cwd=tmp_path
    )
    assert run.returncode == 0, run.stdout + run.stderr
    db = f"sqlite:///{tmp_path / 'store.db'}"
    imported = subprocess.run(
        [str(exe), "import", "--db", db, str(example)], capture_output=True, text=True, cwd=tmp_path
    )
    assert imported.returncode == 0, imported.stdout + imported.stderr  # migrations shipped
    assert "1 created" in imported.stdout
    code = (
        "from causemap.resources import schemas_dir, web_dir; "
        "print((schemas_dir() / 'incident.schema.json').is_file(), "
        "(web_dir() / 'index.html').is_file(), 'site-packages' in str(web_dir()))"
    )
    probe = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert probe.stdout.split() == ["True", "True", "True"]
