"""sagemaker-metrics BatchPutMetrics: summaries on the trial component, AWS's errors."""

from __future__ import annotations

import math
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from fractions import Fraction

import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sm_experiments import mock_sm_experiments


@pytest.fixture
def metrics_client(sm_experiments):
    return sm_experiments.client(service="sagemaker-metrics")


@pytest.fixture
def component(sm_client):
    sm_client.create_trial_component(TrialComponentName="exp-run-1")
    return "exp-run-1"


def _points(name, values, start_step=0, when=None):
    when = when or datetime.now(timezone.utc)
    return [{"MetricName": name, "Value": value, "Timestamp": when, "Step": start_step + i}
            for i, value in enumerate(values)]


def test_summaries_show_in_describe(metrics_client, sm_client, sm_experiments, component):
    values = [0.9, 0.5, 0.7, 0.2, 0.4]
    response = metrics_client.batch_put_metrics(TrialComponentName=component,
                                                MetricData=_points("loss", values))
    assert "Errors" not in response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    (summary,) = sm_client.describe_trial_component(TrialComponentName=component)["Metrics"]
    assert summary["MetricName"] == "loss"
    assert summary["Count"] == 5
    assert summary["Min"] == 0.2
    assert summary["Max"] == 0.9
    assert summary["Last"] == 0.4
    assert summary["Avg"] == pytest.approx(statistics.mean(values))
    assert summary["StdDev"] == pytest.approx(statistics.stdev(values))
    record = sm_experiments.trial_components[component]
    assert [value for _, value, _ in record.metric_values["loss"]] == values
    assert [step for step, _, _ in record.metric_values["loss"]] == [0, 1, 2, 3, 4]


def test_batches_accumulate_per_metric(metrics_client, sm_experiments, component):
    for batch in range(12):
        metrics_client.batch_put_metrics(
            TrialComponentName=component,
            MetricData=_points("acc", [batch / 12] * 5, start_step=batch * 5)
            + _points("lr", [0.1] * 5, start_step=batch * 5))
    record = sm_experiments.trial_components[component]
    assert record.metrics["acc"].count == 60
    assert record.metrics["lr"].count == 60
    assert record.metrics["acc"].max == pytest.approx(11 / 12)
    assert record.metrics["lr"].std_dev == 0.0
    assert len(sm_experiments.calls.filter("BatchPutMetrics")) == 12


def test_spread_of_large_values_keeps_its_digits(metrics_client, sm_client, component):
    """A sum of squares would cancel to 0.0 here; AWS's StdDev does not."""
    values = [1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4]
    metrics_client.batch_put_metrics(TrialComponentName=component,
                                      MetricData=_points("bytes", values))
    (summary,) = sm_client.describe_trial_component(TrialComponentName=component)["Metrics"]
    assert summary["StdDev"] == pytest.approx(statistics.stdev(values), rel=1e-6)
    assert summary["Avg"] == pytest.approx(statistics.mean(values), rel=1e-12)


def test_last_is_the_latest_timestamp_not_the_latest_call(metrics_client, sm_experiments,
                                                           component):
    now = datetime.now(timezone.utc)
    metrics_client.batch_put_metrics(TrialComponentName=component, MetricData=[
        {"MetricName": "loss", "Value": 1.0, "Timestamp": now},
        {"MetricName": "loss", "Value": 2.0, "Timestamp": now - timedelta(minutes=5)},
    ])
    assert sm_experiments.trial_components[component].metrics["loss"].last == 1.0


def test_sdk_style_string_timestamp_and_no_step(metrics_client, sm_experiments, component):
    # The SageMaker SDK sends str(int(epoch seconds)) and leaves Step out.
    metrics_client.batch_put_metrics(TrialComponentName=component, MetricData=[
        {"MetricName": "f1", "Value": 0.5, "Timestamp": str(int(time.time()))}])
    ((step, value, when),) = sm_experiments.trial_components[component].metric_values["f1"]
    assert step is None
    assert value == 0.5
    assert abs(when.timestamp() - time.time()) < 3600


def test_out_of_window_items_are_per_item_errors(metrics_client, sm_experiments, component):
    now = datetime.now(timezone.utc)
    response = metrics_client.batch_put_metrics(TrialComponentName=component, MetricData=[
        {"MetricName": "loss", "Value": 1.0, "Timestamp": now},
        {"MetricName": "loss", "Value": 2.0, "Timestamp": now - timedelta(days=15)},
        {"MetricName": "loss", "Value": 3.0, "Timestamp": now + timedelta(hours=3)},
    ])
    assert response["Errors"] == [{"Code": "VALIDATION_ERROR", "MetricIndex": 1},
                                  {"Code": "VALIDATION_ERROR", "MetricIndex": 2}]
    assert sm_experiments.trial_components[component].metrics["loss"].count == 1


