"""The endpoint holds like an AWS front door: signatures are fresh, temporary credentials need
their token, a stopped mock's clients are told so, names and methods are checked.

Requests are signed by botocore's own signer; the signing clock is botocore's, moved.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import boto3
import botocore.auth
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from endpoint_helpers import (
    CREATE,
    KEY,
    SECRET,
    Response,
    raw,
    request_bytes,
    serving,
    signed,
)

from pytest_sm_experiments import mock_sm_experiments


def _signed_at(monkeypatch, when: datetime.datetime, url: str, **signing: Any) -> dict[str, str]:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: when)
    try:
        return signed(f"{url}/", {"Host": url.removeprefix("http://"), **CREATE},
                      b'{"ExperimentName":"replayed"}', **signing)
    finally:
        monkeypatch.undo()


def _send(port: int, headers: dict[str, str], body: bytes = b'{"ExperimentName":"replayed"}',
          method: str = "POST") -> Response:
    return Response(raw(port, request_bytes(method, "/", headers, body)))


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _stamp(value: datetime.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def test_a_request_signed_an_hour_ago_is_refused_and_changes_nothing(monkeypatch):
    with serving() as endpoint:
        an_hour_ago = _now() - datetime.timedelta(hours=1)
        headers = _signed_at(monkeypatch, an_hour_ago, endpoint.url)
        response = _send(endpoint.port, headers)
        message = response.json()["Message"]
        assert endpoint.service.journal == []
    # AWS's words (aws/aws-sdk-js#254): "Signature expired: <signed> is now earlier than
    # <now - 15 min> (<now> - 15 min.)", InvalidSignatureException, 400.
    assert (response.status, response.headers["x-amzn-errortype"]) == (
        400, "InvalidSignatureException")
    prefix = f"Signature expired: {_stamp(an_hour_ago)} is now earlier than "
    assert message.startswith(prefix)
    assert message.endswith(" - 15 min.)")
    earliest, now = message[len(prefix):].split(" (")
    assert (datetime.datetime.strptime(now[:16], "%Y%m%dT%H%M%SZ")
            - datetime.datetime.strptime(earliest, "%Y%m%dT%H%M%SZ")) == datetime.timedelta(
        minutes=15)


def test_a_request_signed_ahead_of_the_clock_is_not_yet_current(monkeypatch):
    with serving() as endpoint:
        ahead = _now() + datetime.timedelta(minutes=20)
        response = _send(endpoint.port, _signed_at(monkeypatch, ahead, endpoint.url))
        assert endpoint.service.journal == []
    assert response.status == 400
    assert response.json()["Message"].startswith(
        f"Signature not yet current: {_stamp(ahead)} is still later than ")


def test_a_request_signed_within_the_window_is_served(monkeypatch):
    with serving() as endpoint:
        late = _now() - datetime.timedelta(minutes=14)
        response = _send(endpoint.port, _signed_at(monkeypatch, late, endpoint.url))
        assert response.status == 200
        assert [call.operation for call in endpoint.service.journal] == ["CreateExperiment"]


@pytest.mark.parametrize("stamp", ["20261306T000000Z", "20260230T000000Z", "20260101T250000Z"])
def test_a_date_that_is_no_date_is_refused(monkeypatch, stamp):
    with serving() as endpoint:
        headers = signed(f"{endpoint.url}/", {"Host": f"127.0.0.1:{endpoint.port}", **CREATE},
                         b"{}")
        headers["X-Amz-Date"] = stamp
        headers["Authorization"] = headers["Authorization"].replace(
            headers["Authorization"].split("/")[1], stamp[:8])
        response = _send(endpoint.port, headers, b"{}")
        assert endpoint.service.journal == []
    assert (response.status, response.headers["x-amzn-errortype"]) == (
        400, "IncompleteSignatureException")


def test_the_session_token_is_required_when_the_credentials_have_one():
    with mock_sm_experiments(subprocesses=True) as mock:
        environment = mock.child_environment()
        url = mock.endpoint_url
        key, secret = environment["AWS_ACCESS_KEY_ID"], environment["AWS_SECRET_ACCESS_KEY"]
        port = int(url.rsplit(":", 1)[1])
        headers = signed(f"{url}/", {"Host": f"127.0.0.1:{port}", **CREATE},
                         b'{"ExperimentName":"tokenless"}', key=key, secret=secret)
        response = _send(port, headers, b'{"ExperimentName":"tokenless"}')
        assert (response.status, response.headers["x-amzn-errortype"]) == (
            403, "UnrecognizedClientException")
        with_token = signed(f"{url}/", {"Host": f"127.0.0.1:{port}", **CREATE},
                            b'{"ExperimentName":"with-token"}', key=key, secret=secret,
                            token=environment["AWS_SESSION_TOKEN"])
        assert _send(port, with_token, b'{"ExperimentName":"with-token"}').status == 200
        assert list(mock.experiments) == ["with-token"]


def test_a_client_of_a_stopped_mock_is_told_so_by_the_next_mock_on_its_port():
    with mock_sm_experiments(subprocesses=True) as first:
        environment = first.child_environment()
        url = first.endpoint_url
    port = int(url.rsplit(":", 1)[1])
    old_client = boto3.client(
        "sagemaker", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
        aws_session_token=environment["AWS_SESSION_TOKEN"],
        config=Config(retries={"max_attempts": 1}))
    # The next mock's endpoint listens on that port (a new test's mock, here a served one).
    from pytest_sm_experiments.core.service import Service
    from pytest_sm_experiments.credentials import Credentials
    from pytest_sm_experiments.options import make_options
    from pytest_sm_experiments.server.endpoint import Endpoint
    from pytest_sm_experiments.server.sigv4 import mint
    try:
        second = Endpoint(Service(make_options()), Credentials(KEY, SECRET), port=port).start()
    except OSError:
        pytest.skip("the port was taken meanwhile")
    try:
        second.credentials = Credentials(mint(port), SECRET, None)
        with pytest.raises(ClientError) as raised:
            old_client.create_experiment(ExperimentName="stale")
        assert second.service.journal == []
    finally:
        second.stop()
    error = raised.value.response["Error"]
    assert error["Code"] == "UnrecognizedClientException"
    assert (f"It is the key of the pytest-sm-experiments mock that listened on port {port}, "
            f"which has stopped") in error["Message"]


def test_mocks_have_keys_of_their_own():
    with mock_sm_experiments(subprocesses=True) as first, \
            mock_sm_experiments(subprocesses=True) as second:
        keys = {first.child_environment()["AWS_ACCESS_KEY_ID"],
                second.child_environment()["AWS_ACCESS_KEY_ID"]}
    assert len(keys) == 2
    assert all(len(key) == 20 and key.startswith("AKIA") for key in keys)


def test_admin_json_is_strict_json():
    """A body's NaN, Infinity or 1e999 (Python's json reads them) is journaled as sent; the
    journal route still answers JSON that any parser reads."""
    with serving() as endpoint:
        for body in (b'{"ExperimentName":"a","Description":NaN}',
                     b'{"ExperimentName":"b","Description":-Infinity}',
                     b'{"ExperimentName":"c","Description":1e999}'):
            headers = signed(f"{endpoint.url}/", {"Host": f"127.0.0.1:{endpoint.port}",
                                                  **CREATE}, body)
            assert _send(endpoint.port, headers, body).status == 400
        headers = signed(f"{endpoint.url}/_sm_experiments/journal",
                         {"Host": f"127.0.0.1:{endpoint.port}"}, b"", method="GET")
        response = Response(raw(endpoint.port, request_bytes(
            "GET", "/_sm_experiments/journal", headers, b"")))
    assert response.status == 200

    def refuse(constant: str) -> Any:
        raise AssertionError(f"not JSON: {constant}")

    calls = json.loads(response.body, parse_constant=refuse)["calls"]
    assert [call["params"]["Description"] for call in calls] == ["NaN", "-Infinity", "Infinity"]


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}",
                                  "127.0.0.1:1", "localhost.attacker.example:{port}"])
def test_a_host_that_is_not_the_endpoints_is_refused(host):
    """DNS rebinding: a page whose name now resolves to 127.0.0.1 sends its own name."""
    with serving() as endpoint:
        name = host.format(port=endpoint.port)
        headers = signed(f"http://{name}/", {"Host": name, **CREATE},
                         b'{"ExperimentName":"rebound"}')
        response = _send(endpoint.port, headers, b'{"ExperimentName":"rebound"}')
        health = Response(raw(endpoint.port, request_bytes(
            "GET", "/_sm_experiments/health", {"Host": name}, b"")))
        assert endpoint.service.journal == []
    assert (response.status, response.headers["x-amzn-errortype"]) == (400, "InvalidHostHeader")
    assert health.status == 400


@pytest.mark.parametrize("name", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST:{port}"])
def test_the_endpoints_own_names_are_served(name):
    with serving() as endpoint:
        host = name.format(port=endpoint.port)
        headers = signed(f"http://{host}/", {"Host": host, **CREATE}, b'{"ExperimentName":"a"}')
        assert _send(endpoint.port, headers, b'{"ExperimentName":"a"}').status == 200


def test_a_head_answer_carries_no_body():
    with serving() as endpoint:
        data = raw(endpoint.port, request_bytes(
            "HEAD", "/_sm_experiments/health", {"Host": f"127.0.0.1:{endpoint.port}"}, b""))
    head, _, rest = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 ")
    assert rest == b""


def test_serve_keeps_the_newest_calls_and_counts_them_all():
    import threading

    from pytest_sm_experiments.options import make_options
    from pytest_sm_experiments.server import cli

    class Printed(list[str]):
        def write(self, text: str) -> None:
            self.append(text)

        def flush(self) -> None:
            pass

    printed, stop = Printed(), threading.Event()
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    serving_thread = threading.Thread(target=cli.serve, args=(
        make_options(), "127.0.0.1", port, printed, stop, 3))
    serving_thread.start()
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            if printed:
                break
            threading.Event().wait(0.05)
        client = boto3.session.Session().client(
            "sagemaker", region_name="us-east-1", endpoint_url=url,
            aws_access_key_id=cli.CREDENTIALS.access_key,
            aws_secret_access_key=cli.CREDENTIALS.secret_key)
        for index in range(5):
            client.create_experiment(ExperimentName=f"e{index}")
        headers = signed(f"{url}/_sm_experiments/journal", {"Host": f"127.0.0.1:{port}"}, b"",
                         method="GET", key=cli.CREDENTIALS.access_key,
                         secret=cli.CREDENTIALS.secret_key)
        journal = Response(raw(port, request_bytes("GET", "/_sm_experiments/journal", headers,
                                                    b""))).json()
        health = Response(raw(port, request_bytes("GET", "/_sm_experiments/health",
                                                  {"Host": f"127.0.0.1:{port}"}, b""))).json()
    finally:
        stop.set()
        serving_thread.join(30)
    assert [call["params"]["ExperimentName"] for call in journal["calls"]] == ["e2", "e3", "e4"]
    assert (journal["total"], journal["dropped"], health["calls"]) == (5, 2, 5)


def test_serve_refuses_a_journal_limit_that_is_no_count(capsys):
    from pytest_sm_experiments.server import cli
    with pytest.raises(SystemExit):
        cli.main(["serve", "--journal-limit", "0"])
    assert "expected a whole number of calls" in capsys.readouterr().err


def _hold(port: int, count: int, send: bytes) -> list[Any]:
    import socket
    held = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        if send:
            connection.sendall(send)
        held.append(connection)
    return held


def _served_now(endpoint: Any) -> int:
    client = boto3.session.Session().client(
        "sagemaker", region_name="us-east-1", endpoint_url=endpoint.url,
        aws_access_key_id=KEY, aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}))
    client.create_experiment(ExperimentName="served")
    return len(endpoint.service.journal)


@pytest.mark.slow
def test_silent_sockets_cannot_lock_the_endpoint():
    from pytest_sm_experiments.server.endpoint import MAX_CONNECTIONS
    with serving() as endpoint:
        held = _hold(endpoint.port, MAX_CONNECTIONS, b"")
        try:
            assert _served_now(endpoint) == 1
        finally:
            for connection in held:
                connection.close()


@pytest.mark.slow
def test_a_drip_cannot_lock_the_endpoint():
    """Connections that sent one byte of a request and then nothing hold their place only for
    the endpoint's request timeout (here 0.2 s) once it is full."""
    from pytest_sm_experiments.core.service import Service
    from pytest_sm_experiments.credentials import Credentials
    from pytest_sm_experiments.options import make_options
    from pytest_sm_experiments.server.endpoint import MAX_CONNECTIONS, Endpoint
    endpoint = Endpoint(Service(make_options()), Credentials(KEY, SECRET),
                        request_timeout=0.2).start()
    try:
        held = _hold(endpoint.port, MAX_CONNECTIONS, b"P")
        try:
            threading_wait(0.4)
            assert _served_now(endpoint) == 1
        finally:
            for connection in held:
                connection.close()
    finally:
        endpoint.stop()


