"""How a team tests its SageMaker Experiments code with pytest-sm-experiments.

Run: pytest examples   (the plugin is active as soon as the package is installed)
"""

from __future__ import annotations

import boto3
import pytest
import tracking
from botocore.exceptions import ClientError

from pytest_sm_experiments import SageMakerExperimentsMock, mock_sm_experiments


# 1. The fixture: a fresh mock per test, and `sm_client`, a ready SageMaker client.
def test_registers_experiment(sm_experiments: SageMakerExperimentsMock, sm_client):
    tracking.start(sm_client, "Churn-Model", tags={"team": "risk"})

    sm_experiments.assert_called_once("CreateExperiment", ExperimentName="Churn-Model")
    assert sm_experiments.experiments["churn-model"].tags == {"team": "risk"}


# 2. Get-or-create: the second start finds the experiment, whatever the letter case.
def test_second_start_loads_the_existing_experiment(sm_experiments, sm_client):
    first = tracking.start(sm_client, "Churn-Model", description="v1")
    again = tracking.start(sm_client, "CHURN-MODEL")

    assert again["ExperimentArn"] == first["ExperimentArn"]
    assert again["Description"] == "v1"
    failed = sm_experiments.calls.filter("CreateExperiment")[-1]
    assert failed.error_code == "ValidationException"
    assert "already exists" in (failed.error_message or "")


# 3. The marker sets options; on its own it also activates the mock.
@pytest.mark.sm_experiments(region="eu-west-1", account_id="111122223333")
def test_marker_options():
    client = boto3.client("sagemaker", region_name="eu-west-1")
    described = tracking.start(client, "Fraud")
    assert described["ExperimentArn"] == (
        "arn:aws:sagemaker:eu-west-1:111122223333:experiment/fraud")


# 4. Quotas: AWS's ResourceLimitExceeded, as botocore's modeled exception.
@pytest.mark.sm_experiments(quotas={"experiments": 1})
def test_quota_is_enforced(sm_client):
    tracking.start(sm_client, "One")
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded):
        tracking.start(sm_client, "Two")


# 5. The decorator: a fresh mock around each call of the test.
@mock_sm_experiments(region="us-west-2")
def test_decorator():
    client = boto3.client("sagemaker", region_name="us-west-2")
    assert tracking.start(client, "Decorated")["ExperimentName"] == "Decorated"


# 6. The context manager, for a block inside any test (or outside pytest entirely).
def test_context_manager():
    with mock_sm_experiments() as sm:
        tracking.start(sm.client(), "Scoped")
        assert "scoped" in sm.experiments
    assert not sm.running


# 7. Fault injection: botocore retries a throttle, as it would against AWS.
def test_throttling_is_retried(sm_experiments, sm_client):
    sm_experiments.inject_error("CreateExperiment", "ThrottlingException", "Rate exceeded")
    described = tracking.start(sm_client, "Retried")

    assert described["ExperimentName"] == "Retried"
    assert [call.error_code for call in sm_experiments.calls.filter("CreateExperiment")] == [
        "ThrottlingException", None]


# 8. Errors the code must not swallow reach the caller unchanged.
def test_other_errors_propagate(sm_experiments, sm_client):
    sm_experiments.inject_error("CreateExperiment", "AccessDeniedException", "Not allowed")
    with pytest.raises(ClientError) as raised:
        tracking.start(sm_client, "Denied")
    assert raised.value.response["Error"]["Code"] == "AccessDeniedException"
    sm_experiments.assert_not_called("DescribeExperiment")


# 9. Bad input gets AWS's validation message, and nothing is stored.
def test_invalid_name_is_rejected_like_aws(sm_experiments, sm_client):
    with pytest.raises(ClientError, match="Member must satisfy regular expression pattern"):
        tracking.start(sm_client, "churn model v2")
    assert len(sm_experiments.experiments) == 0
