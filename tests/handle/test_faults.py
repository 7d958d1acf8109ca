"""Fault injection as a client sees it: botocore retries what it retries for AWS, an injected
error changes nothing, and the journal shows it with its code.

Retried calls really sleep (botocore's jitter, under a second per retry here).
"""

from __future__ import annotations

from typing import Any

import pytest
import strategies as S
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sm_experiments import SageMakerExperimentsMock

STANDARD = Config(retries={"mode": "standard", "total_max_attempts": 3})


@pytest.fixture
def retrying_client(sm_experiments):
    return sm_experiments.client(config=STANDARD)


def test_injected_throttle_is_retried_and_shows_in_retry_attempts(sm_experiments,
                                                                   retrying_client):
    sm_experiments.inject_error("CreateExperiment", "ThrottlingException", "Rate exceeded")
    response = retrying_client.create_experiment(ExperimentName="after-throttle")
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [call.error_code for call in sm_experiments.calls] == ["ThrottlingException", None]
    assert sm_experiments.calls[0].error_message == "Rate exceeded"
    assert list(sm_experiments.experiments) == ["after-throttle"]
    assert sm_experiments.unused_injected_errors == []


def test_injected_server_error_is_retried_until_attempts_run_out(sm_experiments):
    # (botocore reads "max_attempts" as retries; total_max_attempts counts the first call.)
    client = sm_experiments.client(config=Config(retries={"mode": "standard",
                                                          "total_max_attempts": 2}))
    sm_experiments.inject_error("CreateExperiment", "InternalFailure", times=2, http_status=500)
    with pytest.raises(ClientError) as raised:
        client.create_experiment(ExperimentName="never")
    assert raised.value.response["Error"]["Code"] == "InternalFailure"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [call.error_code for call in sm_experiments.calls] == ["InternalFailure"] * 2
    assert len(sm_experiments.experiments) == 0


def test_injected_client_error_is_not_retried(sm_experiments, retrying_client):
    sm_experiments.inject_error("CreateExperiment", "AccessDeniedException", "Not allowed")
    with pytest.raises(ClientError) as raised:
        retrying_client.create_experiment(ExperimentName="denied")
    assert raised.value.response["Error"] == {"Code": "AccessDeniedException",
                                              "Message": "Not allowed"}
    assert raised.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert len(sm_experiments.calls) == 1
    retrying_client.create_experiment(ExperimentName="denied")  # once only
    assert list(sm_experiments.experiments) == ["denied"]


def test_injected_modeled_code_raises_the_modeled_exception(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="there")
    sm_experiments.inject_error("DescribeExperiment", "ResourceNotFound", "gone")
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.describe_experiment(ExperimentName="there")
    assert sm_client.describe_experiment(ExperimentName="there")["ExperimentName"] == "there"


def test_injected_errors_are_answered_in_order(sm_experiments, sm_client):
    sm_experiments.inject_error("CreateExperiment", "AccessDeniedException")
    sm_experiments.inject_error("CreateExperiment", "ResourceLimitExceeded", times=2)
    codes = []
    for _ in range(4):
        try:
            sm_client.create_experiment(ExperimentName="x")
            codes.append("ok")
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])
    assert codes == ["AccessDeniedException", "ResourceLimitExceeded",
                     "ResourceLimitExceeded", "ok"]


def test_injected_error_comes_before_validation(sm_experiments):
    # A throttled request is refused before AWS looks at it: even an invalid one.
    client = sm_experiments.client(config=Config(retries={"total_max_attempts": 1}))
    sm_experiments.inject_error("CreateExperiment", "ThrottlingException")
    with pytest.raises(ClientError) as raised:
        client.create_experiment(ExperimentName="not valid!")
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert sm_experiments.calls[-1].params == {"ExperimentName": "not valid!"}


# -- every served operation: an injected error changes nothing -----------------------------------

@pytest.fixture(scope="module")
def faulty() -> Any:
    mock = SageMakerExperimentsMock(region=S.REGION, account_id=S.ACCOUNT)
    with mock:
        no_retry = Config(parameter_validation=False, retries={"total_max_attempts": 1})
        clients = {service: mock.client(service=service, config=no_retry)
                   for service in {service for service, _ in S.served()}}
        yield mock, clients


@pytest.mark.slow
@settings(max_examples=settings.default.max_examples)
@given(data=st.data(), code=st.sampled_from(["ThrottlingException", "ResourceLimitExceeded",
                                             "ConflictException", "InternalFailure"]))
def test_injected_error_on_any_operation_changes_nothing_and_is_journaled(faulty, data, code):
    mock, clients = faulty
    mock.reset()
    S.seed(mock, clients["sagemaker"])
    service, operation = data.draw(st.sampled_from(S.served()), label="operation")
    params = data.draw(S.request(service, operation, "valid"), label="params")
    before = S.snapshot(mock)
    mock.inject_error(operation, code, "injected")
    with pytest.raises(ClientError) as raised:
        getattr(clients[service], S.method_name(operation))(**params)
    assert raised.value.response["Error"]["Code"] == code
    assert S.snapshot(mock) == before
    recorded = mock.calls[-1]
    assert (recorded.operation, recorded.error_code, recorded.error_message) == (
        operation, code, "injected")
    assert recorded.response is None
    assert mock.unused_injected_errors == []


def test_an_injected_error_used_once_of_twice_is_not_unused(sm_experiments, sm_client):
    injected = sm_experiments.inject_error("DescribeExperiment", "ResourceNotFound", times=2)
    unused = sm_experiments.inject_error("DeleteExperiment", "ResourceNotFound")
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.describe_experiment(ExperimentName="a")
    assert (injected.used, injected.remaining) == (1, 1)
    assert sm_experiments.unused_injected_errors == [unused]
    sm_experiments.reset()  # the fixture fails a test that leaves an injected error unused
