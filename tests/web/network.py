"""A TCP relay between the browser and the server that can make a network fail the way
real ones do: connections that go silent without ever being closed, or a server that
goes away for a while (a restart)."""

from __future__ import annotations

import contextlib
import selectors
import socket
import threading
from types import TracebackType

__all__ = ["Relay"]


class Relay:
    """Forwards 127.0.0.1:``port`` to the server's ``target`` port, one thread per
    connection; a context manager that closes everything."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.open: list[socket.socket] = []
        self.silent: set[socket.socket] = set()
        self.refusing = False
        self.closed = False

    def __enter__(self) -> Relay:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.closed = True
        self.listener.close()
        with self.lock:
            for sock in self.open:
                sock.close()

    def sever(self) -> None:
        """Every connection open now goes silent for good, in both directions, and is
        never closed (a laptop that changed networks); new connections work."""
        with self.lock:
            self.silent.update(self.open)

    def down(self) -> None:
        """The server goes away (a restart): every connection open now is closed and new
        ones are closed as soon as they are made, until :meth:`up`."""
        with self.lock:
            self.refusing = True
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def up(self) -> None:
        """The server is back: new connections work again."""
        with self.lock:
            self.refusing = False

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.listener.accept()
                server = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                return
            with self.lock:
                if self.refusing:
                    client.close()
                    server.close()
                    continue
                self.open += [client, server]
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        other = {client: server, server: client}
        with selectors.DefaultSelector() as selector:
            for sock in other:
                selector.register(sock, selectors.EVENT_READ, data=sock)
            while not self.closed:
                ready = selector.select(timeout=0.1)
                if not all(self._relay(key.data, other) for key, _ in ready):
                    break
        for sock in other:
            sock.close()

    def _relay(self, source: socket.socket, other: dict[socket.socket, socket.socket]) -> bool:
        """Pass on what ``source`` sent (unless it went silent); False once it closed."""
        try:
            data = source.recv(65536)
            if data and source not in self.silent:
                other[source].sendall(data)
        except OSError:
            return False
        return bool(data)
