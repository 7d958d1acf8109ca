"""Suite-wide set-up: not one byte may leave the process.

Every socket connection (instance-metadata addresses included) fails loudly for the whole run,
so a test that would reach AWS, or a mock that would let a request through, cannot pass.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["pytester"]


class NetworkBlocked(AssertionError):
    """A test tried to open a network connection."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
attempts: list[Any] = []


def _guarded(real: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return real(self, address)
        attempts.append(address)
        raise NetworkBlocked(f"network connection attempted to {address!r}")
    return connect


socket.socket.connect = _guarded(_real_connect)  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded(_real_connect_ex)  # type: ignore[method-assign]


@pytest.fixture
def network_attempts() -> Iterator[list[Any]]:
    """The connection attempts made while the test runs (each one also raised)."""
    start = len(attempts)
    view: list[Any] = []
    yield view
    view.extend(attempts[start:])


@pytest.fixture
def boto3_client(sm_experiments: Any) -> Any:
    """A brand-new boto3 client, as user code makes one (default session, env credentials)."""
    boto3 = pytest.importorskip("boto3")
    return boto3.client("sagemaker", region_name=sm_experiments.options.region)
