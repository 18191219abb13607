"""Bearer tokens with roles: read < write < admin.

``CAUSEMAP_TOKENS="read:T1,write:T2,admin:T3"``: each token grants its role and every
weaker one. Tokens are kept only as SHA-256 digests and compared in constant time
against every known digest, so neither timing nor a memory dump of the settings gives one
away, and they are never logged or shown (``repr`` of :class:`Tokens` counts them).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import IntEnum

from causemap.errors import InsufficientRole, InvalidQuery, MissingToken

__all__ = ["Role", "Tokens"]

MIN_TOKEN_LENGTH = 16


class Role(IntEnum):
    """What a token may do; each role includes the weaker ones."""

    READ = 1
    """Read incidents, revisions, diffs and events."""
    WRITE = 2
    """Also create, update, delete and restore incidents."""
    ADMIN = 3
    """Everything (reserved for operations such as hard deletes)."""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


class Tokens:
    """The configured tokens, as digests with roles."""

    def __init__(self, pairs: dict[bytes, Role] | None = None) -> None:
        self._pairs = dict(pairs or {})

    @classmethod
    def parse(cls, spec: str) -> Tokens:
        """Parse ``role:token`` pairs separated by commas.

        Examples
        --------
        >>> tokens = Tokens.parse("read:r" + "x" * 20 + ", write:w" + "y" * 20)
        >>> tokens
        Tokens(2 tokens)
        >>> tokens.role("w" + "y" * 20)
        <Role.WRITE: 2>
        """
        pairs: dict[bytes, Role] = {}
        for n, item in enumerate(part.strip() for part in spec.split(",")):
            if not item:
                continue
            role, sep, token = item.partition(":")
            if not sep or role.strip().upper() not in Role.__members__:
                raise InvalidQuery(
                    f"CAUSEMAP_TOKENS entry {n + 1}: expected role:token with role read, "
                    "write or admin"
                )
            if len(token.strip()) < MIN_TOKEN_LENGTH:
                raise InvalidQuery(
                    f"CAUSEMAP_TOKENS entry {n + 1}: tokens must be at least "
                    f"{MIN_TOKEN_LENGTH} characters (try: openssl rand -hex 24)"
                )
            digest = _digest(token.strip())
            if digest in pairs:  # which role was meant? The last one used to win silently.
                raise InvalidQuery(
                    f"CAUSEMAP_TOKENS entry {n + 1}: this token is already listed in an "
                    "earlier entry; give each token one role"
                )
            pairs[digest] = Role[role.strip().upper()]
        return cls(pairs)

    def __bool__(self) -> bool:
        return bool(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __repr__(self) -> str:
        return f"Tokens({len(self._pairs)} tokens)"

    def role(self, token: str) -> Role | None:
        """The role of ``token``, or None; takes the same time whichever token matches."""
        digest = _digest(token)
        found: Role | None = None
        for known, role in self._pairs.items():
            if hmac.compare_digest(known, digest):
                found = role
        return found

    def check(self, authorization: str | None, needed: Role) -> Role | None:
        """Check an ``Authorization`` header for ``needed``; None when auth is off.

        Raises
        ------
        MissingToken
            No ``Bearer`` token, or an unknown one (HTTP 401).
        InsufficientRole
            The token's role is weaker than ``needed`` (HTTP 403).
        """
        if not self._pairs:
            return None
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise MissingToken("this server needs a token: Authorization: Bearer TOKEN")
        role = self.role(token.strip())
        if role is None:
            raise MissingToken("unknown token")
        if role < needed:
            raise InsufficientRole(
                f"this needs a {needed.name.lower()} token; yours is {role.name.lower()}"
            )
        return role
