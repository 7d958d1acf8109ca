"""Trial operations as AWS answers them, through real botocore clients."""

from __future__ import annotations

import pytest
import strategies as S
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"


@pytest.fixture
def experiment(sm_client):
    sm_client.create_experiment(ExperimentName="Churn-Model")
    return "Churn-Model"


def test_create_and_describe(sm_client, sm_experiments, experiment):
    response = sm_client.create_trial(
        TrialName="Run-1", ExperimentName="churn-MODEL", DisplayName="First-Run",
        MetadataProperties={"CommitId": "abc123", "Repository": "git@x"},
        Tags=[{"Key": "team", "Value": "risk"}])
    assert response["TrialArn"] == PREFIX + "experiment-trial/run-1"
    described = sm_client.describe_trial(TrialName="RUN-1")
    described.pop("ResponseMetadata")
    assert set(described) == {"TrialName", "TrialArn", "DisplayName", "ExperimentName",
                              "CreationTime", "LastModifiedTime", "MetadataProperties",
                              "CreatedBy", "LastModifiedBy"}
    assert described["TrialName"] == "Run-1"
    assert described["DisplayName"] == "First-Run"
    # The experiment's own spelling, not the one the request used.
    assert described["ExperimentName"] == "Churn-Model"
    assert described["MetadataProperties"] == {"CommitId": "abc123", "Repository": "git@x"}
    assert described["CreationTime"] == described["LastModifiedTime"]
    record = sm_experiments.trials["run-1"]
    assert record.experiment_name == "Churn-Model"
    assert record.tags == {"team": "risk"}
    assert record.trial_component_names == ()


def test_describe_without_optional_members(sm_client, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    described = sm_client.describe_trial(TrialName="Run-1")
    assert described["DisplayName"] == "Run-1"
    assert "MetadataProperties" not in described
    assert "Tags" not in described


def test_create_in_missing_experiment_is_resource_not_found(sm_client, sm_experiments):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.create_trial(TrialName="Run-1", ExperimentName="Nope")
    assert raised.value.response["Error"]["Message"] == (
        f"Experiment '{PREFIX}experiment/nope' does not exist.")
    assert len(sm_experiments.trials) == 0


def test_duplicate_name_in_other_case_is_refused(sm_client, sm_experiments, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial(TrialName="RUN-1", ExperimentName=experiment)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException", "Message": "Trial with name (RUN-1) already exists."}
    assert S.records(sm_experiments) == before


def test_describe_missing_trial(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.describe_trial(TrialName="Ghost")
    assert raised.value.response["Error"]["Message"] == (
        f"Trial '{PREFIX}experiment-trial/ghost' does not exist.")


def test_update_display_name(sm_client, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    assert sm_client.update_trial(TrialName="run-1", DisplayName="Renamed")["TrialArn"] == (
        PREFIX + "experiment-trial/run-1")
    described = sm_client.describe_trial(TrialName="Run-1")
    assert described["DisplayName"] == "Renamed"
    assert described["LastModifiedTime"] > described["CreationTime"]


def test_update_missing_trial(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.update_trial(TrialName="Ghost", DisplayName="x")


def test_delete_returns_arn_and_releases_the_experiment(sm_client, sm_experiments, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    assert sm_client.delete_trial(TrialName="RUN-1")["TrialArn"] == (
        PREFIX + "experiment-trial/run-1")
    assert "Run-1" not in sm_experiments.trials
    assert sm_client.list_trials(ExperimentName=experiment)["TrialSummaries"] == []
    sm_client.delete_experiment(ExperimentName=experiment)


def test_delete_with_components_is_refused(sm_client, sm_experiments, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    sm_client.create_trial_component(TrialComponentName="Step-1")
    sm_client.associate_trial_component(TrialComponentName="Step-1", TrialName="Run-1")
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.delete_trial(TrialName="Run-1")
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": f"Trial '{PREFIX}experiment-trial/run-1' still has trial components "
                   "associated; disassociate them before deleting the trial."}
    assert S.records(sm_experiments) == before


def test_delete_missing_trial(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.delete_trial(TrialName="Ghost")


@pytest.mark.sm_experiments(quotas={"trials_per_experiment": 2})
def test_trials_per_experiment_quota(sm_client, sm_experiments, experiment):
    sm_client.create_experiment(ExperimentName="Other")
    sm_client.create_trial(TrialName="a", ExperimentName=experiment)
    sm_client.create_trial(TrialName="b", ExperimentName=experiment)
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_trial(TrialName="c", ExperimentName=experiment)
    assert raised.value.response["Error"]["Message"] == (
        "The account-level service limit 'Total number of trials allowed in a single "
        "experiment, excluding those automatically created by SageMaker' is 2 Trials, with "
        "current utilization of 0 Trials and a request delta of 3 Trials. Please contact AWS "
        "support to request an increase for this limit.")
    assert S.records(sm_experiments) == before
    # The quota counts per experiment, and a deleted trial frees its place.
    sm_client.create_trial(TrialName="c", ExperimentName="Other")
    sm_client.delete_trial(TrialName="a")
    sm_client.create_trial(TrialName="d", ExperimentName=experiment)


@pytest.mark.sm_experiments(quotas={"trials": 1})
def test_trials_per_account_quota(sm_client, experiment):
    sm_client.create_trial(TrialName="a", ExperimentName=experiment)
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_trial(TrialName="b", ExperimentName=experiment)
    assert "'Total number of trials allowed per account' is 1 Trials" in (
        raised.value.response["Error"]["Message"])


def test_reserved_tag_prefix_on_create(sm_client, sm_experiments, experiment):
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial(TrialName="a", ExperimentName=experiment,
                               Tags=[{"Key": "aws:owner", "Value": "x"}])
    assert raised.value.response["Error"]["Message"] == (
        "System prefix 'aws:' reserved for AWS usage in tag key: aws:owner")
    assert len(sm_experiments.trials) == 0


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 1})
def test_create_refused_for_its_tags_stores_nothing(sm_client, sm_experiments, experiment):
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded):
        sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment,
                               Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert len(sm_experiments.trials) == 0
    assert sm_client.list_trials(ExperimentName=experiment)["TrialSummaries"] == []
    # Nothing points at the experiment: it can be deleted, and the name is free again.
    sm_client.delete_experiment(ExperimentName=experiment)
    sm_client.create_experiment(ExperimentName=experiment)
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment)
    assert list(sm_experiments.trials) == ["Run-1"]


def test_update_without_display_name_keeps_it(sm_client, experiment):
    sm_client.create_trial(TrialName="Run-1", ExperimentName=experiment, DisplayName="Shown")
    sm_client.update_trial(TrialName="Run-1")
    assert sm_client.describe_trial(TrialName="Run-1")["DisplayName"] == "Shown"
