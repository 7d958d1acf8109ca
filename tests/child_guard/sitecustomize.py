"""The suite's network guard, for child processes (Python imports ``sitecustomize`` at start).

Tests that start Python children put this directory on their ``PYTHONPATH`` and name a file in
``SM_CHILD_CONNECTS``: every connection a child attempts is appended to it (``host port``, and
``BLOCKED host port`` for one refused because it is not loopback), so the test can show that
its children connected to the mock's endpoint and nothing else.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

_LOG = os.environ.get("SM_CHILD_CONNECTS")
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _loopback(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host == "localhost" or host is None:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _note(line: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{line}\n")


def _guarded(real: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return real(self, address)
        if _loopback(address[0]):
            _note(f"{address[0]} {address[1]}")
            return real(self, address)
        _note(f"BLOCKED {address[0]} {address[1]}")
        raise ConnectionRefusedError(f"test guard: no connection to {address!r}")
    return connect


def _getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if not _loopback(host):
        try:
            ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
        except ValueError:
            _note(f"BLOCKED {host} {args[:1]}")
            raise socket.gaierror(f"test guard: no DNS lookup of {host!r}") from None
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded(_real_connect)  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded(_real_connect_ex)  # type: ignore[method-assign]
socket.getaddrinfo = _getaddrinfo
