"""The pytest plugin (``pytest11`` entry point ``sm_experiments``).

Fixtures ``sm_experiments``, ``sm_client`` and ``sm_session``, the ``sm_experiments`` marker,
ini defaults, a teardown error for injected errors that were never used, and the call journal
in the report of a failing test.  botocore is not imported here: a post-import hook installs the
router when the code under test first imports botocore, so start-up stays cheap.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Generator, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from .errors import MockUsageError
from .options import OPTION_NAMES, MockOptions, make_options, parse_bool, parse_quotas

if TYPE_CHECKING:
    # Imported when a fixture first runs: a suite that never uses the mock pays nothing for it.
    from .mock import SageMakerExperimentsMock

MARKER = "sm_experiments"
_INI = {
    "account_id": "default AWS account id of sm_experiments mocks (12 digits)",
    "region": "default region of sm_experiments mocks",
    "quotas": "default quotas of sm_experiments mocks, as name=number pairs separated by commas",
    "arn_case": "'lower' (default) or 'preserve': the letter case of names in mocked ARNs",
    "allow_network": "services (boto3 client names, separated by commas) whose requests may "
                     "reach AWS while a mock runs; default: none",
    "subprocesses": "true: sm_experiments mocks also serve child processes over a loopback port",
}
_base_options = pytest.StashKey[MockOptions]()
_mock_key = pytest.StashKey["SageMakerExperimentsMock"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    for name, help_text in _INI.items():
        parser.addini(f"sm_experiments_{name}", help_text, default=None)


def _install_router() -> None:
    from . import router

    router.install()


_HOOKED = "botocore.session"


class _InstallAfterImport:
    """A one-shot ``sys.meta_path`` finder: once ``botocore.session`` has been executed, install
    the router.  The same as a wrapt post-import hook, without importing wrapt (and, with wrapt
    2.x, asyncio) at start-up: see BENCHMARKS.md, "Hot spots removed"."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _HOOKED:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _InstallingLoader(spec.loader)
        return spec


class _InstallingLoader(importlib.abc.Loader):
    """Delegates to the real loader; installs the router after the module has executed."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        _install_router()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


# At plugin import (entry-point plugins load before conftest files and test modules): every
# botocore Session created from then on carries the dormant router, including the ones behind
# clients that conftests and test modules create at import time.
if _HOOKED in sys.modules:
    _install_router()
else:
    sys.meta_path.insert(0, _InstallAfterImport())


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): run the test under a SageMaker Experiments mock; options: "
        + ", ".join(OPTION_NAMES),
    )
    ini: dict[str, Any] = {}
    for name in _INI:
        value = config.getini(f"sm_experiments_{name}")
        if value:
            ini[name] = value.strip() if isinstance(value, str) else value
    try:
        if "quotas" in ini:
            ini["quotas"] = parse_quotas(ini["quotas"])
        if "subprocesses" in ini:
            ini["subprocesses"] = parse_bool(ini["subprocesses"])
        config.stash[_base_options] = make_options(**ini)
    except MockUsageError as error:
        raise pytest.UsageError(f"invalid sm_experiments ini option: {error}") from None


def _marker_options(item: pytest.Item) -> dict[str, Any]:
    """Marker kwargs merged so that the closest marker wins (quotas merge per quota)."""
    merged: dict[str, Any] = {}
    quotas: dict[str, int] = {}
    for marker in reversed(list(item.iter_markers(MARKER))):
        if marker.args:
            raise MockUsageError(
                f"@pytest.mark.{MARKER} takes keyword options only "
                f"({', '.join(OPTION_NAMES)}), got positional {marker.args!r}"
            )
        for key, value in marker.kwargs.items():
            if key == "quotas" and isinstance(value, dict):
                quotas.update(value)
            else:
                merged[key] = value
    if quotas:
        merged["quotas"] = quotas
    return merged


@pytest.fixture
def sm_experiments(request: pytest.FixtureRequest) -> Generator[SageMakerExperimentsMock]:
    """A running SageMaker Experiments mock for this test; yields its handle."""
    from .mock import SageMakerExperimentsMock

    options = request.config.stash[_base_options]
    marker_options = _marker_options(request.node)
    if marker_options:
        options = make_options(options, **marker_options)
    mock = SageMakerExperimentsMock(options=options)
    request.node.stash[_mock_key] = mock
    with mock:
        yield mock
    unused = mock.unused_injected_errors
    if unused:
        listed = "; ".join(f"{error.operation} -> {error.code}" for error in unused)
        pytest.fail(
            f"sm_experiments: injected error(s) never used: {listed}. Remove them, or make the "
            "code under test call the operation.",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _sm_experiments_marker(request: pytest.FixtureRequest) -> None:
    """The marker alone activates the mock: a marked test gets ``sm_experiments`` here, in an
    autouse fixture, so the mock runs before the test's own fixtures set up."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue(MARKER)


@pytest.fixture(scope="session")
def _sm_experiments_clients() -> dict[str, Any]:
    return {}


@pytest.fixture
def sm_client(sm_experiments: SageMakerExperimentsMock,
              _sm_experiments_clients: dict[str, Any]) -> Any:
    """A botocore SageMaker client in the mock's region, shared across tests (creating clients
    is the expensive part of a test; the router always answers from the current mock)."""
    region = sm_experiments.options.region
    client = _sm_experiments_clients.get(region)
    if client is None:
        client = _sm_experiments_clients[region] = sm_experiments.client(region)
    return client


@pytest.fixture(scope="session")
def _sm_experiments_sdk_sessions() -> dict[Any, Any]:
    return {}


@pytest.fixture
def sm_session(sm_experiments: SageMakerExperimentsMock,
               _sm_experiments_sdk_sessions: dict[Any, Any]) -> Any:
    """A SageMaker Python SDK ``Session`` (v3's if installed, else v2's) in the mock's region,
    telemetry off, shared across tests like ``sm_client`` (building one is slow: BENCHMARKS.md,
    "The SageMaker SDK")."""
    from .sdk_session import shared_session

    return shared_session(_sm_experiments_sdk_sessions, sm_experiments.options.region)


# Old-style hookwrapper: pytest 7.4 may run on pluggy < 1.2, which has no ``wrapper=True``.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    mock = item.stash.get(_mock_key, None)
    if mock is not None and report.failed:
        report.sections.append((f"{MARKER}: recorded calls ({report.when})",
                                mock.calls.render()))
