"""The explicit table of served operations: ``(service, operation) -> handler``.

A handler is ``(ctx, params) -> response dict``; it runs under the mock's lock after the
parameters passed model validation, and raises :class:`~pytest_sm_experiments.errors.AWSError`
for AWS errors.  The README's "Supported operations" table is checked against this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..backend import Context
from . import experiments, metrics, sts

Handler = Callable[[Context, Mapping[str, Any]], dict[str, Any]]

SAGEMAKER = "sagemaker"
METRICS = "sagemaker-metrics"
STS = "sts"

OPERATIONS: Mapping[tuple[str, str], Handler] = MappingProxyType({
    (SAGEMAKER, "CreateExperiment"): experiments.create_experiment,
    (SAGEMAKER, "DescribeExperiment"): experiments.describe_experiment,
    (METRICS, "BatchPutMetrics"): metrics.batch_put_metrics,
    (STS, "GetCallerIdentity"): sts.get_caller_identity,
})


def supported(service: str | None = None) -> list[str]:
    """Names of the served operations (of one service, or all as ``service:Operation``)."""
    if service is not None:
        return sorted(op for svc, op in OPERATIONS if svc == service)
    return sorted(f"{svc}:{op}" for svc, op in OPERATIONS)
