"""``SageMakerExperimentsMock`` (the handle) and ``mock_sm_experiments`` (its front door).

One object is a context manager, an async context manager, a decorator (functions, ``async def``
functions, test classes) and has ``start()``/``stop()``.  A decorated callable gets a fresh mock
per call; the innermost running mock answers, so mocks nest.
"""

from __future__ import annotations

import inspect
import secrets
import unittest
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from functools import cache
from types import TracebackType
from typing import Any, Generic, TypeVar, cast, overload

import wrapt

from . import _botocore, _moto, arns
from .core.backend import Backend, Collection, R, RegionState
from .core.faults import InjectedError
from .core.operations import OPERATION_NAMES, jobs, supported
from .core.service import EndpointAccess, Service
from .credentials import FAKE_ACCESS_KEY, FAKE_SESSION_TOKEN, Credentials
from .errors import MockUsageError
from .inprocess import boundary, environment, hook, job_environment, ownership
from .models import (
    Experiment,
    LineageAction,
    LineageArtifact,
    LineageContext,
    Trial,
    TrialComponent,
)
from .options import ArnCase, MockOptions, make_options
from .recorder import CallJournal, RecordedCall
from .server import children, sigv4
from .server.endpoint import Endpoint

F = TypeVar("F", bound=Callable[..., Any])
C = TypeVar("C", bound=type)
Client = TypeVar("Client")


