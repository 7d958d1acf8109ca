"""Isolation: state never leaks between tests, mocks, accounts or regions, and a stopped mock
leaves botocore exactly as it found it.

The suite runs in random order (pytest-randomly) and under ``pytest -n 2``; the tests here are
written so that a leak in either setting fails one of them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import boto3
import botocore.handlers
import botocore.session
import pytest
import strategies as S
from botocore.config import Config
from botocore.exceptions import HTTPClientError

from pytest_sm_experiments import SageMakerExperimentsMock, active_mock, mock_sm_experiments

# A client created at import time, as a module under test might: it must reach whichever mock
# is running when it is called.
MODULE_CLIENT = boto3.session.Session().client(
    "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAMODULELEVEL",
    aws_secret_access_key="module", config=Config(retries={"total_max_attempts": 1}))


@pytest.mark.parametrize("attempt", range(4))
def test_state_starts_empty_in_every_test(sm_experiments, sm_client, attempt):
    # Each copy creates the same names; whichever runs second would see the first one's state.
    assert len(sm_experiments.experiments) == 0
    assert len(sm_experiments.calls) == 0
    assert sm_client.list_experiments()["ExperimentSummaries"] == []
    sm_client.create_experiment(ExperimentName="leak-check")
    MODULE_CLIENT.create_experiment(ExperimentName=f"module-{attempt}")
    assert sorted(sm_experiments.experiments) == ["leak-check", f"module-{attempt}"]


def test_module_level_client_follows_the_running_mock():
    with mock_sm_experiments() as first:
        MODULE_CLIENT.create_experiment(ExperimentName="one")
    with mock_sm_experiments() as second:
        MODULE_CLIENT.create_experiment(ExperimentName="one")  # no "already exists"
    assert list(first.experiments) == ["one"]
    assert list(second.experiments) == ["one"]


def test_nested_mock_has_its_own_state_and_stopping_it_reactivates_the_outer():
    with mock_sm_experiments() as outer:
        client = outer.client()
        client.create_experiment(ExperimentName="outer-exp")
        with mock_sm_experiments() as inner:
            assert active_mock() is inner
            with pytest.raises(client.exceptions.ResourceNotFound):
                client.describe_experiment(ExperimentName="outer-exp")
            client.create_experiment(ExperimentName="inner-exp")
        assert active_mock() is outer
        assert client.describe_experiment(ExperimentName="outer-exp")["ExperimentName"] == (
            "outer-exp")
        with pytest.raises(client.exceptions.ResourceNotFound):
            client.describe_experiment(ExperimentName="inner-exp")
    assert active_mock() is None
    assert [call.operation for call in inner.calls] == ["DescribeExperiment",
                                                        "CreateExperiment"]
    assert [call.params["ExperimentName"] for call in outer.calls] == [
        "outer-exp", "outer-exp", "inner-exp"]


def test_outer_stopped_first_leaves_the_inner_answering():
    outer = SageMakerExperimentsMock().start()
    inner = SageMakerExperimentsMock().start()
    try:
        outer.stop()
        assert active_mock() is inner
        inner.client().create_experiment(ExperimentName="x")
        assert "x" in inner.experiments
        assert "x" not in outer.experiments
    finally:
        inner.stop()
    assert active_mock() is None


def test_decorated_function_gets_a_fresh_mock_per_call():
    seen: list[int] = []

    @mock_sm_experiments
    def create_one() -> None:
        mock = active_mock()
        assert mock is not None
        seen.append(len(mock.experiments))
        mock.client().create_experiment(ExperimentName="same")

    create_one()
    create_one()
    assert seen == [0, 0]


def test_accounts_are_isolated(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="shared-name")
    with sm_experiments.use_account("111111111111"):
        # Same name, other account: no "already exists".
        arn = sm_client.create_experiment(ExperimentName="shared-name")["ExperimentArn"]
        assert ":111111111111:" in arn
        assert sm_client.describe_experiment(ExperimentName="shared-name")["ExperimentArn"] == arn
        if ("sts", "GetCallerIdentity") in S.served():
            sts = sm_experiments.client(service="sts")
            assert sts.get_caller_identity()["Account"] == "111111111111"
    default = sm_client.describe_experiment(ExperimentName="shared-name")["ExperimentArn"]
    assert f":{sm_experiments.account_id}:" in default
    assert len(sm_experiments.region(account_id="111111111111").experiments) == 1
    assert [call.account_id for call in sm_experiments.calls] == [
        "123456789012", "111111111111", "111111111111", *(
            ["111111111111"] if ("sts", "GetCallerIdentity") in S.served() else []),
        "123456789012"]


def test_regions_are_isolated(sm_experiments):
    east = sm_experiments.client(region="us-east-1")
    west = sm_experiments.client(region="eu-west-1")
    east_arn = east.create_experiment(ExperimentName="same")["ExperimentArn"]
    west_arn = west.create_experiment(ExperimentName="same")["ExperimentArn"]
    assert ":us-east-1:" in east_arn
    assert ":eu-west-1:" in west_arn
    west.create_experiment(ExperimentName="west-only")
    with pytest.raises(east.exceptions.ResourceNotFound):
        east.describe_experiment(ExperimentName="west-only")
    assert sorted(sm_experiments.region("eu-west-1").experiments) == ["same", "west-only"]
    assert list(sm_experiments.experiments) == ["same"]
    assert [call.region for call in sm_experiments.calls] == [
        "us-east-1", "eu-west-1", "eu-west-1", "us-east-1"]


_FRESH_PROCESS = """
import json, os
import botocore.handlers

