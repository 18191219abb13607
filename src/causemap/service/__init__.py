"""The HTTP service behind ``causemap serve``: FastAPI, built by :func:`create_app`.

Only this package imports FastAPI; the library core (model, store, diff, metrics) does
not, so the CLI and library stay light.
"""

from causemap.service.app import create_app
from causemap.service.auth import Role, Tokens
from causemap.service.settings import Settings

__all__ = ["Role", "Settings", "Tokens", "create_app"]