class ResourceView(Mapping[str, R], Generic[R]):
    """A read-only, live mapping of one resource type; keys are names in any letter case
    (an artifact's: the id that ends its ARN, or the ARN).

    A missing name raises a ``KeyError`` that says which account and region the view shows and
    where else in the mock the name exists.
    """

    __slots__ = ("_collection", "_key", "_missing")

    def __init__(self, collection: Collection[R],
                 missing: Callable[[str], str] | None = None,
                 key: Callable[[str], str | None] | None = None) -> None:
        self._collection = collection
        self._missing = missing
        self._key = key

    def _get(self, name: object) -> R | None:
        if not isinstance(name, str):
            return None
        key = self._key(name) if self._key is not None else name
        return self._collection.get(key) if key is not None else None

    def __getitem__(self, name: str) -> R:
        record = self._get(name)
        if record is None:
            if self._missing is not None and isinstance(name, str):
                raise KeyError(self._missing(name))
            raise KeyError(name)
        return record

    def __contains__(self, name: object) -> bool:
        return self._get(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([record.name for record in self._collection])

    def __len__(self) -> int:
        return len(self._collection)

    def __repr__(self) -> str:
        return f"ResourceView({sorted(self)!r})"


#: What a KeyError's message calls the key of one record of each view.
_KEY_NAMES = {"experiments": "experiment named", "trials": "trial named",
              "trial_components": "trial component named", "contexts": "context named",
              "actions": "action named", "artifacts": "artifact with the id or ARN"}


class RegionView:
    """What one account holds in one region, read-only."""

    __slots__ = ("_backend", "_state")

    def __init__(self, state: RegionState, backend: Backend | None = None) -> None:
        self._state = state
        self._backend = backend

    @property
    def account_id(self) -> str:
        return self._state.account_id

    @property
    def region(self) -> str:
        return self._state.region

    @property
    def experiments(self) -> ResourceView[Experiment]:
        return ResourceView(self._state.experiments, self._missing("experiments"))

    @property
    def trials(self) -> ResourceView[Trial]:
        return ResourceView(self._state.trials, self._missing("trials"))

    @property
    def trial_components(self) -> ResourceView[TrialComponent]:
        return ResourceView(self._state.trial_components, self._missing("trial_components"))

    @property
    def contexts(self) -> ResourceView[LineageContext]:
        """Lineage contexts, keyed by name in any letter case."""
        return ResourceView(self._state.contexts, self._missing("contexts"))

    @property
    def actions(self) -> ResourceView[LineageAction]:
        """Lineage actions, keyed by name in any letter case."""
        return ResourceView(self._state.actions, self._missing("actions"))

    @property
    def artifacts(self) -> ResourceView[LineageArtifact]:
        """Lineage artifacts, keyed by the id that ends their ARN (or by the ARN itself)."""
        return ResourceView(self._state.artifacts, self._missing("artifacts"),
                            key=_artifact_key)

    def _missing(self, collection: str) -> Callable[[str], str]:
        state, backend = self._state, self._backend

        def held(other: RegionState, name: str) -> bool:
            key = _artifact_key(name) if collection == "artifacts" else name
            return key in getattr(other, collection)

        def message(name: str) -> str:
            here = f"account {state.account_id}, region {state.region}"
            found = [other for other in (backend.states() if backend is not None else [])
                     if other is not state and held(other, name)]
            if not found:
                return (f"no {_KEY_NAMES[collection]} {name!r} in {here} (nor anywhere "
                        f"else in this mock)")
            places = "; ".join(
                f"account {other.account_id}, region {other.region}: "
                f"sm_experiments.region({other.region!r}, {other.account_id!r})."
                f"{collection}[{name!r}]" for other in found)
            return (f"no {_KEY_NAMES[collection]} {name!r} in {here}, which this view shows; "
                    f"it exists in {places}")

        return message


def _artifact_key(name: str) -> str:
    """An artifact view's key: the id that ends an artifact ARN (any account or region: the view
    looks in its own), or the id itself."""
    parsed = arns.parse(name)
    return parsed.resource_id if parsed is not None and parsed.resource_type == "artifact" else (
        name)


class SageMakerExperimentsMock:
    """An in-process SageMaker Experiments service; see the README for the whole API."""

    def __init__(
        self,
        *,
        account_id: str | None = None,
        region: str | None = None,
        quotas: Mapping[str, int] | None = None,
        arn_case: ArnCase | None = None,
        allow_network: Iterable[str] | None = None,
        subprocesses: bool | None = None,
        options: MockOptions | None = None,
    ) -> None:
        overrides = {key: value for key, value in (
            ("account_id", account_id), ("region", region), ("quotas", quotas),
            ("arn_case", arn_case), ("allow_network", allow_network),
            ("subprocesses", subprocesses)) if value is not None}
        if overrides:
            options = make_options(options, **overrides)
        self.options: MockOptions = options if options is not None else _default_options()
        #: The state and request pipeline behind this handle (internal API).
        self.service = Service(self.options, owner=self)
        self._running = False
        #: What the mock is for, shown in errors about it (the plugin: the test's node id).
        self.label: str | None = None
        self._environment: environment.Entry | None = None
        self._endpoint: Endpoint | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> SageMakerExperimentsMock:
        """Activate (idempotent). It answers the calls of this thread and of the threads started
        (or pool tasks submitted) from it while it runs; the innermost of a thread answers."""
        if self._running:
            return self
        hook.install()
        hook.prepare(self.options)
        # Children of a mock that does not serve them fail at once, naming the option.
        extra = children.sealed()
        if self.options.subprocesses:
            extra = children.extra(self._start_endpoint())
        before = children.snapshot()
        self._environment = environment.enter(self.options.region, extra)
        self._running = True
        ownership.push(self.service)
        children.refresh(before)
        return self

    def stop(self) -> None:
        """Deactivate; the environment is restored when the last running mock stops."""
        if not self._running:
            raise MockUsageError("stop() called on a SageMakerExperimentsMock that is not running")
        self._running = False
        ownership.remove(self.service)
        before = children.snapshot()
        if self._environment is not None:
            environment.leave(self._environment)
            self._environment = None
        children.refresh(before)
        endpoint, self._endpoint = self._endpoint, None
        if endpoint is not None:
            self.service.endpoint = None
            endpoint.stop()

    def _start_endpoint(self) -> EndpointAccess:
        """Listen on a free loopback port for other processes, with credentials of its own."""
        endpoint = self._endpoint = Endpoint(
            self.service, Credentials(FAKE_ACCESS_KEY, secrets.token_urlsafe(30)),
            refusal=lambda service, operation, url: str(
                boundary.refusal(service, operation, url))).start()
        # Keys of its own, naming its port: a client that outlives the mock is told so by
        # whatever endpoint of this package listens there next (sigv4.mint).
        endpoint.credentials = Credentials(sigv4.mint(endpoint.port), secrets.token_urlsafe(30),
                                           FAKE_SESSION_TOKEN)
        access = self.service.endpoint = endpoint.access
        return access

    @property
    def endpoint_url(self) -> str | None:
        """Where the running mock listens for other processes (``subprocesses=True``), or None."""
        access = self.service.endpoint
        return access.url if access is not None and self._running else None

    def child_environment(self) -> dict[str, str]:
        """The variables a child process needs to reach this mock: the endpoint of each served
        service and the mock's credentials. Children inherit them; pass them yourself to a
        child started with an environment of its own (``subprocess.run(..., env=...)``)."""
        access = self.service.endpoint
        if access is None or not self._running:
            raise MockUsageError("child_environment() needs a running mock started with "
                                 "subprocesses=True")
        variables = children.variables(access, self.options.region)
        return {key: value for key, value in variables.items() if value is not None}

    def __enter__(self) -> SageMakerExperimentsMock:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    async def __aenter__(self) -> SageMakerExperimentsMock:
        return self.start()

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget every resource, call and injected error (the options stay)."""
        self.service.reset()

    # -- decorator ---------------------------------------------------------------------------
    @overload
    def __call__(self, target: C) -> C: ...
    @overload
    def __call__(self, target: F) -> F: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a function, coroutine function or test class: a fresh mock per test."""
        if isinstance(target, type):
            return _decorate_class(target, self.options)
        if not callable(target):
            raise MockUsageError(
                f"mock_sm_experiments can decorate a function, an async function or a class, "
                f"not {type(target).__name__}"
            )
        return _decorate_function(target, self.options)

    # -- state -------------------------------------------------------------------------------
    def region(self, region: str | None = None, account_id: str | None = None) -> RegionView:
        """The resources of one region and account (default: the mock's own)."""
        backend = self.service.backend
        return RegionView(backend.state(account_id or self.account_id,
                                        region or self.options.region), backend)

    @property
    def experiments(self) -> ResourceView[Experiment]:
        """Experiments in the mock's region and account, keyed by name in any letter case."""
        return self.region().experiments

    @property
    def trials(self) -> ResourceView[Trial]:
        return self.region().trials

    @property
    def trial_components(self) -> ResourceView[TrialComponent]:
        return self.region().trial_components

    @property
    def contexts(self) -> ResourceView[LineageContext]:
        """Lineage contexts in the mock's region and account, keyed by name in any letter case."""
        return self.region().contexts

    @property
    def actions(self) -> ResourceView[LineageAction]:
        """Lineage actions in the mock's region and account, keyed by name in any letter case."""
        return self.region().actions

    @property
    def artifacts(self) -> ResourceView[LineageArtifact]:
        """Lineage artifacts in the mock's region and account, keyed by ARN or by its id."""
        return self.region().artifacts

    @property
    def account_id(self) -> str:
        """The account calls are answered as right now (see :meth:`use_account`)."""
        return self.service.account_id

    def use_account(self, account_id: str) -> AbstractContextManager[SageMakerExperimentsMock]:
        """Answer calls as account ``account_id`` inside the block (state is per account)."""
        make_options(account_id=account_id)  # validates
        return self._with_service(account_id=account_id)

    def unrecorded(self) -> AbstractContextManager[SageMakerExperimentsMock]:
        """Seed state: calls made inside the block are served but not journaled."""
        return self._with_service(recording=False)

    @contextmanager
    def _with_service(self, **changes: Any) -> Iterator[SageMakerExperimentsMock]:
        """The service's attributes ``changes`` inside the block, restored after it."""
        service = self.service
        previous = {name: getattr(service, name) for name in changes}
        for name, value in changes.items():
            setattr(service, name, value)
        try:
            yield self
        finally:
            for name, value in previous.items():
                setattr(service, name, value)

    # -- journal -----------------------------------------------------------------------------
    @property
    def calls(self) -> CallJournal:
        """Every call answered so far, oldest first."""
        return CallJournal(self.service.journal)

    def assert_called(self, operation: str, **params: Any) -> RecordedCall:
        __tracebackhide__ = True
        return self.calls.assert_called(operation, **params)

    def assert_called_once(self, operation: str, **params: Any) -> RecordedCall:
        __tracebackhide__ = True
        return self.calls.assert_called_once(operation, **params)

    def assert_not_called(self, operation: str | None = None, **params: Any) -> None:
        __tracebackhide__ = True
        self.calls.assert_not_called(operation, **params)

    # -- faults ------------------------------------------------------------------------------
    def inject_error(self, operation: str, code: str, message: str | None = None,
                     times: int = 1, http_status: int = 400) -> InjectedError:
        """Answer the next ``times`` calls of ``operation`` with AWS error ``code``."""
        if not isinstance(operation, str) or not operation:
            raise MockUsageError(f"operation must be an operation name, got {operation!r}")
        if operation not in OPERATION_NAMES:
            # Unserved operations fail before injected errors are looked at: only a typo.
            raise MockUsageError(
                f"cannot inject an error into {operation!r}: not an operation the mock serves "
                f"(operation names are spelled as in the API, e.g. 'CreateExperiment'). "
                f"Served: {', '.join(supported())}"
            )
        if not isinstance(code, str) or not code:
            raise MockUsageError(f"code must be an AWS error code string, got {code!r}")
        if message is not None and not isinstance(message, str):
            raise MockUsageError(f"message must be a string or None, got {message!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise MockUsageError(f"times must be a positive int, got {times!r}")
        if isinstance(http_status, bool) or not isinstance(http_status, int) or not (
                400 <= http_status <= 599):
            raise MockUsageError(f"http_status must be an int from 400 to 599, "
                                 f"got {http_status!r}")
        injected = InjectedError(operation, code, message or f"Injected {code}",
                                 http_status, times)
        self.service.faults.add(injected)
        return injected

    @property
    def unused_injected_errors(self) -> list[InjectedError]:
        """Injected errors that were never answered with (the plugin fails a test on them)."""
        return self.service.faults.unused()

    # -- inside a job ------------------------------------------------------------------------
    def job_arn(self, job: str) -> str:
        """The ARN of SageMaker job ``job`` (a name or an ARN): of the job this mock made a
        trial component for, else of the job moto holds by that name."""
        if job.startswith("arn:"):
            job_environment.kind_of(job)
            return job
        for state in self.service.backend.states():
            for kind in jobs.KINDS.values():
                component = state.trial_components.get(job + kind.suffix)
                if component is not None and component.source_arn is not None:
                    return component.source_arn
        found = _moto.find_job(job)
        if found is None:
            raise MockUsageError(
                f"no SageMaker job named {job!r}: this mock made no trial component for one and "
                f"moto's mock_aws holds none (create it while moto runs, or pass its ARN)")
        return found

    def job_environment(self, job: str) -> dict[str, str]:
        """The variables SageMaker gives the code of training or transform job ``job`` (a name
        or an ARN), by which the SageMaker SDK's ``load_run()`` and smexperiments'
        ``Tracker.load()`` find the job and its run: ``TRAINING_JOB_ARN`` or
        ``TRANSFORM_JOB_ARN``. Pass them to a child process (``subprocess.run(..., env=...)``);
        a processing job's code reads a file instead: see :meth:`inside_job`."""
        return job_environment.variables(self.job_arn(job))

    def inside_job(self, job: str) -> AbstractContextManager[dict[str, str]]:
        """Inside the block, this process (and the children it starts) runs as the code of
        job ``job`` (a name or an ARN) runs on SageMaker: ``load_run()`` and
        ``Tracker.load()`` find the job, and through its ``ExperimentConfig`` the run that
        started it. A processing job's ``/opt/ml/config/processingjobconfig.json`` is a
        temporary file the SDKs in this process read instead (not its children). Yields the
        variables set."""
        return job_environment.inside(self.job_arn(job))

    # -- clients -----------------------------------------------------------------------------
    def client(self, service: str = "sagemaker", *, region: str | None = None,
               **kwargs: Any) -> Any:
        """A botocore client of ``service`` (first, as boto3 orders them) in ``region``
        (keyword only; default: the mock's region), from one shared, credential-free session;
        ``kwargs`` go to ``create_client`` (``config=...``)."""
        if arns.REGION.fullmatch(service):
            raise MockUsageError(
                f"client() takes the service first, as boto3 does: "
                f"client(region={service!r}) or client('sagemaker', region={service!r})")
        hook.install()
        return _botocore.shared_client(service, region or self.options.region, **kwargs)

    @staticmethod
    def attach(client: Client) -> Client:
        """The same as :func:`pytest_sm_experiments.attach`."""
        return attach(client)

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return (f"<SageMakerExperimentsMock {state} account={self.account_id} "
                f"region={self.options.region} calls={len(self.service.journal)}>")


def attach(client: Client) -> Client:
    """Route a botocore/boto3 client created before the plugin loaded through the mock; returns
    the same client (so its type, say ``SageMakerClient``, is kept)."""
    hook.attach(client)
    return client


def active_mock() -> SageMakerExperimentsMock | None:
    """The mock that answers this thread's calls right now (the innermost it runs, or the one
    of the thread that started it), or None."""
    found = ownership.current()
    return cast(SageMakerExperimentsMock, found.owner) if found is not None else None


@cache
def _default_options() -> MockOptions:
    """The options of a mock made without any (options are immutable, so one is shared)."""
    return make_options()


def _decorate_function(func: F, options: MockOptions) -> F:
    @wrapt.decorator
    def wrapper(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
                kwargs: dict[str, Any]) -> Any:
        if inspect.iscoroutinefunction(wrapped):
            async def run_async() -> Any:
                async with SageMakerExperimentsMock(options=options):
                    return await wrapped(*args, **kwargs)
            return run_async()
        with SageMakerExperimentsMock(options=options):
            return wrapped(*args, **kwargs)

    return cast(F, wrapper(func))


def _decorate_class(cls: C, options: MockOptions) -> C:
    """A fresh mock around each test's setup, body and teardown."""
    if issubclass(cls, unittest.TestCase):
        original_setup = cls.setUp

        def setUp(self: unittest.TestCase) -> None:  # unittest's name
            mock = SageMakerExperimentsMock(options=options).start()
            self.addCleanup(mock.stop)
            self.sm_experiments = mock  # type: ignore[attr-defined]
            original_setup(self)

        cls.setUp = setUp  # type: ignore[method-assign]
        return cls

    original_setup_method = getattr(cls, "setup_method", None)
    original_teardown_method = getattr(cls, "teardown_method", None)

    def setup_method(self: Any, method: Any) -> None:
        self.sm_experiments = SageMakerExperimentsMock(options=options).start()
        if original_setup_method is not None:
            original_setup_method(self, method)

    def teardown_method(self: Any, method: Any) -> None:
        try:
            if original_teardown_method is not None:
                original_teardown_method(self, method)
        finally:
            mock = self.__dict__.pop("sm_experiments", None)
            if mock is not None and mock.running:
                mock.stop()

    cls.setup_method = setup_method  # type: ignore[attr-defined]
    cls.teardown_method = teardown_method  # type: ignore[attr-defined]
    return cls


@overload
def mock_sm_experiments(target: F, /) -> F: ...
@overload
def mock_sm_experiments(
    *, account_id: str | None = None, region: str | None = None,
    quotas: Mapping[str, int] | None = None, arn_case: ArnCase | None = None,
    allow_network: Iterable[str] | None = None, subprocesses: bool | None = None,
) -> SageMakerExperimentsMock: ...


def mock_sm_experiments(target: Any = None, /, **options: Any) -> Any:
    """Decorator (bare or with options), context manager, or handle with ``start()``/``stop()``.

    >>> with mock_sm_experiments(region="eu-west-1") as sm:
    ...     ...
    """
    if target is not None:
        if options:
            raise MockUsageError("pass options as keywords: mock_sm_experiments(region=...)")
        return SageMakerExperimentsMock()(target)
    return SageMakerExperimentsMock(options=make_options(**options) if options
                                    else _default_options())


