"""Upstream's FIFO client with two start-up holes closed, so a dead or silent player fails fast and clearly.

ai2thor 5.0.0 opens the player's pipe with a blocking ``open()``: if the player dies or hangs before opening its
end, ``Controller()`` blocks forever (``server_start_timeout`` does not cover the open). And when the pipe reaches
end-of-file, its read loop spins until the timeout instead of reporting the dead process. The subclasses below
wait for the player's first bytes with a deadline while watching the process, and treat end-of-file as such;
everything else (framing, sequence ids, events) is upstream's code.
"""

from __future__ import annotations

import fcntl
import os
import select
import time
from typing import Any

from ai2thor.controller import Controller
from ai2thor.fifo_server import FifoServer


class PlayerExitedError(RuntimeError):
    """The player process ended before it spoke."""


class WatchedFifoServer(FifoServer):
    def _open_server_pipe(self, timeout: float | None) -> None:
        fd = os.open(self.server_pipe_path, os.O_RDONLY | os.O_NONBLOCK)
        try:
            deadline = None if timeout is None else time.monotonic() + timeout
            while True:
                readable, _, _ = select.select([fd], [], [], 0.05)
                if readable:
                    break
                if self.unity_proc is not None and self.unity_proc.poll() is not None:
                    raise PlayerExitedError(
                        f"Unity process has exited before connecting, returncode={self.unity_proc.returncode}"
                    )
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError(f"the player did not connect within {timeout}s")
            flags = fcntl.fcntl(fd, fcntl.F_GETFL)
            fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        except BaseException:
            os.close(fd)
            raise
        self.server_pipe = os.fdopen(fd, "rb")

    def _recv_message(self, timeout: float | None) -> Any:
        if self.server_pipe is None:
            self._open_server_pipe(self.timeout if timeout is None else timeout)
        return super()._recv_message(timeout)

    def _read_with_timeout(self, server_pipe: Any, message_size: int, timeout: float | None) -> bytes:
        deadline = None if timeout is None else time.monotonic() + timeout
        message = b""
        while len(message) < message_size:
            remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
            readable, _, _ = select.select([server_pipe], [], [], remaining)
            if not readable:
                raise TimeoutError(f"Reading from AI2-THOR backend timed out (using {timeout}s) timeout.")
            part = os.read(server_pipe.fileno(), message_size - len(message))
            if not part:  # end of file: the player closed its end; upstream reports an empty header as an exit
                return message
            message += part
        return message


class WatchedController(Controller):
    """``Controller`` whose FIFO server is the watched one (same constructor, same behaviour otherwise)."""

    def _build_server(self, host: str, port: int, width: int, height: int) -> None:
        if self.server is None and self.server_class is FifoServer:
            self.server = WatchedFifoServer(
                width=width,
                height=height,
                timeout=self.server_timeout,
                depth_format=self.depth_format,
                add_depth_noise=self.add_depth_noise,
            )
        super()._build_server(host, port, width, height)
