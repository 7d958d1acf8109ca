"""The HTTP front door: real SDK clients over loopback, signatures, hostile HTTP, its lifecycle.

Each test runs an endpoint onto a service that no mock runs, so nothing answers in-process:
every call below crosses a real loopback socket, and the suite's guard allows nothing else.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import struct
import threading
import time
from collections.abc import Iterator
from importlib.metadata import version as _installed_version
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from endpoint_helpers import (
    CREATE,
    CREDENTIALS,
    KEY,
    SECRET,
    Response,
    listening,
    raw,
    request_bytes,
    serving,
    signed,
    signed_request,
)

from pytest_sm_experiments.core.faults import InjectedError
from pytest_sm_experiments.core.service import Service
from pytest_sm_experiments.options import make_options
from pytest_sm_experiments.server import endpoint as endpoint_module
from pytest_sm_experiments.server import peers
from pytest_sm_experiments.server.endpoint import Endpoint

NO_RETRY = Config(retries={"total_max_attempts": 1})


def client(endpoint: Endpoint, service: str = "sagemaker", region: str = "us-east-1",
           key: str = KEY, secret: str = SECRET, **kwargs: Any) -> Any:
    return boto3.session.Session().client(
        service, region_name=region, endpoint_url=endpoint.url, aws_access_key_id=key,
        aws_secret_access_key=secret, config=NO_RETRY, **kwargs)


def aws_error(data: bytes) -> tuple[int, str, dict[str, Any]]:
    """Status, x-amzn-ErrorType and JSON body of an AWS-shaped JSON error response."""
    response = Response(data)
    body = response.json()
    assert response.headers["x-amzn-requestid"]
    assert body["__type"] == response.headers["x-amzn-errortype"]
    return response.status, response.headers["x-amzn-errortype"], body


# -- real clients over HTTP -------------------------------------------------------------------

def test_boto3_client_over_http_gets_answers_and_modeled_errors(loopback_connects):
    with serving() as endpoint:
        sagemaker = client(endpoint)
        arn = sagemaker.create_experiment(ExperimentName="Churn")["ExperimentArn"]
        assert arn == "arn:aws:sagemaker:us-east-1:123456789012:experiment/churn"
        assert sagemaker.describe_experiment(ExperimentName="CHURN")["ExperimentName"] == "Churn"
        with pytest.raises(sagemaker.exceptions.ResourceNotFound):
            sagemaker.describe_experiment(ExperimentName="missing")
        with pytest.raises(ClientError) as raised:
            sagemaker.create_experiment(ExperimentName="churn")
        assert raised.value.response["Error"] == {
            "Code": "ValidationException",
            "Message": "Experiment with name (churn) already exists."}
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        journal = endpoint.service.journal
        assert [call.operation for call in journal] == [
            "CreateExperiment", "DescribeExperiment", "DescribeExperiment", "CreateExperiment"]
        assert [call.succeeded for call in journal] == [True, True, False, False]
    assert set(loopback_connects) == {("127.0.0.1", endpoint.port)}


def test_all_three_protocols_over_http():
    with serving(account_id="111122223333") as endpoint:
        sagemaker = client(endpoint, region="eu-west-1")
        sagemaker.create_trial_component(TrialComponentName="tc")
        metrics = client(endpoint, "sagemaker-metrics", region="eu-west-1")
        assert "Errors" not in metrics.batch_put_metrics(TrialComponentName="tc", MetricData=[
            {"MetricName": "loss", "Timestamp": time.time(), "Step": 1, "Value": 0.5}])
        identity = client(endpoint, "sts", region="eu-west-1").get_caller_identity()
        assert identity["Account"] == "111122223333"
        summary = sagemaker.describe_trial_component(TrialComponentName="tc")["Metrics"][0]
        assert (summary["MetricName"], summary["Count"]) == ("loss", 1)
        # The region is the one each request was signed for.
        assert {call.region for call in endpoint.service.journal} == {"eu-west-1"}
        assert [call.service for call in endpoint.service.journal] == [
            "sagemaker", "sagemaker-metrics", "sts", "sagemaker"]


def test_the_peer_process_is_recorded():
    import os

    with serving() as endpoint:
        client(endpoint).create_experiment(ExperimentName="a")
        assert endpoint.service.journal[0].pid == os.getpid()


async def test_aiobotocore_over_http():
    aiobotocore_session = pytest.importorskip("aiobotocore.session")
    with serving() as endpoint:
        session = aiobotocore_session.get_session()
        async with session.create_client(
                "sagemaker", region_name="us-east-1", endpoint_url=endpoint.url,
                aws_access_key_id=KEY, aws_secret_access_key=SECRET) as sagemaker:
            await sagemaker.create_experiment(ExperimentName="async")
            with pytest.raises(sagemaker.exceptions.ResourceNotFound):
                await sagemaker.describe_experiment(ExperimentName="missing")
            with pytest.raises(ClientError, match="InvalidSignatureException"):
                async with session.create_client(
                        "sagemaker", region_name="us-east-1", endpoint_url=endpoint.url,
                        aws_access_key_id=KEY, aws_secret_access_key="wrong") as other:
                    await other.list_experiments()
        assert [call.operation for call in endpoint.service.journal] == [
            "CreateExperiment", "DescribeExperiment"]


def test_binds_loopback_by_default():
    with serving() as endpoint:
        assert endpoint.url == f"http://127.0.0.1:{endpoint.port}"
        assert listening("127.0.0.1", endpoint.port)
    assert not listening("127.0.0.1", endpoint.port)


# -- signatures -------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "secret", "code", "message"), [
    ("AKIAOTHERKEY00000000", SECRET, "UnrecognizedClientException",
     "The security token included in the request is invalid."),
    (KEY, "not-the-secret", "InvalidSignatureException",
     "The request signature we calculated does not match the signature you provided. Check "
     "your AWS Secret Access Key and signing method. Consult the service documentation for "
     "details."),
])
def test_wrong_credentials_are_refused_and_change_nothing(key, secret, code, message):
    with serving() as endpoint:
        with pytest.raises(ClientError) as raised:
            client(endpoint, key=key, secret=secret).create_experiment(ExperimentName="a")
        error = raised.value.response
        assert error["Error"] == {"Code": code, "Message": message}
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert endpoint.service.journal == []
        assert len(endpoint.service.backend.state("123456789012", "us-east-1").experiments) == 0


@pytest.mark.parametrize(("key", "secret", "code"), [
    ("AKIAOTHERKEY00000000", SECRET, "InvalidClientTokenId"),
    (KEY, "not-the-secret", "SignatureDoesNotMatch"),
])
def test_sts_names_its_signature_errors_its_own_way(key, secret, code):
    with serving() as endpoint:
        with pytest.raises(ClientError) as raised:
            client(endpoint, "sts", key=key, secret=secret).get_caller_identity()
        assert raised.value.response["Error"]["Code"] == code
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_an_unexpected_session_token_is_refused():
    with serving() as endpoint:
        sagemaker = client(endpoint, aws_session_token="some-token")
        with pytest.raises(ClientError) as raised:
            sagemaker.list_experiments()
        assert raised.value.response["Error"] == {
            "Code": "UnrecognizedClientException",
            "Message": "The security token included in the request is invalid."}
        assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def _token_endpoint() -> Endpoint:
    from pytest_sm_experiments.core.service import Service
    from pytest_sm_experiments.credentials import Credentials
    from pytest_sm_experiments.options import make_options

    return Endpoint(Service(make_options()), Credentials(KEY, SECRET, "the-session-token"))


def test_the_endpoints_session_token_is_accepted_and_another_refused():
    endpoint = _token_endpoint().start()
    try:
        client(endpoint, aws_session_token="the-session-token").create_experiment(
            ExperimentName="with-token")
        for other in ("another-token", "the-session-token-and-more", "the-session-toke"):
            with pytest.raises(ClientError) as raised:
                client(endpoint, aws_session_token=other).create_experiment(
                    ExperimentName="other")
            assert raised.value.response["Error"] == {
                "Code": "UnrecognizedClientException",
                "Message": "The security token included in the request is invalid."}
        with pytest.raises(ClientError) as raised:
            client(endpoint, "sts", aws_session_token="another-token").get_caller_identity()
        assert raised.value.response["Error"]["Code"] == "InvalidClientTokenId"
        assert [call.params for call in endpoint.service.journal] == [
            {"ExperimentName": "with-token"}]
    finally:
        endpoint.stop()


def test_a_signature_for_another_body_is_refused():
    with serving() as endpoint:
        headers = signed(f"{endpoint.url}/", {"Host": f"127.0.0.1:{endpoint.port}", **CREATE},
                         b'{"ExperimentName":"signed"}')
        data = request_bytes("POST", "/", headers, b'{"ExperimentName":"tampered"}')
        status, code, _body = aws_error(raw(endpoint.port, data))
        assert (status, code) == (403, "InvalidSignatureException")
        assert endpoint.service.journal == []


@pytest.mark.parametrize(("signing", "message"), [
    ({"region": "moon-base"}, "Credential should be scoped to a valid region, not 'moon-base'. "),
    ({"service": "sts"}, "Credential should be scoped to correct service: 'sagemaker'. "),
])
def test_credential_scope_is_checked(signing, message):
    with serving() as endpoint:
        status, code, body = aws_error(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}', **signing)))
        assert (status, code, body["Message"]) == (403, "InvalidSignatureException", message)


# The messages are AWS's (public samples of its answers to such requests).
@pytest.mark.parametrize(("authorization", "status", "code", "message"), [
    (None, 403, "MissingAuthenticationTokenException",
     "The request must contain either a valid (registered) AWS access key ID or X.509 "
     "certificate."),
    ("Bearer abc", 400, "IncompleteSignatureException",
     "Unsupported AWS 'algorithm': 'Bearer'; only AWS4-HMAC-SHA256 is accepted."),
    ("AWS4-HMAC-SHA256 Credential=x", 400, "IncompleteSignatureException",
     "Authorization header requires 'SignedHeaders' parameter. "
     "Authorization=AWS4-HMAC-SHA256 Credential=x"),
    ("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00", 400, "IncompleteSignatureException",
     "Authorization header requires 'Credential' parameter. "
     "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"),
    ("AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=00", 400,
     "IncompleteSignatureException",
     "Credential must have exactly 5 slash-delimited elements, e.g. "
     "keyid/date/region/service/term, got 'a/b/c'"),
    ("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", 400,
     "IncompleteSignatureException",
     "Credential must have exactly 5 slash-delimited elements, e.g. "
     "keyid/date/region/service/term, got 'a/b/c/d/e'"),
    ("AWS4-HMAC-SHA256 garbage", 400, "IncompleteSignatureException",
     "'garbage' not a valid key=value pair (missing equal-sign) in Authorization header: "
     "'AWS4-HMAC-SHA256 garbage'."),
])
def test_missing_or_malformed_authorization(authorization, status, code, message):
    with serving() as endpoint:
        headers = {"Host": f"127.0.0.1:{endpoint.port}", **CREATE, "X-Amz-Date": "20250101T000000Z"}
        if authorization is not None:
            headers["Authorization"] = authorization
        answer = aws_error(raw(endpoint.port, request_bytes("POST", "/", headers, b"{}")))
        assert (*answer[:2], answer[2]["Message"]) == (status, code, message)


def _answer(endpoint: Endpoint, headers: dict[str, str],
            body: bytes = b"{}") -> tuple[int, str, str]:
    status, code, error = aws_error(raw(endpoint.port, request_bytes("POST", "/", headers, body)))
    return status, code, error["Message"]


def test_the_date_must_be_present_and_match_the_scope():
    with serving() as endpoint:
        headers = signed(f"{endpoint.url}/", {"Host": f"127.0.0.1:{endpoint.port}", **CREATE},
                         b"{}")
        without_date = {k: v for k, v in headers.items() if k != "X-Amz-Date"}
        assert _answer(endpoint, without_date) == (
            400, "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' "
            "header.")
        # The scope's date is the one botocore signed with (today's).
        scope_date = headers["Authorization"].split("/")[1]
        other_day = {**headers, "X-Amz-Date": "19990101T000000Z"}
        assert _answer(endpoint, other_day) == (
            403, "InvalidSignatureException",
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
            f"from HTTP: '{scope_date}' != '19990101', from '19990101T000000Z'.")
        bad_format = {**headers, "X-Amz-Date": "yesterday"}
        assert _answer(endpoint, bad_format) == (
            400, "IncompleteSignatureException",
            "X-Amz-Date must be in the ISO8601 Long Format (yyyyMMdd'T'HHmmss'Z'), got "
            "'yesterday'")
        assert endpoint.service.journal == []


BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check "
    "your AWS Secret Access Key and signing method. Consult the service documentation for "
    "details.")


def test_a_signed_header_the_request_does_not_carry_is_a_bad_signature():
    with serving() as endpoint:
        base = {"Host": f"127.0.0.1:{endpoint.port}", **CREATE}
        headers = signed(f"{endpoint.url}/", {**base, "X-Signed-But-Dropped": "1"}, b"{}")
        assert "x-signed-but-dropped" in headers["Authorization"]
        dropped = {k: v for k, v in headers.items() if k != "X-Signed-But-Dropped"}
        assert _answer(endpoint, dropped) == (403, "InvalidSignatureException", BAD_SIGNATURE)
        # STS names it its own way.
        form = {"Host": base["Host"], "Content-Type": "application/x-www-form-urlencoded"}
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        headers = signed(f"{endpoint.url}/", {**form, "X-Signed-But-Dropped": "1"}, body,
                         service="sts")
        dropped = {k: v for k, v in headers.items() if k != "X-Signed-But-Dropped"}
        response = Response(raw(endpoint.port, request_bytes("POST", "/", dropped, body)))
        assert response.status == 403
        assert b"<Code>SignatureDoesNotMatch</Code>" in response.body
        assert endpoint.service.journal == []


def test_a_payload_hash_header_must_match_the_body():
    with serving() as endpoint:
        body = b'{"ExperimentName":"a"}'
        headers = {"Host": f"127.0.0.1:{endpoint.port}", **CREATE,
                   "X-Amz-Content-SHA256": "0" * 64}
        data = request_bytes("POST", "/", signed(f"{endpoint.url}/", headers, body), body)
        status, code, error = aws_error(raw(endpoint.port, data))
        assert (status, code, error["Message"]) == (
            403, "InvalidSignatureException", BAD_SIGNATURE)
        import hashlib

        headers["X-Amz-Content-SHA256"] = hashlib.sha256(body).hexdigest()
        data = request_bytes("POST", "/", signed(f"{endpoint.url}/", headers, body), body)
        assert Response(raw(endpoint.port, data)).status == 200


# -- hostile HTTP: every answer AWS-shaped, and the server goes on serving --------------------

def _still_serving(endpoint: Endpoint, name: str) -> None:
    client(endpoint).create_experiment(ExperimentName=name)
    assert endpoint.service.journal[-1].params == {"ExperimentName": name}


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"GARBAGE\r\n\r\n", 400, "BadRequest"),
    (b"POST / HTTP/2.0\r\n\r\n", 505, "HttpVersionNotSupported"),
    (b"POST / HTTP/x.y\r\n\r\n", 400, "BadRequest"),
    (b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414, "RequestUriTooLong"),
    (b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431,
     "RequestHeaderFieldsTooLarge"),
    (b"POST / HTTP/1.1\r\n" + b"".join(b"X-H%d: 1\r\n" % i for i in range(120)) + b"\r\n", 431,
     "RequestHeaderFieldsTooLarge"),
    (b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413,
     "RequestEntityTooLargeException"),
    (b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400, "BadRequest"),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "BadRequest"),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 411,
     "MissingContentLength"),
    (b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"short\":", 400, "IncompleteBody"),
    (b"BREW / HTTP/1.1\r\nConnection: close\r\n\r\n", 403,
     "MissingAuthenticationTokenException"),
])
def test_hostile_http_is_answered_and_the_server_keeps_serving(data, status, code):
    with serving() as endpoint:
        answer = aws_error(raw(endpoint.port, data, shut_write=True))
        assert answer[:2] == (status, code)
        assert answer[2]["Message"]
        _still_serving(endpoint, "after")


def test_an_oversized_body_is_refused_without_reading_it(monkeypatch):
    monkeypatch.setattr(endpoint_module, "MAX_BODY", 1000)
    with serving() as endpoint:
        body = b'{"ExperimentName":"' + b"a" * 2000 + b'"}'
        status, code, _ = aws_error(raw(endpoint.port, signed_request(endpoint, body)))
        assert (status, code) == (413, "RequestEntityTooLargeException")
        assert endpoint.service.journal == []
        _still_serving(endpoint, "after")


def test_blank_lines_before_a_request_are_ignored():
    with serving() as endpoint:
        data = b"\r\n\r\n" + signed_request(endpoint, b'{"ExperimentName":"blank"}')
        assert Response(raw(endpoint.port, data)).status == 200


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({"X-Amz-Target": "SageMaker.NoSuchOperation",
      "Content-Type": "application/x-amz-json-1.1"}, 400, "UnknownOperationException"),
    ({"X-Amz-Target": "Nobody.CreateExperiment",
      "Content-Type": "application/x-amz-json-1.1"}, 400, "UnknownOperationException"),
    ({"X-Amz-Target": "SageMaker.CreateTrainingJob",
      "Content-Type": "application/x-amz-json-1.1"}, 400, "UnknownOperationException"),
    ({"X-Amz-Target": "SageMaker.CreateExperiment", "Content-Type": "text/plain"}, 415,
     "UnsupportedMediaTypeException"),
    ({"X-Amz-Target": "SageMaker.CreateExperiment"}, 415, "UnsupportedMediaTypeException"),
])
def test_signed_requests_for_nothing_served_are_refused(headers, status, code):
    with serving() as endpoint:
        answer = aws_error(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}', headers)))
        assert answer[:2] == (status, code)
        assert endpoint.service.journal == []
        _still_serving(endpoint, "after")


def test_an_unserved_sagemaker_operation_names_what_is_served():
    with serving() as endpoint:
        with pytest.raises(ClientError) as raised:
            client(endpoint).list_training_jobs()
        message = raised.value.response["Error"]["Message"]
        assert "does not serve sagemaker:ListTrainingJobs" in message
        assert "sagemaker:CreateExperiment" in message


def test_json_requests_must_be_posted():
    with serving() as endpoint:
        answer = aws_error(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}', method="PUT")))
        assert answer[:2] == (405, "MethodNotAllowed")


def test_rest_json_path_that_matches_nothing_is_404():
    with serving() as endpoint:
        answer = aws_error(raw(endpoint.port, signed_request(
            endpoint, b"{}", {"Content-Type": "application/json"}, path="/Nowhere")))
        assert answer[:2] == (404, "UnknownOperationException")


def test_sts_unknown_action_and_wrong_method():
    with serving() as endpoint:
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        data = signed_request(endpoint, b"Action=AssumeRole&Version=2011-06-15", form,
                              service="sts")
        response = Response(raw(endpoint.port, data))
        assert response.status == 400
        assert b"<Code>InvalidAction</Code>" in response.body
        assert "does not serve sts:AssumeRole" in response.body.decode()


def test_an_invalid_body_is_a_validation_error_over_http_too():
    with serving() as endpoint:
        answer = aws_error(raw(endpoint.port, signed_request(endpoint, b"{not json")))
        assert answer[:2] == (400, "ValidationException")
        assert endpoint.service.journal[0].error_code == "ValidationException"


def test_a_bug_is_a_500_and_the_server_keeps_serving(monkeypatch):
    from pytest_sm_experiments.core.service import Service

    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    with serving() as endpoint:
        with monkeypatch.context() as patch:
            patch.setattr(Service, "handle", broken)
            status, code, _ = aws_error(raw(endpoint.port, signed_request(endpoint, b"{}")))
        assert (status, code) == (500, "InternalFailure")
        _still_serving(endpoint, "after")


def test_too_many_connections_get_503(monkeypatch):
    monkeypatch.setattr(endpoint_module, "MAX_CONNECTIONS", 1)
    with serving() as endpoint, socket.create_connection(("127.0.0.1", endpoint.port)) as first:
        # The one allowed connection, with a request begun (an idle one would be closed to
        # admit the next: tests/server/test_front_door.py).
        first.sendall(b"P")
        time.sleep(0.2)
        status, code, _ = aws_error(raw(endpoint.port, b""))
        assert (status, code) == (503, "ServiceUnavailable")


def test_keep_alive_serves_several_requests_on_one_connection():
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port)) as connection:
        for name in ("one", "two"):
            connection.sendall(signed_request(endpoint, json.dumps(
                {"ExperimentName": name}).encode(), close=False))
            response = Response(connection.recv(65536))
            assert (response.status, "connection" in response.headers) == (200, False)
        assert [call.params["ExperimentName"] for call in endpoint.service.journal] == [
            "one", "two"]


def test_injected_error_codes_cannot_break_the_header_block():
    from pytest_sm_experiments.core.faults import InjectedError

    with serving() as endpoint:
        endpoint.service.faults.add(InjectedError("CreateExperiment", "Bad\r\nX-Evil: 1", "m",
                                              400, 1))
        response = Response(raw(endpoint.port, signed_request(endpoint, b"{}")))
        assert "x-evil" not in response.headers
        assert response.headers["x-amzn-errortype"] == "Bad  X-Evil: 1"


# -- admin routes -----------------------------------------------------------------------------

def test_admin_health_is_unsigned_and_journal_and_reset_are_signed():
    with serving() as endpoint:
        client(endpoint).create_experiment(ExperimentName="a")
        health = Response(raw(endpoint.port, request_bytes(
            "GET", "/_sm_experiments/health", {"Host": f"127.0.0.1:{endpoint.port}"}, b"")))
        assert health.status == 200
        assert health.json()["status"] == "ok"
        assert health.json()["calls"] == 1
        unsigned = aws_error(raw(endpoint.port, request_bytes(
            "GET", "/_sm_experiments/journal", {"Host": f"127.0.0.1:{endpoint.port}"}, b"")))
        assert unsigned[:2] == (403, "MissingAuthenticationTokenException")
        journal = Response(raw(endpoint.port, signed_request(
            endpoint, b"", {}, path="/_sm_experiments/journal", method="GET")))
        calls = journal.json()["calls"]
        assert [(c["operation"], c["params"], c["succeeded"]) for c in calls] == [
            ("CreateExperiment", {"ExperimentName": "a"}, True)]
        reset = Response(raw(endpoint.port, signed_request(
            endpoint, b"", {}, path="/_sm_experiments/reset")))
        assert (reset.status, reset.json()) == (200, {"reset": True})
        assert endpoint.service.journal == []
        missing = aws_error(raw(endpoint.port, request_bytes(
            "GET", "/_sm_experiments/nothing", {"Host": f"127.0.0.1:{endpoint.port}"}, b"")))
        assert missing[:2] == (404, "NotFound")


# -- lifecycle --------------------------------------------------------------------------------

def test_stop_frees_the_port_and_closes_kept_alive_connections():
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port)) as idle:
        port = endpoint.port
        time.sleep(0.1)
        threads = threading.active_count()
        endpoint.stop()
        assert idle.recv(10) == b""  # the server closed it
        assert threading.active_count() < threads
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
        socket.create_server(("127.0.0.1", port)).close()  # the port can be bound again
        endpoint.stop()  # twice is harmless


def test_responses_that_close_say_so_and_others_keep_the_connection():
    with serving() as endpoint:
        closing = Response(raw(endpoint.port, b"GARBAGE\r\n\r\n"))
        assert closing.headers["connection"] == "close"
        with socket.create_connection(("127.0.0.1", endpoint.port)) as connection:
            connection.sendall(signed_request(endpoint, b"{}", close=False))
            kept = Response(connection.recv(65536))
            assert "connection" not in kept.headers
            assert int(kept.headers["content-length"]) == len(kept.body)


def test_an_injected_status_without_a_reason_phrase():
    from pytest_sm_experiments.core.faults import InjectedError

    with serving() as endpoint:
        endpoint.service.faults.add(InjectedError("CreateExperiment", "Odd", "m", 599, 1))
        response = Response(raw(endpoint.port, signed_request(endpoint, b"{}")))
        assert (response.status, response.reason) == (599, "Unknown")


@pytest.mark.parametrize(("host", "url"), [
    ("127.0.0.1", "http://127.0.0.1:5"), ("0.0.0.0", "http://127.0.0.1:5"),
    ("", "http://127.0.0.1:5"), ("::", "http://[::1]:5"), ("::1", "http://[::1]:5"),
    ("localhost", "http://localhost:5")])
def test_the_url_clients_use(host, url):
    from endpoint_helpers import CREDENTIALS

    from pytest_sm_experiments.core.service import Service
    from pytest_sm_experiments.options import make_options

    assert Endpoint(Service(make_options()), CREDENTIALS, host, 5).url == url


# -- requests the routing cannot place: unknown targets and paths, media types, methods -----

JSON_11 = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(("amz_target", "message"), [
    # A real operation the mock does not serve only after the service's own prefix.
    ("Nobody.CreateExperiment",
     "The mock does not know the operation 'Nobody.CreateExperiment'."),
    ("SageMaker.X.CreateExperiment",
     "The mock does not know the operation 'SageMaker.X.CreateExperiment'."),
    ("SageMaker.NoSuchOperation",
     "The mock does not know the operation 'SageMaker.NoSuchOperation'."),
    ("", "The mock does not know the operation ''."),
])
def test_an_unknown_target_is_named_as_sent(amz_target, message):
    with serving() as endpoint:
        response = Response(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}',
            {"X-Amz-Target": amz_target, "Content-Type": JSON_11})))
        assert response.status == 400
        assert response.headers["x-amzn-errortype"] == "UnknownOperationException"
        assert response.headers["content-type"] == JSON_11
        assert response.json() == {"__type": "UnknownOperationException", "Message": message}
        assert endpoint.service.journal == []
        _still_serving(endpoint, "after")


def test_an_unknown_rest_json_path_is_named_as_sent():
    with serving() as endpoint:
        response = Response(raw(endpoint.port, signed_request(
            endpoint, b"{}", {"Content-Type": "application/json"}, path="/v1.BatchPutMetrics",
            method="PUT")))
        assert (response.status, response.headers["content-type"]) == (404, "application/json")
        assert response.json() == {
            "__type": "UnknownOperationException",
            "Message": "The mock does not know the operation 'PUT /v1.BatchPutMetrics'."}


@pytest.mark.parametrize("query", ["?source=test", "?a=1?b=2"])
def test_a_rest_json_request_is_found_by_its_path_whatever_its_query_string(query):
    with serving() as endpoint:
        client(endpoint).create_trial_component(TrialComponentName="tc")
        body = json.dumps({"TrialComponentName": "tc", "MetricData": [
            {"MetricName": "loss", "Timestamp": time.time(), "Step": 1, "Value": 0.5}]}).encode()
        response = Response(raw(endpoint.port, signed_request(
            endpoint, body, {"Content-Type": "application/json"},
            path=f"/BatchPutMetrics{query}", method="PUT")))
        assert (response.status, response.json()) == (200, {})
        call = endpoint.service.journal[-1]
        assert (call.service, call.operation, call.succeeded) == (
            "sagemaker-metrics", "BatchPutMetrics", True)
        summary = client(endpoint).describe_trial_component(TrialComponentName="tc")["Metrics"]
        assert [(m["MetricName"], m["Count"], m["Last"]) for m in summary] == [("loss", 1, 0.5)]


@pytest.mark.parametrize(("headers", "body"), [
    ({"X-Amz-Target": "SageMaker.CreateExperiment",
      "Content-Type": "application/x-amz-json-1.1; charset=utf-8; x-extra=1"},
     b'{"ExperimentName":"params"}'),
    ({"Content-Type": "application/x-www-form-urlencoded; charset=utf-8; x-extra=1"},
     b"Action=GetCallerIdentity&Version=2011-06-15"),
])
def test_a_media_type_with_several_parameters_is_still_its_protocols(headers, body):
    service = "sts" if "Action" in body.decode() else "sagemaker"
    with serving() as endpoint:
        response = Response(raw(endpoint.port, signed_request(
            endpoint, body, headers, service=service)))
        assert response.status == 200
        assert [(call.service, call.succeeded) for call in endpoint.service.journal] == [
            (service, True)]


def test_an_empty_body_needs_no_media_type_but_a_wrong_one_is_refused():
    with serving() as endpoint:
        listed = Response(raw(endpoint.port, signed_request(
            endpoint, b"", {"X-Amz-Target": "SageMaker.ListExperiments"})))
        assert (listed.status, listed.json()) == (200, {"ExperimentSummaries": []})
        refused = Response(raw(endpoint.port, signed_request(
            endpoint, b"", {"X-Amz-Target": "SageMaker.ListExperiments",
                            "Content-Type": "text/plain"})))
        assert refused.status == 415
        assert refused.headers["x-amzn-errortype"] == "UnsupportedMediaTypeException"
        assert refused.json() == {
            "__type": "UnsupportedMediaTypeException",
            "Message": "Unsupported Media Type: expected 'application/x-amz-json-1.1', got "
                       "'text/plain'."}
        untyped = Response(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}', {"X-Amz-Target": "SageMaker.CreateExperiment"})))
        assert untyped.json()["Message"] == (
            "Unsupported Media Type: expected 'application/x-amz-json-1.1', got None.")
        assert [call.operation for call in endpoint.service.journal] == ["ListExperiments"]


def test_a_json_request_not_posted_says_how_to_send_it():
    with serving() as endpoint:
        response = Response(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"a"}', method="PUT")))
        assert (response.status, response.headers["x-amzn-errortype"]) == (
            405, "MethodNotAllowed")
        assert response.json() == {"__type": "MethodNotAllowed",
                                   "Message": "json requests are sent with POST, not PUT."}
        assert endpoint.service.journal == []


@pytest.mark.parametrize(("body", "code", "message"), [
    (b"Version=2011-06-15", "MissingAction", "The request has no Action."),
    (b"Action=&Version=2011-06-15", "MissingAction", "The request has no Action."),
    (b"Action=x.GetCallerIdentity&Version=2011-06-15", "InvalidAction",
     "The mock does not know the operation 'x.GetCallerIdentity'."),
])
def test_a_query_request_without_a_known_action(body, code, message):
    with serving() as endpoint:
        response = Response(raw(endpoint.port, signed_request(
            endpoint, body, {"Content-Type": FORM}, service="sts")))
        assert response.status == 400
        assert response.headers["x-amzn-errortype"] == code
        assert response.headers["content-type"] == "text/xml"
        request_id = response.headers["x-amzn-requestid"]
        assert response.body.decode() == (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
            f"<Message>{message}</Message></Error><RequestId>{request_id}</RequestId>"
            "</ErrorResponse>")
        assert endpoint.service.journal == []


# -- responses byte for byte; the connection loop, the body reader, the admin routes -----------
# What each response carries byte for byte, and each branch of the connection loop, the body
# reader and the admin routes.

_REQUEST_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@contextlib.contextmanager
def _serving_idle(idle_timeout: float, **options: Any) -> Iterator[Endpoint]:
    """An endpoint that closes a connection idle for ``idle_timeout`` seconds."""
    endpoint = Endpoint(Service(make_options(**options)), CREDENTIALS,
                        idle_timeout=idle_timeout).start()
    try:
        yield endpoint
    finally:
        endpoint.stop()


def _head(data: bytes) -> tuple[list[str], bytes]:
    """The response's status line and header lines as sent (the request id's value shown as
    ``<id>`` once its shape is checked), and the bytes after the head."""
    head, separator, rest = data.partition(b"\r\n\r\n")
    assert separator
    lines = head.decode("latin-1").split("\r\n")
    shown = []
    for line in lines:
        name, _, value = line.partition(": ")
        if name == "x-amzn-RequestId":
            assert _REQUEST_ID.fullmatch(value), line
            line = "x-amzn-RequestId: <id>"
        shown.append(line)
    return shown, rest


def _read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection. With ``serving()`` (idle
    timeout 120 s) and a client timeout of 10 s, an end reached only through the idle timeout
    fails the test: the server must close as soon as it has answered."""
    chunks = []
    while chunk := connection.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_answers_are_written_as_aws_writes_them_byte_for_byte():
    # CONFIRMED (AWS's JSON API response samples, e.g. docs.aws.amazon.com/network-firewall/
    # latest/developerguide/api-making-requests-response.html): status line with its reason
    # phrase, then x-amzn-RequestId, x-amzn-ErrorType, Content-Type, Content-Length.
    with serving() as endpoint:
        created = raw(endpoint.port, signed_request(endpoint, b'{"ExperimentName":"x"}'))
        assert _head(created) == ([
            "HTTP/1.1 200 OK", "x-amzn-RequestId: <id>",
            "Content-Type: application/x-amz-json-1.1", "Content-Length: 73",
            "Connection: close"],
            b'{"ExperimentArn":"arn:aws:sagemaker:us-east-1:123456789012:experiment/x"}')
        again = raw(endpoint.port, signed_request(endpoint, b'{"ExperimentName":"x"}'))
        assert _head(again) == ([
            "HTTP/1.1 400 Bad Request", "x-amzn-RequestId: <id>",
            "x-amzn-ErrorType: ValidationException",
            "Content-Type: application/x-amz-json-1.1", "Content-Length: 85",
            "Connection: close"],
            b'{"__type":"ValidationException","Message":"Experiment with name (x) already '
            b'exists."}')


