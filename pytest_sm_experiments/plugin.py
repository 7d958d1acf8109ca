"""The pytest plugin (``pytest11`` entry point ``sm_experiments``).

Fixtures ``sm_experiments``, ``sm_client`` and ``sm_session``, the ``sm_experiments`` marker,
ini defaults, a teardown error for injected errors that were never used, and the call journal
in the report of a failing test.

Entry-point plugins load in every pytest run, before conftest files, so loading this one does
two cheap things only: it reads the ini options, and it asks for the botocore hook to be put in
when botocore is first imported (``autoinstall``). The handle, and with it the rest of the
package, is imported when a test first asks for a mock (:func:`_handle_type`).
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from . import autoinstall
from .errors import MockUsageError
from .options import OPTION_NAMES, MockOptions, make_options, parse_bool, parse_quotas
from .sdk_session import shared_session

if TYPE_CHECKING:
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


def _handle_type() -> type[SageMakerExperimentsMock]:
    """The handle's class, imported at the first use of a mock (see the module's docstring)."""
    from .mock import SageMakerExperimentsMock

    return SageMakerExperimentsMock


# At plugin load (entry-point plugins load before conftest files and test modules): every
# botocore Session created from then on carries the dormant hook, including the ones behind
# clients that conftests and test modules create at import time.
autoinstall.watch()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): run the test under a SageMaker Experiments mock; options: "
        + ", ".join(OPTION_NAMES),
    )
    options = MockOptions()
    for name in _INI:
        key = f"sm_experiments_{name}"
        value = config.getini(key)
        if not value:
            continue
        text = value.strip() if isinstance(value, str) else value
        try:
            parse = _INI_PARSERS.get(name)
            options = make_options(options, **{name: parse(text) if parse else text})
            _check_services(options)
        except MockUsageError as error:
            raise pytest.UsageError(
                f"invalid sm_experiments ini option {key} = {text!r}: {error}") from None
    config.stash[_base_options] = options


#: How an ini value (text) becomes the option's value; the others are taken as written.
_INI_PARSERS: dict[str, Any] = {"quotas": parse_quotas, "subprocesses": parse_bool}


def _check_services(options: MockOptions) -> None:
    """``allow_network`` names services botocore knows. Checked only when some are named, so a
    run that names none imports no botocore here (see the module's docstring)."""
    if options.allow_network:
        from .inprocess.boundary import prepare

        prepare(options)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Markers with an invalid option stop the run before any test runs: one usage error lists
    each test and what is wrong with its options."""
    if hasattr(config, "workerinput"):
        # A pytest-xdist worker: a usage error (or an exit) here is an internal error of the
        # controller, which does not collect; each such test errors at setup instead, naming
        # its option (the fixture checks them too).
        return
    base = config.stash[_base_options]
    problems = []
    for item in items:
        if item.get_closest_marker(MARKER) is None:
            continue
        try:
            _check_services(make_options(base, **_marker_options(item)))
        except MockUsageError as error:
            problems.append(f"  {item.nodeid}: {error}")
    if problems:
        raise pytest.UsageError(
            f"invalid @pytest.mark.{MARKER} options:\n" + "\n".join(problems))


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
    options = request.config.stash[_base_options]
    marker_options = _marker_options(request.node)
    if marker_options:
        options = make_options(options, **marker_options)
    mock = _handle_type()(options=options)
    mock.label = f"test {request.node.nodeid}"
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
    is the expensive part of a test; the hook always answers from the current mock)."""
    region = sm_experiments.options.region
    client = _sm_experiments_clients.get(region)
    if client is None:
        client = _sm_experiments_clients[region] = sm_experiments.client(region=region)
    return client


@pytest.fixture(scope="session")
def _sm_experiments_sdk_sessions() -> dict[Any, Any]:
    return {}


@pytest.fixture
def sm_session(sm_experiments: SageMakerExperimentsMock,
               _sm_experiments_sdk_sessions: dict[Any, Any]) -> Any:
    """A SageMaker Python SDK ``Session`` (v3's if installed, else v2's) in the mock's region,
    with the user's SDK config, shared across tests like ``sm_client`` (building one is slow:
    BENCHMARKS.md, "The SageMaker SDK")."""
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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Calls refused from threads whose mock had stopped: the thread that made them often
    swallows the error, so they are listed here."""
    ownership = sys.modules.get("pytest_sm_experiments.inprocess.ownership")
    if ownership is None or not ownership.refused_total:
        return
    terminalreporter.section(f"{MARKER}: calls refused from threads whose mock had stopped",
                             sep="-")
    dropped = ownership.refused_total - len(ownership.REFUSED)
    if dropped:
        terminalreporter.line(f"({dropped} earlier refusals not kept)")
    for message in ownership.REFUSED:
        terminalreporter.line(message)
