"""The call journal as a test reads it: filters, the assertion helpers and their messages."""

from __future__ import annotations

import json
import pickle
import uuid

import pytest
from botocore.awsrequest import AWSPreparedRequest
from botocore.exceptions import ClientError

from pytest_sm_experiments import CallJournal, RecordedCall
from pytest_sm_experiments.inprocess import hook


@pytest.fixture
def journal(sm_experiments, sm_client) -> CallJournal:
    """Three calls: two creates (one with a DisplayName) and a failed describe."""
    sm_client.create_experiment(ExperimentName="a", DisplayName="First")
    sm_client.create_experiment(ExperimentName="b")
    with pytest.raises(ClientError):
        sm_client.describe_experiment(ExperimentName="c")
    return sm_experiments.calls


RENDERED = """Recorded calls (3):
  1. CreateExperiment(ExperimentName='a', DisplayName='First') -> ok [us-east-1/123456789012]
  2. CreateExperiment(ExperimentName='b') -> ok [us-east-1/123456789012]
  3. DescribeExperiment(ExperimentName='c') -> ResourceNotFound: Experiment 'arn:aws:sagemaker:\
us-east-1:123456789012:experiment/c' does not exist. [us-east-1/123456789012]"""


def test_render_lists_every_call_numbered(journal):
    assert journal.render() == RENDERED


def test_render_of_an_empty_journal(sm_experiments):
    assert sm_experiments.calls.render() == "No calls were recorded."
    assert repr(sm_experiments.calls) == "CallJournal(0 calls)"


def test_filter_by_operation_and_params(journal):
    assert [call.params["ExperimentName"] for call in journal.filter("CreateExperiment")] == [
        "a", "b"]
    assert [call.params["ExperimentName"] for call in journal.filter(
        DisplayName="First")] == ["a"]
    assert [call.operation for call in journal.filter()] == [
        "CreateExperiment", "CreateExperiment", "DescribeExperiment"]
    assert journal.filter("CreateExperiment", ExperimentName="c") == []
    assert journal.filter("DeleteExperiment") == []


def test_a_member_sent_as_null_is_journaled_as_not_sent(sm_experiments, journal):
    # Smithy's JSON 1.1 server rule: a null member is a member not sent, so the journal shows
    # the call the service saw, and filtering on None matches no call.
    body = json.dumps({"ExperimentName": "d", "Description": None}).encode()
    request = AWSPreparedRequest("POST", "https://api.sagemaker.us-east-1.amazonaws.com/", {},
                                 body, False)
    hook.before_send(request=request, event_name="before-send.sagemaker.CreateExperiment")
    assert sm_experiments.calls.one("CreateExperiment", ExperimentName="d").params == {
        "ExperimentName": "d"}
    assert sm_experiments.calls.filter("CreateExperiment", Description=None) == []


def test_one_returns_the_single_match(journal):
    assert journal.one("CreateExperiment", ExperimentName="b").params == {"ExperimentName": "b"}
    assert journal.one(DisplayName="First").params["ExperimentName"] == "a"


@pytest.mark.parametrize(("operation", "params", "wanted", "found"), [
    ("CreateExperiment", {}, "CreateExperiment()", 2),
    ("DeleteExperiment", {}, "DeleteExperiment()", 0),
    (None, {"ExperimentName": "z", "DisplayName": "Z"},
     "<any operation>(ExperimentName='z', DisplayName='Z')", 0),
])
def test_one_and_assert_called_once_refuse_none_or_several(journal, operation, params, wanted,
                                                           found):
    for helper in (journal.one, journal.assert_called_once):
        if operation is None and helper == journal.assert_called_once:
            continue
        with pytest.raises(AssertionError) as raised:
            helper(operation, **params)
        assert str(raised.value) == (
            f"expected exactly one call matching {wanted}, found {found}\n{RENDERED}")


def test_assert_called_once_on_an_empty_journal(sm_experiments):
    with pytest.raises(AssertionError) as raised:
        sm_experiments.assert_called_once("CreateExperiment")
    assert str(raised.value) == (
        "expected exactly one call matching CreateExperiment(), found 0\nNo calls were recorded.")


def test_assert_called_once_returns_the_call(sm_experiments, journal):
    call = sm_experiments.assert_called_once("CreateExperiment", DisplayName="First")
    assert call.params == {"ExperimentName": "a", "DisplayName": "First"}
    assert call is journal[0]


