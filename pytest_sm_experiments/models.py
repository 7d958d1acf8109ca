"""Records of what the mock holds, as users read them from the handle.

Leaf module: standard library only.  Records are frozen: the backend replaces a record on every
change, so a record a test holds is a consistent snapshot and can never be mutated behind the
backend's indexes.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Literal

#: The resource type in the ARN of a named entity (``arn:...:<type>/<name>``): the experiment
#: entities, and the lineage contexts and actions.
ResourceType = Literal["experiment", "experiment-trial", "experiment-trial-component", "context",
                       "action"]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class Experiment:
    name: str
    arn: str
    display_name: str
    description: str | None
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    #: creation order, used for stable sorting
    seq: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Trial:
    name: str
    arn: str
    display_name: str
    experiment_name: str
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    metadata_properties: dict[str, str] | None = None
    #: names (as created) of the trial components associated with this trial, in order
    trial_component_names: tuple[str, ...] = ()
    seq: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class Artifact:
    value: str
    media_type: str | None = None


_FLOAT_MAX = sys.float_info.max

#: AWS's name of each statistic of a metric (TrialComponentMetricSummary's members, Search's
#: ``Metrics.<name>.<statistic>``, BatchGetMetrics' ``MetricStat``) -> the MetricSummary
#: attribute that holds it.
STATISTIC_ATTRIBUTES: Mapping[str, str] = MappingProxyType({
    "Min": "min", "Max": "max", "Avg": "avg", "Last": "last", "Count": "count",
    "StdDev": "std_dev"})
METRIC_STATISTICS: tuple[str, ...] = tuple(STATISTIC_ATTRIBUTES)


@dataclass(frozen=True, slots=True)
class MetricSummary:
    """Running statistics of one metric, as DescribeTrialComponent reports them.

    Mean and spread use Welford's update on values divided by the largest magnitude seen
    (``scale``): a plain sum of squares loses every digit for values like 1e9 + 0.1, and an
    unscaled update overflows to inf for values near the float limit, which JSON cannot carry.
    """

    name: str
    count: int
    min: float
    max: float
    last: float
    #: mean and Welford's M2 of ``value / scale``
    scaled_mean: float
    scaled_m2: float
    scale: float
    timestamp: datetime

    @property
    def avg(self) -> float:
        return min(max(self.scaled_mean * self.scale, self.min), self.max)

    @property
    def std_dev(self) -> float:
        """Sample standard deviation (0.0 for a single value).

        CHOICE: a spread larger than the largest float is reported as the largest float.
        """
        if self.count < 2:
            return 0.0
        spread = math.sqrt(max(self.scaled_m2 / (self.count - 1), 0.0))
        return spread * self.scale if spread <= _FLOAT_MAX / max(self.scale, 1.0) else _FLOAT_MAX

    def statistics(self) -> dict[str, float]:
        """Every statistic by AWS's name (``Count`` an int)."""
        return {name: getattr(self, attribute) for name, attribute in STATISTIC_ATTRIBUTES.items()}

    def add(self, value: float, timestamp: datetime) -> MetricSummary:
        scale = max(self.scale, abs(value))
        mean, m2 = self.scaled_mean, self.scaled_m2
        if scale != self.scale and self.scale > 0.0:
            ratio = self.scale / scale
            mean, m2 = mean * ratio, m2 * ratio * ratio
        scaled = value / scale if scale > 0.0 else 0.0
        count = self.count + 1
        delta = scaled - mean
        mean += delta / count
        return MetricSummary(
            name=self.name,
            count=count,
            min=min(self.min, value),
            max=max(self.max, value),
            last=value if timestamp >= self.timestamp else self.last,
            scaled_mean=mean,
            scaled_m2=m2 + delta * (scaled - mean),
            scale=scale,
            timestamp=max(timestamp, self.timestamp),
        )

    @classmethod
    def first(cls, name: str, value: float, timestamp: datetime) -> MetricSummary:
        scale = abs(value)
        return cls(name=name, count=1, min=value, max=value, last=value,
                   scaled_mean=1.0 if value > 0 else (-1.0 if value < 0 else 0.0),
                   scaled_m2=0.0, scale=scale, timestamp=timestamp)


