"""No network, no credentials: the suite's guard works, and the mock needs neither.

The guard (tests/conftest.py) is what makes every other test prove "nothing left the process",
so it is tested first.  Then: a client with no credentials anywhere works under the mock; real-
looking keys and a profile in the environment are never used to sign, and never show up in the
journal, the mock's repr or an error message; the environment is restored exactly.
"""

from __future__ import annotations

import os
import socket
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError

from pytest_sm_experiments import SageMakerExperimentsMock, active_mock, mock_sm_experiments

REAL_KEY = "AKIAIOSFODNN7REALKEY1"
REAL_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYREALSECRET1"
REAL_TOKEN = "FwoGZXIvYXdzEREALSESSIONTOKEN1"
PROFILE_KEY = "AKIAIOSFODNN7PROFILE2"
PROFILE_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbPROFILESECRET2"
SECRETS = (REAL_KEY, REAL_SECRET, REAL_TOKEN, PROFILE_KEY, PROFILE_SECRET)


# -- the guard ------------------------------------------------------------------------------
# The guard raises conftest.NetworkBlocked, an AssertionError; it is matched by its message, as
# a test module that imports conftest holds a stale class once pytest runs twice in one process
# (mutmut's runs do).

@pytest.mark.parametrize("address", [("169.254.169.254", 80), ("1.1.1.1", 443),
                                     ("52.94.236.248", 443)])
def test_guard_refuses_connections(address, network_attempts):
    with pytest.raises(AssertionError, match="network connection attempted"):
        socket.create_connection(address, timeout=1)
    assert list(network_attempts) == [address]


def test_guard_refuses_dns_lookups(network_attempts):
    with pytest.raises(AssertionError, match="DNS lookup attempted"):
        socket.getaddrinfo("api.sagemaker.us-east-1.amazonaws.com", 443)
    assert len(network_attempts) == 1


def test_guard_catches_a_client_the_mock_does_not_answer(network_attempts):
    # No mock running: botocore really tries to send, and the guard stops it.
    client = boto3.session.Session().client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAFAKE",
        aws_secret_access_key="fake", config=Config(retries={"total_max_attempts": 1}))
    # botocore wraps what its HTTP client raises.
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        client.describe_experiment(ExperimentName="x")
    assert network_attempts[0][0] == "api.sagemaker.us-east-1.amazonaws.com"


class _Stop(Exception):
    """Raised by a spy to end a request before it is sent."""


def test_requests_are_signed_as_usual_when_no_mock_runs():
    # The plugin's hooks stay in botocore between tests: with no mock running, a request must
    # reach the network exactly as without the plugin, signed.
    assert active_mock() is None
    client = boto3.session.Session().client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAUNMOCKED",
        aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}))
    seen: list[dict[str, str]] = []

    def spy(request: Any, **_: Any) -> None:
        seen.append({key: value.decode() if isinstance(value, bytes) else value
                     for key, value in request.headers.items()})
        raise _Stop

    client.meta.events.register("before-send.sagemaker", spy)
    with pytest.raises(_Stop):
        client.describe_experiment(ExperimentName="x")
    (headers,) = seen
    assert headers["Authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIAUNMOCKED/")


# -- no credentials needed -------------------------------------------------------------------

@pytest.fixture
def bare_environment(monkeypatch, tmp_path):
    """No AWS variable at all; shared config and credentials files exist but are empty."""
    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)
    for name, variable in (("config", "AWS_CONFIG_FILE"),
                           ("credentials", "AWS_SHARED_CREDENTIALS_FILE")):
        empty = tmp_path / name
        empty.write_text("")
        monkeypatch.setenv(variable, str(empty))
    return tmp_path


def test_client_with_no_credentials_anywhere_works(bare_environment, network_attempts):
    with mock_sm_experiments() as sm:
        # No region either: the mock's region fills in for AWS_DEFAULT_REGION.
        client = boto3.session.Session().client("sagemaker")
        arn = client.create_experiment(ExperimentName="offline")["ExperimentArn"]
        assert client.describe_experiment(ExperimentName="offline")["ExperimentArn"] == arn
        identity = boto3.session.Session().client("sts").get_caller_identity()
    assert identity["Account"] == sm.account_id
    assert arn.startswith(f"arn:aws:sagemaker:{sm.options.region}:")
    assert list(network_attempts) == []


