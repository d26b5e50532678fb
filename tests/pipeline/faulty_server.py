"""A loopback OpenAI-compatible server that fails on command, and counts what it was asked and what it answered.

Modes: ``ok`` (answer), ``error`` (HTTP 500), ``hang`` (never answer: hold the request until ``release()``, then
drop the connection), and ``down()`` /
``up()`` close and reopen the listening socket on the same port (connection refused in between). ``fault``, when
set, picks the mode per request from its number (1-based) and body, e.g. "500 for the first ten requests". ``slots=1``
serves one request at a time, each taking ``delay`` seconds (a single-slot llama.cpp server). Usage is reported
from word counts, and the server sums the usage of every answer it delivered.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_core.messages import BaseMessage

from msi_agent.llm.wire import chat_completion, request_messages

Answer = Callable[[list[BaseMessage]], str]


class FaultyServer:
    def __init__(self, answer: Answer, *, slots: int | None = None, delay: float = 0.0) -> None:
        self.answer, self.delay = answer, delay
        self.mode = "ok"
        self.fault: Callable[[int, dict[str, Any]], str | None] | None = None
        self.requests = 0
        """Requests received (each retry counts)."""
        self.answered = 0
        self.prompt_tokens = self.completion_tokens = 0
        """Usage of the answers delivered, as this server reported it."""
        self.bodies: list[dict[str, Any]] = []
        self.in_flight = self.peak = 0
        self._lock = threading.Lock()
        self._slots = threading.Semaphore(slots) if slots else None
        self._released = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._connections: set[socket.socket] = set()
        self.port = 0
        self.up()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def up(self) -> None:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
            self._server.daemon_threads = True
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.mode = "ok"

    def down(self) -> None:
        """Stop listening and drop open keep-alive connections: connections are refused until ``up()``."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._lock:
            for conn in self._connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._connections.clear()

    def release(self) -> None:
        """Let held (``hang``) requests go on."""
        self._released.set()

    def close(self) -> None:
        self.release()
        self.down()

    def _receive(self, body: dict[str, Any]) -> str:
        """Count a request as it arrives (before it waits for a slot) and pick its mode."""
        with self._lock:
            self.requests += 1
            self.bodies.append(body)
            return (self.fault(self.requests, body) if self.fault else None) or self.mode

    def _respond(self, body: dict[str, Any], mode: str) -> tuple[int, dict[str, Any], tuple[int, int]] | None:
        if mode == "error":
            return 500, {"error": {"message": "injected server error", "type": "server_error"}}, (0, 0)
        if mode == "hang":
            self._released.wait(60)
            return None
        messages = request_messages(body)
        text = self.answer(messages)
        usage = (sum(len(str(m.content).split()) for m in messages), len(text.split()))
        reply = chat_completion(text, model=body["model"], prompt_tokens=usage[0], completion_tokens=usage[1])
        return 200, reply, usage

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with server._lock:
                    server._connections.add(self.connection)

            def finish(self) -> None:
                with server._lock:
                    server._connections.discard(self.connection)
                super().finish()

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                mode = server._receive(body)
                if server._slots is not None:
                    server._slots.acquire()
                with server._lock:
                    server.in_flight += 1
                    server.peak = max(server.peak, server.in_flight)
                try:
                    time.sleep(server.delay)
                    answer = server._respond(body, mode)
                finally:
                    with server._lock:
                        server.in_flight -= 1
                    if server._slots is not None:
                        server._slots.release()
                if answer is None:  # hung: no answer ever, the connection is dropped
                    self.close_connection = True
                    return
                status, reply, usage = answer
                data = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:  # the client gave up on this request: nothing was delivered
                    return
                if status == 200:
                    with server._lock:
                        server.answered += 1
                        server.prompt_tokens += usage[0]
                        server.completion_tokens += usage[1]

            def log_message(self, *args: object) -> None:
                pass

        return Handler