def handlers():
    return [(spec[0], getattr(spec[1], "__module__", "")) for spec in
            botocore.handlers.BUILTIN_HANDLERS]

before, environment = handlers(), dict(os.environ)
from pytest_sm_experiments import active_mock, mock_sm_experiments

with mock_sm_experiments() as mock:
    mock.client().create_experiment(ExperimentName="x")
after = handlers()
print(json.dumps({"added": [spec for spec in after if spec not in before],
                  "kept": [spec for spec in before if spec in after] == before,
                  "environment": dict(os.environ) == environment,
                  "active": active_mock() is not None}))
"""


@pytest.mark.slow
def test_stopped_mock_leaves_a_fresh_process_as_it_found_it():
    # A fresh process: nothing any other test did can become the baseline.
    ran = subprocess.run([sys.executable, "-c", _FRESH_PROCESS], capture_output=True,
                         text=True, check=True, timeout=120)
    seen = json.loads(ran.stdout)
    # Only the dormant hooks stay behind (they answer nothing while no mock runs).
    assert [event for event, _ in seen["added"]] == ["choose-signer", "before-sign",
                                                     "before-send"]
    assert all(module.startswith("pytest_sm_experiments.") for _, module in seen["added"])
    assert (seen["kept"], seen["environment"], seen["active"]) == (True, True, False)


def test_stopped_mock_leaves_the_environment_as_the_session_started(network_attempts,
                                                                   session_aws_environ):
    assert active_mock() is None, "this test needs no mock running around it"
    mock = SageMakerExperimentsMock().start()
    client = mock.client(config=Config(retries={"total_max_attempts": 1}))
    client.create_experiment(ExperimentName="x")
    mock.stop()

    assert {key: value for key, value in os.environ.items()
            if key.startswith("AWS_")} == session_aws_environ
    assert active_mock() is None
    assert list(network_attempts) == []
    # Nothing answers any more: the same client now really tries to send.
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        client.describe_experiment(ExperimentName="x")
    assert len(network_attempts) == 1
    assert len(mock.calls) == 1


def test_reset_forgets_everything_but_keeps_running(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="x")
    sm_experiments.inject_error("CreateExperiment", "ThrottlingException")
    sm_experiments.reset()
    assert len(sm_experiments.experiments) == 0
    assert len(sm_experiments.calls) == 0
    assert sm_experiments.unused_injected_errors == []
    sm_client.create_experiment(ExperimentName="x")  # neither a duplicate nor throttled
    assert sm_experiments.calls[-1].succeeded


@pytest.mark.parametrize("first_stopped", ["moto", "mock"])
def test_moto_started_first_and_stopped_in_any_order_leaves_no_variable(first_stopped,
                                                                         session_aws_environ):
    moto = pytest.importorskip("moto")
    beside = moto.mock_aws()
    beside.start()
    mock = SageMakerExperimentsMock().start()
    for stop in ([beside.stop, mock.stop] if first_stopped == "moto"
                 else [mock.stop, beside.stop]):
        stop()
    assert {key: value for key, value in os.environ.items()
            if key.startswith("AWS_")} == session_aws_environ


def test_a_mock_start_puts_back_router_hooks_taken_out_of_botocore(monkeypatch):
    """Something took the router's hooks out of botocore's list of built-in handlers (say, a
    fixture that restores it to an earlier copy): the next mock start puts them back, so a
    session made afterwards is answered."""
    handlers = botocore.handlers.BUILTIN_HANDLERS
    first = min(index for index, spec in enumerate(handlers)
                if getattr(spec[1], "__module__", "").startswith("pytest_sm_experiments."))
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", handlers[:first])
    with mock_sm_experiments() as mock:
        client = botocore.session.Session().create_client(
            "sagemaker", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
        client.create_experiment(ExperimentName="after")
        assert [call.operation for call in mock.calls] == ["CreateExperiment"]
