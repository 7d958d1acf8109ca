"""State of one mock: resources per (account, region), case-insensitive indexes and quotas.

All mutation happens under the mock's single lock (taken by the router), so operations can read,
check and write without races; threads started by code under test share the same state.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from .errors import ResourceLimitExceeded, quota_message
from .models import Experiment, ResourceKind, Trial, TrialComponent, make_arn
from .options import QUOTAS, MockOptions


class _Named(Protocol):
    @property
    def name(self) -> str: ...


R = TypeVar("R", bound=_Named)


def name_key(name: str) -> str:
    """The index key of a resource name: names are unique case-insensitively (CONFIRMED)."""
    return name.lower()


class Collection(Generic[R]):
    """One resource type's records, indexed by case-folded name, kept in creation order."""

    __slots__ = ("_records",)

    def __init__(self) -> None:
        self._records: dict[str, R] = {}

    def get(self, name: str) -> R | None:
        return self._records.get(name_key(name))

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name_key(name) in self._records

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[R]:
        return iter(self._records.values())

    def add(self, record: R) -> None:
        self._records[name_key(record.name)] = record

    def replace(self, record: R) -> None:
        """Store a new version of an existing record (keeps its place in creation order)."""
        self._records[name_key(record.name)] = record

    def remove(self, name: str) -> R:
        return self._records.pop(name_key(name))

    def keys(self) -> Iterator[str]:
        return iter(self._records.keys())

    def snapshot(self) -> dict[str, R]:
        return dict(self._records)


class RegionState:
    """Everything one account holds in one region."""

    __slots__ = ("account_id", "experiments", "region", "trial_components", "trials")

    def __init__(self, account_id: str, region: str) -> None:
        self.account_id = account_id
        self.region = region
        self.experiments: Collection[Experiment] = Collection()
        self.trials: Collection[Trial] = Collection()
        self.trial_components: Collection[TrialComponent] = Collection()


@dataclass(slots=True)
class Context:
    """What an operation needs besides its parameters."""

    state: RegionState
    options: MockOptions
    region: str
    account_id: str
    now: datetime
    seq: int

    def arn(self, kind: ResourceKind, name: str) -> str:
        return make_arn(kind, self.region, self.account_id, name, self.options.arn_case)

    def check_quota(self, key: str, current: int, delta: int = 1) -> None:
        """Raise AWS's ResourceLimitExceeded when ``current + delta`` passes quota ``key``."""
        limit = self.options.quotas[key]
        if current + delta > limit:
            quota = QUOTAS[key]
            raise ResourceLimitExceeded(
                quota_message(quota.aws_name, limit, quota.unit, current + delta)
            )


class Backend:
    """All state of one mock."""

    __slots__ = ("_counter", "_states")

    def __init__(self) -> None:
        self._states: dict[tuple[str, str], RegionState] = {}
        self._counter = itertools.count(1)

    def state(self, account_id: str, region: str) -> RegionState:
        key = (account_id, region)
        found = self._states.get(key)
        if found is None:
            found = self._states[key] = RegionState(account_id, region)
        return found

    def next_seq(self) -> int:
        return next(self._counter)

    def states(self) -> list[RegionState]:
        return list(self._states.values())
