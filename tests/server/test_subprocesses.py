"""One mock for every process: ``subprocesses=True`` serves child processes of every kind.

Children run tests/process_workers.py with plain boto3. Python children started fresh
(subprocess, spawn, forkserver) import tests/child_guard/sitecustomize.py, which refuses any
connection that is not loopback and logs every connection to a file the test reads; forked
children inherit the suite's own guard.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import process_workers
import pytest

from pytest_sm_experiments import (
    MockUsageError,
    RequestRefusedError,
    SageMakerExperimentsMock,
    UnsupportedOperationError,
    mock_sm_experiments,
)
from pytest_sm_experiments.options import make_options

TESTS = Path(__file__).resolve().parents[1]
WORKERS = TESTS / "process_workers.py"
FORK_WARNING = "ignore:This process .* is multi-threaded:DeprecationWarning"
ENDPOINT_VARIABLES = ("AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_SAGEMAKER_METRICS",
                      "AWS_ENDPOINT_URL_STS")


@pytest.fixture
def child_connects(tmp_path, monkeypatch) -> Path:
    """Fresh Python children get the network guard and log their connections here."""
    log = tmp_path / "connects.log"
    log.touch()
    paths = [str(TESTS / "child_guard"), str(TESTS), os.environ.get("PYTHONPATH", "")]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, paths)))
    monkeypatch.setenv("SM_CHILD_CONNECTS", str(log))
    return log


def connected_to(log: Path) -> set[str]:
    return set(log.read_text().splitlines())


# -- plain subprocess -------------------------------------------------------------------------

@pytest.mark.sm_experiments(subprocesses=True)
def test_subprocess_child_writes_to_the_parent_mock(sm_experiments, child_connects,
                                                     loopback_connects):
    sm_client = boto3.client("sagemaker", region_name="us-east-1")
    sm_client.create_experiment(ExperimentName="from-parent")

    result = subprocess.run([sys.executable, str(WORKERS), "create", "From-Child"],
                            capture_output=True, text=True, check=True)
    arn, pid = result.stdout.split()

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:experiment/from-child"
    assert sm_experiments.experiments["from-child"].name == "From-Child"
    parent_call, child_call = sm_experiments.calls
    assert (parent_call.params, parent_call.pid) == ({"ExperimentName": "from-parent"},
                                                     os.getpid())
    assert (child_call.params, child_call.pid) == ({"ExperimentName": "From-Child"}, int(pid))
    port = int(sm_experiments.endpoint_url.rsplit(":", 1)[1])
    assert connected_to(child_connects) == {f"127.0.0.1 {port}"}
    # The parent's own calls never touched the socket: the hook answered them.
    assert list(loopback_connects) == []


@pytest.mark.sm_experiments(subprocesses=True)
def test_calls_in_the_parent_stay_in_process(sm_experiments, loopback_connects):
    # A client made now resolves the loopback endpoint from the environment...
    client = boto3.client("sagemaker", region_name="eu-west-1")
    assert client.meta.endpoint_url == sm_experiments.endpoint_url
    # ...and is still answered by the hook, in-process, with its own region.
    client.create_experiment(ExperimentName="a")
    assert list(loopback_connects) == []
    call = sm_experiments.calls.one("CreateExperiment")
    assert (call.region, call.pid) == ("eu-west-1", os.getpid())


TRAINING_JOB = {
    "AlgorithmSpecification": {"TrainingImage": "img:latest", "TrainingInputMode": "File"},
    "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/models"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}


@pytest.mark.sm_experiments(subprocesses=True)
def test_moto_answers_what_the_mock_leaves_from_clients_made_meanwhile(sm_experiments,
                                                                         loopback_connects):
    """A client made while the endpoint variables are set points at the loopback endpoint; an
    operation the mock leaves to moto still reaches moto (which knows AWS's host names)."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        sagemaker = boto3.client("sagemaker", region_name="eu-west-1")
        sts = boto3.client("sts", region_name="eu-west-1")
        assert sagemaker.meta.endpoint_url == sm_experiments.endpoint_url
        arn = sagemaker.create_training_job(TrainingJobName="job-1", **TRAINING_JOB)[
            "TrainingJobArn"]
        jobs = sagemaker.list_training_jobs()["TrainingJobSummaries"]
        role = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                               RoleSessionName="session")["AssumedRoleUser"]["Arn"]
        sagemaker.create_experiment(ExperimentName="tracked")
    assert arn == "arn:aws:sagemaker:eu-west-1:123456789012:training-job/job-1"
    assert [job["TrainingJobName"] for job in jobs] == ["job-1"]
    assert role == "arn:aws:sts::123456789012:assumed-role/r/session"
    assert sm_experiments.calls.operations == ["CreateExperiment"]
    assert list(loopback_connects) == []


