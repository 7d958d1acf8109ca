"""Behaviours decided from public evidence (README, "Fidelity notes"): each test's docstring
names the evidence. UpdateTrialComponent's set-and-remove and the linked-component delete are in
test_trial_components.py."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from pytest_sm_experiments.options import QUOTAS


def test_created_by_and_last_modified_by_are_empty_structures(sm_client):
    """INFERRED: AWS's responses carry CreatedBy/LastModifiedBy (the SageMaker SDK v2 drops
    CreatedBy from DescribeTrialComponent's answer, sagemaker/experiments/trial_component.py
    ``_boto_ignore``); a UserContext only has members for Studio user profiles and, for model
    packages and projects, IAM identities (model docs), which a plain API caller has none of;
    moto answers ``{}`` too. Present wherever the model has them: Describe*, the trial
    component summary (List), Search records and a trial's component summaries."""
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.create_trial(TrialName="t", ExperimentName="exp")
    sm_client.create_trial_component(TrialComponentName="tc")
    sm_client.associate_trial_component(TrialComponentName="tc", TrialName="t")
    for described in (sm_client.describe_experiment(ExperimentName="exp"),
                      sm_client.describe_trial(TrialName="t"),
                      sm_client.describe_trial_component(TrialComponentName="tc"),
                      sm_client.list_trial_components()["TrialComponentSummaries"][0]):
        assert (described["CreatedBy"], described["LastModifiedBy"]) == ({}, {})
    for resource, member in (("Experiment", "Experiment"), ("ExperimentTrial", "Trial"),
                             ("ExperimentTrialComponent", "TrialComponent")):
        (record,) = sm_client.search(Resource=resource)["Results"]
        assert (record[member]["CreatedBy"], record[member]["LastModifiedBy"]) == ({}, {})
    (trial,) = sm_client.search(Resource="ExperimentTrial")["Results"]
    assert trial["Trial"]["TrialComponentSummaries"][0]["CreatedBy"] == {}
    # The List summaries of experiments and trials have no such members in the model.
    assert "CreatedBy" not in sm_client.list_experiments()["ExperimentSummaries"][0]
    assert "CreatedBy" not in sm_client.list_trials()["TrialSummaries"][0]


def test_search_unknown_property_wording(sm_client):
    """INFERRED: ``Unknown property name: <name>`` is the text moto's Search gives as AWS's
    (getmoto/moto, moto/sagemaker/models.py); AWS publishes none. Used for filters and
    SortBy alike."""
    for params in ({"SearchExpression": {"Filters": [{"Name": "TrialName", "Value": "x"}]}},
                   {"SortBy": "TrialName"}):
        with pytest.raises(ClientError) as raised:
            sm_client.search(Resource="ExperimentTrialComponent", **params)
        assert raised.value.response["Error"] == {
            "Code": "ValidationException", "Message": "Unknown property name: TrialName"}


@pytest.fixture
def metrics(sm_experiments, sm_client):
    sm_client.create_trial_component(TrialComponentName="tc")
    return sm_experiments.client(service="sagemaker-metrics")


def _item(value: float) -> dict[str, object]:
    return {"MetricName": "loss", "Value": value, "Timestamp": datetime.now(timezone.utc)}


def test_batch_put_metrics_success_leaves_errors_out(metrics, sm_experiments):
    """INFERRED: the model makes ``Errors`` at least one item long, so a successful answer
    leaves it out rather than sending ``[]``; the SageMaker SDK reads it only
    ``if "Errors" in response`` (experiments/_metrics.py)."""
    response = metrics.batch_put_metrics(TrialComponentName="tc", MetricData=[_item(1.0)])
    assert "Errors" not in response
    assert sm_experiments.calls.one("BatchPutMetrics").response == {}


def test_batch_put_metrics_reports_bad_items_only(metrics):
    """CONFIRMED shape (model): a bad item is an ``Errors`` entry with its index."""
    old = {**_item(2.0), "Timestamp": datetime(2001, 1, 1, tzinfo=timezone.utc)}
    response = metrics.batch_put_metrics(TrialComponentName="tc",
                                         MetricData=[_item(1.0), old])
    assert response["Errors"] == [{"Code": "VALIDATION_ERROR", "MetricIndex": 1}]


def test_batch_put_metrics_for_a_missing_component(metrics):
    """CHOICE (kept): the whole request fails with ResourceNotFound. Nothing public shows AWS's
    answer; moto instead answers HTTP 200 with one VALIDATION_ERROR entry at index 0, which
    would hide a wrong name behind a generic per-item code."""
    with pytest.raises(ClientError) as raised:
        metrics.batch_put_metrics(TrialComponentName="ghost", MetricData=[_item(1.0)])
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"


def test_metric_summaries_have_no_source_arn(metrics, sm_client):
    """CHOICE: a TrialComponentMetricSummary's SourceArn names the job that emitted the metric
    (training jobs' metrics); points put through BatchPutMetrics have no such source, and no
    public response shows one, so the member is left out."""
    metrics.batch_put_metrics(TrialComponentName="tc", MetricData=[_item(1.0)])
    (summary,) = sm_client.describe_trial_component(TrialComponentName="tc")["Metrics"]
    assert "SourceArn" not in summary


def test_components_per_trial_default_is_kept():
    """CHOICE (kept at 10,000): AWS's service quotas pages list no trial-components-per-trial
    quota; the only report (aws/sagemaker-python-sdk#3646) says "apparently" 50, quotes no
    error and no quota name. A default of 50 would fail suites that log more than 50 runs in
    one experiment (the SDK puts every run of an experiment in one trial) on a guess; a test
    can set ``quotas={"components_per_trial": 50}`` to check its code against that report."""
    assert QUOTAS["components_per_trial"].default == 10_000


@pytest.mark.sm_experiments(quotas={"components_per_trial": 50})
def test_the_reported_50_can_be_tried(sm_client):
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.create_trial(TrialName="t", ExperimentName="exp")
    for index in range(51):
        sm_client.create_trial_component(TrialComponentName=f"c{index}")
    for index in range(50):
        sm_client.associate_trial_component(TrialComponentName=f"c{index}", TrialName="t")
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded):
        sm_client.associate_trial_component(TrialComponentName="c50", TrialName="t")
