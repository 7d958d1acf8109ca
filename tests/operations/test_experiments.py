"""ListExperiments, UpdateExperiment and DeleteExperiment as users see them through botocore."""

from __future__ import annotations

import boto3
import pytest
import strategies as S
from botocore.exceptions import ClientError

ARN = "arn:aws:sagemaker:us-east-1:123456789012:experiment/"


def test_list_returns_summaries_newest_first_by_default(sm_client):
    for name in ("First", "Second", "Third"):
        sm_client.create_experiment(ExperimentName=name, DisplayName=f"{name}-shown")
    summaries = sm_client.list_experiments()["ExperimentSummaries"]
    assert [s["ExperimentName"] for s in summaries] == ["Third", "Second", "First"]
    first = summaries[-1]
    assert set(first) == {"ExperimentArn", "ExperimentName", "DisplayName", "CreationTime",
                          "LastModifiedTime"}
    assert first["ExperimentArn"] == ARN + "first"
    assert first["DisplayName"] == "First-shown"


def test_list_of_nothing_is_empty_without_token(sm_client):
    response = sm_client.list_experiments()
    assert response["ExperimentSummaries"] == []
    assert "NextToken" not in response


def test_update_changes_display_name_and_description(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn", Description="old")
    created = sm_client.describe_experiment(ExperimentName="Churn")
    response = sm_client.update_experiment(ExperimentName="CHURN", DisplayName="Churn-v2",
                                           Description="new")
    assert response["ExperimentArn"] == ARN + "churn"
    described = sm_client.describe_experiment(ExperimentName="churn")
    assert described["ExperimentName"] == "Churn"
    assert described["DisplayName"] == "Churn-v2"
    assert described["Description"] == "new"
    assert described["CreationTime"] == created["CreationTime"]
    assert described["LastModifiedTime"] > created["LastModifiedTime"]
    record = sm_experiments.experiments["churn"]
    assert (record.display_name, record.description) == ("Churn-v2", "new")


def test_update_keeps_members_that_are_not_sent(sm_client):
    sm_client.create_experiment(ExperimentName="Churn", DisplayName="Shown", Description="d")
    sm_client.update_experiment(ExperimentName="Churn", Description="")
    described = sm_client.describe_experiment(ExperimentName="Churn")
    assert described["DisplayName"] == "Shown"
    assert described["Description"] == ""


def test_update_missing_experiment_is_resource_not_found(sm_client, sm_experiments):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.update_experiment(ExperimentName="Ghost", DisplayName="x")
    assert raised.value.response["Error"]["Message"] == (
        f"Experiment '{ARN}ghost' does not exist.")
    assert len(sm_experiments.experiments) == 0


def test_update_validates_display_name(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn")
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.update_experiment(ExperimentName="Churn", DisplayName="bad name")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "at 'displayName' failed to satisfy constraint" in (
        raised.value.response["Error"]["Message"])
    assert S.records(sm_experiments) == before


def test_delete_returns_arn_and_frees_the_name(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn")
    assert sm_client.delete_experiment(ExperimentName="churn")["ExperimentArn"] == ARN + "churn"
    assert "Churn" not in sm_experiments.experiments
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.describe_experiment(ExperimentName="Churn")
    assert sm_client.list_experiments()["ExperimentSummaries"] == []
    sm_client.create_experiment(ExperimentName="CHURN")
    assert list(sm_experiments.experiments) == ["CHURN"]


def test_delete_missing_experiment_is_resource_not_found(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.delete_experiment(ExperimentName="Ghost")
    assert raised.value.response["Error"]["Message"] == (
        f"Experiment '{ARN}ghost' does not exist.")


def test_delete_with_trials_is_refused_and_changes_nothing(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn")
    sm_client.create_trial(TrialName="Run-1", ExperimentName="Churn")
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.delete_experiment(ExperimentName="Churn")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        f"Experiment '{ARN}churn' still has trials; delete its trials before deleting the "
        "experiment.")
    assert S.records(sm_experiments) == before
    sm_client.delete_trial(TrialName="Run-1")
    sm_client.delete_experiment(ExperimentName="Churn")
    assert len(sm_experiments.experiments) == 0


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 2})
def test_create_with_more_tags_than_the_quota_is_refused(sm_client, sm_experiments):
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(3)]
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_experiment(ExperimentName="Churn", Tags=tags)
    assert raised.value.response["Error"]["Message"] == (
        "The account-level service limit 'Total number of tags allowed per resource' is 2 Tags, "
        "with current utilization of 0 Tags and a request delta of 3 Tags. Please contact AWS "
        "support to request an increase for this limit.")
    assert len(sm_experiments.experiments) == 0
    sm_client.create_experiment(ExperimentName="Churn", Tags=tags[:2])  # at the quota
    assert sm_experiments.experiments["churn"].tags == {"k0": "v", "k1": "v"}


@pytest.mark.sm_experiments(quotas={"experiments": 0})
def test_a_quota_of_zero_refuses_the_first_create(sm_client, sm_experiments):
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_experiment(ExperimentName="Churn")
    assert "'Total number of experiments allowed per account' is 0 Experiments, with current " \
        "utilization of 0 Experiments and a request delta of 1 Experiments." in (
            raised.value.response["Error"]["Message"])
    assert sm_experiments.options.quotas["experiments"] == 0
    assert len(sm_experiments.experiments) == 0


def test_seeding_unrecorded_serves_but_does_not_journal(sm_client, sm_experiments):
    with sm_experiments.unrecorded():
        sm_client.create_experiment(ExperimentName="Seeded")
        sm_client.create_trial(TrialName="Seeded-Trial", ExperimentName="Seeded")
        sm_client.create_trial_component(TrialComponentName="Seeded-Component")
        sm_client.associate_trial_component(TrialComponentName="Seeded-Component",
                                            TrialName="Seeded-Trial")
        sm_client.add_tags(ResourceArn=ARN + "seeded", Tags=[{"Key": "k", "Value": "v"}])
    assert len(sm_experiments.calls) == 0
    assert sm_experiments.trials["seeded-trial"].trial_component_names == ("Seeded-Component",)
    assert sm_experiments.experiments["seeded"].tags == {"k": "v"}
    sm_client.update_experiment(ExperimentName="Seeded", DisplayName="Now")
    assert [call.operation for call in sm_experiments.calls] == ["UpdateExperiment"]


def test_update_of_the_display_name_keeps_the_description(sm_client):
    sm_client.create_experiment(ExperimentName="Churn", Description="kept")
    sm_client.update_experiment(ExperimentName="Churn", DisplayName="Renamed")
    described = sm_client.describe_experiment(ExperimentName="Churn")
    assert (described["DisplayName"], described["Description"]) == ("Renamed", "kept")


# -- arn_case="preserve": each name's letter case in its ARN ------------------------------

@pytest.mark.sm_experiments(arn_case="preserve")
def test_preserve_keeps_each_names_letter_case_in_its_arn(sm_client):
    sm_client.create_experiment(ExperimentName="Churn-Model")
    sm_client.create_trial(TrialName="Trial-A", ExperimentName="Churn-Model")
    sm_client.create_trial_component(TrialComponentName="Step-One")
    prefix = "arn:aws:sagemaker:us-east-1:123456789012:"
    assert sm_client.describe_experiment(ExperimentName="Churn-Model")["ExperimentArn"] == (
        prefix + "experiment/Churn-Model")
    assert sm_client.describe_trial(TrialName="Trial-A")["TrialArn"] == (
        prefix + "experiment-trial/Trial-A")
    assert sm_client.describe_trial_component(TrialComponentName="Step-One")[
        "TrialComponentArn"] == prefix + "experiment-trial-component/Step-One"


# -- a missing name: where the error says to look --

def test_a_missing_name_says_which_account_and_region_hold_it(sm_experiments, sm_client):
    with sm_experiments.use_account("210987654321"):
        boto3.client("sagemaker", region_name="eu-west-1").create_experiment(
            ExperimentName="Elsewhere")
    view = sm_experiments.region("eu-west-1", "210987654321")
    assert (view.account_id, view.region, list(view.experiments)) == (
        "210987654321", "eu-west-1", ["Elsewhere"])
    with pytest.raises(KeyError) as raised:
        sm_experiments.experiments["elsewhere"]
    assert raised.value.args[0] == (
        "no experiment named 'elsewhere' in account 123456789012, region us-east-1, which this "
        "view shows; it exists in account 210987654321, region eu-west-1: "
        "sm_experiments.region('eu-west-1', '210987654321').experiments['elsewhere']")