def test_assert_called_returns_the_last_match(sm_experiments, journal):
    assert sm_experiments.assert_called("CreateExperiment") is journal[1]
    with pytest.raises(AssertionError) as raised:
        sm_experiments.assert_called("CreateExperiment", ExperimentName="c")
    assert str(raised.value) == (
        f"expected a call matching CreateExperiment(ExperimentName='c'), none found\n{RENDERED}")


def test_assert_not_called(sm_experiments, journal):
    sm_experiments.assert_not_called("DeleteExperiment")
    sm_experiments.assert_not_called("CreateExperiment", ExperimentName="c")
    with pytest.raises(AssertionError) as raised:
        sm_experiments.assert_not_called("CreateExperiment", ExperimentName="b")
    assert str(raised.value) == (
        f"expected no call matching CreateExperiment(ExperimentName='b'), found 1\n{RENDERED}")
    with pytest.raises(AssertionError) as raised:
        sm_experiments.assert_not_called()
    assert str(raised.value).startswith("expected no call matching <any operation>(), found 3\n")


def test_journal_is_a_read_only_sequence(journal):
    assert len(journal) == 3
    assert journal.operations == ["CreateExperiment", "CreateExperiment", "DescribeExperiment"]
    assert isinstance(journal[1:], CallJournal)
    assert [call.params["ExperimentName"] for call in journal[1:]] == ["b", "c"]
    assert journal[-1].operation == "DescribeExperiment"
    assert journal == list(journal)
    assert journal == CallJournal(list(journal))
    assert journal != journal[1:]
    assert journal != list(journal)[1:]
    assert journal.__eq__(42) is NotImplemented
    with pytest.raises(TypeError):
        hash(journal)
    assert repr(journal) == "CallJournal(3 calls)"


def test_recorded_call_says_whether_it_succeeded(journal):
    ok, _, failed = journal
    assert (ok.succeeded, failed.succeeded) == (True, False)
    assert (failed.error_code, failed.response) == ("ResourceNotFound", None)
    assert isinstance(ok, RecordedCall)


@pytest.mark.parametrize(("call", "failure"), [
    ('sm_experiments.assert_called_once("CreateExperiment")',
     "expected exactly one call matching CreateExperiment(), found 0"),
    ('sm_experiments.calls.assert_called_once("CreateExperiment")',
     "expected exactly one call matching CreateExperiment(), found 0"),
    ('sm_experiments.calls.one("CreateExperiment")',
     "expected exactly one call matching CreateExperiment(), found 0"),
    ('sm_experiments.assert_called("CreateExperiment")',
     "expected a call matching CreateExperiment(), none found"),
    ('sm_experiments.calls.assert_called("CreateExperiment")',
     "expected a call matching CreateExperiment(), none found"),
    ("sm_experiments.assert_not_called()", "expected no call matching <any operation>()"),
    ("sm_experiments.calls.assert_not_called()",
     "expected no call matching <any operation>()"),
])
def test_assertion_helpers_hide_their_own_frames(pytester: pytest.Pytester, call: str,
                                                 failure: str) -> None:
    # The traceback of a failed assertion ends in the test, not inside the plugin.
    pytester.makepyfile(f"""
        def test_fails(sm_experiments, sm_client):
            if "not_called" in {call!r}:
                sm_client.list_experiments()
            {call}
    """)
    result = pytester.runpytest("-p", "no:asyncio", "-p", "no:randomly", "--tb=long")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert failure in output
    assert "recorder.py" not in output
    assert "mock.py" not in output


def test_each_call_has_the_request_id_its_answer_carried(sm_experiments, sm_client):
    answers = [sm_client.create_experiment(ExperimentName=name) for name in ("a", "b")]
    with pytest.raises(ClientError) as raised:
        sm_client.describe_experiment(ExperimentName="c")
    sent = [answer["ResponseMetadata"]["RequestId"] for answer in answers]
    sent.append(raised.value.response["ResponseMetadata"]["RequestId"])
    assert [call.request_id for call in sm_experiments.calls] == sent
    assert len(set(sent)) == 3
    assert all(str(uuid.UUID(request_id)) == request_id for request_id in sent)


