"""Requests sent straight to the hook, as no client would build them: bodies, timestamps and
strings at the edges of what JSON and Python can hold (found by tests/test_hostile.py's
generated requests, kept here as plain examples)."""

from __future__ import annotations

import json

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ClientError
from strategies import nested_search

from pytest_sm_experiments.inprocess import hook

SAGEMAKER_URL = "https://api.sagemaker.us-east-1.amazonaws.com/"


@pytest.mark.parametrize("when", [1e20, -1e20, 1e300, 10**30, 253402300800, -62135596801])
def test_timestamp_outside_what_a_date_can_hold_is_a_validation_error(sm_experiments, when):
    body = json.dumps({"TrialComponentName": "tc", "StartTime": when}).encode()
    request = AWSPreparedRequest("POST", SAGEMAKER_URL, {}, body, False)
    response = hook.before_send(request=request,
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
        response = hook.before_send(request=request,
                                      event_name="before-send.sagemaker.CreateTrialComponent")
        assert response.status_code == 200
    assert sorted(sm_experiments.trial_components) == ["first", "last"]


def test_lone_surrogate_in_a_stored_value_round_trips(sm_client):
    sm_client.create_experiment(ExperimentName="s", Description="a\ud800b")
    assert sm_client.describe_experiment(ExperimentName="s")["Description"] == "a\ud800b"


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000, nested_search(5_000)])
def test_body_nested_too_deeply_is_a_validation_error(sm_experiments, body):
    request = AWSPreparedRequest("POST", SAGEMAKER_URL, {}, body, False)
    response = hook.before_send(request=request, event_name="before-send.sagemaker.Search")
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "__type": "ValidationException", "Message": "Request body is nested too deeply."}
    assert sm_experiments.calls[-1].error_code == "ValidationException"


def test_lone_surrogate_in_an_invalid_value_is_a_validation_error(sm_client):
    with pytest.raises(ClientError) as raised:
        sm_client.describe_experiment(ExperimentName="\ud800")
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "Value '\ud800' at 'experimentName'" in raised.value.response["Error"]["Message"]




def _send(operation: str, body: bytes | str, service: str = "sagemaker",
          url: str = SAGEMAKER_URL) -> tuple[int, dict[str, str], dict[str, object]]:
    request = AWSPreparedRequest("POST", url, {}, body, False)
    response = hook.before_send(request=request, event_name=f"before-send.{service}.{operation}")
    return response.status_code, dict(response.headers), json.loads(response.content)


def _one_failure(path: str, constraint: str, value: str) -> dict[str, str]:
    return {"__type": "ValidationException",
            "Message": f"1 validation error detected: Value {value} at '{path}' failed to "
                       f"satisfy constraint: {constraint}"}


@pytest.mark.parametrize(("operation", "params", "expected"), [
    ("CreateExperiment", {"ExperimentName": 5},
     _one_failure("experimentName", "Member must be a string", "'5'")),
    ("CreateExperiment", {"ExperimentName": True},
     _one_failure("experimentName", "Member must be a string", "'true'")),
    ("CreateExperiment", {"ExperimentName": "e", "Tags": {}},
     _one_failure("tags", "Member must be a list", "'{}'")),
    ("CreateExperiment", {"ExperimentName": "e", "Tags": [5]},
     _one_failure("tags.1.member", "Member must be a structure", "'5'")),
    ("CreateExperiment", {"ExperimentName": "e",
                          "Tags": [{"Key": "k", "Value": "v"}, {"Key": ""}]},
     {"__type": "ValidationException",
      "Message": "2 validation errors detected: Value null at 'tags.2.member.value' failed to "
                 "satisfy constraint: Member must not be null; Value '' at 'tags.2.member.key' "
                 "failed to satisfy constraint: Member must have length greater than or equal "
                 "to 1"}),
    ("CreateTrialComponent", {"TrialComponentName": "c", "Parameters": []},
     _one_failure("parameters", "Member must be a map", "'[]'")),
    ("CreateTrialComponent", {"TrialComponentName": "c",
                              "Parameters": {"p": {"NumberValue": "x"}}},
     _one_failure("parameters.p.numberValue", "Member must be a number", "'x'")),
    ("CreateTrialComponent", {"TrialComponentName": "c",
                              "Parameters": {"p": {"NumberValue": False}}},
     _one_failure("parameters.p.numberValue", "Member must be a number", "'false'")),
    ("CreateTrialComponent", {"TrialComponentName": "c",
                              "Parameters": {"k" * 321: {"StringValue": "v"}}},
     _one_failure("parameters.key", "Member must have length less than or equal to 320",
                  "'" + "k" * 321 + "'")),
    ("CreateTrialComponent", {"TrialComponentName": "c", "Status": {"PrimaryStatus": "Done"}},
     _one_failure("status.primaryStatus", "Member must satisfy enum value set: [InProgress, "
                  "Completed, Failed, Stopping, Stopped]", "'Done'")),
    ("CreateTrialComponent", {"TrialComponentName": "c", "Status": "Completed"},
     _one_failure("status", "Member must be a structure", "'Completed'")),
    ("ListExperiments", {"MaxResults": 1.5},
     _one_failure("maxResults", "Member must be an integer", "'1.5'")),
    ("ListExperiments", {"MaxResults": True},
     _one_failure("maxResults", "Member must be an integer", "'true'")),
    ("ListExperiments", {"SortOrder": "Sideways"},
     _one_failure("sortOrder", "Member must satisfy enum value set: [Ascending, Descending]",
                  "'Sideways'")),
    ("ListExperiments", {"CreatedAfter": "yesterday"},
     _one_failure("createdAfter", "Member must be a timestamp in epoch seconds", "'yesterday'")),
])
def test_wrong_types_and_limits_are_worded_as_aws_words_them(sm_experiments, operation,
                                                              params, expected):
    status, _, body = _send(operation, json.dumps(params).encode())
    assert (status, body) == (400, expected)
    assert len(sm_experiments.experiments) == len(sm_experiments.trial_components) == 0