# -- real-looking credentials are never used or shown ------------------------------------------

@pytest.fixture
def real_looking_credentials(monkeypatch, tmp_path):
    """Keys in the environment and a profile with other keys in the config file."""
    config = tmp_path / "config"
    config.write_text(f"[profile prod]\naws_access_key_id = {PROFILE_KEY}\n"
                      f"aws_secret_access_key = {PROFILE_SECRET}\nregion = eu-west-1\n")
    credentials = tmp_path / "credentials"
    credentials.write_text(f"[prod]\naws_access_key_id = {PROFILE_KEY}\n"
                           f"aws_secret_access_key = {PROFILE_SECRET}\n")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", REAL_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", REAL_SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", REAL_TOKEN)
    monkeypatch.setenv("AWS_PROFILE", "prod")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))


def _spy(client: Any) -> list[tuple[dict[str, str], bytes]]:
    """Requests as they are about to be sent: registered after the mock's own handler."""
    seen: list[tuple[dict[str, str], bytes]] = []

    def record(request: Any, **_: Any) -> None:
        body = request.body or b""
        seen.append((dict(request.headers), body if isinstance(body, bytes) else body.encode()))

    client.meta.events.register("before-send", record)
    return seen


def _texts(seen: list[tuple[dict[str, str], bytes]]) -> list[str]:
    return [f"{headers!r} {body!r}" for headers, body in seen]


def _leaks(texts: list[str]) -> list[str]:
    joined = "\n".join(texts)
    return [secret for secret in SECRETS if secret in joined]


def test_real_credentials_are_never_used_to_sign(real_looking_credentials, network_attempts):
    with mock_sm_experiments() as sm:
        clients = [
            boto3.session.Session().client("sagemaker", region_name="us-east-1"),
            boto3.client("sagemaker", region_name="us-east-1"),
            boto3.session.Session().client(
                "sagemaker", region_name="us-east-1", aws_access_key_id=REAL_KEY,
                aws_secret_access_key=REAL_SECRET, aws_session_token=REAL_TOKEN),
        ]
        seen: list[tuple[dict[str, str], bytes]] = []
        for index, client in enumerate(clients):
            spied = _spy(client)
            client.create_experiment(ExperimentName=f"e{index}")
            with pytest.raises(ClientError):
                client.describe_experiment(ExperimentName="missing")
            with pytest.raises(ClientError) as invalid:
                client.create_experiment(ExperimentName="bad name!")
            seen += spied
            assert _leaks([str(invalid.value)]) == []
        journal = [repr(call) for call in sm.calls] + [sm.calls.render(), repr(sm)]
        errors = [f"{call.error_code} {call.error_message}" for call in sm.calls]

    assert len(seen) == 9
    for headers, _ in seen:
        lowered = {key.lower() for key in headers}
        assert "authorization" not in lowered
        assert "x-amz-security-token" not in lowered
        assert "x-amz-date" not in lowered  # SigV4 would add it
    assert _leaks(_texts(seen)) == []
    assert _leaks(journal) == []
    assert _leaks(errors) == []
    assert list(network_attempts) == []


def test_profile_files_are_not_read_while_mocked(real_looking_credentials):
    with mock_sm_experiments():
        credentials = boto3.session.Session().get_credentials()
        assert credentials is not None
        frozen = credentials.get_frozen_credentials()
        seen = {key: os.environ.get(key) for key in (
            "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE")}
    assert frozen.access_key not in SECRETS
    assert frozen.secret_key not in SECRETS
    assert frozen.token not in SECRETS
    assert [value for value in seen.values() if value in (*SECRETS, REAL_TOKEN, "prod")] == []


# -- the environment is restored exactly ---------------------------------------------------------

def test_environment_restored_after_stop(real_looking_credentials, monkeypatch):
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "false")
    before = dict(os.environ)
    with mock_sm_experiments():
        assert os.environ["AWS_ACCESS_KEY_ID"] != REAL_KEY
        assert "AWS_PROFILE" not in os.environ
    assert dict(os.environ) == before


def test_environment_restored_after_overlapping_mocks_stop_in_any_order(bare_environment):
    before = dict(os.environ)
    first = SageMakerExperimentsMock().start()
    second = SageMakerExperimentsMock(region="eu-west-1").start()
    first.stop()
    assert os.environ != before, "still patched while a mock runs"
    second.stop()
    assert dict(os.environ) == before
