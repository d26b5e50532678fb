"""Which ``Host`` headers the viewer answers, and the edit token of a viewer served beyond loopback.

A page on another site whose domain re-resolves to the viewer's address (DNS rebinding) reaches the viewer with
its own name in ``Host``; answering only the names the viewer was started for defeats it. Starlette's
``TrustedHostMiddleware`` cuts the header at the first ``:``, so it cannot check an IPv6 literal (``[::1]:8765``);
this check parses both forms and is on for every bind address.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
TOKEN_COOKIE = "msi-edit-token"
TOKEN_PARAM = "token"


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (``127.0.0.0/8``, ``::1``, bracketed or not)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str | None) -> str | None:
    """The name in a ``Host`` header without its port (``[::1]:80`` → ``::1``); None when malformed."""
    if not header:
        return None
    header = header.strip().lower()
    if header.startswith("["):
        end = header.find("]")
        rest = header[end + 1 :] if end > 0 else "x"
        if end < 0 or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        return header[1:end]
    name, _, port = header.partition(":")
    if (port and not port.isdigit()) or not name:
        return None
    return name


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """Loopback names, the literal bind address and the names the user added (``--allowed-host``)."""
    names = {*LOOPBACK_NAMES, bind.strip("[]").lower()}
    names |= {name.strip("[]").lower() for name in extra if name.strip()}
    return frozenset(names)


def token_matches(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


class HostCheck:
    """ASGI middleware: answer 400 to any request whose ``Host`` is not in ``allowed``."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str]) -> None:
        self.app = app
        self.allowed = frozenset(a.lower() for a in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = Headers(scope=scope).get("host")
            if host_name(header) not in self.allowed:
                message = (
                    f"host {header!r} is not one this viewer answers to ({', '.join(sorted(self.allowed))}); "
                    "open it by one of those names, or restart `msi-agent ui` with --allowed-host NAME"
                )
                await PlainTextResponse(message, status_code=400)(scope, receive, send)
                return
        await self.app(scope, receive, send)
