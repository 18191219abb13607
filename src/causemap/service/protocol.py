"""uvicorn's httptools protocol with a cap on the request head (request line and headers),
in bytes and in time.

httptools, the parser ``uvicorn[standard]`` uses, puts no limit on a head: it gathers a
header in memory however long it grows, so one client could make the server hold
hundreds of megabytes before any token is checked. Here the bytes that arrive while a
head is being read are counted, and past ``MAX_HEAD`` the answer is 431 (as JSON,
like every error) and the connection is closed. (h11, uvicorn's other parser, has its
own cap, which ``causemap serve`` sets to the same value.)

Nor does uvicorn bound the time a head takes: its keep-alive timeout runs only between
an answer and the first byte of the next request, so a connection that sends nothing,
or a header line now and then, is held for good. Here a clock runs whenever the server
waits for a head (from the connection's opening, and from each answer) and stops when
the headers are complete; after ``CAUSEMAP_HEAD_TIMEOUT`` seconds the answer is 408 (or,
when nothing of a request came, the connection is just closed). It never runs while a
request is being answered, so long answers such as event streams are not cut.

httptools cannot parse a URL of more than ``MAX_URL`` bytes, and uvicorn answered one
with its 400 for a malformed request; here it is a 414 that names the limit (a render
URL carrying a large incident is the one that gets there; ``POST /render`` takes it).

A request the parser refuses (an unknown method, a malformed line or header) is a JSON
400 here too, where uvicorn answers ``text/plain``. These answers are counted in
``causemap_http_requests_total`` like every other, under the route ``<head>``: they never
reach the app, whose middleware counts the rest.

``causemap serve`` names :class:`BoundedHttpTools` to uvicorn by its import path; this
module imports httptools, so only import it where httptools is installed.
"""

from __future__ import annotations

import asyncio
import json
import os

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from causemap.metrics import HTTP_REQUESTS
from causemap.service.middleware import security_headers
from causemap.service.settings import MAX_HEAD, head_timeout

__all__ = ["HEAD_ROUTE", "MAX_URL", "BoundedHttpTools"]

HEAD_TIMEOUT = head_timeout(os.environ)
"""Read once per process: ``causemap serve`` has checked it before starting uvicorn."""

HEAD_ROUTE = "<head>"
"""The ``route`` label of the answers given to a refused head (400, 408, 414, 431) in the request
metrics: no route was matched, since the head never arrived whole."""


def _error(code: str, message: str) -> bytes:
    error = {"error": {"code": code, "message": message, "details": None}}
    return json.dumps(error, separators=(",", ":")).encode()


_TOO_LARGE = _error(
    "head-too-large", f"the request line and headers are larger than the {MAX_HEAD}-byte limit"
)
MAX_URL = 65_535
"""The longest URL (path and query) ``httptools.parse_url`` takes."""

_URL_TOO_LONG = _error(
    "uri-too-long",
    f"the URL is longer than the {MAX_URL:,}-byte limit; post a large incident to "
    "POST /render instead of putting it in a render URL",
)
_MALFORMED = _error(
    "bad-request",
    "the request line or headers are malformed (an unknown method, a space in the URL, "
    "a byte a header cannot hold)",
)
_TOO_SLOW = _error(
    "request-timeout",
    f"the request line and headers did not arrive within {HEAD_TIMEOUT:g} seconds",
)


class BoundedHttpTools(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that answers 431 to a head over ``MAX_HEAD`` bytes, 414
    to a URL over ``MAX_URL`` bytes and 408 to a head that takes over ``HEAD_TIMEOUT``
    seconds.

    Bytes are counted as they arrive, from the end of one request's headers to the end
    of the next one's (a body is not counted), so a chunk that holds the end of a head
    and the start of a body counts whole: the cap is exact to within one read.
    """

    _in_head = True
    _head = 0
    _begun = False
    """Whether part of the next request's head was parsed."""
    _clock: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head += len(data)
            if self._head > MAX_HEAD:
                if self._refuse(b"431 Request Header Fields Too Large", _TOO_LARGE):
                    self.logger.warning("refused a request head over %d bytes (431)", MAX_HEAD)
                return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        """A request the parser refuses: uvicorn answers ``text/plain``; errors are JSON
        (and counted, as the 408s and 431s are)."""
        self._refuse(b"400 Bad Request", _MALFORMED)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_URL and self._refuse(b"414 URI Too Long", _URL_TOO_LONG):
            self.logger.warning("refused a URL over %d bytes (414)", MAX_URL)

    def on_message_begin(self) -> None:
        self._begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._in_head, self._head, self._begun = False, 0, False
        self._stop_clock()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Unless a pipelined request, whose head is in, is now being answered.
        if not self.transport.is_closing() and self.cycle.response_complete:
            self._start_clock()

    def _start_clock(self) -> None:
        self._stop_clock()
        self._clock = self.loop.call_later(HEAD_TIMEOUT, self._too_slow)

    def _stop_clock(self) -> None:
        if self._clock is not None:
            self._clock.cancel()
            self._clock = None

    def _too_slow(self) -> None:
        self._clock = None
        if self._begun:
            self._refuse(b"408 Request Timeout", _TOO_SLOW)
        else:  # nothing of a request came (or only the rest of an answered one's body)
            self.transport.close()

    def _refuse(self, status: bytes, body: bytes) -> bool:
        """Answer ``status`` with the JSON error ``body`` and close the connection; False
        if it was already closing."""
        self._stop_clock()
        if self.transport.is_closing():
            return False
        head = [b"HTTP/1.1 " + status + b"\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(body)).encode() + b"\r\n",
        ]
        head += [name + b": " + value + b"\r\n" for name, value in security_headers()]
        head.append(b"connection: close\r\n\r\n")
        self.transport.write(b"".join(head) + body)
        self.transport.close()
        HTTP_REQUESTS.inc(method=self._method(), route=HEAD_ROUTE, status=status[:3].decode())
        return True

    def _method(self) -> str:
        """The refused request's method, when its request line got as far as the URL."""
        if self._begun and self.url:  # on_message_begin resets it
            return self.parser.get_method().decode("ascii", "replace")
        return "<unknown>"