def test_a_value_no_double_holds_is_not_finite(sm_experiments):
    status, _, body = _send("CreateTrialComponent", b'{"TrialComponentName": "c", '
                            b'"Parameters": {"p": {"NumberValue": NaN}}}')
    assert (status, body) == (400, _one_failure("parameters.p.numberValue",
                                                "Member must be a finite number", "'nan'"))


@pytest.mark.parametrize(("body", "message"), [
    (b"[]", "Request body must be a JSON object."),
    (b'"text"', "Request body must be a JSON object."),
    (b"{", "Request body could not be parsed as JSON."),
    (b"\xff\xfe{", "Request body could not be parsed as JSON."),
])
def test_bodies_that_are_no_json_object(sm_experiments, body, message):
    assert _send("ListExperiments", body)[::2] == (
        400, {"__type": "ValidationException", "Message": message})
    # Recorded as a call that sent no members.
    (call,) = sm_experiments.calls
    assert (call.operation, call.service, call.params, call.error_code) == (
        "ListExperiments", "sagemaker", {}, "ValidationException")
    assert sm_experiments.calls.filter("ListExperiments", MaxResults=None) == []


@pytest.mark.parametrize("body", [
    '{"ExperimentName": "e"}',  # a str body
    b'\xef\xbb\xbf{"ExperimentName": "e"}',  # UTF-8 with a byte-order mark
    '{"ExperimentName": "e"}'.encode("utf-16"),
    '{"ExperimentName": "e"}'.encode("utf-32-le"),
])
def test_bodies_json_can_read_are_read(sm_experiments, body):
    status, headers, answer = _send("CreateExperiment", body)
    assert status == 200
    assert answer == {"ExperimentArn": "arn:aws:sagemaker:us-east-1:123456789012:experiment/e"}
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert list(sm_experiments.experiments) == ["e"]


def test_an_empty_body_has_no_members(sm_experiments):
    assert _send("CreateExperiment", b"")[::2] == (400, _one_failure(
        "experimentName", "Member must not be null", "null"))


def test_each_protocol_answers_with_its_content_type(sm_experiments):
    sm_experiments.client().create_trial_component(TrialComponentName="tc")
    _, headers, _ = _send(
        "BatchPutMetrics", b'{"TrialComponentName": "tc", "MetricData": []}',
        service="sagemaker-metrics",
        url="https://metrics.sagemaker.us-east-1.amazonaws.com/BatchPutMetrics")
    assert headers["Content-Type"] == "application/json"
    request = AWSPreparedRequest("POST", "https://sts.us-east-1.amazonaws.com/", {},
                                 b"Action=GetCallerIdentity&Version=2011-06-15&Extra=", False)
    response = hook.before_send(request=request,
                                  event_name="before-send.sts.GetCallerIdentity")
    assert response.headers["Content-Type"] == "text/xml"
    assert b"<Account>123456789012</Account>" in response.content
    assert sm_experiments.calls[-1].params == {
        "Action": "GetCallerIdentity", "Version": "2011-06-15", "Extra": ""}


# -- validation of raw bodies: numbers that are not finite, members after a null one, members
# the model does not have, query bodies that are not UTF-8 --


@pytest.mark.parametrize(("number", "shown"), [(b"Infinity", "'inf'"), (b"-Infinity", "'-inf'")])
def test_an_infinite_number_is_not_finite(sm_experiments, number, shown):
    status, _, body = _send("CreateTrialComponent", b'{"TrialComponentName": "c", '
                            b'"Parameters": {"p": {"NumberValue": ' + number + b"}}}")
    assert (status, body) == (400, _one_failure("parameters.p.numberValue",
                                                "Member must be a finite number", shown))
    assert len(sm_experiments.trial_components) == 0


def test_members_after_a_null_one_are_still_checked(sm_experiments):
    status, _, body = _send("CreateExperiment",
                            b'{"DisplayName": null, "ExperimentName": "bad name"}')
    assert (status, body) == (400, _one_failure(
        "experimentName", "Member must satisfy regular expression pattern: "
        "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}", "'bad name'"))
    assert len(sm_experiments.experiments) == 0


def test_a_member_the_model_does_not_have_is_ignored(sm_experiments):
    status, _, body = _send("CreateExperiment",
                            b'{"ExperimentName": "e", "Colour": 5, "Description": "d"}')
    assert (status, body) == (
        200, {"ExperimentArn": "arn:aws:sagemaker:us-east-1:123456789012:experiment/e"})
    assert sm_experiments.experiments["e"].description == "d"


def test_a_query_body_that_is_not_utf8_is_read_with_replacement_characters(sm_experiments):
    """STS's query protocol: bytes that are not UTF-8 do not stop the request (no Python error
    leaks); they read as U+FFFD."""
    request = AWSPreparedRequest(
        "POST", "https://sts.us-east-1.amazonaws.com/", {},
        b"Action=GetCallerIdentity&Version=2011-06-15&Note=caf\xe9", False)
    response = hook.before_send(request=request,
                                  event_name="before-send.sts.GetCallerIdentity")
    assert response.status_code == 200
    assert b"<Account>123456789012</Account>" in response.content
    assert sm_experiments.calls[-1].params == {
        "Action": "GetCallerIdentity", "Version": "2011-06-15", "Note": "caf\ufffd"}
