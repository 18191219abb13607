"""Regenerate the CLI reference block in README.md (``make docs``)."""

from pathlib import Path

from causemap.cli.reference import update_readme

if __name__ == "__main__":
    readme = Path(__file__).resolve().parents[1] / "README.md"
    print("README.md updated" if update_readme(readme) else "README.md already up to date")
