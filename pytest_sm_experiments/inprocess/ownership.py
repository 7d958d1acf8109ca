"""Which mock owns a call: the innermost running mock of the calling thread.

Every running mock's service is in ``core.service.RUNNING`` (the process's list, for fork and
for the endpoints). Which one answers a call is decided here, per thread:

1. The innermost mock this thread started and that still runs.
2. Else, in a thread-pool worker running a task (``ThreadPoolExecutor.submit``, so also
   ``loop.run_in_executor`` and ``asyncio.to_thread``): the mock of the thread that submitted
   the task (none if it had none).
3. Else the mock of the thread that started this thread (``Thread.start``), inherited when it
   started.

So two mocks in two threads work side by side, each seeing only its own calls, and threads a
test starts belong to the test's mock. A call from a thread whose mock has stopped (a
background thread a test left running) is refused with :class:`StoppedMockError`, whether or
not another mock runs: it is never answered by a later test's mock. A thread that belongs to
no mock (started before any mock, or by a thread that had none) is refused SageMaker
Experiments calls with :class:`UnownedThreadError` while mocks run in other threads; its
other requests meet the boundary (``boundary.py``) with nothing allowed out.

``Thread.start`` and ``ThreadPoolExecutor.submit`` are wrapped once per process (wrapt), at the
first mock start; a thread started before then belongs to no mock.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
import threading
from collections.abc import Callable
from typing import Any

import wrapt

from ..core.service import RUNNING, Service
from ..errors import StoppedMockError, UnownedThreadError

#: Attribute put on a Thread started while its starter belonged to a mock: that mock's service.
_OWNER_ATTR = "__pytest_sm_experiments_owner__"
_NO_TASK: Any = object()
#: How many refusals :data:`REFUSED` keeps (the oldest are dropped; the count is kept).
REFUSED_KEPT = 50


class _ThreadState(threading.local):
    """One thread's view (``threading.local``: set up on first use in each thread)."""

    def __init__(self) -> None:
        #: Mocks this thread started that still run, innermost last.
        self.stack: list[Service] = []
        #: The mock of the thread that started this one (running or stopped), or None.
        self.inherited: Service | None = getattr(threading.current_thread(), _OWNER_ATTR, None)
        #: While a pool task runs: the mock of the thread that submitted it (or None).
        self.task: Service | None = _NO_TASK


_state = _ThreadState()
#: The stack each running service is on (a mock may be stopped from another thread).
_stacks: dict[Service, list[Service]] = {}
_lock = threading.Lock()
#: The messages of calls refused from threads whose mock had stopped, oldest first (bounded).
REFUSED: list[str] = []
refused_total = 0


def _after_fork_in_child() -> None:
    global _lock
    _lock = threading.Lock()  # another thread may have held it when the process forked


os.register_at_fork(after_in_child=_after_fork_in_child)


def push(service: Service) -> None:
    """``service`` starts in this thread: it answers this thread's calls (and its threads')."""
    stack = _state.stack
    with _lock:
        RUNNING.append(service)
        stack.append(service)
        _stacks[service] = stack


def remove(service: Service) -> None:
    """``service`` stops (from any thread, in any order)."""
    with _lock:
        for index in range(len(RUNNING) - 1, -1, -1):
            if RUNNING[index] is service:
                del RUNNING[index]
                break
        stack = _stacks.pop(service, None)
        if stack is not None:
            for index in range(len(stack) - 1, -1, -1):
                if stack[index] is service:
                    del stack[index]
                    break


def owner() -> Service | None:
    """The mock this thread's calls belong to, running or stopped, or None."""
    state = _state
    if state.stack:
        return state.stack[-1]
    task = state.task
    if task is not _NO_TASK:
        return task
    return state.inherited


def running(service: Service) -> bool:
    return any(found is service for found in RUNNING)


def current() -> Service | None:
    """The running mock that answers this thread's calls, or None."""
    found = owner()
    return found if found is not None and running(found) else None


def idle() -> bool:
    """True when nothing concerns this thread's calls: no mock runs and the thread belongs to
    no stopped one (the hook's fast path)."""
    return not RUNNING and owner() is None


def answering(service_name: str, operation: str, served: bool) -> Service | None:
    """The running mock that answers this thread's call of ``service_name:operation``, or None
    (the boundary's rule then applies); refuses a call the thread's own mock cannot answer."""
    found = owner()
    if found is not None:
        if running(found):
            return found
        raise _refused(StoppedMockError(service_name, operation, _thread_name(),
                                        _describe(found)))
    if served and RUNNING:
        raise UnownedThreadError(service_name, operation, _thread_name(),
                                 [_describe(service) for service in RUNNING])
    return None


def _refused(error: StoppedMockError) -> StoppedMockError:
    """Keep the refusal where the user sees it: the pytest plugin lists :data:`REFUSED` in the
    terminal summary (the thread that made the call often swallows the error)."""
    global refused_total
    with _lock:
        refused_total += 1
        REFUSED.append(str(error))
        del REFUSED[:-REFUSED_KEPT]
    return error


def _thread_name() -> str:
    thread = threading.current_thread()
    return f"{thread.name!r} (ident {thread.ident})"


def _describe(service: Service) -> str:
    """The mock as its user knows it: its handle's repr, and the test that ran it (the plugin
    labels the mocks it starts)."""
    handle = service.owner
    label = getattr(handle, "label", None)
    described = repr(handle) if handle is not None else "a SageMaker Experiments mock"
    return f"{described} of {label}" if label else described


# -- threads started while a mock runs belong to it ---------------------------------------------

def _start(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
           kwargs: dict[str, Any]) -> Any:
    found = owner()
    if found is not None:
        setattr(instance, _OWNER_ATTR, found)
    return wrapped(*args, **kwargs)


def _run_as(submitter: Service | None, fn: Callable[..., Any], /, *args: Any,
            **kwargs: Any) -> Any:
    state = _state
    previous = state.task
    state.task = submitter
    try:
        return fn(*args, **kwargs)
    finally:
        state.task = previous


def _submit(wrapped: Callable[..., Any], instance: Any, args: tuple[Any, ...],
            kwargs: dict[str, Any]) -> Any:
    if not args:  # submit(fn, ...) takes fn positionally; anything else fails as it would
        return wrapped(*args, **kwargs)
    # Always wrapped, even with no owner: a worker started under an earlier mock must not run
    # an unowned task as that mock's.
    return wrapped(functools.partial(_run_as, owner(), args[0]), *args[1:], **kwargs)


_installed: list[bool] = []


def install() -> None:
    """Wrap ``Thread.start`` and ``ThreadPoolExecutor.submit`` (once per process)."""
    if _installed:
        return
    _installed.append(True)
    wrapt.wrap_function_wrapper(threading.Thread, "start", _start)
    wrapt.wrap_function_wrapper(concurrent.futures.ThreadPoolExecutor, "submit", _submit)
