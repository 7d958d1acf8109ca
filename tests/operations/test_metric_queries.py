"""sagemaker-metrics BatchGetMetrics through boto3: the points BatchPutMetrics stored, grouped by
Period, one statistic per group, steps or times on the x-axis."""

from __future__ import annotations

import statistics
from datetime import datetime, timedelta, timezone

import botocore.session
import pytest
from botocore.exceptions import ClientError

if "BatchGetMetrics" not in botocore.session.get_session().get_service_model(
        "sagemaker-metrics").operation_names:
    pytest.skip("this botocore's model has no BatchGetMetrics (added in botocore 1.35)",
                allow_module_level=True)

ARN = "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/tc"
# A whole hour, so that minutes and five-minute groups start where the test expects them.
HOUR = (datetime.now(timezone.utc) - timedelta(hours=1)).replace(minute=0, second=0,
                                                                   microsecond=0)


def millis(when: datetime) -> int:
    return int(when.timestamp()) * 1000


@pytest.fixture
def metrics(sm_experiments):
    return sm_experiments.client(service="sagemaker-metrics")


@pytest.fixture
def tc(sm_client):
    sm_client.create_trial_component(TrialComponentName="tc")
    return ARN


def put(metrics, points, name="loss"):
    """points: (step or None, value, seconds after HOUR)."""
    data = []
    for step, value, offset in points:
        item = {"MetricName": name, "Value": value, "Timestamp": HOUR + timedelta(seconds=offset)}
        if step is not None:
            item["Step"] = step
        data.append(item)
    for start in range(0, len(data), 10):
        metrics.batch_put_metrics(TrialComponentName="tc", MetricData=data[start:start + 10])


def query(metrics, stat="Avg", period="IterationNumber", axis="IterationNumber", name="loss",
          arn=ARN, **bounds):
    (result,) = metrics.batch_get_metrics(MetricQueries=[{
        "MetricName": name, "ResourceArn": arn, "MetricStat": stat, "Period": period,
        "XAxisType": axis, **bounds}])["MetricQueryResults"]
    return result


POINTS = [(0, 4.0, 0), (0, 2.0, 10), (1, 3.0, 70), (2, 1.0, 130), (2, 5.0, 400),
          (None, 9.0, 3599)]


@pytest.mark.parametrize(("stat", "expected"), [
    ("Min", [2.0, 3.0, 1.0]),
    ("Max", [4.0, 3.0, 5.0]),
    ("Avg", [3.0, 3.0, 3.0]),
    ("Count", [2.0, 1.0, 2.0]),
    ("StdDev", [statistics.stdev([4.0, 2.0]), 0.0, statistics.stdev([1.0, 5.0])]),
    ("Last", [2.0, 3.0, 5.0]),
])
def test_by_step(metrics, tc, stat, expected):
    put(metrics, POINTS)
    result = query(metrics, stat=stat)
    assert result == {"Status": "Complete", "XAxisValues": [0, 1, 2],
                      "MetricValues": pytest.approx(expected)}


@pytest.mark.parametrize(("period", "width", "groups"), [
    ("OneMinute", 60, {0: [4.0, 2.0], 1: [3.0], 2: [1.0], 6: [5.0], 59: [9.0]}),
    ("FiveMinute", 300, {0: [4.0, 2.0, 3.0, 1.0], 1: [5.0], 11: [9.0]}),
    ("OneHour", 3600, {0: [4.0, 2.0, 3.0, 1.0, 5.0, 9.0]}),
])
def test_by_time(metrics, tc, period, width, groups):
    put(metrics, POINTS)
    result = query(metrics, stat="Max", period=period, axis="Timestamp")
    start = millis(HOUR)
    assert result["Status"] == "Complete"
    assert result["XAxisValues"] == [start + index * width * 1000 for index in groups]
    assert result["MetricValues"] == [max(values) for values in groups.values()]
    counts = query(metrics, stat="Count", period=period, axis="Timestamp")["MetricValues"]
    assert counts == [float(len(values)) for values in groups.values()]


def test_x_values_ascend_whatever_order_the_points_were_logged_in(metrics, tc):
    """Steps logged 3, 1, 2 (and times logged late first) come back in ascending x order, each
    value beside its own x."""
    put(metrics, [(3, 30.0, 0), (1, 10.0, 60), (2, 20.0, 120)])
    assert query(metrics) == {"Status": "Complete", "XAxisValues": [1, 2, 3],
                              "MetricValues": [10.0, 20.0, 30.0]}
    put(metrics, [(None, 7.0, 900), (None, 5.0, 300), (None, 6.0, 600)], name="by-time")
    by_time = query(metrics, name="by-time", period="FiveMinute", axis="Timestamp")
    start = millis(HOUR)
    assert by_time["XAxisValues"] == [start + 300_000, start + 600_000, start + 900_000]
    assert by_time["MetricValues"] == [5.0, 6.0, 7.0]


def test_last_is_the_latest_point_and_ties_go_to_the_last_sent(metrics, tc):
    put(metrics, [(0, 1.0, 20), (0, 2.0, 5), (1, 3.0, 30), (1, 4.0, 30)])
    assert query(metrics, stat="Last")["MetricValues"] == [1.0, 4.0]


