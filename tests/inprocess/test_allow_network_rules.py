"""Whose ``allow_network`` decides, and what names it takes.

The innermost running mock answers, so its ``allow_network`` is the one that lets a request
out; when it stops, the mock around it rules again. A service is named as boto3.client() names
it (``logs``), and the rule reaches every layer that knows the service by another name
(botocore's service id ``cloudwatch-logs``, the endpoint prefix ``logs``).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import HTTPClientError

from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})


def _list_buckets() -> None:
    boto3.client("s3", region_name="us-east-1", config=ONE_ATTEMPT).list_buckets()


def _goes_out(call: Any, network_attempts: Any, host: str) -> None:
    """The request was sent: it reached this suite's network guard, looking up ``host``."""
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        call()
    assert network_attempts[-1][0] == host


def _refused(call: Any, network_attempts: Any, service_operation: str) -> None:
    sent = len(network_attempts)
    with pytest.raises(RequestRefusedError, match=service_operation):
        call()
    assert len(network_attempts) == sent


def test_an_inner_mock_without_allow_network_refuses_what_the_outer_one_allows(
        network_attempts):
    with mock_sm_experiments(allow_network=["s3"]):
        _goes_out(_list_buckets, network_attempts, "s3.amazonaws.com")
        with mock_sm_experiments():
            _refused(_list_buckets, network_attempts, "s3:ListBuckets")
        # The inner mock stopped: the outer one's rule is back.
        _goes_out(_list_buckets, network_attempts, "s3.amazonaws.com")
    assert len(network_attempts) == 2


def test_an_inner_mock_allows_what_the_outer_one_refuses_only_while_it_runs(network_attempts):
    with mock_sm_experiments():
        _refused(_list_buckets, network_attempts, "s3:ListBuckets")
        with mock_sm_experiments(allow_network=["s3"]):
            _goes_out(_list_buckets, network_attempts, "s3.amazonaws.com")
        _refused(_list_buckets, network_attempts, "s3:ListBuckets")
    assert len(network_attempts) == 1


def _put_log_events(client: Any) -> None:
    client.put_log_events(logGroupName="g", logStreamName="s",
                          logEvents=[{"timestamp": 1, "message": "m"}])


def test_logs_named_as_boto3_names_it_lets_cloudwatch_logs_out_signed_by_the_client(
        network_attempts):
    """boto3's ``logs`` is botocore's service id ``cloudwatch-logs``: the allowed request is
    sent, signed with the client's own key (not the mock's fake one)."""
    signed: list[str] = []
    with mock_sm_experiments(allow_network=["logs"]) as mock:
        logs = boto3.client("logs", region_name="us-east-1", config=ONE_ATTEMPT,
                            aws_access_key_id="AKIALOGSOWNKEY000001",
                            aws_secret_access_key="secret")
        logs.meta.events.register("before-send", lambda request, **_: signed.append(
            request.headers["Authorization"].decode()))
        _goes_out(lambda: _put_log_events(logs), network_attempts, "logs.us-east-1.amazonaws.com")
        # Allowing logs allows nothing else.
        _refused(_list_buckets, network_attempts, "s3:ListBuckets")
        assert mock.options.allow_network == frozenset({"logs"})
    assert "Credential=AKIALOGSOWNKEY000001/" in signed[0]


def test_without_logs_allowed_the_refusal_names_botocore_s_id(network_attempts):
    with mock_sm_experiments(allow_network=["s3"]):
        logs = boto3.client("logs", region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(RequestRefusedError) as raised:
            _put_log_events(logs)
    assert (raised.value.service, raised.value.operation) == ("cloudwatch-logs", "PutLogEvents")
    assert list(network_attempts) == []
