"""One mock's service: its state, its journal, its injected faults and the request pipeline.

A :class:`Service` answers ``(route, body, region)`` with ``(status, headers, body)``:
decode -> injected fault -> validate -> operate (under the lock) -> encode -> record. Every front
door (the botocore hook in ``router.py``; any other transport) is a thin layer that finds the
route and the region and hands the wire body to :meth:`Service.handle`. The handle users hold
(``mock.SageMakerExperimentsMock``) owns the lifecycle, the read-only views and the assertions.

``RUNNING`` is the stack of services of running mocks, innermost last: the innermost answers.

A process forked while mocks run holds copies of their services. A copy never answers from its
own state (the parent would never see the call): it forwards the request to the parent's
endpoint when the mock serves other processes (``Service.listener``), and refuses it otherwise.
"""

from __future__ import annotations

import itertools
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .backend import Backend, Context
from .errors import AWSError, ForkedProcessError, UnsupportedOperationError, ValidationError
from .models import utcnow
from .options import MockOptions
from .recorder import RecordedCall
from .validation import Validator
from .wire import PROTOCOLS, decode, encode_error, encode_success

if TYPE_CHECKING:
    from .sigv4 import Credentials

Handler = Callable[[Context, Mapping[str, Any]], dict[str, Any]]
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

    service: str
    operation: str
    handler: Handler
    protocol: str
    validate: Validator


_routes: dict[tuple[str, str], Route] = {}


def route(service: str, operation: str) -> Route:
    """The route of ``service:operation``; an operation the mock does not serve raises
    :class:`UnsupportedOperationError` (nothing is answered, nothing is sent)."""
    key = (service, operation)
    found = _routes.get(key)
    if found is None:
        # Imported on the first request: a suite that never sends one skips the cost.
        from . import _botocore
        from .operations import OPERATIONS, supported

        handler = OPERATIONS.get(key)
        if handler is None:
            raise UnsupportedOperationError(service, operation, supported())
        protocol = PROTOCOLS[service]
        shape = (None if protocol == "query"
                 else _botocore.operation_model(service, operation).input_shape)
        found = _routes[key] = Route(service, operation, handler, protocol,
                                     Validator(service, shape))
    return found


def served(service: str, operation: str) -> bool:
    """True when the mock serves ``service:operation``."""
    from .operations import OPERATIONS

    return (service, operation) in OPERATIONS


@dataclass(slots=True)
class InjectedError:
    """A fault the mock answers with instead of serving ``operation``, ``remaining`` times."""

    operation: str
    code: str
    message: str
    http_status: int
    remaining: int
    used: int = 0


def _too_deep() -> AWSError:
    """CHOICE: a body nested deeper than Python can parse or walk (about 1,000 levels: AWS's
    JSON parsers cap nesting too, at a depth that is not public) is a ValidationException."""
    return ValidationError("Request body is nested too deeply.")


@dataclass(frozen=True, slots=True)
class Listener:
    """Where a service listens for other processes, and the credentials it answers."""

    url: str
    credentials: Credentials


class Service:
    """The state and the request pipeline of one mock (all front doors share it)."""

    __slots__ = ("_queued_faults", "account_id", "backend", "faults", "forked_from", "journal",
                 "listener", "lock", "options", "owner", "recording")

    def __init__(self, options: MockOptions, owner: object = None) -> None:
        self.options = options
        #: The object users hold for this service (the handle), for ``active_mock()``.
        self.owner = owner
        self.lock = threading.RLock()
        self.backend = Backend()
        #: Every call answered while recording, oldest first.
        self.journal: list[RecordedCall] = []
        #: Every fault ever injected, in order (used or not).
        self.faults: list[InjectedError] = []
        #: Faults still to answer with, per operation, in order.
        self._queued_faults: dict[str, list[InjectedError]] = {}
        self.recording = True
        #: The account calls are answered as (``use_account`` changes it).
        self.account_id: str = options.account_id
        #: Set while the service also listens for other processes (``subprocesses=True``).
        self.listener: Listener | None = None
        #: In a process forked while this service ran: the pid it was forked from.
        self.forked_from: int | None = None

    def handle(self, route: Route, body: bytes | str | None, region: str,
               pid: int | None) -> Reply:
        """Answer one request: its status, headers and body, as AWS would send them.

        ``pid`` is the process that made the call (None when it cannot be known); it is
        recorded with the call.
        """
        if self.forked_from is not None:
            return self._answer_in_parent(route, body, region)
        protocol, operation = route.protocol, route.operation
        account_id = self.account_id
        rid = request_id()
        params: dict[str, Any] = {}
        try:
            params = decode(protocol, body)
            if self._queued_faults:
                self._take_fault(operation)
            route.validate(params)
            with self.lock:
                backend = self.backend
                ctx = Context(state=backend.state(account_id, region), options=self.options,
                              region=region, account_id=account_id, now=utcnow(),
                              seq=backend.next_seq())
                result = route.handler(ctx, params)
            reply = encode_success(protocol, operation, result, rid)
            call = RecordedCall(operation, params, result, None, None, region, account_id,
                                route.service, rid, pid)
        except (AWSError, RecursionError) as raised:
            error = raised if isinstance(raised, AWSError) else _too_deep()
            reply = encode_error(protocol, error, rid)
            call = RecordedCall(operation, params, None, error.code, error.message, region,
                                account_id, route.service, rid, pid)
        if self.recording:
            self.journal.append(call)
        return reply

    def _answer_in_parent(self, route: Route, body: bytes | str | None, region: str) -> Reply:
        """A forked copy asks the original (over its endpoint), or refuses."""
        parent = self.forked_from
        assert parent is not None
        listener = self.listener
        if listener is None:
            raise ForkedProcessError(process_id(), parent, route.service, route.operation)
        from . import remote  # only forked children forward

        return remote.forward(listener, parent, route, body, region)

    # -- faults ------------------------------------------------------------------------------
    def inject(self, fault: InjectedError) -> None:
        with self.lock:
            self._queued_faults.setdefault(fault.operation, []).append(fault)
            self.faults.append(fault)

    def _take_fault(self, operation: str) -> None:
        with self.lock:
            queue = self._queued_faults.get(operation)
            if not queue:
                return
            fault = queue[0]
            fault.remaining -= 1
            fault.used += 1
            if fault.remaining == 0:
                queue.pop(0)
                if not queue:
                    del self._queued_faults[operation]
        raise AWSError(fault.message, code=fault.code, status=fault.http_status)

    def reset(self) -> None:
        """Forget every resource, call and injected fault (the options stay)."""
        with self.lock:
            self.backend = Backend()
            self.journal.clear()
            self._queued_faults.clear()
            self.faults.clear()


#: Services of running mocks, innermost last; shared by all threads (code under test may start
#: its own mock).  Change it through :func:`push` and :func:`remove` only.
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


def current() -> Service | None:
    """The service that answers right now (the innermost running one), or None."""
    return RUNNING[-1] if RUNNING else None


def push(service: Service) -> None:
    RUNNING.append(service)


def remove(service: Service) -> None:
    """Take ``service`` off the stack wherever it is: mocks may be stopped out of order."""
    for index in range(len(RUNNING) - 1, -1, -1):
        if RUNNING[index] is service:
            del RUNNING[index]
            return