def test_admin_health_is_written_byte_for_byte_and_reports_the_service():
    with serving(account_id="111122223333", region="eu-west-1") as endpoint:
        client(endpoint, region="eu-west-1").create_experiment(ExperimentName="a")
        # A query string does not change the route (it may hold another '?').
        for path in ("/_sm_experiments/health", "/_sm_experiments/health?verbose=1?x=2"):
            lines, body = _head(raw(endpoint.port, request_bytes(
                "GET", path, {"Host": f"127.0.0.1:{endpoint.port}"}, b"")))
            assert lines == ["HTTP/1.1 200 OK", "Content-Type: application/json",
                             "x-amzn-RequestId: <id>", f"Content-Length: {len(body)}",
                             "Connection: close"]
            assert json.loads(body) == {
                "status": "ok", "server": "pytest-sm-experiments",
                "version": _installed_version("pytest-sm-experiments"), "pid": os.getpid(),
                "account_id": "111122223333", "region": "eu-west-1", "calls": 1}


@pytest.mark.parametrize(("method", "name"), [
    ("POST", "health"), ("PUT", "health"), ("GET", "reset"), ("POST", "journal"),
    ("PUT", "journal"),
    ("GET", "nothing")])
def test_admin_routes_name_the_ones_there_are(method, name):
    with serving() as endpoint:
        data = raw(endpoint.port, signed_request(endpoint, b"", {}, method=method,
                                                 path=f"/_sm_experiments/{name}"))
        lines, body = _head(data)
        assert lines[:4] == ["HTTP/1.1 404 Not Found", "x-amzn-RequestId: <id>",
                             "x-amzn-ErrorType: NotFound", "Content-Type: application/json"]
        assert json.loads(body) == {"__type": "NotFound", "Message": (
            f"No admin route {method} /_sm_experiments/{name}; there are GET health, "
            f"GET journal and POST reset.")}
        assert endpoint.service.journal == []


