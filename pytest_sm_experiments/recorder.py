"""The call journal: every request the mock answered, as immutable records.

Leaf module: standard library only.  Modeled on ``responses``' ``CallList``: a read-only
sequence with filters, plus assertion helpers whose failure text lists what was recorded.
"""

from __future__ import annotations

import os
import reprlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn, overload


def _read_only(self: object, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"a recorded call's {type(self).__name__.removeprefix('Frozen').lower()} "
                    "cannot be changed")


class FrozenDict(dict[str, Any]):
    """A ``dict`` that refuses changes: it still equals, prints and serialises as the dict
    it holds, so ``call.params == {...}`` and ``json.dumps`` work as on a plain dict."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _read_only
    clear = pop = popitem = setdefault = update = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (dict(self),))


class FrozenList(list[Any]):
    """A ``list`` that refuses changes (equal to the list it holds, unlike a tuple)."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only
    append = clear = extend = insert = pop = remove = reverse = sort = _read_only

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self),))


def freeze(value: Any) -> Any:
    """``value`` with every dict and list in it, at any depth, made read-only.

    Without recursion: a request body may nest deeper than Python's stack (the hook answers it
    with a ValidationException, and records the call first)."""
    if not isinstance(value, _CONTAINERS):
        return value
    order = []  # every container, each before what it holds
    pending = [value]
    while pending:
        node = pending.pop()
        order.append(node)
        items = node.values() if isinstance(node, Mapping) else node
        pending.extend(item for item in items if isinstance(item, _CONTAINERS))
    frozen: dict[int, Any] = {}

    def done(item: Any) -> Any:
        return frozen[id(item)] if isinstance(item, _CONTAINERS) else item

    for node in reversed(order):  # what a container holds is frozen before it
        frozen[id(node)] = (FrozenDict({key: done(item) for key, item in node.items()})
                            if isinstance(node, Mapping) else FrozenList(map(done, node)))
    return frozen[id(value)]


_CONTAINERS = (Mapping, list, tuple)

#: A body nested deeper than ``repr`` can go (a request to the endpoint may nest about 1,000
#: levels) is shown to this depth, each deeper level as ``[...]``: the journal's report must
#: never fail (a failing test would end pytest with INTERNALERROR).
class _FrozenRepr(reprlib.Repr):
    # reprlib dispatches on the type's name: a recorded call's containers are shown as the
    # plain dicts and lists they stand for.
    def repr_FrozenList(self, value: list[Any], level: int) -> str:
        return self.repr_list(value, level)

    def repr_FrozenDict(self, value: dict[Any, Any], level: int) -> str:
        return self.repr_dict(value, level)


_SHALLOW = _FrozenRepr()
_SHALLOW.maxlevel = 20
_SHALLOW.maxstring = _SHALLOW.maxother = 10_000
_SHALLOW.maxlist = _SHALLOW.maxdict = _SHALLOW.maxtuple = _SHALLOW.maxset = 1_000


def _shown(value: Any) -> str:
    try:
        return repr(value)
    except RecursionError:
        return _SHALLOW.repr(value)


@dataclass(frozen=True, slots=True)
class RecordedCall:
    """One request and the mock's answer to it; its params and response are read-only all the
    way down (changing them raises ``TypeError``)."""

    operation: str
    params: Mapping[str, Any]
    response: Mapping[str, Any] | None
    error_code: str | None
    error_message: str | None
    region: str
    account_id: str
    service: str = "sagemaker"
    request_id: str = ""
    #: The process that made the call: ``os.getpid()`` of the test for calls answered in
    #: process; for calls over the endpoint, the child's pid (None where it cannot be found).
    pid: int | None = None

    def __post_init__(self) -> None:
        # The journal outlives the call: what a test reads is what was sent and answered.
        object.__setattr__(self, "params", freeze(self.params))
        if self.response is not None:
            object.__setattr__(self, "response", freeze(self.response))

    @property
    def succeeded(self) -> bool:
        return self.error_code is None

    def matches(self, operation: str | None, params: Mapping[str, Any]) -> bool:
        if operation is not None and self.operation != operation:
            return False
        own = self.params
        return all(key in own and own[key] == value for key, value in params.items())

    def describe(self) -> str:
        outcome = "ok" if self.error_code is None else f"{self.error_code}: {self.error_message}"
        args = ", ".join(f"{key}={_shown(value)}" for key, value in self.params.items())
        where = f"{self.region}/{self.account_id}"
        if self.pid != os.getpid():
            where += f", pid {self.pid if self.pid is not None else 'unknown'}"
        return f"{self.operation}({args}) -> {outcome} [{where}]"

    def to_dict(self) -> dict[str, Any]:
        """The call as plain data (the standalone server's journal route sends it as JSON)."""
        return {"operation": self.operation, "service": self.service,
                "params": dict(self.params),
                "response": dict(self.response) if self.response is not None else None,
                "error_code": self.error_code, "error_message": self.error_message,
                "region": self.region, "account_id": self.account_id,
                "request_id": self.request_id, "pid": self.pid, "succeeded": self.succeeded}


