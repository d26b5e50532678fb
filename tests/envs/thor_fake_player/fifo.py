"""The player side of ai2thor's FIFO protocol (``ai2thor/fifo_server.py``), written from its framing rules.

Frames are ``struct '!BI'`` (field type, body length) + body; a frame of type 255 ends a message. The Python client
sends type 2 (a JSON action); the player answers type 1 (msgpack ``{"agents": [metadata], "sequenceId": n}``).
"""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

import msgpack

HEADER = struct.Struct("!BI")
METADATA, ACTION, END_OF_MESSAGE = 1, 2, 255


class ProtocolError(RuntimeError):
    """The client sent something the protocol does not allow."""


def _read_exact(pipe: BinaryIO, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        part = pipe.read(size - len(data))
        if not part:
            return None
        data += part
    return data


def read_action(pipe: BinaryIO) -> dict[str, Any] | None:
    """The next action the client sent, or None when the client closed its end."""
    action: dict[str, Any] | None = None
    while True:
        header = _read_exact(pipe, HEADER.size)
        if header is None:
            return None
        kind, length = HEADER.unpack(header)
        if kind == END_OF_MESSAGE:
            if action is None:
                raise ProtocolError("end of message without an action frame")
            return action
        body = _read_exact(pipe, length)
        if body is None:
            return None
        if kind != ACTION:
            raise ProtocolError(f"unexpected frame type {kind} from the client")
        action = json.loads(body.decode("utf-8"))


def write_metadata(pipe: BinaryIO, metadata: dict[str, Any], sequence_id: int) -> None:
    """Send one agent's metadata as a complete message."""
    body = msgpack.packb({"agents": [metadata], "sequenceId": sequence_id}, use_bin_type=True)
    pipe.write(HEADER.pack(METADATA, len(body)) + body + HEADER.pack(END_OF_MESSAGE, 0))
    pipe.flush()