def test_admin_journal_sends_every_field_of_each_call():
    with serving() as endpoint:
        sagemaker = client(endpoint, region="eu-west-1")
        created = sagemaker.create_experiment(ExperimentName="a", Description="d")
        with pytest.raises(ClientError) as raised:
            sagemaker.describe_experiment(ExperimentName="missing")
        data = raw(endpoint.port, signed_request(endpoint, b"", {}, method="GET",
                                                 path="/_sm_experiments/journal"))
        lines, body = _head(data)
        assert lines[:3] == ["HTTP/1.1 200 OK", "Content-Type: application/json",
                             "x-amzn-RequestId: <id>"]
        assert json.loads(body) == {"total": 2, "dropped": 0, "calls": [
            {"operation": "CreateExperiment", "service": "sagemaker",
             "params": {"ExperimentName": "a", "Description": "d"},
             "response": {"ExperimentArn":
                          "arn:aws:sagemaker:eu-west-1:123456789012:experiment/a"},
             "error_code": None, "error_message": None, "region": "eu-west-1",
             "account_id": "123456789012",
             "request_id": created["ResponseMetadata"]["RequestId"], "pid": os.getpid(),
             "succeeded": True},
            {"operation": "DescribeExperiment", "service": "sagemaker",
             "params": {"ExperimentName": "missing"}, "response": None,
             "error_code": "ResourceNotFound",
             "error_message": raised.value.response["Error"]["Message"],
             "region": "eu-west-1", "account_id": "123456789012",
             "request_id": raised.value.response["ResponseMetadata"]["RequestId"],
             "pid": os.getpid(), "succeeded": False}]}


