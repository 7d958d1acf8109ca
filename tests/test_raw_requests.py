"""Requests sent straight to the hook, as no client would build them: bodies, timestamps and
strings at the edges of what JSON and Python can hold (found by tests/test_hostile.py's
generated requests, kept here as plain examples)."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ClientError

from pytest_sm_experiments import router

SAGEMAKER_URL = "https://api.sagemaker.us-east-1.amazonaws.com/"


def nested_search(depth: int) -> bytes:
    """A Search whose SearchExpression nests ``depth`` SubExpressions (built as text: json
    itself cannot encode that deep)."""
    inner = '{"Filters":[{"Name":"ExperimentName","Value":"a"}]}'
    return ('{"Resource":"Experiment","SearchExpression":' + '{"SubExpressions":[' * depth
            + inner + "]}" * depth + "}").encode()


@pytest.mark.parametrize("when", [1e20, -1e20, 1e300, 10**30, 253402300800, -62135596801])
def test_timestamp_outside_what_a_date_can_hold_is_a_validation_error(sm_experiments, when):
    body = json.dumps({"TrialComponentName": "tc", "StartTime": when}).encode()
    request = AWSPreparedRequest("POST", SAGEMAKER_URL, {}, body, False)
    response = router.before_send(request=request,
                                  event_name="before-send.sagemaker.CreateTrialComponent")
    error = json.loads(response.content)
    assert error["__type"] == "ValidationException"
    assert error["Message"].startswith("1 validation error detected: Value '")
    assert "at 'startTime' failed to satisfy constraint: Member must be a timestamp" in (
        error["Message"])
    assert len(sm_experiments.trial_components) == 0


def test_timestamps_at_the_ends_of_the_calendar_are_accepted(sm_client, sm_experiments):
    # Year 1 and year 9999 are what a datetime holds: whatever AWS does, the mock must not crash.
    for name, when in (("first", -62135596800), ("last", 253402300799)):
        body = json.dumps({"TrialComponentName": name, "StartTime": when}).encode()
        request = AWSPreparedRequest("POST", SAGEMAKER_URL, {}, body, False)
        response = router.before_send(request=request,
                                      event_name="before-send.sagemaker.CreateTrialComponent")
        assert response.status_code == 200
    assert sorted(sm_experiments.trial_components) == ["first", "last"]


def test_lone_surrogate_in_a_stored_value_round_trips(sm_client):
    sm_client.create_experiment(ExperimentName="s", Description="a\ud800b")
    assert sm_client.describe_experiment(ExperimentName="s")["Description"] == "a\ud800b"


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, nested_search(5_000)])
def test_body_nested_too_deeply_is_a_validation_error(sm_experiments, body):
    request = AWSPreparedRequest("POST", SAGEMAKER_URL, {}, body, False)
    response = router.before_send(request=request, event_name="before-send.sagemaker.Search")
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "__type": "ValidationException", "Message": "Request body is nested too deeply."}
    assert sm_experiments.calls[-1].error_code == "ValidationException"


def test_lone_surrogate_in_an_invalid_value_is_a_validation_error(sm_client):
    with pytest.raises(ClientError) as raised:
        sm_client.describe_experiment(ExperimentName="\ud800")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "Value '\ud800' at 'experimentName'" in raised.value.response["Error"]["Message"]


