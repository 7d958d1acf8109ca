"""State of one mock: resources per (account, region), case-insensitive indexes and quotas.

All mutation happens under the mock's single lock (taken by the router), so operations can read,
check and write without races; threads started by code under test share the same state.
"""

from __future__ import annotations

import itertools
import secrets
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from .. import _botocore, arns
from ..errors import ResourceLimitExceeded, quota_message
from ..models import (
    Experiment,
    LineageAction,
    LineageArtifact,
    LineageAssociation,
    LineageContext,
    Trial,
    TrialComponent,
)
from ..options import QUOTAS, MockOptions


class _Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def creation_time(self) -> datetime: ...
    @property
    def seq(self) -> int: ...
    @property
    def tags(self) -> dict[str, str]: ...


R = TypeVar("R", bound=_Named)
K = TypeVar("K", bound=Any)
H = TypeVar("H", bound=Hashable)
M = TypeVar("M", bound=Hashable)

#: An entry of a creation-time index: ``(creation_time, seq, name_key)``; ``seq`` is unique, so
#: entries never tie and ``(creation_time, seq)`` is a cursor that survives deletions.
TimeEntry = tuple[datetime, int, str]


def name_key(name: str) -> str:
    """The index key of a resource name: names are unique case-insensitively (CONFIRMED)."""
    return name.lower()


class SortedIndex(Generic[K]):
    """A sorted list kept as a list of sorted blocks (bisect over block maxima, then within).

    Insert and delete cost O(log n + block size) instead of O(n), and a page starting anywhere
    costs O(log n + page): no sort per request.  Holds references only (a few bytes per item).
    """

    __slots__ = ("_blocks", "_maxes")

    #: Blocks split at twice this size; a few hundred keeps list moves cheap.
    LOAD = 512

    def __init__(self) -> None:
        self._blocks: list[list[K]] = []
        self._maxes: list[K] = []

    @classmethod
    def from_sorted(cls, items: list[K]) -> SortedIndex[K]:
        """An index over ``items``, which must already be sorted."""
        index: SortedIndex[K] = cls()
        size = cls.LOAD
        index._blocks = [items[i:i + size] for i in range(0, len(items), size)]
        index._maxes = [block[-1] for block in index._blocks]
        return index

    def add(self, item: K) -> None:
        maxes = self._maxes
        if not maxes:
            self._blocks.append([item])
            maxes.append(item)
            return
        index = bisect_left(maxes, item)
        if index == len(maxes):
            index -= 1
            block = self._blocks[index]
            block.append(item)
            maxes[index] = item
        else:
            block = self._blocks[index]
            insort(block, item)
        if len(block) > 2 * self.LOAD:
            half = self.LOAD
            self._blocks[index:index + 1] = [block[:half], block[half:]]
            maxes[index:index + 1] = [block[half - 1], block[-1]]

    def remove(self, item: K) -> None:
        """Remove ``item``, which is in the index (a Collection removes only what it added)."""
        index = bisect_left(self._maxes, item)
        block = self._blocks[index]
        del block[bisect_left(block, item)]
        if block:
            self._maxes[index] = block[-1]
        else:
            del self._blocks[index]
            del self._maxes[index]

    def _locate(self, key: Any, find: Callable[[list[K], Any], int]) -> tuple[int, int]:
        """(block, position) where ``find`` puts ``key`` in the first block whose maximum is
        ``>= key`` (``bisect_left``: the first item ``>= key``; ``bisect_right``: ``> key``);
        past the last block, (number of blocks, 0)."""
        index = bisect_left(self._maxes, key)
        if index == len(self._maxes):
            return index, 0
        return index, find(self._blocks[index], key)

    def ascending(self, after: Any = None) -> Iterator[K]:
        """Every item upwards, or those ``> after``."""
        blocks = self._blocks
        index, start = (0, 0) if after is None else self._locate(after, bisect_right)
        for block in blocks[index:]:
            yield from block[start:]
            start = 0

    def descending(self, before: Any = None) -> Iterator[K]:
        """Every item downwards, or those ``< before``."""
        blocks = self._blocks
        index, end = (len(blocks), 0) if before is None else self._locate(before, bisect_left)
        if end:
            yield from reversed(blocks[index][:end])
        for block in reversed(blocks[:index]):
            yield from reversed(block)