def test_admin_routes_are_signed_for_sagemaker_only():
    with serving() as endpoint:
        data = raw(endpoint.port, signed_request(endpoint, b"", {}, method="GET",
                                                 path="/_sm_experiments/journal",
                                                 service="sts"))
        status, code, body = aws_error(data)
        assert (status, code, body["Message"]) == (
            403, "InvalidSignatureException",
            "Credential should be scoped to correct service: 'sagemaker'. ")


def test_admin_reset_forgets_resources_too():
    with serving() as endpoint:
        sagemaker = client(endpoint)
        sagemaker.create_experiment(ExperimentName="a")
        reset = raw(endpoint.port, signed_request(endpoint, b"", {},
                                                  path="/_sm_experiments/reset"))
        assert _head(reset)[1] == b'{"reset":true}'
        with pytest.raises(sagemaker.exceptions.ResourceNotFound):
            sagemaker.describe_experiment(ExperimentName="a")


def test_an_admin_request_whose_body_cannot_be_read_gets_a_json_error():
    with serving() as endpoint:
        data = raw(endpoint.port, b"POST /_sm_experiments/reset HTTP/1.1\r\n"
                                  b"Content-Length: ten\r\n\r\n", shut_write=True)
        lines, body = _head(data)
        assert lines[:4] == ["HTTP/1.1 400 Bad Request", "x-amzn-RequestId: <id>",
                             "x-amzn-ErrorType: BadRequest", "Content-Type: application/json"]
        assert json.loads(body) == {"__type": "BadRequest",
                                    "Message": "Invalid Content-Length: 'ten'."}


