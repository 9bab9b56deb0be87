"""A TCP forwarder in front of PostgreSQL, so a bench can take "the database" away without stopping it.

bench/faults.py points gunicorn and the worker at this proxy instead of 127.0.0.1:5432. `down()`
cuts every open connection (both ends, as when the server dies) and refuses new ones (the port is
closed: connection refused); `up()` listens again on the same port. The PostgreSQL server itself,
which other people share, is never touched.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class DatabaseProxy:
    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432), port: int = 0) -> None:
        self.target = target
        self.port = port
        self.lock = threading.Lock()
        self.pairs: set[tuple[socket.socket, socket.socket]] = set()
        self.listener: socket.socket | None = None
        self.accepting = threading.Event()
        self.thread: threading.Thread | None = None
        self.served = 0

    # --- up and down ----------------------------------------------------------------------------

    def up(self) -> None:
        """Listen (on the same port as before, once it had one) and forward every new connection."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        listener.settimeout(0.2)
        self.port = listener.getsockname()[1]
        self.listener = listener
        self.accepting.set()
        self.thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self.thread.start()

    def down(self) -> int:
        """The database is gone: new connections are refused, open ones cut. Returns how many were cut."""
        self.accepting.clear()
        if self.thread is not None:
            self.thread.join()  # it closes the listener: from now on, connection refused
        with self.lock:
            pairs = list(self.pairs)
            self.pairs.clear()
        for pair in pairs:
            for sock in pair:
                _close(sock)
        return len(pairs)

    def url(self, database_url: str) -> str:
        """`database_url` with its host and port replaced by this proxy's."""
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(database_url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) == 2 else host))

    # --- forwarding -----------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        try:
            while self.accepting.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                try:
                    server = socket.create_connection(self.target, timeout=5)
                    server.settimeout(None)
                except OSError:
                    _close(client)
                    continue
                client.settimeout(None)
                pair = (client, server)
                with self.lock:
                    self.pairs.add(pair)
                    self.served += 1
                for a, b in (pair, pair[::-1]):
                    threading.Thread(target=self._pump, args=(a, b, pair), daemon=True).start()
        finally:
            _close(listener)

    def _pump(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        with self.lock:
            self.pairs.discard(pair)
        _close(src)
        _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
