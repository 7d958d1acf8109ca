"""The ``sm_session`` fixture: a SageMaker SDK ``Session`` bound to the mock, built once per
region and shared across tests, with the user's SDK config (telemetry stays silent: the
boundary's)."""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
import threading
import types

import boto3
import botocore.handlers
import pytest
from botocore.awsrequest import AWSResponse

from pytest_sm_experiments.sdk_session import build_session, shared_session

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


def test_telemetry_is_silent_whatever_the_user_config_says(sdk, sm_experiments,
                                                          network_attempts, monkeypatch,
                                                          tmp_path):
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
    # The session holds the user's config, telemetry on; the boundary kept it from sending.
    assert session.sagemaker_config["SageMaker"]["PythonSDK"]["Modules"] == {
        "TelemetryOptOut": False}
    assert sm_experiments.trial_components["exp-quiet"].parameters == {"lr": 0.1}


# -- What the Session holds, and moto's hooks -----------------------------------------------
# A running mock puts its own fake credentials and region into the environment, and a Session
# built there without its own would read those: these tests build sessions where the shell says
# otherwise, and manage moto's presence in sys.modules themselves (whether an earlier test, or
# the collection of another file, imported moto is an accident of the run).

def _shell_with_real_looking_aws(monkeypatch) -> None:
    """No mock running, and a shell whose region and credentials are not the mock's."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    monkeypatch.setenv("AWS_REGION", "ap-southeast-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASHELLUSERKEY0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "shell-user-secret")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "shell-user-token")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def _credentials(session) -> tuple[str | None, str | None, str | None]:
    frozen = session.boto_session.get_credentials().get_frozen_credentials()
    return frozen.access_key, frozen.secret_key, frozen.token


def test_a_built_session_takes_neither_region_nor_credentials_from_the_shell(sdk, monkeypatch):
    _shell_with_real_looking_aws(monkeypatch)
    session = build_session("eu-west-1")
    assert session.boto_region_name == "eu-west-1"
    assert session.sagemaker_client.meta.region_name == "eu-west-1"
    assert _credentials(session) == (
        "AKIAMOCKSMEXPERIMENTS", "pytest-sm-experiments-fake-secret-key", None)


def test_a_shared_session_is_built_in_the_region_asked_for(sdk, monkeypatch):
    _shell_with_real_looking_aws(monkeypatch)
    session = shared_session({}, "eu-west-1")
    assert session.boto_region_name == "eu-west-1"
    assert _credentials(session)[0] == "AKIAMOCKSMEXPERIMENTS"


@pytest.mark.sm_experiments(region="eu-central-1")
def test_the_fixture_session_holds_the_fake_key_pair_only(sdk, sm_session):
    assert sm_session.boto_region_name == "eu-central-1"
    assert _credentials(sm_session) == (
        "AKIAMOCKSMEXPERIMENTS", "pytest-sm-experiments-fake-secret-key", None)


def test_the_users_sdk_config_applies(sdk, sm_experiments, s3, monkeypatch, tmp_path):
    """The session is built without a config of the fixture's own, so the user's defaults
    file (here through the SDK's override variable) applies, as to any Session."""
    config = tmp_path / "config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
                      "      Session:\n        DefaultS3Bucket: team-bucket\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    session = shared_session({}, sm_experiments.options.region)
    assert session.default_bucket() == "team-bucket"
    assert [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]] == ["team-bucket"]


_STAND_IN_BUCKETS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Owner><ID>stand-in</ID></Owner><Buckets><Bucket><Name>answered-by-the-stand-in</Name>"
    b"<CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>"
    b"</ListAllMyBucketsResult>")


class _Raw:
    """The part of a urllib3 response that botocore reads a body from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, amt: int = 1024, **_):
        yield self._body


def _answer_s3(request, **_):
    """What moto's stubber does on import: a before-send hook that answers S3."""
    if ".s3." not in request.url and "//s3." not in request.url:
        return None
    return AWSResponse(request.url, 200, {}, _Raw(_STAND_IN_BUCKETS))


class _StandInMoto(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """An installed, not yet imported ``moto`` that, like moto, adds a builtin botocore
    handler when it is imported."""

    def find_spec(self, name, path, target=None):
        return importlib.util.spec_from_loader(name, self) if name == "moto" else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _answer_s3))


class _Uninstalled(importlib.abc.MetaPathFinder):
    """sys.meta_path without ``moto``: it is not installed."""

    def __init__(self, finders) -> None:
        self._finders = list(finders)

    def find_spec(self, name, path, target=None):
        if name == "moto" or name.startswith("moto."):
            return None
        for finder in self._finders:
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                return spec
        return None


def _moto_not_imported(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # remembered, so the teardown restores it
    monkeypatch.delitem(sys.modules, "moto")
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS",
                        list(botocore.handlers.BUILTIN_HANDLERS))


def test_moto_installed_is_imported_before_the_session_so_its_hooks_are_in_it(
        sdk, sm_experiments, monkeypatch):
    _moto_not_imported(monkeypatch)
    monkeypatch.setattr(sys, "meta_path", [_StandInMoto(), *sys.meta_path])
    session = shared_session({}, sm_experiments.options.region)
    assert "moto" in sys.modules
    assert [bucket["Name"] for bucket in session.s3_client.list_buckets()["Buckets"]] == [
        "answered-by-the-stand-in"]


def test_without_moto_installed_the_session_is_built_all_the_same(
        sdk, sm_experiments, monkeypatch):
    _moto_not_imported(monkeypatch)
    monkeypatch.setattr(sys, "meta_path", [_Uninstalled(sys.meta_path)])
    session = shared_session({}, sm_experiments.options.region)
    assert "moto" not in sys.modules
    assert session.boto_region_name == "us-east-1"


def test_a_moto_already_in_sys_modules_is_left_as_it_is(sdk, sm_experiments, monkeypatch):
    """A stand-in module a test put there (no import spec: it was never imported) is used as
    it is, not looked up again."""
    stand_in = types.ModuleType("moto")
    monkeypatch.setitem(sys.modules, "moto", stand_in)
    session = shared_session({}, sm_experiments.options.region)
    assert sys.modules["moto"] is stand_in
    assert session.boto_region_name == "us-east-1"