@pytest.mark.parametrize(("data", "status", "code", "message"), [
    # The stdlib's parser names what it refused; the code is the status's phrase.
    (b"GARBAGE\r\n\r\n", 400, "BadRequest", "Bad request syntax ('GARBAGE')"),
    (b"POST / HTTP/2.0\r\n\r\n", 505, "HttpVersionNotSupported", "Invalid HTTP version (2.0)"),
    (b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431,
     "RequestHeaderFieldsTooLarge",
     "Line too long: got more than 65536 bytes when reading header line"),
    (b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400, "BadRequest",
     "Invalid Content-Length: 'ten'."),
    (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400, "BadRequest",
     "Invalid Content-Length: '5, 6'."),
    # A digit, but not an ASCII one (U+00B2, latin-1 as HTTP header bytes are read).
    (b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n", 400, "BadRequest",
     "Invalid Content-Length: '\u00b2'."),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411, "MissingContentLength",
     "A Content-Length header is required (chunked bodies are not accepted)."),
])
def test_refused_http_names_the_reason_and_closes_a_kept_alive_connection(data, status, code,
                                                                           message):
    # HTTP/1.1 without "Connection: close": the connection would stay open, but what follows
    # a refused request cannot be read as the next one.
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        connection.sendall(data)
        lines, body = _head(_read_until_closed(connection))
        assert lines[0].startswith(f"HTTP/1.1 {status} ")
        assert lines[1:4] == ["x-amzn-RequestId: <id>", f"x-amzn-ErrorType: {code}",
                              "Content-Type: application/json"]
        assert lines[-1] == "Connection: close"
        assert json.loads(body) == {"__type": code, "Message": message}