@pytest.mark.sm_experiments(subprocesses=True)
def test_without_moto_what_the_mock_leaves_is_refused_not_sent_to_the_endpoint(
        sm_experiments, loopback_connects):
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    with pytest.raises(UnsupportedOperationError, match="CreateTrainingJob") as raised:
        sagemaker.create_training_job(TrainingJobName="job-1", **TRAINING_JOB)
    assert "mock_aws" in str(raised.value)
    with pytest.raises(RequestRefusedError, match="sts:AssumeRole"):
        boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session")
    assert list(loopback_connects) == []
    assert list(sm_experiments.calls) == []


@pytest.mark.sm_experiments(subprocesses=True)
def test_child_environment_for_a_child_with_an_environment_of_its_own(sm_experiments,
                                                                      child_connects):
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": os.environ["PYTHONPATH"],
           "SM_CHILD_CONNECTS": str(child_connects), **sm_experiments.child_environment()}
    subprocess.run([sys.executable, str(WORKERS), "create", "isolated"], env=env, check=True,
                   capture_output=True)
    assert list(sm_experiments.experiments) == ["isolated"]
    assert set(sm_experiments.child_environment()) == {
        *ENDPOINT_VARIABLES, "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "AWS_DEFAULT_REGION", "AWS_REGION", "NO_PROXY", "no_proxy", "AWS_ENDPOINT_URL"}


def test_child_environment_needs_the_option():
    with mock_sm_experiments() as mock, pytest.raises(MockUsageError, match="subprocesses=True"):
        mock.child_environment()
    assert mock.endpoint_url is None


# -- multiprocessing: spawn, forkserver, fork -------------------------------------------------

@pytest.mark.filterwarnings(FORK_WARNING)
@pytest.mark.parametrize("method", ["spawn", "forkserver", "fork"])
def test_multiprocessing_children_write_to_the_parent_mock(method, child_connects):
    context = multiprocessing.get_context(method)
    with mock_sm_experiments(subprocesses=True, region="eu-west-1") as mock:
        queue = context.Queue()
        child = context.Process(target=process_workers.create, args=(f"from-{method}", queue))
        child.start()
        pid, outcome = queue.get(timeout=60)
        child.join(timeout=60)
        assert pid == child.pid
        assert outcome == f"arn:aws:sagemaker:eu-west-1:123456789012:experiment/from-{method}"
        call = mock.calls.one("CreateExperiment")
        assert (call.params, call.pid, call.region) == (
            {"ExperimentName": f"from-{method}"}, child.pid, "eu-west-1")
        port = mock.endpoint_url.rsplit(":", 1)[1]
    if method != "fork":  # a forked child has the suite's own guard, not the logging one
        assert connected_to(child_connects) == {f"127.0.0.1 {port}"}


@pytest.mark.filterwarnings(FORK_WARNING)
def test_a_forked_child_forwards_calls_of_clients_made_before_the_fork():
    context = multiprocessing.get_context("fork")
    with mock_sm_experiments(subprocesses=True) as mock:
        made_before = boto3.client("sagemaker", region_name="ap-southeast-2")
        queue = context.Queue()
        child = context.Process(target=process_workers.create,
                                args=("made-before", queue, made_before))
        child.start()
        _pid, outcome = queue.get(timeout=60)
        child.join(timeout=60)
        assert outcome.endswith(":ap-southeast-2:123456789012:experiment/made-before")
        assert mock.calls.one("CreateExperiment").pid == child.pid
        assert list(mock.region("ap-southeast-2").experiments) == ["made-before"]


@pytest.mark.filterwarnings(FORK_WARNING)
def test_without_the_option_a_forked_child_is_refused_with_a_clear_error():
    context = multiprocessing.get_context("fork")
    with mock_sm_experiments() as mock:
        queue = context.Queue()
        child = context.Process(target=process_workers.create, args=("private-copy", queue))
        child.start()
        _pid, outcome = queue.get(timeout=60)
        child.join(timeout=60)
        assert outcome.startswith("ForkedProcessError: ")
        assert f"this process (pid {child.pid}) was forked from pid {os.getpid()}" in outcome
        assert "; sagemaker:CreateExperiment was not answered" in outcome
        assert "subprocesses=True" in outcome
        assert "nothing was sent" in outcome
        assert len(mock.calls) == 0
        assert len(mock.experiments) == 0


@pytest.mark.filterwarnings(FORK_WARNING)
def test_a_forked_child_whose_parent_stopped_the_mock_is_told_so():
    context = multiprocessing.get_context("fork")
    with mock_sm_experiments(subprocesses=True) as mock:
        queue = context.Queue()
        receive, send = context.Pipe(duplex=False)
        child = context.Process(target=process_workers.create_after,
                                args=("too-late", receive, queue))
        child.start()
        url = mock.endpoint_url
    send.send("go")
    _pid, outcome = queue.get(timeout=60)
    child.join(timeout=60)
    assert outcome.startswith("MockUnreachableError: ")
    assert f"could not reach the mock of pid {os.getpid()} at {url}" in outcome


@pytest.mark.filterwarnings(FORK_WARNING)
def test_a_forked_child_holds_no_copy_of_the_listening_port():
    context = multiprocessing.get_context("fork")
    with mock_sm_experiments(subprocesses=True) as mock:
        receive, send = context.Pipe(duplex=False)
        ready, child_ready = context.Pipe(duplex=False)
        child = context.Process(target=process_workers.wait_ready, args=(child_ready, receive))
        child.start()
        # The child closes its copy of the listener in an after-fork hook, before its target
        # runs: wait for the target, or a slow child would still hold the port open.
        assert ready.recv() == "ready"
        port = int(mock.endpoint_url.rsplit(":", 1)[1])
    try:
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=2)
    finally:
        send.send("done")
        child.join(timeout=60)


