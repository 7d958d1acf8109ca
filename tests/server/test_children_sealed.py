"""Children are sealed as the test's process is: every AWS call a child makes is answered by
the mock, by moto in the test's process, or refused in the child; none reaches AWS.

Children are fresh Python processes with plain boto3 under the suite's child network guard
(tests/child_guard), which logs every connection they make and refuses any beyond loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import boto3
import pytest

from pytest_sm_experiments import mock_sm_experiments

moto = pytest.importorskip("moto")
TESTS = Path(__file__).resolve().parents[1]
REGION = "us-east-1"


@pytest.fixture
def child_log(tmp_path, monkeypatch) -> Path:
    log = tmp_path / "connects.log"
    log.touch()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TESTS / "child_guard"), str(TESTS)]))
    monkeypatch.setenv("SM_CHILD_CONNECTS", str(log))
    return log


def run_child(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=60, check=False)


_OTHER_SERVICES = """
    import json, boto3
    from botocore.exceptions import ClientError
    out = {}
    def attempt(name, call):
        try:
            out[name] = call()
        except ClientError as error:
            out[name] = [error.response["Error"]["Code"], error.response["Error"]["Message"],
                         error.response["ResponseMetadata"]["HTTPStatusCode"]]
    s3 = boto3.client("s3")
    logs = boto3.client("logs")
    sagemaker = boto3.client("sagemaker")
    attempt("bucket", lambda: s3.create_bucket(Bucket="from-child")["ResponseMetadata"][
        "HTTPStatusCode"])
    attempt("log_group", lambda: logs.create_log_group(logGroupName="/child")[
        "ResponseMetadata"]["HTTPStatusCode"])
    attempt("search", lambda: sagemaker.search(Resource="TrainingJob")["Results"])
    attempt("experiment", lambda: sagemaker.create_experiment(ExperimentName="mine")[
        "ExperimentArn"])
    print(json.dumps(out))
"""


@pytest.mark.slow
def test_a_childs_other_services_are_answered_by_moto_in_the_test_process(child_log,
                                                                          network_attempts):
    with mock_sm_experiments(subprocesses=True) as mock, moto.mock_aws():
        done = run_child(_OTHER_SERVICES)
        port = mock.endpoint_url.rsplit(":", 1)[1]
        buckets = [bucket["Name"] for bucket in
                   boto3.client("s3", region_name=REGION).list_buckets()["Buckets"]]
        groups = [group["logGroupName"] for group in boto3.client(
            "logs", region_name=REGION).describe_log_groups()["logGroups"]]
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["bucket"], out["log_group"], out["search"]) == (200, 200, [])
    assert out["experiment"].endswith(":experiment/mine")
    assert (buckets, groups) == (["from-child"], ["/child"])
    assert list(mock.experiments) == ["mine"]
    assert set(child_log.read_text().splitlines()) == {f"127.0.0.1 {port}"}
    assert list(network_attempts) == []


@pytest.mark.slow
def test_without_moto_a_childs_other_services_are_refused_in_their_protocol(child_log):
    with mock_sm_experiments(subprocesses=True) as mock:
        done = run_child(_OTHER_SERVICES)
        port = mock.endpoint_url.rsplit(":", 1)[1]
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    # S3's XML error and CloudWatch Logs' JSON error, each parsed by its own client.
    # (A REST request names no operation on the wire: S3's is its method and path.)
    for name, asked in (("bucket", "s3:PUT /from-child"), ("log_group", "logs:CreateLogGroup")):
        code, message, status = out[name]
        assert (code, status) == ("RequestRefused", 400)
        assert f"refused {asked} while a mock runs; nothing was sent to AWS" in message
        assert "start moto's mock_aws beside this mock" in message
    # As the test's process without moto: not served, nothing sent (a 400, never retried).
    assert out["search"][0] == "UnknownOperationException"
    assert "does not serve sagemaker:Search(Resource=TrainingJob)" in out["search"][1]
    assert out["experiment"].endswith(":experiment/mine")
    assert set(child_log.read_text().splitlines()) == {f"127.0.0.1 {port}"}


_ANY_CLIENT = """
    import boto3
    try:
        boto3.client("s3").list_buckets()
    except ValueError as error:
        print(error)
"""


@pytest.mark.slow
def test_without_the_option_a_childs_aws_calls_fail_in_the_child_naming_it(child_log):
    with mock_sm_experiments():
        done = run_child(_ANY_CLIENT)
    assert done.returncode == 0, done.stderr
    assert "start the mock with subprocesses=True" in done.stdout
    assert child_log.read_text() == ""  # not one connection
