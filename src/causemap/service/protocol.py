"""uvicorn's httptools protocol with a cap on the request head (request line and headers).

httptools, the parser ``uvicorn[standard]`` uses, puts no limit on a head: it gathers a
header in memory however long it grows, so one client could make the server hold
hundreds of megabytes before any token is checked. Here the bytes that arrive while a
head is being read are counted, and past ``MAX_HEAD`` the answer is 431 (as JSON,
like every error) and the connection is closed. (h11, uvicorn's other parser, has its
own cap, which ``causemap serve`` sets to the same value.)

``causemap serve`` names :class:`BoundedHttpTools` to uvicorn by its import path; this
module imports httptools, so only import it where httptools is installed.
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from causemap.service.settings import MAX_HEAD

__all__ = ["BoundedHttpTools"]

_BODY = json.dumps(
    {
        "error": {
            "code": "head-too-large",
            "message": f"the request line and headers are larger than the {MAX_HEAD}-byte limit",
            "details": None,
        }
    },
    separators=(",", ":"),
).encode()


class BoundedHttpTools(HttpToolsProtocol):
    """:class:`HttpToolsProtocol` that answers 431 to a head over ``MAX_HEAD`` bytes.

    Bytes are counted as they arrive, from the end of one request's headers to the end
    of the next one's (a body is not counted), so a chunk that holds the end of a head
    and the start of a body counts whole: the cap is exact to within one read.
    """

    _in_head = True
    _head = 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head += len(data)
            if self._head > MAX_HEAD:
                self._refuse()
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head, self._head = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True
        super().on_message_complete()

    def _refuse(self) -> None:
        if self.transport.is_closing():
            return
        self.logger.warning("refused a request head over %d bytes (431)", MAX_HEAD)
        head = [b"HTTP/1.1 431 Request Header Fields Too Large\r\n"]
        for name, value in self.server_state.default_headers:
            head.append(name + b": " + value + b"\r\n")
        head += [
            b"content-type: application/json\r\n",
            b"content-length: " + str(len(_BODY)).encode() + b"\r\n",
            b"x-content-type-options: nosniff\r\n",
            b"connection: close\r\n\r\n",
        ]
        self.transport.write(b"".join(head) + _BODY)
        self.transport.close()
