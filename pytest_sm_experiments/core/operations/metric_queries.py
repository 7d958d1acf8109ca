"""sagemaker-metrics BatchGetMetrics: the stored metric points of trial components, aggregated.

Each query names a resource (a trial component's ARN), a metric, a statistic, a Period and an
x-axis. Points are grouped by Period (one group per step for ``IterationNumber``, per
minute, five minutes or hour of their timestamp otherwise) and each group gives one x value
and one value of the statistic, in ascending x order.

What the model and the API reference say is only the shape: every query has a result with a
Status (``Complete``, ``Truncated``, ``InternalError``, ``ValidationError``), a Message and two
lists. The rest is INFERRED or a CHOICE, named where it is decided.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ...models import STATISTIC_ATTRIBUTES, MetricSummary, TrialComponent
from ..backend import Context
from ._common import Params, Response

#: Period -> group width in seconds (None: by step).
_PERIODS: Mapping[str, int | None] = {
    "OneMinute": 60, "FiveMinute": 300, "OneHour": 3600, "IterationNumber": None}

def batch_get_metrics(ctx: Context, params: Params) -> Response:
    return {"MetricQueryResults": [_answer(ctx, query) for query in params["MetricQueries"]]}


def epoch_millis(when: datetime) -> int:
    """INFERRED: time on this API is epoch milliseconds (a Long): the SageMaker SDK forwards
    ``XAxisValues`` of ``XAxisType=Timestamp`` unchanged as MLflow metric timestamps, which are
    milliseconds (sagemaker/mlflow/forward_sagemaker_metrics.py)."""
    return round(when.timestamp() * 1000)


def _invalid(message: str) -> Response:
    # CHOICE: a query the mock cannot answer is a per-query ValidationError result (the
    # model's way to fail one query of a batch), not an error for the whole request.
    return {"Status": "ValidationError", "Message": message, "XAxisValues": [],
            "MetricValues": []}


def _component(ctx: Context, arn: str) -> TrialComponent | None:
    found = ctx.local(arn)
    if found is None or found[0] != "experiment-trial-component":
        return None
    return ctx.state.trial_components.get(found[1])


def _answer(ctx: Context, query: Mapping[str, Any]) -> Response:
    arn: str = query["ResourceArn"]
    component = _component(ctx, arn)
    if component is None:
        # CHOICE: only trial components hold metrics here (the mock runs no jobs).
        return _invalid(f"Resource '{arn}' does not exist or has no metrics.")
    width = _PERIODS[query["Period"]]
    by_step = width is None
    if by_step != (query["XAxisType"] == "IterationNumber"):
        # CHOICE: steps are the x-axis of Period=IterationNumber and only of it; a time
        # Period's groups have no single step, and steps have no single time.
        return _invalid(f"Period {query['Period']} cannot be used with XAxisType "
                        f"{query['XAxisType']}.")
    start, end = query.get("Start"), query.get("End")
    groups: dict[int, MetricSummary] = {}
    for point in component.metric_values.get(query["MetricName"], ()):
        step, value, when = point
        millis = epoch_millis(when)
        # CHOICE: Start and End (epoch milliseconds, as the x-axis) bound the points' times,
        # Start included and End excluded, as CloudWatch's GetMetricData bounds them.
        if (start is not None and millis < start) or (end is not None and millis >= end):
            continue
        if width is not None:
            x = math.floor(when.timestamp() / width) * width * 1000
        elif step is not None:
            x = step
        else:
            continue  # CHOICE: a point logged without a step is on no iteration
        found = groups.get(x)
        if found is None:
            groups[x] = MetricSummary.first(
                query["MetricName"],  # pragma: no mutate (its statistic is read, not its name)
                value, when)
        else:
            groups[x] = found.add(value, when)
    attribute = STATISTIC_ATTRIBUTES[query["MetricStat"]]
    xs = sorted(groups)
    # CHOICE: a metric with no points (or none in range) is a Complete, empty result.
    return {"Status": "Complete", "XAxisValues": xs,
            "MetricValues": [float(getattr(groups[x], attribute)) for x in xs]}