@dataclass(frozen=True, slots=True)
class TrialComponent:
    name: str
    arn: str
    display_name: str
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    #: ``{"PrimaryStatus": ..., "Message": ...}`` as sent, or None
    status: dict[str, str] | None = None
    start_time: datetime | None = None
    end_time: datetime | None = None
    #: parameter name -> value: ``str`` for StringValue, ``float`` for NumberValue
    parameters: dict[str, str | float] = field(default_factory=dict)
    input_artifacts: dict[str, Artifact] = field(default_factory=dict)
    output_artifacts: dict[str, Artifact] = field(default_factory=dict)
    metadata_properties: dict[str, str] | None = None
    metrics: dict[str, MetricSummary] = field(default_factory=dict)
    #: every (step, value, timestamp) logged through BatchPutMetrics, per metric name
    metric_values: dict[str, tuple[tuple[int | None, float, datetime], ...]] = field(
        default_factory=dict)
    #: names (as created) of the trials this component is associated with, in order
    trial_names: tuple[str, ...] = ()
    #: the job SageMaker made this component for (``Source``): its ARN, as the job service
    #: answered it, and ``SageMakerTrainingJob``, ``SageMakerProcessingJob`` or
    #: ``SageMakerTransformJob``; None for a component made with CreateTrialComponent
    source_arn: str | None = None
    source_type: str | None = None
    #: the jobs started for this experiment run (``ExperimentConfig.RunName``), as
    #: ``(SourceArn, SourceType)`` pairs in creation order: DescribeTrialComponent's ``Sources``
    sources: tuple[tuple[str, str], ...] = ()
    seq: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LineageArtifact:
    """A lineage artifact (CreateArtifact): a URI-addressable object, such as a graph the
    SageMaker SDK's ``Run`` logs, identified by an id in its ARN (names need not be unique)."""

    #: the hexadecimal id that ends the ARN; the backend's key for the record
    artifact_id: str
    arn: str
    artifact_name: str | None
    artifact_type: str
    source_uri: str
    #: ``(SourceIdType, Value)`` pairs, as sent
    source_types: tuple[tuple[str, str], ...]
    properties: dict[str, str]
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    metadata_properties: dict[str, str] | None = None
    seq: int = field(default=0, repr=False, compare=False)

    @property
    def name(self) -> str:
        """The backend's key (the ARN's id): what a collection indexes records by."""
        return self.artifact_id


@dataclass(frozen=True, slots=True)
class LineageAssociation:
    """A directed lineage edge (AddAssociation) between two entities, by their ARNs."""

    #: the canonical ARNs of the two entities (as the mock made them)
    source_arn: str
    destination_arn: str
    association_type: str | None
    creation_time: datetime
    seq: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LineageSource:
    """The Source of a lineage context or action (``ContextSource``, ``ActionSource``)."""

    source_uri: str
    source_type: str | None = None
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class LineageContext:
    """A lineage context (CreateContext): a logical grouping of lineage entities, such as an
    endpoint or a model package group, named uniquely in its account and region."""

    name: str
    arn: str
    context_type: str
    source: LineageSource
    description: str | None
    properties: dict[str, str]
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    seq: int = field(default=0, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class LineageAction:
    """A lineage action (CreateAction): an activity, such as a model deployment, named uniquely
    in its account and region."""

    name: str
    arn: str
    action_type: str
    source: LineageSource
    description: str | None
    #: ``ActionStatus`` as sent (``InProgress``, ``Completed``...), or None
    status: str | None
    properties: dict[str, str]
    tags: dict[str, str]
    creation_time: datetime
    last_modified_time: datetime
    metadata_properties: dict[str, str] | None = None
    seq: int = field(default=0, repr=False, compare=False)
