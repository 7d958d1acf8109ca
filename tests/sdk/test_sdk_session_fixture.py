"""The ``sm_session`` fixture: a SageMaker SDK ``Session`` bound to the mock, built once per
region and shared across tests, telemetry off whatever the environment says."""

from __future__ import annotations

import threading

import pytest

from pytest_sm_experiments.sdk_session import build_session

TELEMETRY_ON = ("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
                "      TelemetryOptOut: false\n")


def test_one_session_serves_every_test_each_with_its_own_mock(pytester, sdk):
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("""
        SEEN = []

        def test_first(sm_session, sm_experiments):
            SEEN.append(sm_session)
            sm_session.sagemaker_client.create_experiment(ExperimentName="only-here")
            assert list(sm_experiments.experiments) == ["only-here"]

        def test_second(sm_session, sm_experiments):
            SEEN.append(sm_session)
            assert SEEN[0] is SEEN[1]
            assert list(sm_experiments.experiments) == []
            sm_session.sagemaker_client.create_experiment(ExperimentName="only-here")
            assert sm_experiments.calls.operations == ["CreateExperiment"]
    """)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


@pytest.mark.sm_experiments(region="eu-west-1", account_id="444455556666")
def test_session_follows_the_mock_region_and_account(sdk, sm_session, sm_experiments):
    assert sm_session.boto_region_name == "eu-west-1"
    assert sm_session.account_id() == "444455556666"
    sm_session.sagemaker_client.create_experiment(ExperimentName="here")
    assert list(sm_experiments.experiments) == ["here"]


@pytest.mark.sm_experiments(account_id="444455556666")
def test_default_bucket_is_resolved_again_in_each_test(sdk, sm_session, s3):
    """The Session caches its default bucket's name (it holds the account id); the fixture
    forgets it, so a test in another account gets its own bucket, in its own S3."""
    assert sm_session.default_bucket() == "sagemaker-us-east-1-444455556666"
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == [
        "sagemaker-us-east-1-444455556666"]


def test_default_bucket_in_the_default_account(sdk, sm_session, s3):
    assert sm_session.default_bucket() == "sagemaker-us-east-1-123456789012"


def test_telemetry_is_off_whatever_the_user_config_says(sdk, sm_experiments, network_attempts,
                                                       monkeypatch, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text(TELEMETRY_ON)
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    before = set(threading.enumerate())

    session = build_session(sm_experiments.options.region)
    with sdk.Run(experiment_name="exp", run_name="quiet", sagemaker_session=session) as run:
        run.log_parameter("lr", 0.1)

    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert network_attempts == []
    assert session.sagemaker_config["SageMaker"]["PythonSDK"]["Modules"] == {
        "TelemetryOptOut": True}
    assert sm_experiments.trial_components["exp-quiet"].parameters == {"lr": 0.1}
