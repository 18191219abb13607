"""Every exception causemap raises on purpose, under one base class.

The hierarchy::

    CausemapError
    ├── InvalidIncident (ValueError)      a document breaks the format; carries diagnostics
    │   └── MalformedDocument             not even parseable as YAML or JSON
    ├── LimitExceeded (ValueError)        a document or request is larger than a configured cap
    ├── UnknownFormat (ValueError)        an output or input format name causemap does not know
    ├── InvalidQuery (ValueError)         a filter, cursor or other request parameter is malformed
    ├── UnsupportedMediaType (ValueError) a request body in a content type causemap does not read
    │   └── UnsupportedContentCoding      a request body compressed (gzip, br …) rather than plain
    ├── NotAcceptable (ValueError)        no output format matches what a request's Accept allows
    ├── PreconditionFailed                a read's If-Match lists no current entity tag (HTTP 412)
    ├── Overloaded (RuntimeError)         every slot for the work is busy; retry later (HTTP 503)
    ├── AccessDenied (PermissionError)    a service request was refused by token authentication
    │   ├── MissingToken                  no bearer token, or an unknown one (HTTP 401)
    │   └── InsufficientRole              the token's role is too weak for the operation (HTTP 403)
    ├── NodeNotFound (KeyError)           a node id that is not in the incident
    ├── CatalogError (ValueError)         a factor catalog file is malformed; carries diagnostics
    ├── RenderError (RuntimeError)        Graphviz could not produce a picture
    │   ├── GraphvizNotFound              the ``dot`` binary is not installed
    │   ├── RenderTimeout                 ``dot`` ran past its time or memory limit
    │   └── UnsafeOutput                  rendered SVG failed the post-render safety check
    └── StoreError (RuntimeError)         the incident store refused an operation
        ├── StoreUnavailable              the database cannot be reached, opened or migrated
        │   └── InvalidDatabaseUrl        a URL causemap cannot use (malformed, another database)
        ├── IncidentNotFound (KeyError)   no incident (or revision) with that id
        │   ├── RevisionNotFound          the incident exists but has no such revision
        │   └── IncidentDeleted           the incident exists but is deleted (restore it)
        ├── IncidentExists                an incident with that id already exists
        ├── RevisionConflict              If-Match named a revision that is not the latest
        ├── LayoutConflict                If-Match named a layout version that is not the latest
        └── PreconditionRequired          a write came without If-Match

Library code raises these and never prints or exits; the CLI maps them to exit codes and
the service maps them to structured 4xx answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from causemap.diagnostics import Diagnostic

__all__ = [
    "AccessDenied",
    "CatalogError",
    "CausemapError",
    "CyclicGraph",
    "GraphvizNotFound",
    "IncidentDeleted",
    "IncidentExists",
    "IncidentNotFound",
    "InsufficientRole",
    "InvalidDatabaseUrl",
    "InvalidIncident",
    "InvalidQuery",
    "LayoutConflict",
    "LimitExceeded",
    "MalformedDocument",
    "MissingToken",
    "NodeNotFound",
    "NotAcceptable",
    "Overloaded",
    "PreconditionFailed",
    "PreconditionRequired",
    "RenderError",
    "RenderTimeout",
    "RevisionConflict",
    "RevisionNotFound",
    "StoreError",
    "StoreUnavailable",
    "UnknownFormat",
    "UnsafeOutput",
    "UnsupportedContentCoding",
    "UnsupportedMediaType",
]


class CausemapError(Exception):
    """Base class of every error causemap raises on purpose."""

    code = "causemap-error"


class InvalidIncident(CausemapError, ValueError):
    """A document is not a valid incident; ``diagnostics`` says where and why."""

    code = "invalid-incident"

    def __init__(self, diagnostics: Sequence[Diagnostic], name: str = "<incident>") -> None:
        self.diagnostics = list(diagnostics)
        self.name = name
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0].format() if errors else "invalid incident"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class MalformedDocument(InvalidIncident):
    """A document that is not even parseable as YAML or JSON; ``diagnostics`` says where."""

    code = "malformed-document"


class LimitExceeded(CausemapError, ValueError):
    """A document or request is larger than a configured cap."""

    code = "limit-exceeded"


class UnknownFormat(CausemapError, ValueError):
    """An output or input format name causemap does not know."""

    code = "unknown-format"

    def __init__(self, message: str, choices: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.choices = list(choices)
        """The names that would have been known there, when the raiser says."""


class InvalidQuery(CausemapError, ValueError):
    """A filter, cursor or other request parameter is malformed."""

    code = "invalid-query"


class UnsupportedMediaType(CausemapError, ValueError):
    """A request body in a content type causemap does not read."""

    code = "unsupported-media-type"


class UnsupportedContentCoding(UnsupportedMediaType):
    """A request body sent in a content coding (``Content-Encoding: gzip``) causemap does
    not decode: its bytes are not the document."""

    code = "unsupported-content-encoding"


class NotAcceptable(CausemapError, ValueError):
    """No output format matches the media types a request's ``Accept`` header allows."""

    code = "not-acceptable"

    def __init__(self, message: str, choices: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.choices = list(choices)
        """The media types that would have been acceptable."""


class PreconditionFailed(CausemapError):
    """A read's ``If-Match`` is neither ``*`` nor lists the strong entity tag of what it
    would answer (RFC 9110 13.1.1), e.g. a diagram or an analysis that changed since it
    was read; ``etag`` is the current tag. (A stale revision of an incident document is a
    :class:`RevisionConflict`.)"""

    code = "precondition-failed"

    def __init__(self, message: str, etag: str) -> None:
        super().__init__(message)
        self.etag = etag


class Overloaded(CausemapError, RuntimeError):
    """Every slot for the work (e.g. concurrent ``dot`` runs) stayed busy; retry later."""

    code = "overloaded"

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds after which a retry is likely to succeed."""


class AccessDenied(CausemapError, PermissionError):
    """A service request was refused by token authentication."""

    code = "access-denied"


class MissingToken(AccessDenied):
    """No bearer token, or one the server does not know."""

    code = "unauthorized"


class InsufficientRole(AccessDenied):
    """The token's role (read, write, admin) is too weak for the operation."""

    code = "forbidden"


class CyclicGraph(CausemapError, ValueError):
    """A causal graph has a cycle, so no cause comes before its effects. The loader
    refuses such incidents; this is for a graph built or edited in code and then analysed.
    ``cycle`` holds the nodes of one cycle, in order."""

    code = "cyclic-graph"

    def __init__(self, cycle: list[str]) -> None:
        super().__init__(cycle)
        self.cycle = cycle

    def __str__(self) -> str:
        loop = " -> ".join([*self.cycle, self.cycle[0]]) if self.cycle else "?"
        return f"the causal graph has a cycle ({loop}); causes must come before effects"


class NodeNotFound(CausemapError, KeyError):
    """A node id that is not in the incident."""

    code = "node-not-found"

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "node not found"


class CatalogError(CausemapError, ValueError):
    """A factor catalog file is malformed; ``diagnostics`` says where and why."""

    code = "invalid-catalog"

    def __init__(self, diagnostics: Sequence[Diagnostic], name: str = "<catalog>") -> None:
        self.diagnostics = list(diagnostics)
        self.name = name
        errors = [d for d in self.diagnostics if d.severity == "error"]
        first = errors[0].format() if errors else "invalid catalog"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(first + more)


class RenderError(CausemapError, RuntimeError):
    """Graphviz could not produce a picture."""

    code = "render-failed"
    stderr: str = ""
    """Graphviz's own error output, truncated: for logs and the CLI, never for API clients."""


class GraphvizNotFound(RenderError):
    """The Graphviz ``dot`` binary is not installed."""

    code = "graphviz-not-found"


class RenderTimeout(RenderError):
    """``dot`` ran past its wall-clock, CPU or memory limit and was stopped."""

    code = "render-timeout"
    limit: Literal["wall-clock", "cpu", "memory"] = "wall-clock"
    """Which limit stopped it. CPU and memory limits depend on the graph alone, so a
    retry gives the same answer; the wall-clock limit can also mean a busy machine."""


class UnsafeOutput(RenderError):
    """Rendered SVG contained something the post-render safety check forbids."""

    code = "unsafe-output"


class StoreError(CausemapError, RuntimeError):
    """The incident store refused an operation."""

    code = "store-error"


class StoreUnavailable(StoreError):
    """The database cannot be reached, opened or migrated."""

    code = "store-unavailable"


class InvalidDatabaseUrl(StoreUnavailable, ValueError):
    """The database URL is malformed, or names a database, a driver or an in-memory
    SQLite database causemap cannot keep incidents in: the URL is wrong (a usage error
    for the CLI), not the database."""

    code = "invalid-database-url"


class IncidentNotFound(StoreError, KeyError):
    """No incident, or no revision, with that id."""

    code = "not-found"

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "not found"


class RevisionNotFound(IncidentNotFound):
    """The incident exists but has no revision with that number."""


class IncidentDeleted(IncidentNotFound):
    """The incident exists but is deleted; restoring it brings it back."""

    code = "deleted"


class IncidentExists(StoreError):
    """An incident with that id already exists."""

    code = "already-exists"


class RevisionConflict(StoreError):
    """A write (or a read's ``If-Match``) named a revision that is no longer the latest;
    ``current`` is the latest, ``etag`` the entity tag of what was asked for, when it is
    not the revision's JSON one (``"3"``)."""

    code = "revision-conflict"

    def __init__(self, message: str, current: int | None = None, etag: str | None = None) -> None:
        super().__init__(message)
        self.current = current
        self.etag = etag


class LayoutConflict(StoreError):
    """A write of an incident's shared layout named a version of it that is no longer the
    latest (someone moved nodes since); ``current`` is the latest version."""

    code = "layout-conflict"

    def __init__(self, message: str, current: int) -> None:
        super().__init__(message)
        self.current = current


class PreconditionRequired(StoreError):
    """A write to an existing incident came without naming the revision it replaces."""

    code = "precondition-required"