def test_a_body_cut_short_says_how_much_arrived():
    with serving() as endpoint:
        data = raw(endpoint.port, b"POST / HTTP/1.1\r\nContent-Length: 100\r\n\r\n"
                                  b'{"short":', shut_write=True)
        lines, body = _head(data)
        assert (lines[0], lines[-1]) == ("HTTP/1.1 400 Bad Request", "Connection: close")
        assert json.loads(body) == {"__type": "IncompleteBody",
                                    "Message": "The request body ended after 9 of 100 bytes."}


@pytest.mark.parametrize("prefix", [b"", b"\r\n"])
def test_a_request_line_longer_than_64k_is_refused_as_soon_as_it_is(prefix):
    # 65,537 bytes and no end of line yet: answered at once, without waiting for the rest.
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        connection.sendall(prefix + b"POST /" + b"a" * (65537 - 6))
        lines, body = _head(_read_until_closed(connection))
        assert lines == ["HTTP/1.1 414 Request-URI Too Long", "x-amzn-RequestId: <id>",
                         "x-amzn-ErrorType: RequestUriTooLong",
                         "Content-Type: application/json", "Content-Length: 63",
                         "Connection: close"]
        assert json.loads(body) == {"__type": "RequestUriTooLong",
                                    "Message": "Request-URI Too Long"}


def test_a_request_line_of_exactly_64k_is_read():
    with serving() as endpoint:
        line = b"GET /" + b"a" * (65536 - 16) + b" HTTP/1.1\r\n"
        assert len(line) == 65536
        status, code, _ = aws_error(raw(endpoint.port, line + b"Connection: close\r\n\r\n"))
        assert (status, code) == (403, "MissingAuthenticationTokenException")