def test_an_injected_sts_error_is_answered_in_sts_xml(sm_experiments):
    sm_experiments.inject_error("GetCallerIdentity", "ExpiredToken", "The token <expired> & more")
    with pytest.raises(ClientError) as raised:
        sm_experiments.client(service="sts").get_caller_identity()
    assert raised.value.response["Error"] == {
        "Type": "Sender", "Code": "ExpiredToken", "Message": "The token <expired> & more"}
    assert sm_experiments.calls.one("GetCallerIdentity").error_code == "ExpiredToken"


# -- a recorded call: its process, the last of several matches, as plain data -----------------

def _call(pid, name="a"):
    return RecordedCall("CreateExperiment", {"ExperimentName": name}, {}, None, None,
                        "us-east-1", "123456789012", pid=pid)


def test_a_call_of_another_process_names_it_and_one_of_this_process_does_not():
    import os

    assert _call(os.getpid()).describe() == (
        "CreateExperiment(ExperimentName='a') -> ok [us-east-1/123456789012]")
    assert _call(4242).describe() == (
        "CreateExperiment(ExperimentName='a') -> ok [us-east-1/123456789012, pid 4242]")
    assert _call(None).describe() == (
        "CreateExperiment(ExperimentName='a') -> ok [us-east-1/123456789012, pid unknown]")


def test_assert_called_returns_the_last_of_three_matching_calls(sm_client, sm_experiments):
    for name in ("first", "second", "third"):
        sm_client.create_experiment(ExperimentName=name)
    found = sm_experiments.assert_called("CreateExperiment")
    assert found.params == {"ExperimentName": "third"}


def test_a_recorded_call_as_plain_data(sm_client, sm_experiments):
    import os

    sm_client.create_experiment(ExperimentName="churn")
    with pytest.raises(ClientError):
        sm_client.describe_experiment(ExperimentName="nope")
    created, missing = (call.to_dict() for call in sm_experiments.calls)
    assert created == {
        "operation": "CreateExperiment", "service": "sagemaker",
        "params": {"ExperimentName": "churn"},
        "response": {"ExperimentArn": "arn:aws:sagemaker:us-east-1:123456789012:experiment/churn"},
        "error_code": None, "error_message": None, "region": "us-east-1",
        "account_id": "123456789012", "request_id": created["request_id"], "pid": os.getpid(),
        "succeeded": True}
    assert uuid.UUID(created["request_id"])
    assert missing["response"] is None
    assert (missing["error_code"], missing["succeeded"]) == ("ResourceNotFound", False)
    assert missing["error_message"] == (
        "Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/nope' does not exist.")
    assert json.loads(json.dumps(created)) == created  # plain data, as the journal route sends it


def test_recorded_params_and_responses_cannot_be_changed_at_any_depth(sm_experiments,
                                                                        sm_client):
    sm_client.create_experiment(ExperimentName="a", Tags=[{"Key": "team", "Value": "ml"}])
    call = sm_experiments.calls[0]
    changes = [
        lambda: call.params.__setitem__("ExperimentName", "zzz"),
        lambda: call.params.pop("Tags"),
        lambda: call.params["Tags"].append({"Key": "k", "Value": "v"}),
        lambda: call.params["Tags"][0].__setitem__("Value", "other"),
        lambda: call.params["Tags"][0].update(Value="other"),
        lambda: call.response.__setitem__("ExperimentArn", "arn"),
        lambda: call.response.clear(),
    ]
    for change in changes:
        with pytest.raises(TypeError, match="cannot be changed"):
            change()
    # Still plain data to read, compare and serialise.
    assert call.params == {"ExperimentName": "a", "Tags": [{"Key": "team", "Value": "ml"}]}
    assert json.loads(json.dumps(call.to_dict()))["params"]["Tags"] == [
        {"Key": "team", "Value": "ml"}]
    assert pickle.loads(pickle.dumps(call)) == call
    assert sm_experiments.calls.one("CreateExperiment", ExperimentName="a") is call


def test_params_nested_deeper_than_the_stack_are_recorded():
    # A raw body may nest deeper than Python recurses (the hook answers a ValidationException
    # and records the call): freezing it must not raise RecursionError.
    deep = node = {}
    for _ in range(50_000):
        node["Next"] = [{}]
        node = node["Next"][0]
    call = RecordedCall("CreateExperiment", {"ExperimentName": deep}, None,
                        "ValidationException", "nested", "us-east-1", "123456789012")
    assert isinstance(call.params["ExperimentName"]["Next"][0], dict)
    with pytest.raises(TypeError):
        call.params["ExperimentName"]["Next"].append(1)
