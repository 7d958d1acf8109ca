"""No real credential signs anything, and the shell changes nothing, while a mock runs.

Real-looking keys sit in the environment, in a profile, in ``boto3.DEFAULT_SESSION`` and in
clients made before the mock started; botocore's own DEBUG log (which prints every request's
headers before it is sent) and a spy on every client show that none of them is ever used.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ProfileNotFound
from botocore_facts import PER_REQUEST_CREDENTIALS

from pytest_sm_experiments import RequestRefusedError, SageMakerExperimentsMock, mock_sm_experiments
from pytest_sm_experiments.inprocess import environment as hermetic

REAL_KEY = "AKIAIOSFODNN7REALKEY9"
REAL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSECRET9"
PROFILE_KEY = "AKIAIOSFODNN7PROFILE9"
PROFILE_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbPROFILESECRET9"
EXPLICIT_KEY = "AKIAIOSFODNN7EXPLICIT"
SECRETS = (REAL_KEY, REAL_SECRET, PROFILE_KEY, PROFILE_SECRET, EXPLICIT_KEY)
FAKE_KEY = "AKIAMOCKSMEXPERIMENTS"


@pytest.fixture
def real_machine(monkeypatch, tmp_path):
    """A developer's machine: keys in the environment, a profile, a region, settings."""
    config = tmp_path / "config"
    config.write_text(f"[profile prod]\nregion = ap-south-1\naws_access_key_id = {PROFILE_KEY}\n"
                      f"aws_secret_access_key = {PROFILE_SECRET}\n"
                      "[default]\nregion = ap-south-1\nmax_attempts = 9\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[prod]\naws_access_key_id = {PROFILE_KEY}\n"
                           f"aws_secret_access_key = {PROFILE_SECRET}\n")
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    variables = {
        "AWS_ACCESS_KEY_ID": REAL_KEY, "AWS_SECRET_ACCESS_KEY": REAL_SECRET,
        "AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1",
        "AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true",
        "AWS_MAX_ATTEMPTS": "9", "AWS_RETRY_MODE": "adaptive",
        "AWS_STS_REGIONAL_ENDPOINTS": "legacy", "AWS_CA_BUNDLE": str(tmp_path / "ca.pem"),
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return variables


@pytest.fixture
def botocore_log(caplog):
    """botocore's DEBUG log: it prints each request, headers and all, before sending it."""
    caplog.set_level(logging.DEBUG, logger="botocore")
    return caplog


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _spy(client: Any, seen: list[str]) -> Any:
    client.meta.events.register(
        "before-send", lambda request, **_: seen.append(f"{request.url} {request.headers!r}"))
    return client


# -- no real credential signs anything -------------------------------------------------------------

def test_no_request_carries_a_real_key_even_from_clients_made_before_the_mock(
        real_machine, botocore_log, network_attempts):
    moto = pytest.importorskip("moto")
    seen: list[str] = []
    one = Config(retries={"total_max_attempts": 1})
    # Made before the mock: the default session caches the environment's keys, a profile's
    # keys, keys given in code.
    early = [
        _spy(boto3.client("s3", region_name="us-east-1", config=one), seen),
        _spy(boto3.Session(profile_name="prod").client("s3", region_name="us-east-1",
                                                        config=one), seen),
        _spy(boto3.client("s3", region_name="us-east-1", aws_access_key_id=EXPLICIT_KEY,
                          aws_secret_access_key="secret", config=one), seen),
        _spy(boto3.client("sts", region_name="us-east-1", config=one), seen),
    ]
    assert boto3.DEFAULT_SESSION is not None
    with mock_sm_experiments() as mock:
        late = _spy(boto3.client("s3", region_name="us-east-1"), seen)
        for client in [*early[:3], late]:  # refused: nobody serves S3
            with pytest.raises(RequestRefusedError):
                client.list_buckets()
        with pytest.raises(RequestRefusedError):
            early[3].assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                                 RoleSessionName="session")
        early[3].get_caller_identity()  # ours: unsigned
        presigned = early[0].generate_presigned_url(
            "get_object", Params={"Bucket": "bucket", "Key": "key"})
        with moto.mock_aws():  # answered by moto, signed with the fake key
            late.create_bucket(Bucket="made-in-the-mock")
            assert [b["Name"] for b in early[1].list_buckets()["Buckets"]] == [
                "made-in-the-mock"]
            early[2].head_bucket(Bucket="made-in-the-mock")
    log = "\n".join(record.getMessage() for record in botocore_log.records)
    assert len(seen) == 9
    assert _leaks("\n".join(seen)) == []
    assert _leaks(log) == []
    assert _leaks(presigned) == []
    assert f"AWSAccessKeyId={FAKE_KEY}" in presigned  # S3 presigns with SigV2 by default
    signed = [entry for entry in seen if "Authorization" in entry]
    # botocore older than 1.34.5x cannot change one request's credentials: unsigned instead.
    assert len(signed) == (8 if PER_REQUEST_CREDENTIALS else 0)
    assert all(f"Credential={FAKE_KEY}/" in entry for entry in signed)
    assert _leaks(repr(list(mock.calls))) == []
    assert list(network_attempts) == []


