"""``GET /whoami``: does this server want tokens, and what may the caller's token do?"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request
from pydantic import BaseModel, ConfigDict

from causemap.errors import MissingToken
from causemap.service.auth import Tokens
from causemap.service.deps import API_PREFIX
from causemap.service.problems import responses

__all__ = ["WhoAmI", "router"]

router = APIRouter(prefix=API_PREFIX, tags=["auth"])


class WhoAmI(BaseModel):
    """What the caller may do."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    auth: bool
    """True when the server has tokens; false means it answers everyone, writes included."""
    role: Literal["read", "write", "admin"] | None
    """The role of the token sent; null when none was sent or the server has no tokens."""


@router.get(
    "/whoami",
    response_model=WhoAmI,
    responses=responses(401, 406),
    summary="The caller's role (no token needed)",
)
def whoami(
    request: Request,
    authorization: Annotated[
        str | None, Header(description="Bearer TOKEN, when you have one.")
    ] = None,
) -> WhoAmI:
    """Lets a page decide whether to offer editing: ``{"auth": false, "role": null}``
    means no tokens (everyone may write); with tokens, ``role`` is that of the token
    sent, or null when none was sent. An unknown token is 401."""
    tokens: Tokens = request.app.state.settings.tokens
    if not tokens:
        return WhoAmI(auth=False, role=None)
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return WhoAmI(auth=True, role=None)
    role = tokens.role(token.strip())
    if role is None:
        raise MissingToken("unknown token")
    return WhoAmI(auth=True, role=role.name.lower())  # type: ignore[arg-type]