def test_bare_line_feeds_before_a_request_are_ignored():
    with serving() as endpoint:
        data = b"\n\r\n\n" + signed_request(endpoint, b'{"ExperimentName":"lf"}')
        assert Response(raw(endpoint.port, data)).status == 200
        assert endpoint.service.journal[0].params == {"ExperimentName": "lf"}


def test_a_header_value_outside_latin_1_is_replaced_not_fatal():
    with serving() as endpoint:
        endpoint.service.faults.add(InjectedError("CreateExperiment", "Throttled\u2713", "m", 429,
                                              1))
        lines, body = _head(raw(endpoint.port, signed_request(endpoint, b"{}")))
        assert lines[:3] == ["HTTP/1.1 429 Too Many Requests", "x-amzn-RequestId: <id>",
                             "x-amzn-ErrorType: Throttled?"]
        assert json.loads(body) == {"__type": "Throttled\u2713", "Message": "m"}


def test_an_idle_connection_is_closed_without_an_answer():
    with _serving_idle(0.3) as endpoint:
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as idle:
            assert idle.recv(10) == b""
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as used:
            used.sendall(signed_request(endpoint, b'{"ExperimentName":"a"}', close=False))
            answered = _read_until_closed(used)
            lines, rest = _head(answered)
            assert (lines[0], "Connection: close" in lines) == ("HTTP/1.1 200 OK", False)
            assert rest == b'{"ExperimentArn":"arn:aws:sagemaker:us-east-1:123456789012:' \
                           b'experiment/a"}'  # and nothing after it


def test_a_kept_alive_request_with_an_oversized_body_closes_the_connection(monkeypatch):
    monkeypatch.setattr(endpoint_module, "MAX_BODY", 1000)
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        connection.sendall(f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{endpoint.port}\r\n"
                           f"Content-Length: 1001\r\n\r\n".encode())
        lines, body = _head(_read_until_closed(connection))
        assert (lines[0], lines[-1]) == ("HTTP/1.1 413 Request Entity Too Large",
                                         "Connection: close")
        assert json.loads(body) == {
            "__type": "RequestEntityTooLargeException",
            "Message": "The request body (1001 bytes) is larger than the mock accepts "
                       "(1000 bytes)."}


def test_a_body_of_exactly_the_largest_size_is_accepted(monkeypatch):
    body = b'{"ExperimentName":"exact"}'
    monkeypatch.setattr(endpoint_module, "MAX_BODY", 26)
    assert len(body) == 26
    with serving() as endpoint:
        assert Response(raw(endpoint.port, signed_request(endpoint, body))).status == 200
        assert endpoint.service.journal[0].params == {"ExperimentName": "exact"}


@pytest.mark.parametrize("lengths", [["26 "], ["26", "26"]], ids=["trailing-space", "twice"])
def test_a_content_length_with_spaces_or_sent_twice_alike_is_read(lengths):
    # RFC 9110: whitespace around a field value is not part of it, and a recipient may take
    # a Content-Length repeated with one value as that value.
    body = b'{"ExperimentName":"twice"}'
    with serving() as endpoint:
        headers = signed(f"{endpoint.url}/", {"Host": f"127.0.0.1:{endpoint.port}", **CREATE},
                         body)
        lines = ["POST / HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items()),
                 *(f"Content-Length: {length}" for length in lengths), "Connection: close"]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        assert Response(raw(endpoint.port, data)).status == 200
        assert endpoint.service.journal[0].params == {"ExperimentName": "twice"}


def test_a_bug_closes_even_a_kept_alive_connection_and_says_so(monkeypatch):
    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        monkeypatch.setattr(Service, "handle", broken)
        connection.sendall(signed_request(endpoint, b"{}", close=False))
        lines, body = _head(_read_until_closed(connection))
        assert lines == ["HTTP/1.1 500 Internal Server Error", "x-amzn-RequestId: <id>",
                         "x-amzn-ErrorType: InternalFailure", "Content-Type: application/json",
                         f"Content-Length: {len(body)}", "Connection: close"]
        assert json.loads(body) == {
            "__type": "InternalFailure",
            "Message": "The mock failed to answer this request (a bug in "
                       "pytest-sm-experiments)."}


def test_the_connection_beyond_the_limit_is_told_why(monkeypatch):
    monkeypatch.setattr(endpoint_module, "MAX_CONNECTIONS", 1)
    with serving() as endpoint, socket.create_connection(("127.0.0.1", endpoint.port)) as held:
        held.sendall(b"P")  # a request begun: its place is not given away before its timeout
        time.sleep(0.2)  # the held connection is admitted first
        lines, body = _head(raw(endpoint.port, b""))
        assert lines == ["HTTP/1.1 503 Service Unavailable", "x-amzn-RequestId: <id>",
                         "x-amzn-ErrorType: ServiceUnavailable",
                         "Content-Type: application/json", f"Content-Length: {len(body)}",
                         "Connection: close"]
        assert json.loads(body) == {"__type": "ServiceUnavailable",
                                    "Message": "Too many connections to the mock at once; "
                                               "retry."}


def test_a_connection_the_client_closed_frees_its_place(monkeypatch):
    monkeypatch.setattr(endpoint_module, "MAX_CONNECTIONS", 1)
    with serving() as endpoint:
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as first:
            first.sendall(signed_request(endpoint, b'{"ExperimentName":"one"}', close=False))
            assert Response(first.recv(65536)).status == 200
        # The server sees the end of the first connection soon after; until then the one
        # place is taken (503), and an admitted connection that sends nothing gets nothing.
        # Never for long: 200 attempts are far more than it needs.
        for _ in range(200):
            if raw(endpoint.port, b"", shut_write=True) == b"":
                break
            time.sleep(0.02)
        answer = Response(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"two"}')))
        assert answer.status == 200
        assert [call.params["ExperimentName"] for call in endpoint.service.journal] == [
            "one", "two"]


def test_the_server_threads_are_named_and_do_not_hold_the_interpreter_open():
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        connection.sendall(signed_request(endpoint, b'{"ExperimentName":"a"}', close=False))
        assert Response(connection.recv(65536)).status == 200
        local = connection.getsockname()
        threads = {thread.name: thread.daemon for thread in threading.enumerate()}
        assert threads[f"sm-experiments-endpoint-{endpoint.port}"] is True
        assert threads[f"sm-experiments-connection-{local}"] is True


def test_an_ipv6_endpoint_serves_and_reports_its_address():
    endpoint = Endpoint(Service(make_options()), CREDENTIALS, host="::1").start()
    try:
        assert endpoint.url == f"http://[::1]:{endpoint.port}"
        assert listening("::1", endpoint.port)
        assert client(endpoint).create_experiment(ExperimentName="v6")["ExperimentArn"] == (
            "arn:aws:sagemaker:us-east-1:123456789012:experiment/v6")
    finally:
        endpoint.stop()
    assert not listening("::1", endpoint.port)