class Collection(Generic[R]):
    """One resource type's records, indexed by case-folded name, kept in creation order, with
    sorted indexes by name and by creation time maintained on insert and delete (List pages),
    and indexes of tags and display names (Search by tag, by display name)."""

    __slots__ = ("_by_display", "_by_modified", "_by_name", "_by_tag", "_by_time", "_records")

    def __init__(self) -> None:
        self._records: dict[str, R] = {}
        self._by_name: SortedIndex[str] = SortedIndex()
        self._by_time: SortedIndex[TimeEntry] = SortedIndex()
        #: ``(last_modified_time, seq, name_key)`` of the records that have one (Search's
        #: default order)
        self._by_modified: SortedIndex[TimeEntry] = SortedIndex()
        #: (tag key, tag value) -> name keys of the records carrying it, in insertion order
        self._by_tag: dict[tuple[str, str], dict[str, None]] = {}
        #: display name -> name keys of the records showing it (records that have one)
        self._by_display: dict[str, dict[str, None]] = {}

    def _index_tags(self, key: str, old: dict[str, str], new: dict[str, str]) -> None:
        by_tag = self._by_tag
        for pair in old.items():
            if new.get(pair[0]) != pair[1]:
                _unlink(by_tag, pair, key)
        for pair in new.items():
            _link(by_tag, pair, key)  # a holder already there keeps its place

    def _index_display(self, key: str, old: R | None, new: R | None) -> None:
        before = getattr(old, "display_name", None)
        after = getattr(new, "display_name", None)
        if before != after:
            if before is not None:
                _unlink(self._by_display, before, key)
            if after is not None:
                _link(self._by_display, after, key)

    def _index_modified(self, key: str, old: R | None, new: R | None) -> None:
        before = getattr(old, "last_modified_time", None)
        after = getattr(new, "last_modified_time", None)
        if before != after:
            if old is not None and before is not None:
                self._by_modified.remove((before, old.seq, key))
            if new is not None and after is not None:
                self._by_modified.add((after, new.seq, key))

    def with_display_name(self, display_name: str) -> list[R]:
        """The records whose DisplayName is ``display_name`` (exactly)."""
        records = self._records
        return [records[key] for key in self._by_display.get(display_name, ())]

    def with_tag(self, tag_key: str, value: str) -> list[R]:
        """The records tagged ``tag_key=value``, without looking at the others."""
        records = self._records
        return [records[key] for key in self._by_tag.get((tag_key, value), ())]

    def get(self, name: str) -> R | None:
        return self._records.get(name_key(name))

    def get_by_key(self, key: str) -> R:
        """The record of an index key (a case-folded name taken from one of the indexes)."""
        return self._records[key]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name_key(name) in self._records

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[R]:
        return iter(self._records.values())

    def add(self, record: R) -> None:
        key = name_key(record.name)
        if key in self._records:
            raise KeyError(f"{record.name!r} is already stored")
        self._records[key] = record
        self._by_name.add(key)
        self._by_time.add((record.creation_time, record.seq, key))
        self._index_modified(key, None, record)
        if record.tags:
            self._index_tags(key, {}, record.tags)
        self._index_display(key, None, record)

    def replace(self, record: R) -> None:
        """Store a new version of an existing record (keeps its place in creation order).

        Name and creation time never change on update, so the sorted indexes stay valid.
        """
        key = name_key(record.name)
        old = self._records[key]
        self._records[key] = record
        self._index_tags(key, old.tags, record.tags)
        self._index_display(key, old, record)
        self._index_modified(key, old, record)

    def remove(self, name: str) -> R:
        key = name_key(name)
        record = self._records.pop(key)
        self._by_name.remove(key)
        self._by_time.remove((record.creation_time, record.seq, key))
        self._index_tags(key, record.tags, {})
        self._index_display(key, record, None)
        self._index_modified(key, record, None)
        return record

    @property
    def by_name(self) -> SortedIndex[str]:
        """Case-folded names, sorted."""
        return self._by_name

    @property
    def by_time(self) -> SortedIndex[TimeEntry]:
        """``(creation_time, seq, name_key)`` entries, sorted."""
        return self._by_time

    @property
    def by_modified(self) -> SortedIndex[TimeEntry]:
        """``(last_modified_time, seq, name_key)`` entries, sorted."""
        return self._by_modified


