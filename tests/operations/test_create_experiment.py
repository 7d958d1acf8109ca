"""CreateExperiment and DescribeExperiment as AWS answers them, through real clients."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_create_returns_lowercase_arn_and_request_id(sm_client):
    response = sm_client.create_experiment(ExperimentName="Churn-Model")
    assert response["ExperimentArn"] == (
        "arn:aws:sagemaker:us-east-1:123456789012:experiment/churn-model")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(response["ResponseMetadata"]["RequestId"]) == 36


def test_describe_is_case_insensitive_and_keeps_created_spelling(sm_client):
    sm_client.create_experiment(ExperimentName="Churn-Model", Description="d")
    described = sm_client.describe_experiment(ExperimentName="cHURN-mODEL")
    assert described["ExperimentName"] == "Churn-Model"
    assert described["DisplayName"] == "Churn-Model"
    assert described["Description"] == "d"
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert "Tags" not in described


def test_duplicate_name_in_other_case_is_validation_exception(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn-Model")
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="CHURN-MODEL")
    error = raised.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == "Experiment with name (CHURN-MODEL) already exists."
    assert list(sm_experiments.experiments) == ["Churn-Model"]


def test_missing_experiment_is_modeled_resource_not_found(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.describe_experiment(ExperimentName="Nope")
    assert raised.value.response["Error"]["Message"] == (
        "Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/nope' does not exist.")


@pytest.mark.sm_experiments(quotas={"experiments": 2})
def test_quota_raises_resource_limit_exceeded(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="a")
    sm_client.create_experiment(ExperimentName="b")
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_experiment(ExperimentName="c")
    assert raised.value.response["Error"]["Message"] == (
        "The account-level service limit 'Total number of experiments allowed per account' is 2 "
        "Experiments, with current utilization of 0 Experiments and a request delta of 3 "
        "Experiments. Please contact AWS support to request an increase for this limit.")
    assert sorted(sm_experiments.experiments) == ["a", "b"]


def test_several_failures_in_one_message(boto3_client):
    with pytest.raises(ClientError) as raised:
        boto3_client.create_experiment(ExperimentName="bad name!", DisplayName="x" * 121)
    message = raised.value.response["Error"]["Message"]
    # 121 characters break both the length and the pattern ({0,119} repeats): 3 failures.
    assert message.startswith("3 validation errors detected: ")
    assert ("Value 'bad name!' at 'experimentName' failed to satisfy constraint: Member must "
            "satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}") in message
    assert ("at 'displayName' failed to satisfy constraint: Member must have length less than "
            "or equal to 120") in message


def test_tags_recorded_as_dict(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Churn-Model",
                                Tags=[{"Key": "team", "Value": "risk"}])
    sm_experiments.assert_called("CreateExperiment", ExperimentName="Churn-Model")
    assert sm_experiments.experiments["churn-model"].tags == {"team": "risk"}