def test_forkserver_children_follow_the_current_mock(child_connects):
    # The fork server keeps the environment it started with: it is restarted when the
    # endpoint changes, so a second mock's children reach the second mock.
    context = multiprocessing.get_context("forkserver")
    for name in ("first", "second"):
        with mock_sm_experiments(subprocesses=True) as mock:
            queue = context.Queue()
            child = context.Process(target=process_workers.create, args=(name, queue))
            child.start()
            assert queue.get(timeout=60)[1].endswith(f"experiment/{name}")
            child.join(timeout=60)
            assert list(mock.experiments) == [name]


# -- many children, one state -----------------------------------------------------------------

@pytest.mark.sm_experiments(subprocesses=True, quotas={"experiments": 1000})
@pytest.mark.slow
def test_eight_children_race_for_one_hundred_names(sm_experiments, child_connects):
    children = [subprocess.Popen([sys.executable, str(WORKERS), "many", str(child), "200"],
                                 stdout=subprocess.PIPE, text=True) for child in range(8)]
    outcomes = [tuple(map(int, child.communicate(timeout=300)[0].split()))
                for child in children]
    assert all(child.returncode == 0 for child in children)

    assert sum(created for created, _ in outcomes) == 100
    assert sum(refused for _, refused in outcomes) == 8 * 200 - 100
    assert sorted(name.lower() for name in sm_experiments.experiments) == [
        f"shared-name-{index:03d}" for index in range(100)]
    successes = sm_experiments.calls.filter("CreateExperiment")
    won = [call.params["ExperimentName"].lower() for call in successes if call.succeeded]
    assert sorted(won) == [f"shared-name-{index:03d}" for index in range(100)]
    assert {call.pid for call in successes} == {child.pid for child in children}


# -- the option itself ------------------------------------------------------------------------

def test_with_the_option_off_nothing_listens():
    threads = set(threading.enumerate())
    with mock_sm_experiments() as mock:
        assert mock.endpoint_url is None
        assert not any(name in os.environ for name in ENDPOINT_VARIABLES)
        assert set(threading.enumerate()) == threads


