"""Service settings: from ``causemap serve`` options or ``CAUSEMAP_*`` environment variables.

=========================  ==============================================================
``CAUSEMAP_DB``            database URL (default: the SQLite file in the user's data folder)
``CAUSEMAP_TOKENS``        ``role:token`` pairs, comma-separated; roles read, write, admin
``CAUSEMAP_CORS_ORIGINS``  origins allowed to call the API from a browser, comma-separated
``CAUSEMAP_MAX_BODY``      largest request body in bytes (default 2 MiB)
``CAUSEMAP_SSE_POLL``      seconds between live-event checks of the revisions table (0.5)
=========================  ==============================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from causemap.errors import InvalidQuery
from causemap.service.auth import Tokens

__all__ = ["DEFAULT_MAX_BODY", "Settings"]

DEFAULT_MAX_BODY = 2 * 1024 * 1024


@dataclass(frozen=True)
class Settings:
    """Everything ``create_app`` needs to know."""

    db: str | None = None
    """Database URL; None means ``$CAUSEMAP_DB`` or the default SQLite file."""
    tokens: Tokens = field(default_factory=Tokens)
    """Bearer tokens and their roles; empty means no authentication (loopback only)."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed by CORS; empty turns CORS off."""
    max_body: int = DEFAULT_MAX_BODY
    """Largest request body in bytes; larger ones get 413."""
    sse_poll: float = 0.5
    """Seconds between checks for new revisions on an event stream."""
    sse_ping: float = 15.0
    """Seconds between keep-alive comments on an idle event stream."""
    web_dir: Path | None = None
    """Folder of static web assets served at ``/``; None means the bundled editor."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the ``CAUSEMAP_*`` variables (see the module docstring).

        Raises
        ------
        InvalidQuery
            If a variable is malformed (the message names it, never a token).
        """
        env = os.environ if environ is None else environ
        try:
            max_body = int(env.get("CAUSEMAP_MAX_BODY") or DEFAULT_MAX_BODY)
            sse_poll = float(env.get("CAUSEMAP_SSE_POLL") or 0.5)
        except ValueError as exc:
            raise InvalidQuery(f"CAUSEMAP_MAX_BODY or CAUSEMAP_SSE_POLL: {exc}") from None
        origins = env.get("CAUSEMAP_CORS_ORIGINS") or ""
        return cls(
            db=env.get("CAUSEMAP_DB") or None,
            tokens=Tokens.parse(env.get("CAUSEMAP_TOKENS") or ""),
            cors_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
            max_body=max_body,
            sse_poll=sse_poll,
        )