class RegionState:
    """Everything one account holds in one region.

    Trials belong to an experiment, and trial components to any number of trials. Those relations
    change only through the verbs here (``add_trial``, ``drop_trial``, ``associate``,
    ``disassociate``...), which keep the indexes and the names on the records in step; lineage
    entities and associations likewise (``add_artifact``, ``drop_artifact``, ``drop_context``,
    ``drop_action``, ``add_lineage``, ``remove_lineage``, ``drop_lineage_of``).
    """

    __slots__ = ("_experiment_trials", "_job_components", "_parents", "_trial_members",
                 "account_id", "actions", "artifact_sources", "artifacts", "contexts",
                 "experiments", "lineage",
                 "lineage_edges", "partition", "region", "token_secret", "trial_components",
                 "trials")

    def __init__(self, account_id: str, region: str, partition: str) -> None:
        self.account_id = account_id
        self.region = region
        #: the ARN partition of the region (``aws``, ``aws-cn``, ``aws-us-gov``...)
        self.partition = partition
        self.experiments: Collection[Experiment] = Collection()
        self.trials: Collection[Trial] = Collection()
        self.trial_components: Collection[TrialComponent] = Collection()
        # Relations by case-folded name (dicts as ordered sets): O(1) membership and counts.
        #: experiment key -> keys of its trials
        self._experiment_trials: dict[str, dict[str, None]] = {}
        #: trial key -> keys of its associated trial components
        self._trial_members: dict[str, dict[str, None]] = {}
        #: trial component key -> keys of the trials it is associated with
        self._parents: dict[str, dict[str, None]] = {}
        #: a job's ARN, case-folded -> keys of the components made for it (``Source``)
        self._job_components: dict[str, dict[str, None]] = {}
        #: signs this state's pagination tokens: a token never verifies in another mock,
        #: account or region, or after a reset.
        self.token_secret: bytes = secrets.token_bytes()
        #: lineage artifacts, keyed by the id in their ARN
        self.artifacts: Collection[LineageArtifact] = Collection()
        #: artifact SourceUri -> artifact id (one artifact per SourceUri)
        self.artifact_sources: dict[str, str] = {}
        #: lineage contexts and actions, by case-folded name (several may share a SourceUri)
        self.contexts: Collection[LineageContext] = Collection()
        self.actions: Collection[LineageAction] = Collection()
        #: lineage associations by (source ARN, destination ARN), in creation order
        self.lineage: dict[tuple[str, str], LineageAssociation] = {}
        #: entity ARN -> keys of the lineage associations it is an end of
        self.lineage_edges: dict[str, dict[tuple[str, str], None]] = {}

    # -- queries (names in any letter case; answers are index keys, in insertion order) --------
    def trials_of(self, experiment_name: str) -> dict[str, None]:
        return self._experiment_trials.get(name_key(experiment_name), {})

    def components_of(self, trial_name: str) -> dict[str, None]:
        return self._trial_members.get(name_key(trial_name), {})

    def parents_of(self, component_name: str) -> dict[str, None]:
        return self._parents.get(name_key(component_name), {})

    def associated(self, trial: Trial, component: TrialComponent) -> bool:
        return name_key(component.name) in self.components_of(trial.name)

    def components_from(self, source_arn: str) -> dict[str, None]:
        """The components whose ``Source`` is the job ``source_arn`` (any letter case)."""
        return self._job_components.get(source_arn.lower(), {})

    # -- verbs -----------------------------------------------------------------------------------
    def add_trial(self, record: Trial) -> None:
        """Store a new trial in its experiment (``record.experiment_name``)."""
        self.trials.add(record)
        _link(self._experiment_trials, name_key(record.experiment_name), name_key(record.name))

    def drop_trial(self, record: Trial) -> None:
        """Delete a trial that has no trial components."""
        self.trials.remove(record.name)
        _unlink(self._experiment_trials, name_key(record.experiment_name), name_key(record.name))

    def add_component(self, record: TrialComponent) -> None:
        """Store a new trial component (indexed by its job, if a job is its source)."""
        self.trial_components.add(record)
        if record.source_arn is not None:
            _link(self._job_components, record.source_arn.lower(), name_key(record.name))

    def drop_component(self, record: TrialComponent) -> None:
        """Delete a trial component that is in no trial, and its lineage associations."""
        self.trial_components.remove(record.name)
        if record.source_arn is not None:
            _unlink(self._job_components, record.source_arn.lower(), name_key(record.name))
        # CHOICE: lineage associations go with their entity (see artifacts.delete_artifact).
        self.drop_lineage_of(record.arn)

    def drop_experiment(self, record: Experiment) -> None:
        """Delete an experiment that has no trials, and its lineage associations."""
        self.experiments.remove(record.name)
        self.drop_lineage_of(record.arn)

    def associate(self, trial: Trial, component: TrialComponent) -> None:
        """Put ``component`` into ``trial`` (not associated yet); both records list the other."""
        trial_key, component_key = name_key(trial.name), name_key(component.name)
        _link(self._trial_members, trial_key, component_key)
        _link(self._parents, component_key, trial_key)
        self.trials.replace(replace(
            trial, trial_component_names=(*trial.trial_component_names, component.name)))
        self.trial_components.replace(replace(
            component, trial_names=(*component.trial_names, trial.name)))

    def disassociate(self, trial: Trial, component: TrialComponent) -> None:
        """Take ``component`` out of ``trial`` (associated); both records forget the other."""
        trial_key, component_key = name_key(trial.name), name_key(component.name)
        _unlink(self._trial_members, trial_key, component_key)
        _unlink(self._parents, component_key, trial_key)
        self.trials.replace(replace(trial, trial_component_names=tuple(
            name for name in trial.trial_component_names if name_key(name) != component_key)))
        self.trial_components.replace(replace(component, trial_names=tuple(
            name for name in component.trial_names if name_key(name) != trial_key)))

    def add_artifact(self, record: LineageArtifact) -> None:
        """Store a new lineage artifact (one per SourceUri)."""
        self.artifacts.add(record)
        self.artifact_sources[record.source_uri] = record.artifact_id

    def drop_artifact(self, record: LineageArtifact) -> None:
        """Delete a lineage artifact and its lineage associations."""
        self.artifacts.remove(record.name)
        del self.artifact_sources[record.source_uri]
        self.drop_lineage_of(record.arn)

    def drop_context(self, record: LineageContext) -> None:
        """Delete a lineage context and its lineage associations."""
        self.contexts.remove(record.name)
        self.drop_lineage_of(record.arn)

    def drop_action(self, record: LineageAction) -> None:
        """Delete a lineage action and its lineage associations."""
        self.actions.remove(record.name)
        self.drop_lineage_of(record.arn)

    def add_lineage(self, association: LineageAssociation) -> None:
        key = (association.source_arn, association.destination_arn)
        self.lineage[key] = association
        for arn in key:
            _link(self.lineage_edges, arn, key)

    def remove_lineage(self, key: tuple[str, str]) -> LineageAssociation:
        association = self.lineage.pop(key)
        for arn in set(key):  # an association of an entity with itself has one end
            _unlink(self.lineage_edges, arn, key)
        return association

    def drop_lineage_of(self, arn: str) -> None:
        """Remove every lineage association that ``arn`` is an end of (its entity is deleted)."""
        for key in list(self.lineage_edges.get(arn, ())):
            self.remove_lineage(key)


