"""A forked child's way to its parent's mock: the request, signed, over the parent's endpoint.

A process forked while a mock with ``subprocesses=True`` runs holds a copy of that mock's
service; the copy hands each request to :func:`forward`, which sends it to the parent's
endpoint (signed with the mock's credentials by botocore's signer) and returns the parent's
answer for the hook to give botocore. One keep-alive connection per thread.
"""

from __future__ import annotations

import http.client
import threading
from urllib.parse import urlsplit

from ..core.service import EndpointAccess, Reply, Route
from ..errors import MockUnreachableError
from . import routing, sigv4

_local = threading.local()
_TIMEOUT = 60.0


def _connection(url: str) -> tuple[http.client.HTTPConnection, bool]:
    """This thread's connection to ``url``, and whether it was used before."""
    connections: dict[str, http.client.HTTPConnection] = _local.__dict__.setdefault(
        "connections", {})
    found = connections.get(url)
    if found is not None:
        return found, True
    # http.client reads the host (an IPv6 one in brackets) and the port from the netloc.
    found = connections[url] = http.client.HTTPConnection(urlsplit(url).netloc,
                                                          timeout=_TIMEOUT)
    return found, False


def close() -> None:
    """Close this thread's connections (they are otherwise kept for the next request)."""
    for url in list(_local.__dict__.get("connections", {})):
        _drop(url)


def _drop(url: str) -> None:
    """Close and forget this thread's connection to ``url`` (it has one: only callers that
    opened it, or found it, drop it)."""
    connections: dict[str, http.client.HTTPConnection] = _local.connections
    connections.pop(url).close()


def forward(endpoint: EndpointAccess, parent_pid: int, route: Route, body: bytes | str | None,
            region: str) -> Reply:
    """Send ``route``'s request to the parent's endpoint; its status, headers and body."""
    data = body.encode() if isinstance(body, str) else (body or b"")
    request = routing.outgoing(route.service_name, route.operation)
    url = endpoint.url.rstrip("/")
    netloc = urlsplit(url).netloc
    headers = sigv4.sign(request.method, f"{url}{request.path}",
                         {**request.headers, "Host": netloc}, data, region,
                         routing.signing_name(route.service_name), endpoint.credentials)
    while True:
        connection, reused = _connection(url)
        try:
            connection.request(request.method, request.path, body=data, headers=headers)
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            _drop(url)
            # RemoteDisconnected and BrokenPipeError are ConnectionErrors: the endpoint closed a
            # kept-alive connection before this request reached it. Once more, on a new one.
            if reused and isinstance(error, ConnectionError):
                continue
            raise MockUnreachableError(parent_pid, endpoint.url, route.service_name,
                                       route.operation, f"{type(error).__name__}: {error}"
                                       ) from None
        if response.will_close:
            _drop(url)
        return response.status, dict(response.getheaders()), payload
