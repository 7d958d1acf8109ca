"""Injected faults: AWS errors a mock answers with instead of serving an operation."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from ..errors import AWSError


@dataclass(slots=True)
class InjectedError:
    """A fault the mock answers with instead of serving ``operation``, ``remaining`` times."""

    operation: str
    code: str
    message: str
    http_status: int
    remaining: int
    used: int = 0


class FaultQueue:
    """One mock's faults: every fault injected (used or not), and per operation the faults
    still to answer with, oldest first."""

    __slots__ = ("_lock", "_pending", "injected")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, deque[InjectedError]] = {}
        #: Every fault injected since the last clear, in order.
        self.injected: list[InjectedError] = []

    def __bool__(self) -> bool:
        """True while a fault is waiting to be answered with (the request path asks first)."""
        return bool(self._pending)

    def add(self, fault: InjectedError) -> None:
        with self._lock:
            self._pending.setdefault(fault.operation, deque()).append(fault)
            self.injected.append(fault)

    def take(self, operation: str) -> None:
        """Raise the oldest pending fault of ``operation``, if it has one."""
        with self._lock:
            pending = self._pending.get(operation)
            if not pending:
                return
            fault = pending[0]
            fault.remaining -= 1
            fault.used += 1
            if fault.remaining == 0:
                pending.popleft()
                if not pending:
                    del self._pending[operation]
        raise AWSError(fault.message, code=fault.code, status=fault.http_status)

    def unused(self) -> list[InjectedError]:
        """The faults never answered with."""
        return [fault for fault in self.injected if fault.used == 0]

    def clear(self) -> None:
        with self._lock:
            self._pending.clear()
            self.injected.clear()