def test_missing_component_is_resource_not_found(metrics_client, sm_experiments):
    with pytest.raises(ClientError) as raised:
        metrics_client.batch_put_metrics(TrialComponentName="nope",
                                         MetricData=_points("loss", [1.0]))
    error = raised.value.response["Error"]
    assert error["Code"] == "ResourceNotFound"
    assert error["Message"] == ("TrialComponent 'arn:aws:sagemaker:us-east-1:123456789012:"
                                "experiment-trial-component/nope' does not exist.")
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    call = sm_experiments.calls.one("BatchPutMetrics")
    assert call.service == "sagemaker-metrics"
    assert call.error_code == "ResourceNotFound"


def test_upper_case_name_fails_the_model_pattern(metrics_client, component):
    with pytest.raises(ClientError) as raised:
        metrics_client.batch_put_metrics(TrialComponentName="Exp-Run-1",
                                         MetricData=_points("loss", [1.0]))
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        "1 validation error detected: Value 'Exp-Run-1' at 'trialComponentName' failed to "
        "satisfy constraint: Member must satisfy regular expression pattern: "
        "^[a-z0-9](-*[a-z0-9]){0,119}")


def test_more_than_ten_items_and_negative_step_change_nothing(sm_experiments, component):
    client = sm_experiments.client(service="sagemaker-metrics",
                                   config=_no_client_validation())
    with pytest.raises(ClientError) as raised:
        client.batch_put_metrics(TrialComponentName=component,
                                 MetricData=_points("loss", [1.0] * 11))
    assert "Member must have length less than or equal to 10" in (
        raised.value.response["Error"]["Message"])
    bad = _points("loss", [1.0])
    bad[0]["Step"] = -1
    with pytest.raises(ClientError) as raised:
        client.batch_put_metrics(TrialComponentName=component, MetricData=bad)
    assert "Member must have value greater than or equal to 0" in (
        raised.value.response["Error"]["Message"])
    assert sm_experiments.trial_components[component].metrics == {}


def test_non_finite_value_is_rejected_whole(metrics_client, sm_experiments, component):
    data = _points("loss", [1.0, math.nan])
    with pytest.raises(ClientError) as raised:
        metrics_client.batch_put_metrics(TrialComponentName=component, MetricData=data)
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert sm_experiments.trial_components[component].metrics == {}


def _no_client_validation():
    from botocore.config import Config

    return Config(parameter_validation=False)


def test_values_no_double_can_hold_are_item_errors(sm_experiments, component):
    import json

    from botocore.awsrequest import AWSPreparedRequest

    from pytest_sm_experiments.inprocess import hook

    def put(*items):
        body = json.dumps({"TrialComponentName": component, "MetricData": list(items)})
        request = AWSPreparedRequest(
            "PUT", "https://metrics.sagemaker.us-east-1.amazonaws.com/BatchPutMetrics", {},
            body.encode(), False)
        response = hook.before_send(
            request=request, event_name="before-send.sagemaker-metrics.BatchPutMetrics")
        return response.status_code, json.loads(response.content)

    now = int(time.time())
    status, body = put({"MetricName": "loss", "Value": 1.0, "Timestamp": now},
                       {"MetricName": "loss", "Value": 10 ** 400, "Timestamp": now})
    assert status == 200
    assert body == {"Errors": [{"Code": "VALIDATION_ERROR", "MetricIndex": 1}]}
    assert sm_experiments.trial_components[component].metrics["loss"].count == 1
    # A timestamp no date can hold fails model validation: the whole request, nothing stored.
    status, body = put({"MetricName": "loss", "Value": 2.0, "Timestamp": now},
                       {"MetricName": "loss", "Value": 1.0, "Timestamp": 1e300})
    assert status == 400
    assert body["__type"] == "ValidationException"
    assert sm_experiments.trial_components[component].metrics["loss"].count == 1


def test_mixed_case_component_gets_metrics_by_its_lower_case_name(metrics_client, sm_client,
                                                                  sm_experiments):
    # The metrics API only takes lower-case names; names are unique case-insensitively.
    sm_client.create_trial_component(TrialComponentName="Mixed-Case-Run")
    metrics_client.batch_put_metrics(TrialComponentName="mixed-case-run",
                                     MetricData=_points("loss", [0.5]))
    described = sm_client.describe_trial_component(TrialComponentName="Mixed-Case-Run")
    assert [m["MetricName"] for m in described["Metrics"]] == ["loss"]
    assert list(sm_experiments.trial_components) == ["Mixed-Case-Run"]


@pytest.mark.parametrize(("values", "avg", "std_dev"), [
    ([0.0, 3.0, 6.0], 3.0, 3.0),
    ([0.0], 0.0, 0.0),
    ([0.0, 0.0], 0.0, 0.0),
    ([-2.0, 2.0], 0.0, math.sqrt(8)),
    ([5.0, -5.0, 0.0], 0.0, 5.0),
    ([1e308, -1e308], 0.0, math.sqrt(2) * 1e308),
])
def test_average_and_deviation_from_the_first_value_on(metrics_client, sm_client, component,
                                                       values, avg, std_dev):
    metrics_client.batch_put_metrics(TrialComponentName=component,
                                     MetricData=_points("m", values))
    (summary,) = sm_client.describe_trial_component(TrialComponentName=component)["Metrics"]
    assert summary["Avg"] == pytest.approx(avg, abs=1e-12)
    assert summary["StdDev"] == pytest.approx(std_dev, rel=1e-12)