def test_start_and_end_bound_the_points_times(metrics, tc):
    """Start included, End excluded, in epoch milliseconds."""
    put(metrics, POINTS)
    bounded = query(metrics, stat="Count", period="OneMinute", axis="Timestamp",
                    Start=millis(HOUR) + 10_000, End=millis(HOUR) + 130_000)
    assert bounded["XAxisValues"] == [millis(HOUR), millis(HOUR) + 60_000]
    assert bounded["MetricValues"] == [1.0, 1.0]
    by_step = query(metrics, stat="Count", Start=millis(HOUR) + 70_000)
    assert (by_step["XAxisValues"], by_step["MetricValues"]) == ([1, 2], [1.0, 2.0])


def test_points_without_a_step_are_on_no_iteration(metrics, tc):
    put(metrics, [(None, 1.0, 0), (None, 2.0, 1)])
    assert query(metrics) == {"Status": "Complete", "XAxisValues": [], "MetricValues": []}
    assert query(metrics, period="OneHour", axis="Timestamp")["MetricValues"] == [1.5]


def test_unknown_metric_is_an_empty_complete_result(metrics, tc):
    put(metrics, POINTS)
    assert query(metrics, name="accuracy") == {
        "Status": "Complete", "XAxisValues": [], "MetricValues": []}


def test_queries_are_answered_in_order_each_on_its_own(metrics, tc, sm_experiments):
    put(metrics, POINTS)
    ghost = ARN.replace("/tc", "/ghost")
    job = "arn:aws:sagemaker:us-east-1:123456789012:training-job/job"
    base = {"MetricName": "loss", "MetricStat": "Max", "Period": "IterationNumber",
            "XAxisType": "IterationNumber"}
    results = metrics.batch_get_metrics(MetricQueries=[
        {**base, "ResourceArn": ARN},
        {**base, "ResourceArn": ghost},
        {**base, "ResourceArn": job},
        {**base, "ResourceArn": ARN, "XAxisType": "Timestamp"},
        {**base, "ResourceArn": ARN, "Period": "OneMinute"},
        {**base, "ResourceArn": ARN, "MetricStat": "Min"},
    ])["MetricQueryResults"]
    assert [r["Status"] for r in results] == [
        "Complete", "ValidationError", "ValidationError", "ValidationError", "ValidationError",
        "Complete"]
    assert results[1] == {
        "Status": "ValidationError",
        "Message": f"Resource '{ghost}' does not exist or has no metrics.",
        "XAxisValues": [], "MetricValues": []}
    assert results[3]["Message"] == (
        "Period IterationNumber cannot be used with XAxisType Timestamp.")
    assert results[4]["Message"] == (
        "Period OneMinute cannot be used with XAxisType IterationNumber.")
    assert results[5]["MetricValues"] == [2.0, 3.0, 1.0]
    call = sm_experiments.calls.one("BatchGetMetrics")
    assert (call.service, call.succeeded) == ("sagemaker-metrics", True)


def test_other_account_or_region_is_not_found(metrics, tc, sm_experiments):
    put(metrics, POINTS)
    for other in (ARN.replace("us-east-1", "eu-west-1"),
                  ARN.replace("123456789012", "444455556666")):
        assert query(metrics, arn=other)["Status"] == "ValidationError"


def test_model_validation(metrics, tc):
    with pytest.raises(ClientError) as raised:
        metrics.batch_get_metrics(MetricQueries=[{
            "MetricName": "loss", "ResourceArn": ARN, "MetricStat": "Median",
            "Period": "OneMinute", "XAxisType": "Timestamp"}])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must satisfy enum value set: [Min, Max, Avg, Count, StdDev, Last]" in (
        raised.value.response["Error"]["Message"])
    with pytest.raises(ClientError) as raised:
        metrics.batch_get_metrics(MetricQueries=[{
            "MetricName": "loss", "ResourceArn": ARN, "MetricStat": "Min",
            "Period": "OneMinute", "XAxisType": "Timestamp"}] * 101)
    assert "Member must have length less than or equal to 100" in (
        raised.value.response["Error"]["Message"])


def test_points_without_a_step_are_on_no_iteration_wherever_they_are(metrics, tc):
    put(metrics, [(0, 1.0, 0), (None, 9.0, 10), (1, 3.0, 20), (None, 7.0, 30), (2, 5.0, 40)])
    result = query(metrics, stat="Max")
    assert (result["XAxisValues"], result["MetricValues"]) == ([0, 1, 2], [1.0, 3.0, 5.0])


@pytest.mark.parametrize("arn", [
    "arn:aws:sagemaker:us-east-1:123456789012:experiment/tc",
    "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/",
    "arn:aws:sagemaker:eu-west-1:123456789012:experiment-trial-component/tc",
    "arn:aws:sagemaker:us-east-1:210987654321:experiment-trial-component/tc",
])
def test_an_arn_that_names_no_trial_component_here_has_no_metrics(metrics, tc, arn):
    put(metrics, [(0, 1.0, 0)])
    result = query(metrics, arn=arn)
    assert result["Status"] == "ValidationError"
    assert result["Message"] == f"Resource '{arn}' does not exist or has no metrics."
