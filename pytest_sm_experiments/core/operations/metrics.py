"""sagemaker-metrics BatchPutMetrics: metric points into a trial component's summaries.

The model has already checked the request (lower-case TrialComponentName, 1-10 items, Step >= 0,
finite Value).  What is left is per item: AWS reports a bad item as an ``Errors`` entry
(``Code`` and ``MetricIndex``) in an HTTP 200 answer; the SageMaker SDK raises on any entry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ...models import MetricSummary, TrialComponent
from ..backend import Context
from ._common import Params, Response, require, timestamp

# INFERRED from the SageMaker SDK, which refuses the same window client-side ("Timestamps must
# be between two weeks before and two hours from now").
OLDEST = timedelta(weeks=2)
NEWEST = timedelta(hours=2)

MetricPoint = tuple[int | None, float, datetime]


def batch_put_metrics(ctx: Context, params: Params) -> Response:
    # CHOICE: a missing trial component fails the whole request with the ResourceNotFound the
    # SageMaker API uses, rather than one error entry per item (AWS does not say which).
    record = require(ctx, ctx.state.trial_components, "experiment-trial-component",
                     params["TrialComponentName"])
    errors: list[dict[str, Any]] = []
    accepted: list[tuple[str, MetricPoint]] = []
    for index, item in enumerate(params["MetricData"]):
        point = _point(ctx, item)
        if point is None:
            # CHOICE: a timestamp outside the window is a per-item VALIDATION_ERROR and the
            # other items of the batch are still stored.
            errors.append({"Code": "VALIDATION_ERROR", "MetricIndex": index})
        else:
            accepted.append((item["MetricName"], point))
    if accepted:
        ctx.state.trial_components.replace(_with_points(record, accepted))
    # INFERRED: with nothing to report, Errors is left out: the model makes the list at least
    # one long, and the SageMaker SDK reads it only ``if "Errors" in response``.
    return {"Errors": errors} if errors else {}


def _point(ctx: Context, item: Mapping[str, Any]) -> MetricPoint | None:
    """The stored point, or None for an item AWS reports as a VALIDATION_ERROR entry.

    CHOICE: a Value no double can hold (an over-long JSON integer; the model check already
    rejects NaN, infinities and timestamps no date can hold) is such an item too.
    """
    try:
        when = timestamp(float(item["Timestamp"]))
        value = float(item["Value"])
    except (OverflowError, OSError, ValueError):
        return None
    if not ctx.now - OLDEST <= when <= ctx.now + NEWEST:
        return None
    step = item.get("Step")
    return (int(step) if step is not None else None, value, when)


def _with_points(record: TrialComponent, points: list[tuple[str, MetricPoint]]) -> TrialComponent:
    """A new record with the points added to the summaries and to the raw series.

    CHOICE: LastModifiedTime is left alone: metrics are written through a separate data-plane
    service and are not an update of the trial component.
    """
    summaries = dict(record.metrics)
    series = {name: list(values) for name, values in record.metric_values.items()}
    for name, point in points:
        _, value, when = point
        found = summaries.get(name)
        summaries[name] = (MetricSummary.first(name, value, when) if found is None
                           else found.add(value, when))
        series.setdefault(name, []).append(point)
    return dataclasses.replace(
        record,
        metrics=summaries,
        metric_values={name: tuple(values) for name, values in series.items()},
    )
