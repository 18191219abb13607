"""``python -m causemap`` runs the command-line interface."""

from causemap.cli import main

if __name__ == "__main__":
    main()