class CallJournal(Sequence[RecordedCall]):
    """A read-only view of the calls recorded so far (or a filtered selection of them)."""

    __slots__ = ("_calls",)

    def __init__(self, calls: list[RecordedCall]) -> None:
        self._calls = calls

    @overload
    def __getitem__(self, index: int) -> RecordedCall: ...
    @overload
    def __getitem__(self, index: slice) -> CallJournal: ...

    def __getitem__(self, index: int | slice) -> RecordedCall | CallJournal:
        if isinstance(index, slice):
            return CallJournal(self._calls[index])
        return self._calls[index]

    def __len__(self) -> int:
        return len(self._calls)

    def __iter__(self) -> Iterator[RecordedCall]:
        return iter(self._calls)

    def __repr__(self) -> str:
        return f"CallJournal({len(self._calls)} calls)"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CallJournal):
            return self._calls == other._calls
        if isinstance(other, Sequence):
            return list(self._calls) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def operations(self) -> list[str]:
        return [call.operation for call in self._calls]

    def filter(self, operation: str | None = None, **params: Any) -> CallJournal:
        """The calls of ``operation`` (any if None) whose params include ``params``."""
        return CallJournal([call for call in list(self._calls) if call.matches(operation, params)])

    def one(self, operation: str | None = None, **params: Any) -> RecordedCall:
        """The single matching call; AssertionError listing the journal otherwise."""
        __tracebackhide__ = True
        found = self.filter(operation, **params)
        if len(found) != 1:
            raise AssertionError(
                f"expected exactly one call matching {_wanted(operation, params)}, "
                f"found {len(found)}\n{self.render()}"
            )
        return found[0]

    def render(self) -> str:
        """The journal as text, one numbered call per line (used in assertion messages)."""
        if not self._calls:
            return "No calls were recorded."
        lines = [f"Recorded calls ({len(self._calls)}):"]
        lines += [f"  {index}. {call.describe()}" for index, call in enumerate(self._calls, 1)]
        return "\n".join(lines)

    def assert_called(self, operation: str, **params: Any) -> RecordedCall:
        """At least one matching call; returns the last one."""
        __tracebackhide__ = True
        found = self.filter(operation, **params)
        if not found:
            raise AssertionError(
                f"expected a call matching {_wanted(operation, params)}, none found\n"
                f"{self.render()}"
            )
        return found[-1]

    def assert_called_once(self, operation: str, **params: Any) -> RecordedCall:
        """Exactly one matching call, which it returns (:meth:`one` for a given operation)."""
        __tracebackhide__ = True
        return self.one(operation, **params)

    def assert_not_called(self, operation: str | None = None, **params: Any) -> None:
        __tracebackhide__ = True
        found = self.filter(operation, **params)
        if found:
            raise AssertionError(
                f"expected no call matching {_wanted(operation, params)}, found {len(found)}\n"
                f"{self.render()}"
            )


def _wanted(operation: str | None, params: Mapping[str, Any]) -> str:
    args = ", ".join(f"{key}={value!r}" for key, value in params.items())
    return f"{operation or '<any operation>'}({args})"
