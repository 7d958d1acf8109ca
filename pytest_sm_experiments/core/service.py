"""One mock's service: its state, its journal, its injected faults and the request pipeline.

A :class:`Service` answers ``(route, body, region)`` with ``(status, headers, body)``:
decode -> injected fault -> validate -> operate (under the lock) -> encode -> record. Every front
door (the botocore hook, ``inprocess/hook.py``; the HTTP endpoint, ``server/endpoint.py``) is a
thin layer that finds the route and the region and hands the wire body to
:meth:`Service.handle`. The handle users hold (``mock.SageMakerExperimentsMock``) owns the
lifecycle, the read-only views and the assertions.

``RUNNING`` lists the services of running mocks, oldest first; which one answers a call is the
calling thread's business (``inprocess/ownership.py``).

A process forked while mocks run holds copies of their services, marked ``forked_from``: a
front door never answers a call from such a copy (the parent would never see it).
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .. import _botocore, _moto
from ..credentials import Credentials
from ..errors import AWSError, UnsupportedOperationError, ValidationError
from ..models import utcnow
from ..options import MockOptions
from ..recorder import RecordedCall
from .backend import Backend, Context
from .codec import PROTOCOLS, decode, encode_error, encode_success
from .faults import FaultQueue
from .operations import OPERATIONS, Handler, jobs, search, supported
from .validation import Validator

Reply = tuple[int, dict[str, str], bytes]

# CHOICE: request ids are UUID-shaped and unique in the process, not each a fresh random UUID:
# a random (version 4) UUID's first four groups, then a counter as the last group (a uuid4() per
# call was a hot spot: BENCHMARKS.md, "Hot spots removed").
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


def request_id() -> str:
    return f"{_REQUEST_ID_PREFIX}{next(_request_numbers):012x}"


@dataclass(frozen=True, slots=True)
class Route:
    """What serving one operation needs, looked up once per ``(service, operation)``."""

    service_name: str
    operation: str
    handler: Handler
    protocol: str
    validate: Validator


_routes: dict[tuple[str, str], Route] = {}


def route(service_name: str, operation: str) -> Route:
    """The route of ``service_name:operation``; an operation the mock does not serve raises
    :class:`UnsupportedOperationError` (nothing is answered, nothing is sent)."""
    key = (service_name, operation)
    found = _routes.get(key)
    if found is None:
        handler = OPERATIONS.get(key)
        if handler is None:
            raise UnsupportedOperationError(service_name, operation, supported())
        protocol = PROTOCOLS[service_name]
        shape = (None if protocol == "query"
                 else _botocore.operation_model(service_name, operation).input_shape)
        found = _routes[key] = Route(service_name, operation, handler, protocol,
                                     Validator(service_name, shape))
    return found


def _too_deep() -> AWSError:
    """CHOICE: a body nested deeper than Python can parse or walk (about 1,000 levels: AWS's
    JSON parsers cap nesting too, at a depth that is not public) is a ValidationException."""
    return ValidationError("Request body is nested too deeply.")


@dataclass(frozen=True, slots=True)
class EndpointAccess:
    """How other processes reach a service over HTTP: the endpoint's URL and the credentials
    it answers requests signed with."""

    url: str
    credentials: Credentials


class Service:
    """The state and the request pipeline of one mock (all front doors share it)."""

    __slots__ = ("account_id", "backend", "endpoint", "faults", "forked_from", "journal", "lock",
                 "options", "owner", "recording")

    def __init__(self, options: MockOptions, owner: object = None) -> None:
        self.options = options
        #: The object users hold for this service (the handle), for ``active_mock()``.
        self.owner = owner
        self.lock = threading.RLock()
        self.backend = Backend()
        #: Every call answered while recording, oldest first.
        self.journal: list[RecordedCall] = []
        self.faults = FaultQueue()
        self.recording = True
        #: The account calls are answered as (``use_account`` changes it).
        self.account_id: str = options.account_id
        #: Set while the service also listens for other processes (``subprocesses=True``).
        self.endpoint: EndpointAccess | None = None
        #: In a process forked while this service ran: the pid it was forked from.
        self.forked_from: int | None = None

    def handle(self, route: Route, body: bytes | str | None, region: str,
               pid: int | None) -> Reply:
        """Answer one request: its status, headers and body, as AWS would send them.

        ``pid`` is the process that made the call (None when it cannot be known); it is
        recorded with the call.
        """
        protocol, operation = route.protocol, route.operation
        account_id = self.account_id
        rid = request_id()
        params: dict[str, Any] = {}
        try:
            params = decode(protocol, body)
            if self.faults:
                self.faults.take(operation)
            route.validate(params)
            with self.lock:
                backend = self.backend
                ctx = Context(state=backend.state(account_id, region), options=self.options,
                              region=region, account_id=account_id, now=utcnow(),
                              seq=backend.next_seq())
                result = route.handler(ctx, params)
            reply = encode_success(protocol, operation, result, rid)
            call = RecordedCall(operation, params, result, None, None, region, account_id,
                                route.service_name, rid, pid)
        except (AWSError, RecursionError) as raised:
            error = raised if isinstance(raised, AWSError) else _too_deep()
            reply = encode_error(protocol, error, rid)
            call = RecordedCall(operation, params, None, error.code, error.message, region,
                                account_id, route.service_name, rid, pid)
        if self.recording:
            self.journal.append(call)
        return reply

    def job_call(self, operation: str, body: bytes | str | None, region: str,
                 pid: int | None, ask: Callable[[], Reply | None]) -> Reply | None:
        """A job-creating call (``jobs.watched``) that another service answers: ``ask()`` gets
        that service's reply (moto's), and SageMaker's own records are made around it
        (``core/operations/jobs.py``). Returns the reply to send, or None when ``ask()`` had
        none (nothing answers the call; the caller refuses it as before).

        Plain data in and out, so any front door can use it: the botocore hook in this process,
        or the endpoint for a call it forwards from a child to moto in this process.

        Under the service's lock: the ``ExperimentConfig`` is checked first (an AWS error then
        answers the call and the job service is never asked, so no job is made), and the
        records are written when the job service answers with success. The call is journaled
        as the caller made it, with the job service's response, when the mock checked or
        wrote something (a job without an ``ExperimentConfig`` is not journaled: the mock took
        no part in it).
        """
        kind = jobs.KINDS[operation]
        try:
            params = decode("json", body)
        except (AWSError, RecursionError):
            return ask()  # the job service answers what it cannot read, as it would alone
        if params.get("ExperimentConfig") is None:
            return ask()
        account_id = self.account_id
        with self.lock:
            ctx = self._context(account_id, region)
            try:
                plan = jobs.plan(ctx, kind, params)
            except AWSError as error:
                rid = request_id()
                self._record(RecordedCall(operation, params, None, error.code, error.message,
                                          region, account_id, jobs.SERVICE, rid, pid))
                return encode_error("json", error, rid)
            reply = ask()
            if plan is None or reply is None or not 200 <= reply[0] < 300:
                return reply
            try:
                response = decode("json", reply[2])
            except (AWSError, RecursionError):
                return reply
            job_arn = response.get(kind.arn_member)
            if not isinstance(job_arn, str):
                return reply
            jobs.record(self._context(account_id, region), plan, params, job_arn,
                        _moto.job(job_arn))
        rid = next((str(value) for key, value in reply[1].items()
                    if key.lower() == "x-amzn-requestid"), "")
        self._record(RecordedCall(operation, params, response, None, None, region, account_id,
                                  jobs.SERVICE, rid, pid))
        return reply

    def _context(self, account_id: str, region: str) -> Context:
        backend = self.backend
        return Context(state=backend.state(account_id, region), options=self.options,
                       region=region, account_id=account_id, now=utcnow(),
                       seq=backend.next_seq())

    def _record(self, call: RecordedCall) -> None:
        if self.recording:
            self.journal.append(call)

    def reset(self) -> None:
        """Forget every resource, call and injected fault (the options stay)."""
        with self.lock:
            self.backend = Backend()
            self.journal.clear()
            self.faults.clear()


def delegated(route: Route, body: bytes | str | None) -> bool:
    """True when a request of an operation this service serves asks for what another service
    holds: ``Search`` of a resource outside SageMaker Experiments (TrainingJob, Pipeline...),
    which moto answers when it runs beside. A body that cannot be read is this service's to
    refuse."""
    if route.operation != "Search" or not isinstance(body, (bytes, str)):
        return False
    try:
        resource = decode(route.protocol, body).get("Resource")
    except (AWSError, RecursionError):  # Service.handle answers these bodies
        return False
    return resource in _searchable() and not search.owns(resource)


@cache
def _searchable() -> frozenset[str]:
    """Search's resources (the model's ResourceType): any other is this service's to refuse."""
    shape = _botocore.operation_model("sagemaker", "Search").input_shape
    assert shape is not None
    member: Any = shape.members["Resource"]  # a StringShape: its enum
    return frozenset(member.enum)


#: Services of running mocks, oldest first, whatever thread started them; changed by
#: ``inprocess/ownership.py`` only, which also knows which one answers which thread.
RUNNING: list[Service] = []


_process = [os.getpid()]


def process_id() -> int:
    """``os.getpid()``, kept up to date across fork (one list read instead of a system call)."""
    return _process[0]


def _after_fork_in_child() -> None:
    _process[0] = os.getpid()
    parent = os.getppid()
    for service in RUNNING:
        if service.forked_from is None:
            service.forked_from = parent


os.register_at_fork(after_in_child=_after_fork_in_child)
