"""Suite-wide set-up: not one byte may leave the machine.

Every socket connection to an address outside the loopback interface (instance-metadata
addresses included) and every DNS lookup of a host name other than ``localhost`` fails loudly
for the whole run, so a test that would reach AWS, or a mock that would let a
request through, cannot pass. Loopback connections (a mock's own
endpoint) are allowed and recorded, so tests can show that nothing else was connected to.

Hypothesis profiles (see tests/fidelity/test_hostile.py's docstring), all derandomized so a
fuzz test finds the same thing on every run: ``ci`` is the default, ``deep`` runs 50 times as
many examples, ``mutation`` a tenth (mutmut runs the covering tests once per mutant). Select
with ``--hypothesis-profile=deep`` or the environment variable ``SM_HYPOTHESIS_PROFILE=deep``.

The suite runs on every core (pytest-xdist) unless told otherwise: ``-n 0`` or ``-p no:xdist``
runs it in this process, ``-n 4`` on four workers. Tests marked ``slow`` (deep property tests,
tests that start Python processes) are handed out first, so none is left to run alone at the
end; ``-m "not slow"`` leaves them out.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Sequence
from typing import Any, overload

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

# Reproducible: derandomized, no example database; no deadline (the machine is shared).
_PROFILE = {"derandomize": True, "database": None, "deadline": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
settings.register_profile("ci", max_examples=50, **_PROFILE)
settings.register_profile("deep", max_examples=2500, **_PROFILE)
# mutmut ([tool.mutmut] in pyproject.toml) runs the covering tests once per mutant.
settings.register_profile("mutation", max_examples=10, **_PROFILE)
settings.load_profile(os.environ.get("SM_HYPOTHESIS_PROFILE", "ci"))


@pytest.hookimpl(hookwrapper=True)
def pytest_cmdline_main(config: pytest.Config) -> Any:
    """Every core by default: ``-n auto`` unless ``-n``/``--dist`` was given, xdist is off
    (``-p no:xdist``), this is a worker, or the session only collects or debugs."""
    option = config.option
    if not config.pluginmanager.hasplugin("xdist") or hasattr(config, "workerinput"):
        yield
        return
    if (option.numprocesses is None and option.dist == "no"
            and not (option.collectonly or option.usepdb)):
        option.numprocesses = "auto"
    if option.maxschedchunk is None:
        # Two tests at a time per worker (not a quarter of the suite at once): the slow ones,
        # handed out first, then spread over the workers instead of all going to the first.
        option.maxschedchunk = 1
    yield


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a worker, slow tests first (a stable sort: after pytest-randomly's shuffle)."""
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)


#: The environment as the session found it (before any test or mock could change it).
_SESSION_ENVIRON = dict(os.environ)


@pytest.fixture(scope="session")
def session_aws_environ() -> dict[str, str]:
    """The ``AWS_*`` variables (AWS's configuration namespace) as the session started; libraries
    imported later may set others of their own, the SageMaker SDK among them."""
    return {key: value for key, value in _SESSION_ENVIRON.items() if key.startswith("AWS_")}


class NetworkBlocked(AssertionError):
    """A test tried to open a network connection."""


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
attempts: list[Any] = []
#: Every loopback connection made (allowed), as ``(host, port)``.
loopback_connections: list[Any] = []


def is_loopback(address: Any) -> bool:
    """A loopback address (127.0.0.0/8, ::1, ``localhost``): a connection there stays on the
    machine (a test's own local server, a mock's endpoint)."""
    if not isinstance(address, tuple) or not address:
        return False
    host = address[0].decode() if isinstance(address[0], bytes) else address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded(real: Any) -> Any:
    def connect(self: socket.socket, address: Any) -> Any:
        if self.family == socket.AF_UNIX:
            return real(self, address)
        if is_loopback(address):
            loopback_connections.append(tuple(address[:2]))
            return real(self, address)
        attempts.append(address)
        # Closed here: NetworkBlocked is not an OSError, so socket.create_connection and
        # urllib3 would not close it on their way out.
        self.close()
        raise NetworkBlocked(f"network connection attempted to {address!r}")
    return connect


def _is_local(host: Any) -> bool:
    if host is None or host in ("localhost", b"localhost"):
        return True
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else host)
    except ValueError:
        return False
    return True  # a numeric address needs no lookup; connect() is guarded


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    # A DNS lookup already leaks the host name (and comes before any connect()).
    if not _is_local(host):
        attempts.append((host, *args[:1]))
        raise NetworkBlocked(f"DNS lookup attempted for {host!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded(_real_connect)  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded(_real_connect_ex)  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo


class Attempts(Sequence[Any]):
    """A live view of the connection attempts made since a test started."""

    def __init__(self, log: list[Any] = attempts) -> None:
        self._log = log
        self._start = len(log)

    def _items(self) -> list[Any]:
        return self._log[self._start:]

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._log) - self._start

    def __eq__(self, other: object) -> bool:
        return self._items() == (list(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"Attempts({self._items()!r})"


@pytest.fixture
def network_attempts() -> Attempts:
    """The connection attempts made while the test runs, live (each one also raised)."""
    return Attempts()


@pytest.fixture
def loopback_connects() -> Attempts:
    """The loopback connections made while the test runs, live, as ``(host, port)``."""
    return Attempts(loopback_connections)


@pytest.fixture
def boto3_client(sm_experiments: Any) -> Any:
    """A brand-new boto3 client, as user code makes one (default session, env credentials)."""
    boto3 = pytest.importorskip("boto3")
    return boto3.client("sagemaker", region_name=sm_experiments.options.region)