def test_default_session_is_emptied_while_a_mock_runs_and_restored(real_machine):
    boto3.setup_default_session(region_name="eu-west-1")
    before = boto3.DEFAULT_SESSION
    assert before is not None
    assert before.get_credentials().access_key == REAL_KEY
    with mock_sm_experiments():
        # None, or the pristine one an earlier mock made (see the next tests)
        assert boto3.DEFAULT_SESSION is not before
        boto3.client("sts")  # uses (or makes) a default session from the mock's environment
        inside = boto3.DEFAULT_SESSION
        assert inside is not None
        assert inside.get_credentials().access_key == FAKE_KEY
        assert inside.region_name == "us-east-1"
    assert boto3.DEFAULT_SESSION is before


def test_a_default_session_made_inside_the_mock_does_not_outlive_it(real_machine):
    with mock_sm_experiments():
        boto3.client("sts")
        assert boto3.DEFAULT_SESSION is not None
    assert boto3.DEFAULT_SESSION is None


def test_profiles_are_not_found_while_a_mock_runs(real_machine):
    with mock_sm_experiments(), pytest.raises(ProfileNotFound):
        boto3.Session(profile_name="prod")


# -- the shell changes nothing ---------------------------------------------------------------------

def test_shell_settings_change_nothing_a_test_sees(real_machine, network_attempts, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://proxy.example.com")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "https://sagemaker.proxy.example.com")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "https://s3.proxy.example.com")
    with open(real_machine["AWS_CONFIG_FILE"], "a") as config:
        config.write("endpoint_url = https://config.proxy.example.com\n")
    before = dict(os.environ)
    with mock_sm_experiments() as mock:
        client = boto3.client("sagemaker")  # no region: the mock's
        s3 = boto3.client("s3")
        arn = client.create_experiment(ExperimentName="churn")["ExperimentArn"]
        assert client.meta.region_name == "us-east-1"
        assert client.meta.endpoint_url == "https://api.sagemaker.us-east-1.amazonaws.com"
        assert s3.meta.endpoint_url == "https://s3.amazonaws.com"
        assert client.meta.config.retries == {"mode": "legacy"}
        assert os.environ["AWS_REGION"] == os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
        assert os.environ["AWS_CA_BUNDLE"] == real_machine["AWS_CA_BUNDLE"]
        # None of the shell's; the one the mock sets seals its children (not a URL).
        assert [key for key in os.environ if key.startswith("AWS_ENDPOINT_URL")] == [
            "AWS_ENDPOINT_URL"]
        assert os.environ["AWS_ENDPOINT_URL"].startswith("pytest-sm-experiments: ")
        assert mock.experiments["churn"].name == "churn"
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:experiment/churn"
    assert dict(os.environ) == before
    assert list(network_attempts) == []


def test_the_innermost_mocks_region_fills_the_environment(real_machine):
    outer = mock_sm_experiments(region="eu-central-1").start()
    inner = mock_sm_experiments(region="ap-southeast-2").start()
    assert boto3.client("sagemaker").meta.region_name == "ap-southeast-2"
    inner.stop()
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-central-1"
    assert boto3.client("sagemaker").meta.region_name == "eu-central-1"
    again = mock_sm_experiments(region="sa-east-1").start()
    outer.stop()  # out of order: the running one's region stays
    assert os.environ["AWS_REGION"] == "sa-east-1"
    again.stop()
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"


def test_a_mock_can_add_variables_of_its_own(real_machine, network_attempts):
    """What a mock that serves other processes sets for them (``environment.enter(extra=)``):
    the requests this process answers in-process are not redirected by them."""
    before = dict(os.environ)
    mock = SageMakerExperimentsMock(region="eu-west-2").start()
    entry = hermetic.enter("eu-west-2", {"AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:9",
                                         "SM_EXPERIMENTS_CHILD": "1"})
    try:
        assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == "http://127.0.0.1:9"
        client = boto3.client("sagemaker")
        assert client.meta.endpoint_url == "http://127.0.0.1:9"
        client.create_experiment(ExperimentName="in-process")
    finally:
        hermetic.leave(entry)
    assert "AWS_ENDPOINT_URL_SAGEMAKER" not in os.environ
    assert "SM_EXPERIMENTS_CHILD" not in os.environ
    assert mock.calls.one("CreateExperiment").region == "eu-west-2"
    assert "in-process" in mock.experiments
    mock.stop()
    assert dict(os.environ) == before
    assert list(network_attempts) == []


def test_leaving_twice_or_unknown_entries_changes_nothing(real_machine):
    before = dict(os.environ)
    entry = hermetic.enter("us-west-2")
    hermetic.leave(entry)
    hermetic.leave(entry)
    assert dict(os.environ) == before
    # Nothing is left entered: the next enter patches the environment afresh, and its leave
    # restores it whole.
    again = hermetic.enter("eu-west-3")
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-3"
    hermetic.leave(again)
    assert dict(os.environ) == before


# -- a miss on the handle says where the name is ---------------------------------------------------

def test_a_miss_names_the_region_shown_and_where_the_name_exists(sm_experiments, sm_client):
    boto3.client("sagemaker", region_name="eu-west-1").create_trial_component(
        TrialComponentName="churn-exp-run-1")
    with sm_experiments.use_account("111122223333"):
        sm_client.create_trial_component(TrialComponentName="churn-exp-run-1")
    with pytest.raises(KeyError) as raised:
        sm_experiments.trial_components["churn-exp-run-1"]
    message = raised.value.args[0]
    assert message.startswith(
        "no trial component named 'churn-exp-run-1' in account 123456789012, region us-east-1, "
        "which this view shows; it exists in ")
    assert ("account 123456789012, region eu-west-1: sm_experiments.region('eu-west-1', "
            "'123456789012').trial_components['churn-exp-run-1']") in message
    assert "account 111122223333, region us-east-1" in message
    found = sm_experiments.region("eu-west-1").trial_components["CHURN-EXP-RUN-1"]
    assert found.name == "churn-exp-run-1"


def test_a_miss_nowhere_says_so(sm_experiments):
    with pytest.raises(KeyError, match=r"no experiment named 'nope' in account 123456789012, "
                                       r"region us-east-1 .nor anywhere else in this mock."):
        sm_experiments.experiments["nope"]
    with pytest.raises(KeyError, match="no trial named 'nope'"):
        sm_experiments.trials["nope"]


def test_the_default_session_a_mock_made_serves_the_next_mock_in_its_region(real_machine):
    with mock_sm_experiments(region="eu-central-1"):
        boto3.client("sts")
        made = boto3.DEFAULT_SESSION
    assert boto3.DEFAULT_SESSION is None
    with mock_sm_experiments(region="ap-southeast-2"):
        assert boto3.DEFAULT_SESSION is made
        assert boto3.client("sagemaker").meta.region_name == "ap-southeast-2"
        assert made.get_credentials().access_key == FAKE_KEY


@pytest.mark.parametrize("choice", [{"region_name": "eu-west-3"},
                                    {"aws_access_key_id": EXPLICIT_KEY,
                                     "aws_secret_access_key": "secret"}])
def test_a_default_session_a_test_configured_is_not_kept(real_machine, choice):
    with mock_sm_experiments():
        boto3.setup_default_session(**choice)
        boto3.client("sts")
        configured = boto3.DEFAULT_SESSION
    with mock_sm_experiments():
        assert boto3.DEFAULT_SESSION is None
        assert boto3.DEFAULT_SESSION is not configured
