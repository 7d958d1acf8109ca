"""Loopback is loopback: a request to this machine never goes through a proxy, and a URL is
judged local the way the HTTP stack will connect to it.

The proxy trap is a listener on loopback set as ``HTTP_PROXY``/``HTTPS_PROXY``: it records every
connection and answers 502, as a corporate proxy that cannot reach the target would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments

TESTS = Path(__file__).resolve().parents[1]


class _Recorder(BaseHTTPRequestHandler):
    server: Any

    def _any(self) -> None:
        self.server.seen.append((self.command, self.path))
        body = self.server.answer
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_CONNECT = _any

    def log_message(self, *args: Any) -> None:
        pass


def _listener(status: int, answer: bytes) -> Iterator[Any]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen, server.status, server.answer = [], status, answer
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def proxy_trap(monkeypatch) -> Iterator[Any]:
    """A proxy in the environment (all four spellings) that records what reaches it."""
    for server in _listener(502, b'{"message": "the proxy cannot reach it"}'):
        url = f"http://127.0.0.1:{server.server_address[1]}"
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            monkeypatch.setenv(name, url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)
        yield server


@pytest.fixture
def local_service() -> Iterator[Any]:
    """A local server that answers like a JSON 1.1 service (a moto server, LocalStack)."""
    yield from _listener(200, b'{"LogGroups": []}')


_CHILD = """
import json, boto3
client = boto3.client("sagemaker")
arn = client.create_experiment(ExperimentName="through-no-proxy")["ExperimentArn"]
print(json.dumps(arn))
"""


@pytest.mark.slow
def test_a_child_reaches_the_endpoint_past_a_proxy_in_the_environment(proxy_trap, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("NO_PROXY", "internal.example")
    log = tmp_path / "connects.log"
    monkeypatch.setenv("SM_CHILD_CONNECTS", str(log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS / "child_guard"), str(TESTS)]))
    with mock_sm_experiments(subprocesses=True) as mock:
        done = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                              timeout=60, check=False)
        assert os.environ["NO_PROXY"] == "internal.example,127.0.0.1"
        port = mock.endpoint_url.rsplit(":", 1)[1]
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout).endswith(":experiment/through-no-proxy")
    assert "through-no-proxy" in mock.experiments
    assert proxy_trap.seen == []
    assert set(log.read_text().splitlines()) == {f"127.0.0.1 {port}"}
    # The user's own list is back as it was.
    assert os.environ["NO_PROXY"] == "internal.example"


def test_an_in_process_client_of_a_local_server_never_consults_a_proxy(
        sm_experiments, proxy_trap, local_service, network_attempts):
    url = f"http://127.0.0.1:{local_service.server_address[1]}"
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=url)
    logs.describe_log_groups()
    assert local_service.seen == [("POST", "/")]
    assert proxy_trap.seen == []
    assert list(network_attempts) == []


def test_an_explicit_proxy_is_not_used_for_loopback_either(sm_experiments, proxy_trap,
                                                           local_service):
    url = f"http://127.0.0.1:{local_service.server_address[1]}"
    trap = f"http://127.0.0.1:{proxy_trap.server_address[1]}"
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=url,
                        config=Config(proxies={"http": trap, "https": trap}))
    logs.describe_log_groups()
    assert (len(local_service.seen), proxy_trap.seen) == (1, [])


@pytest.mark.parametrize("template", [
    "http://leak.example\\@127.0.0.1:{port}",
    "http://leak.example@127.0.0.1:{port}",
    "http://user:pass@127.0.0.1:{port}",
    "http://leak.localhost:{port}",
    "http://127.0.0.1.leak.example:{port}",
])
def test_urls_that_only_look_local_are_refused_before_anything_is_sent(
        sm_experiments, local_service, network_attempts, template):
    url = template.format(port=local_service.server_address[1])
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=url)
    with pytest.raises(RequestRefusedError, match="nothing was sent"):
        logs.describe_log_groups()
    assert local_service.seen == []
    assert list(network_attempts) == []


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_addresses_and_localhost_are_sent_to(sm_experiments, local_service, host):
    logs = boto3.client("logs", region_name="us-east-1",
                        endpoint_url=f"http://{host}:{local_service.server_address[1]}")
    logs.describe_log_groups()
    assert len(local_service.seen) == 1
