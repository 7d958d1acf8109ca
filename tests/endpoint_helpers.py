"""Helpers for tests that talk HTTP to the mock's endpoint: raw sockets and signed requests.

Requests are signed with botocore's SigV4 signer (as every SDK's signer signs them), never with
the code under test.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from pytest_sm_experiments.core.service import Service
from pytest_sm_experiments.credentials import Credentials as MockCredentials
from pytest_sm_experiments.options import make_options
from pytest_sm_experiments.server.endpoint import Endpoint

KEY = "AKIAENDPOINTTESTKEY1"
SECRET = "endpoint-test-secret"
CREDENTIALS = MockCredentials(KEY, SECRET, None)
CREATE = {"X-Amz-Target": "SageMaker.CreateExperiment",
          "Content-Type": "application/x-amz-json-1.1"}


@contextmanager
def serving(**options: Any) -> Iterator[Endpoint]:
    """An endpoint onto a fresh service that no mock runs (so no hook answers in-process)."""
    endpoint = Endpoint(Service(make_options(**options)), CREDENTIALS).start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def signed(url: str, headers: dict[str, str], body: bytes, method: str = "POST",
           region: str = "us-east-1", service: str = "sagemaker", key: str = KEY,
           secret: str = SECRET, token: str | None = None) -> dict[str, str]:
    """Headers of a request signed by botocore's signer."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(Credentials(key, secret, token), service, region).add_auth(request)
    return {str(name): str(value) for name, value in request.headers.items()}


def raw(port: int, data: bytes, shut_write: bool = False, timeout: float = 10) -> bytes:
    """Send bytes on a fresh connection and read everything until the server closes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        if shut_write:
            connection.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            chunk = connection.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def request_bytes(method: str, path: str, headers: dict[str, str], body: bytes,
                  close: bool = True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    if "Content-Length" not in headers and body:
        lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Response:
    """A parsed HTTP/1.1 response (one; what follows it is kept in ``rest``)."""

    def __init__(self, data: bytes) -> None:
        head, _, rest = data.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.version, status, self.reason = status_line.split(" ", 2)
        self.status = int(status)
        self.headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        length = int(self.headers["content-length"])
        self.body, self.rest = rest[:length], rest[length:]

    def json(self) -> Any:
        return json.loads(self.body)


def signed_request(endpoint: Endpoint, body: bytes, headers: dict[str, str] | None = None,
                   path: str = "/", method: str = "POST", close: bool = True,
                   **signing: Any) -> bytes:
    """The bytes of a signed request for ``endpoint`` (Host included in the signature)."""
    base = {"Host": f"127.0.0.1:{endpoint.port}", **(CREATE if headers is None else headers)}
    all_headers = signed(f"{endpoint.url}{path}", base, body, method=method, **signing)
    return request_bytes(method, path, all_headers, body, close=close)


def listening(host: str, port: int) -> bool:
    """True when something accepts TCP connections at ``host:port`` (refused: nothing does)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(5)
        return probe.connect_ex((host, port)) == 0