def test_stop_closes_the_listener_and_restores_the_environment(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://shell.example:1")
    with mock_sm_experiments(subprocesses=True) as mock:
        port = int(mock.endpoint_url.rsplit(":", 1)[1])
        assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == mock.endpoint_url
        assert os.environ["AWS_SECRET_ACCESS_KEY"] == mock.child_environment()[
            "AWS_SECRET_ACCESS_KEY"]
    assert mock.endpoint_url is None
    assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == "http://shell.example:1"
    assert "AWS_ENDPOINT_URL_STS" not in os.environ
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_each_mock_has_its_own_secret():
    with mock_sm_experiments(subprocesses=True) as first:
        secret = first.child_environment()["AWS_SECRET_ACCESS_KEY"]
    with mock_sm_experiments(subprocesses=True) as second:
        assert second.child_environment()["AWS_SECRET_ACCESS_KEY"] != secret


def test_children_reach_the_innermost_mock_only_if_it_serves_them():
    with mock_sm_experiments(subprocesses=True) as outer:
        url = outer.endpoint_url
        with mock_sm_experiments():
            assert not any(name in os.environ for name in ENDPOINT_VARIABLES)
        assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == url
        with mock_sm_experiments(subprocesses=True) as inner:
            assert os.environ["AWS_ENDPOINT_URL_STS"] == inner.endpoint_url != url
        assert os.environ["AWS_ENDPOINT_URL_STS"] == url
    assert not any(name in os.environ for name in ENDPOINT_VARIABLES)


def test_mocks_stopped_out_of_order_leave_the_environment_right():
    first = mock_sm_experiments(subprocesses=True).start()
    second = mock_sm_experiments(subprocesses=True).start()
    first.stop()
    assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == second.endpoint_url
    second.stop()
    assert "AWS_ENDPOINT_URL_SAGEMAKER" not in os.environ


@pytest.mark.parametrize("start", [
    lambda: mock_sm_experiments(subprocesses=True),
    lambda: SageMakerExperimentsMock(subprocesses=True),
])
def test_decorator_and_constructor_take_the_option(start):
    with start() as mock:
        assert mock.options.subprocesses is True
        assert mock.endpoint_url.startswith("http://127.0.0.1:")


def test_the_decorator_takes_the_option():
    seen: list[Any] = []

    @mock_sm_experiments(subprocesses=True)
    def decorated() -> None:
        seen.append(os.environ["AWS_ENDPOINT_URL_SAGEMAKER"])

    decorated()
    assert seen[0].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_option_must_be_a_bool(value):
    with pytest.raises(MockUsageError, match=f"subprocesses must be True or False, got {value!r}"):
        make_options(subprocesses=value)


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), ("Yes", True), ("on", True), ("1", True),
    ("false", False), ("NO", False), ("off", False), ("0", False)])
def test_the_ini_flag(pytester, text, expected):
    pytester.makeini(f"[pytest]\nsm_experiments_subprocesses = {text}\n")
    pytester.makepyfile(f"""
        import os

        def test_it(sm_experiments):
            assert sm_experiments.options.subprocesses is {expected}
            assert ("AWS_ENDPOINT_URL_SAGEMAKER" in os.environ) is {expected}
    """)
    # In this process: the flag's spellings need no process of their own (the marker's
    # override below and the bad flag run in one).
    pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio").assert_outcomes(passed=1)


def test_a_bad_ini_flag_stops_the_run(pytester):
    pytester.makeini("[pytest]\nsm_experiments_subprocesses = maybe\n")
    pytester.makepyfile("def test_it(sm_experiments):\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid sm_experiments ini option*'maybe' is not a boolean*"])


def test_the_marker_overrides_the_ini(pytester):
    pytester.makeini("[pytest]\nsm_experiments_subprocesses = true\n")
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sm_experiments(subprocesses=False)
        def test_off(sm_experiments):
            assert sm_experiments.endpoint_url is None

        def test_on(sm_experiments):
            assert sm_experiments.endpoint_url.startswith("http://127.0.0.1:")
    """)
    pytester.runpytest_subprocess("-p", "no:randomly").assert_outcomes(passed=2)


# -- the guards these tests rely on ------------------------------------------------------------

def test_the_suite_guard_allows_and_records_loopback_only(loopback_connects, network_attempts):
    from conftest import NetworkBlocked

    with socket.create_server(("127.0.0.1", 0)) as server:
        socket.create_connection(server.getsockname()).close()
        address = server.getsockname()
    assert list(loopback_connects) == [address]
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("10.1.2.3", 443), timeout=1)
    assert list(network_attempts) == [("10.1.2.3", 443)]


def test_the_child_guard_refuses_anything_but_loopback(child_connects):
    code = ("import socket\n"
            "try:\n"
            "    socket.create_connection(('10.1.2.3', 443), timeout=1)\n"
            "except ConnectionRefusedError:\n"
            "    print('refused')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "refused"
    assert connected_to(child_connects) == {"BLOCKED 10.1.2.3 443"}


@pytest.mark.sm_experiments(subprocesses=True)
async def test_aiobotocore_clients_in_the_parent_stay_in_process(sm_experiments,
                                                                 loopback_connects):
    aiobotocore_session = pytest.importorskip("aiobotocore.session")
    async with aiobotocore_session.get_session().create_client(
            "sagemaker", region_name="us-east-1") as client:
        assert client.meta.endpoint_url == sm_experiments.endpoint_url
        await client.create_experiment(ExperimentName="async-parent")
    assert list(loopback_connects) == []
    assert sm_experiments.calls.one("CreateExperiment").pid == os.getpid()