def test_serving_writes_nothing_to_stderr(capfd):
    # The stdlib's request handler logs to stderr; the endpoint answers its error paths
    # itself, so nothing of it reaches a test's output.
    with serving() as endpoint:
        raw(endpoint.port, b"GARBAGE\r\n\r\n")
        raw(endpoint.port, b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", shut_write=True)
        raw(endpoint.port, b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nConnection: close\r\n"
                           b"Content-Length: 2\r\n\r\n{}")
        client(endpoint).create_experiment(ExperimentName="quiet")
    assert capfd.readouterr().err == ""


# -- bugs logged, refused requests closing, the caller looked up once, endpoint lifecycle -----

def _one_response(connection: socket.socket) -> Response:
    """One whole response read from a connection the server may keep open."""
    data = b""
    while b"\r\n\r\n" not in data or len(Response(data).body) < int(
            Response(data).headers["content-length"]):
        chunk = connection.recv(65536)
        assert chunk, f"closed after {data!r}"
        data += chunk
    return Response(data)


def _ended(connection: socket.socket) -> bool:
    """Whether the server has ended the connection: a request sent now gets no answer."""
    try:
        port = connection.getpeername()[1]
        connection.sendall(request_bytes("GET", "/_sm_experiments/health",
                                         {"Host": f"127.0.0.1:{port}"}, b"", close=False))
        return connection.recv(65536) == b""
    except ConnectionError:  # reset: the server had closed it with the request unread
        return True


def test_a_bug_is_logged_with_its_traceback(monkeypatch, caplog):
    # The one place the endpoint logs: pytest shows the record (and the traceback) of a
    # failed test, so a 500 from the mock comes with its cause.
    def broken(*args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(Service, "handle", broken)
    with serving() as endpoint:
        assert aws_error(raw(endpoint.port, signed_request(endpoint, b"{}")))[:2] == (
            500, "InternalFailure")
    records = [record for record in caplog.records
               if record.name == "pytest_sm_experiments.server.endpoint"]
    assert [(record.levelname, record.getMessage()) for record in records] == [
        ("ERROR", "pytest-sm-experiments endpoint: unexpected error")]
    assert records[0].exc_info is not None
    assert repr(records[0].exc_info[1]) == "RuntimeError('boom')"


@pytest.mark.parametrize(("data", "status"), [
    (b"POST / HTTP/1.1\r\nContent-Length: ten\r\n\r\n", 400),
    (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
    (b"POST / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431),
], ids=["bad-length", "chunked", "header-too-long"])
def test_a_refused_request_ends_its_kept_alive_connection_at_once(data, status):
    # What follows a request whose body cannot be read is not read as the next request.
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as connection:
        connection.sendall(data)
        response = _one_response(connection)
        assert (response.status, response.headers["connection"]) == (status, "close")
        assert _ended(connection)
        assert endpoint.service.journal == []


def test_the_calling_process_is_looked_up_once_per_connection(monkeypatch):
    # Each lookup reads the process table; a kept-alive connection's caller is the one
    # found for its first request.
    pids = iter([111, 222, 333])
    monkeypatch.setattr(peers, "peer_pid", lambda connection: next(pids))
    with serving() as endpoint:
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as kept:
            for name in ("one", "two"):
                kept.sendall(signed_request(endpoint, json.dumps(
                    {"ExperimentName": name}).encode(), close=False))
                assert _one_response(kept).status == 200
        fresh = Response(raw(endpoint.port, signed_request(
            endpoint, b'{"ExperimentName":"three"}')))
        assert fresh.status == 200
        assert [(call.params["ExperimentName"], call.pid)
                for call in endpoint.service.journal] == [
            ("one", 111), ("two", 111), ("three", 222)]


@pytest.mark.parametrize("payload_header", [False, True])
def test_a_signed_admin_reset_with_a_body_is_checked_against_that_body(payload_header):
    # The signature covers the body a client sent (and X-Amz-Content-SHA256, when sent, its
    # hash); the reset route ignores the body itself.
    body = b'{"Force":true}'
    headers = {"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()} if (
        payload_header) else {}
    with serving() as endpoint:
        client(endpoint).create_experiment(ExperimentName="gone")
        reset = Response(raw(endpoint.port, signed_request(
            endpoint, body, headers, path="/_sm_experiments/reset")))
        assert (reset.status, reset.json()) == (200, {"reset": True})
        assert endpoint.service.journal == []
        other = aws_error(raw(endpoint.port, signed_request(
            endpoint, body, headers, path="/_sm_experiments/reset").replace(b"true", b"True")))
        assert other[:2] == (403, "InvalidSignatureException")


def test_endpoints_made_with_the_defaults_start_stopped_then_each_get_a_free_port():
    first = Endpoint(Service(make_options()), CREDENTIALS)
    second = Endpoint(Service(make_options()), CREDENTIALS)
    assert (first.port, first.running) == (0, False)
    first.start()
    try:
        second.start()
        try:
            assert first.port != second.port
            for endpoint in (first, second):
                assert endpoint.running
                health = Response(raw(endpoint.port, request_bytes(
                    "GET", "/_sm_experiments/health", {"Host": f"127.0.0.1:{endpoint.port}"}, b"")))
                assert (health.status, health.json()["status"]) == (200, "ok")
        finally:
            second.stop()
    finally:
        first.stop()
    assert first.running is False
    assert not listening("127.0.0.1", first.port)


def test_abandoning_an_endpoint_never_started_does_nothing():
    endpoint = Endpoint(Service(make_options()), CREDENTIALS)
    endpoint.abandon()
    endpoint.stop()
    assert (endpoint.running, endpoint.port) == (False, 0)


def test_stop_ends_every_connection_even_one_its_client_reset_mid_request(monkeypatch):
    # The reset connection's socket can no longer be shut down (ENOTCONN): stop() goes on to
    # the connections after it, and returns.
    answer = Service.handle
    entered, release = threading.Event(), threading.Event()

    def held(self: Service, *args: Any) -> Any:
        entered.set()
        release.wait(10)
        return answer(self, *args)

    monkeypatch.setattr(Service, "handle", held)
    endpoint = Endpoint(Service(make_options()), CREDENTIALS).start()
    try:
        reset = socket.create_connection(("127.0.0.1", endpoint.port), timeout=10)
        reset.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        reset.sendall(signed_request(endpoint, b'{"ExperimentName":"a"}', close=False))
        assert entered.wait(10)
        reset.close()  # linger 0: a reset, which the handler (held above) has not seen
        with socket.create_connection(("127.0.0.1", endpoint.port), timeout=10) as idle:
            idle.sendall(request_bytes("GET", "/_sm_experiments/health",
                                       {"Host": f"127.0.0.1:{endpoint.port}"}, b"", close=False))
            assert _one_response(idle).status == 200

            def release_when_ended() -> None:
                with contextlib.suppress(OSError):
                    idle.recv(10)  # b"": stop() shut down this connection, after the other
                release.set()

            watcher = threading.Thread(target=release_when_ended)
            watcher.start()
            endpoint.stop()
            watcher.join(10)
        assert release.is_set()
        assert endpoint.running is False
        assert not listening("127.0.0.1", endpoint.port)
    finally:
        release.set()
        endpoint.stop()