def _link(relation: dict[H, dict[M, None]], key: H, member: M) -> None:
    """Add ``member`` to ``relation[key]`` (dicts as ordered sets: the values are never read)."""
    relation.setdefault(key, {})[member] = None


def _unlink(relation: dict[H, dict[M, None]], key: H, member: M) -> None:
    """Remove ``member`` from ``relation[key]``, and the key once it has no members left."""
    members = relation[key]
    del members[member]
    if not members:
        del relation[key]


@dataclass(slots=True)
class Context:
    """What an operation needs besides its parameters."""

    state: RegionState
    options: MockOptions
    region: str
    account_id: str
    now: datetime
    seq: int

    def arn(self, resource_type: str, name: str) -> str:
        """The ARN of resource ``name`` of ``resource_type`` in this account and region.

        CHOICE: the name is lower-cased unless ``arn_case="preserve"`` (SageMaker lower-cases
        the names in training- and tuning-job ARNs; for experiments it is not public).
        """
        shown = name.lower() if self.options.arn_case == "lower" else name
        return arns.build(self.state.partition, "sagemaker", self.region, self.account_id,
                          f"{resource_type}/{shown}")

    def local(self, arn: str) -> tuple[str, str] | None:
        """``(resource type, resource id)`` of a SageMaker ARN of this account and region;
        None for any other ARN (or text that is no ARN)."""
        parsed = arns.parse(arn)
        if parsed is None or parsed.service != "sagemaker" or (
                parsed.region, parsed.account_id) != (self.region, self.account_id):
            return None
        return parsed.resource_type, parsed.resource_id

    def check_quota(self, key: str, total: int) -> None:
        """Raise AWS's ResourceLimitExceeded when ``total`` (what the request would make the
        count) passes quota ``key``."""
        limit = self.options.quotas[key]
        if total > limit:
            quota = QUOTAS[key]
            raise ResourceLimitExceeded(quota_message(quota.aws_name, limit, quota.unit, total))


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
            found = self._states[key] = RegionState(account_id, region,
                                                    _botocore.partition_of(region))
        return found

    def next_seq(self) -> int:
        return next(self._counter)

    def states(self) -> list[RegionState]:
        return list(self._states.values())