def threading_wait(seconds: float) -> None:
    import threading
    threading.Event().wait(seconds)


_DEEP_BODY_TEST = '''
import http.client
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


@pytest.mark.sm_experiments(subprocesses=True)
def test_deep(sm_experiments):
    env = sm_experiments.child_environment()
    url = sm_experiments.endpoint_url
    body = ('{"ExperimentName":"a","Tags":' + "[" * 980 + "]" * 980 + "}").encode()
    request = AWSRequest(method="POST", url=url + "/", data=body, headers={
        "X-Amz-Target": "SageMaker.CreateExperiment",
        "Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"],
                          env["AWS_SESSION_TOKEN"]), "sagemaker", "us-east-1").add_auth(request)
    connection = http.client.HTTPConnection(url.split("//")[1])
    connection.request("POST", "/", body=body, headers=dict(request.headers.items()))
    assert connection.getresponse().status == 400
    assert False, "the test fails: its report shows the journal"
'''


@pytest.mark.slow
def test_a_deeply_nested_body_does_not_break_the_journals_report(pytester):
    pytester.makepyfile(test_deep=_DEEP_BODY_TEST)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    assert "INTERNALERROR" not in result.stdout.str()
    shown = [line for line in result.stdout.lines if "1. CreateExperiment(" in line]
    assert shown, result.stdout.str()
    assert "Tags=" + "[" * 21 + "...]" in shown[0]
