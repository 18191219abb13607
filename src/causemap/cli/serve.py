"""``causemap serve``: the HTTP API and web editor, with uvicorn."""

from __future__ import annotations

import functools
import ipaddress
import os
from collections.abc import Callable

import click

from causemap.cli.base import EXIT_ENVIRONMENT, OPTION_FILE, echo_diagnostic
from causemap.cli.output import echo
from causemap.cli.store import db_option
from causemap.counts import counted

__all__ = ["is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1).

    Examples
    --------
    >>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _origins(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[str, ...]:
    """Every origin of every ``--cors-origin`` (comma-separated, as in
    ``CAUSEMAP_CORS_ORIGINS``) as browsers send it, else a usage error saying that form."""
    from causemap.errors import InvalidQuery
    from causemap.service.settings import cors_origin

    try:
        return tuple(
            cors_origin(origin.strip())
            for value in values
            for origin in value.split(",")
            if origin.strip()
        )
    except InvalidQuery as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port (0: a free one, named in the 'serving' line).",
)
@db_option
@click.option(
    "--insecure",
    is_flag=True,
    help="Allow listening beyond loopback without tokens (anyone who can connect may write).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Server processes (they share the database).",
)
@click.option(
    "--cors-origin",
    "cors_origins",
    multiple=True,
    callback=_origins,
    metavar="ORIGIN",
    help="Allow browser calls from ORIGIN (repeatable, or comma-separated; default: CORS "
    "off, or $CAUSEMAP_CORS_ORIGINS).",
)
@click.option(
    "--catalog",
    "catalog_path",
    type=OPTION_FILE,
    default=None,
    help="Factor catalog file for suggestions and patterns (default: $CAUSEMAP_CATALOG, "
    "else the built-in one).",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
)
def serve(
    host: str,
    port: int,
    db: str | None,
    insecure: bool,
    workers: int,
    cors_origins: tuple[str, ...],
    catalog_path: str | None,
    log_level: str,
) -> None:
    """Serve the HTTP API (/api/v1, OpenAPI at /docs) and the web editor.

    Tokens come from the environment, never from the command line:
    CAUSEMAP_TOKENS="read:TOKEN1,write:TOKEN2,admin:TOKEN3" (write implies read). With
    no tokens the server answers everyone, so it only listens on loopback unless
    --insecure is given. The database is migrated before the server starts.
    """
    import uvicorn

    from causemap.catalog import load_catalog
    from causemap.errors import InvalidQuery
    from causemap.service.settings import MAX_HEAD, Settings, head_timeout
    from causemap.store import Store, resolve_url

    host = _unbracketed(host)
    try:
        settings = Settings.from_env()
        head_timeout(os.environ)  # read by each worker's HTTP protocol, checked here
    except InvalidQuery as exc:
        raise click.UsageError(str(exc)) from None
    if not settings.tokens and not is_loopback(host) and not insecure:
        raise click.UsageError(
            f"refusing to listen on {host} without tokens: anyone who can connect could "
            "change incidents. Set CAUSEMAP_TOKENS, or pass --insecure if something in "
            "front of causemap authenticates."
        )
    catalog = catalog_path or settings.catalog
    named, loaded = "", None
    if catalog is not None:
        # Read it here, so that a bad file is reported like any command's --catalog
        # (exit 1, file:line) instead of failing every worker's start.
        loaded = load_catalog(catalog, warn=echo_diagnostic)
        named = f"; catalog {loaded.name!r}"
        os.environ["CAUSEMAP_CATALOG"] = os.path.abspath(catalog)
    with Store.open(db) as store:  # migrate once, and fail fast (exit 3; a bad URL 2)
        where = store.url
    os.environ["CAUSEMAP_DB"] = resolve_url(db)
    if cors_origins:
        os.environ["CAUSEMAP_CORS_ORIGINS"] = ",".join(cors_origins)
    shown = f"[{host}]" if ":" in host else host
    auth = counted(len(settings.tokens), "token") if settings.tokens else "no tokens"
    processes = counted(workers, "worker")
    port = _check_port(host, port, f"{shown}:{port}")
    echo(f"causemap: serving http://{shown}:{port} ({where}; {auth}; {processes}{named})")
    # One worker runs in this process and takes the catalog as read above; several are
    # processes of their own, which uvicorn starts from the import path.
    factory: str | Callable[[], object] = "causemap.service.app:app_from_env"
    if workers == 1:
        from causemap.service.app import app_from_env

        factory = functools.partial(app_from_env, loaded)
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        server_header=False,
        timeout_graceful_shutdown=5,
        http=_http_protocol(),
        h11_max_incomplete_event_size=MAX_HEAD,
    )


def _unbracketed(host: str) -> str:
    """``host`` without the brackets a URL puts around an IPv6 address (``[::1]``), which
    neither the socket nor uvicorn take.

    Examples
    --------
    >>> _unbracketed("[::1]"), _unbracketed("::1"), _unbracketed("[example.com]")
    ('::1', '::1', '[example.com]')
    """
    inner = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.IPv6Address(inner)) if inner != host else host
    except ValueError:
        return host


def _http_protocol() -> str:
    """uvicorn's httptools protocol with caps on request heads' size and time, else h11
    (its size capped by ``h11_max_incomplete_event_size``, its time not)."""
    import importlib.util

    if importlib.util.find_spec("httptools") is None:
        return "h11"
    return "causemap.service.protocol:BoundedHttpTools"


def _check_port(host: str, port: int, shown: str) -> int:
    """Fail before announcing the address when nothing can listen there (the port is
    taken, the address is not this machine's): uvicorn would say so only after our
    'serving' line. A probe, so a race with another program stays possible. Returns the
    port: for port 0, the free one the system picked, so that the line announces the
    port served instead of 0."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind(address)
            bound: int = probe.getsockname()[1]
    except OSError as exc:
        click.echo(f"causemap: error: cannot listen on {shown}: {exc.strerror or exc}", err=True)
        raise SystemExit(EXIT_ENVIRONMENT) from None
    return bound