def test_values_in_separate_batches_sum_up_alike(metrics_client, sm_client, component):
    for value in (0.0, 10.0, 20.0, 30.0):
        metrics_client.batch_put_metrics(TrialComponentName=component,
                                         MetricData=_points("m", [value]))
    (summary,) = sm_client.describe_trial_component(TrialComponentName=component)["Metrics"]
    assert (summary["Count"], summary["Min"], summary["Max"], summary["Last"]) == (
        4, 0.0, 30.0, 30.0)
    assert summary["Avg"] == pytest.approx(15.0)
    assert summary["StdDev"] == pytest.approx(statistics.stdev([0.0, 10.0, 20.0, 30.0]))


def _exact_mean_and_stdev(values: list[float]) -> tuple[float, float]:
    """The mean and sample standard deviation, computed exactly (rationals) and rounded once;
    a deviation past the largest float is the largest float (the documented CHOICE)."""
    exact = [Fraction(value) for value in values]
    mean = sum(exact) / len(exact)
    if len(exact) < 2:
        return float(mean), 0.0
    variance = sum((value - mean) ** 2 for value in exact) / (len(exact) - 1)
    # sqrt of a scaled variance: the variance itself may be far past the largest float.
    scale = max(abs(value) for value in exact) or Fraction(1)
    deviation = math.sqrt(variance / scale**2) * scale
    return float(mean), float(min(deviation, Fraction(sys.float_info.max)))


@pytest.mark.slow
@settings(max_examples=settings.default.max_examples)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1,
                       max_size=6))
def test_metric_statistics_are_right_for_any_finite_values(values):
    # JSON has no Infinity: whatever values a user logs, the summary is the statistic rounded
    # to a float (within what a running update loses), never inf or nan.
    with mock_sm_experiments() as mock:
        client = mock.client()
        client.create_trial_component(TrialComponentName="tc")
        now = datetime.now(timezone.utc)
        mock.client(service="sagemaker-metrics").batch_put_metrics(
            TrialComponentName="tc", MetricData=[
                {"MetricName": "m", "Value": value, "Timestamp": now} for value in values])
        summary = client.describe_trial_component(TrialComponentName="tc")["Metrics"][0]
    assert summary["Count"] == len(values)
    assert (summary["Min"], summary["Max"], summary["Last"]) == (
        min(values), max(values), values[-1])
    mean, deviation = _exact_mean_and_stdev(values)
    scale = max(abs(value) for value in values)
    # A running (Welford) update loses a few ulps of the largest value per step.
    tolerance = 1e-12 * scale
    assert abs(summary["Avg"] - mean) <= tolerance, (summary["Avg"], mean)
    assert abs(summary["StdDev"] - deviation) <= tolerance + 1e-9 * deviation, (
        summary["StdDev"], deviation)


@pytest.mark.parametrize(("offset", "stored"), [
    (-timedelta(weeks=2), True), (-timedelta(weeks=2, seconds=1), False),
    (timedelta(hours=2), True), (timedelta(hours=2, seconds=1), False),
])
def test_the_time_window_includes_its_ends(metrics_client, sm_experiments, component,
                                          monkeypatch, offset, stored):
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    monkeypatch.setattr("pytest_sm_experiments.core.service.utcnow", lambda: now)
    response = metrics_client.batch_put_metrics(TrialComponentName=component, MetricData=[
        {"MetricName": "m", "Value": 1.0, "Timestamp": now + offset}])
    assert ("m" in sm_experiments.trial_components[component].metrics) is stored
    assert response.get("Errors", []) == ([] if stored else [
        {"Code": "VALIDATION_ERROR", "MetricIndex": 0}])


# -- the statistics after several leading zeros -------------------------------------------

@pytest.mark.parametrize("values", [[0.0, 0.0, 4.0], [0.0, 0.0, 0.0, -3.0, 6.0]])
def test_leading_zeros_count_in_the_mean_and_spread(metrics_client, sm_client, component,
                                                    values):
    metrics_client.batch_put_metrics(TrialComponentName=component,
                                     MetricData=_points("acc", values))
    (summary,) = sm_client.describe_trial_component(TrialComponentName=component)["Metrics"]
    exact = [Fraction(value) for value in values]
    mean = sum(exact) / len(exact)
    variance = sum((value - mean) ** 2 for value in exact) / (len(exact) - 1)
    assert summary["Count"] == len(values)
    assert summary["Avg"] == pytest.approx(float(mean), rel=1e-12)
    assert summary["StdDev"] == pytest.approx(math.sqrt(variance), rel=1e-12)
