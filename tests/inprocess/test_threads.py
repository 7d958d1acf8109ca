"""Threads hammering one mock: uniqueness, quotas, tags and associations lose nothing; and
which mock owns a thread's calls (its own, the starter's, the submitter's; never another's).

Each test starts its threads together (a barrier) and gives each thread its own client, as
code under test would; clients are created up front because botocore's session is not meant
to create clients from several threads at once.
"""

from __future__ import annotations

import concurrent.futures
import queue
import random
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import strategies as S
from botocore.exceptions import ClientError

from pytest_sm_experiments import (
    SageMakerExperimentsMock,
    StoppedMockError,
    UnownedThreadError,
    mock_sm_experiments,
)
from pytest_sm_experiments.core.operations import OPERATIONS

THREADS = 8


def served(operation: str) -> bool:
    return ("sagemaker", operation) in OPERATIONS


def run_threads(work: Callable[[int, Any], list[Any]], clients: list[Any]) -> list[Any]:
    """Run ``work(index, client)`` in THREADS threads at once; every thread's results, joined.
    An exception in a thread fails the test (it is re-raised here)."""
    barrier = threading.Barrier(len(clients))
    results: list[list[Any]] = [[] for _ in clients]
    failures: list[BaseException] = []

    def body(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index, clients[index])
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=body, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return [item for result in results for item in result]


@pytest.fixture
def clients(sm_experiments) -> list[Any]:
    return [sm_experiments.client() for _ in range(THREADS)]


def outcome(call: Callable[[], Any]) -> str:
    try:
        call()
    except ClientError as error:
        return f"{error.response['Error']['Code']}: {error.response['Error']['Message']}"
    return "ok"


def mixed_case(name: str, rng: random.Random) -> str:
    return "".join(char.upper() if rng.random() < 0.5 else char for char in name)


def test_concurrent_creates_make_exactly_one_per_case_folded_name(sm_experiments, clients):
    names = [f"exp-{index}" for index in range(200)]
    calls_per_thread = 500

    def work(index: int, client: Any) -> list[tuple[str, str]]:
        rng = random.Random(index)
        done = []
        for _ in range(calls_per_thread):
            name = mixed_case(rng.choice(names), rng)
            done.append((name, outcome(lambda name=name: client.create_experiment(
                ExperimentName=name))))
        return done

    results = run_threads(work, clients)

    winners = Counter(name.lower() for name, result in results if result == "ok")
    attempted = {name.lower() for name, _ in results}
    assert {key: winners[key] for key in attempted} == dict.fromkeys(attempted, 1), (
        "one success per case-folded name")
    for name, result in results:
        if result != "ok":
            assert result == (f"ValidationException: Experiment with name ({name}) "
                              "already exists.")
    assert len(sm_experiments.calls) == THREADS * calls_per_thread
    assert len(sm_experiments.calls.filter("CreateExperiment")) == THREADS * calls_per_thread
    assert sorted(name.lower() for name in sm_experiments.experiments) == sorted(attempted)
    # The stored spelling is the one whose create succeeded.
    won = {name.lower(): name for name, result in results if result == "ok"}
    assert all(sm_experiments.experiments[key].name == spelled for key, spelled in won.items())
    assert S.invariant_problems(sm_experiments) == []


@pytest.mark.skipif(not served("AddTags"), reason="AddTags not served yet")
def test_concurrent_add_tags_on_one_resource_lose_nothing(sm_experiments, clients):
    arn = clients[0].create_experiment(ExperimentName="tagged")["ExperimentArn"]
    calls_per_thread = 6  # 8 x 6 = 48 distinct keys, within the 50-tag quota

    def work(index: int, client: Any) -> list[str]:
        return [outcome(lambda call=call: client.add_tags(ResourceArn=arn, Tags=[
            {"Key": f"t{index}-{call}", "Value": str(index)}]))
            for call in range(calls_per_thread)]

    assert set(run_threads(work, clients)) == {"ok"}
    expected = {f"t{index}-{call}": str(index) for index in range(THREADS)
                for call in range(calls_per_thread)}
    assert sm_experiments.experiments["tagged"].tags == expected
    if served("ListTags"):
        listed = clients[0].list_tags(ResourceArn=arn, MaxResults=100)["Tags"]
        assert {tag["Key"]: tag["Value"] for tag in listed} == expected


@pytest.mark.skipif(not served("AddTags"), reason="AddTags not served yet")
def test_concurrent_add_tags_past_the_quota_stop_at_the_quota(sm_experiments, clients):
    arn = clients[0].create_experiment(ExperimentName="tagged")["ExperimentArn"]

    def work(index: int, client: Any) -> list[str]:
        return [outcome(lambda call=call: client.add_tags(ResourceArn=arn, Tags=[
            {"Key": f"t{index}-{call}", "Value": "v"}])) for call in range(10)]

    results = run_threads(work, clients)
    quota = sm_experiments.options.quotas["tags_per_resource"]
    assert results.count("ok") == quota
    assert len(sm_experiments.experiments["tagged"].tags) == quota
    assert S.invariant_problems(sm_experiments) == []


@pytest.mark.skipif(not served("CreateTrial"), reason="CreateTrial not served yet")
def test_concurrent_create_trial_respects_trials_per_experiment(sm_experiments, clients):
    clients[0].create_experiment(ExperimentName="exp")
    quota = sm_experiments.options.quotas["trials_per_experiment"]
    per_thread = 50  # 400 attempts for 300 places

    def work(index: int, client: Any) -> list[str]:
        return [outcome(lambda call=call: client.create_trial(
            TrialName=f"trial-{index}-{call}", ExperimentName="EXP"))
            for call in range(per_thread)]

    results = run_threads(work, clients)
    assert results.count("ok") == quota
    refused = [result for result in results if result != "ok"]
    assert len(refused) == THREADS * per_thread - quota
    assert all(result.startswith("ResourceLimitExceeded: ") for result in refused)
    assert len(sm_experiments.trials) == quota
    assert S.invariant_problems(sm_experiments) == []


@pytest.mark.skipif(not (served("AssociateTrialComponent") and served("CreateTrialComponent")),
                    reason="associations not served yet")
def test_concurrent_associations_are_all_kept_and_symmetric(sm_experiments, clients):
    client = clients[0]
    client.create_experiment(ExperimentName="exp")
    for trial in ("trial-a", "trial-b"):
        client.create_trial(TrialName=trial, ExperimentName="exp")
    components = [f"tc-{index}" for index in range(80)]
    for component in components:
        client.create_trial_component(TrialComponentName=component)

    def work(index: int, client: Any) -> list[str]:
        # Every thread associates every component with both trials, in its own order: the
        # pairs overlap, so most calls race for the same pair.
        rng = random.Random(index)
        pairs = [(component, trial) for component in components
                 for trial in ("trial-a", "trial-b")]
        rng.shuffle(pairs)
        return [outcome(lambda pair=pair: client.associate_trial_component(
            TrialComponentName=pair[0], TrialName=pair[1])) for pair in pairs[:60]]

    run_threads(work, clients)
    seen = {(call.params["TrialComponentName"], call.params["TrialName"])
            for call in sm_experiments.calls.filter("AssociateTrialComponent") if call.succeeded}
    assert len(seen) > 100
    for trial in ("trial-a", "trial-b"):
        expected = {component.lower() for component, with_trial in seen if with_trial == trial}
        stored = sm_experiments.trials[trial].trial_component_names
        assert {name.lower() for name in stored} == expected
        assert len(stored) == len(expected), "no pair stored twice"
    for component in components:
        trials = {name.lower() for name in sm_experiments.trial_components[component].trial_names}
        assert trials == {trial for name, trial in seen if name == component}
    assert S.invariant_problems(sm_experiments) == []


# -- ownership: a call is answered by the mock of its own thread --------------------------------



def _client(region: str) -> Any:
    return boto3.session.Session().client(
        "sagemaker", region_name=region, aws_access_key_id="AKIAOWNERTEST0000001",
        aws_secret_access_key="secret")


def test_two_mocks_in_two_threads_never_cross_talk(network_attempts):
    started = threading.Barrier(2)
    done = threading.Barrier(2)
    mocks: dict[str, SageMakerExperimentsMock] = {}
    failures: list[BaseException] = []

    def body(region: str) -> None:
        try:
            client = _client(region)
            with mock_sm_experiments(region=region) as mock:
                mocks[region] = mock
                started.wait()
                for index in range(20):
                    client.create_experiment(ExperimentName=f"{region}-{index}")
                done.wait()  # both mocks run until both threads are done
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=body, args=(region,))
               for region in ("eu-west-1", "us-west-2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for region in ("eu-west-1", "us-west-2"):
        mock = mocks[region]
        assert sorted(mock.experiments) == sorted(f"{region}-{index}" for index in range(20))
        assert len(mock.calls) == 20
        assert {call.region for call in mock.calls} == {region}
    assert list(network_attempts) == []


def test_threads_started_in_a_mock_belong_to_it_even_while_another_thread_runs_one():
    results: queue.Queue[Any] = queue.Queue()
    with mock_sm_experiments(region="eu-west-1") as outer:
        other_started = threading.Event()
        release = threading.Event()

        def other_test() -> None:  # another thread with a mock of its own, running meanwhile
            with mock_sm_experiments(region="us-west-2"):
                other_started.set()
                release.wait(10)

        other = threading.Thread(target=other_test)
        other.start()
        other_started.wait(10)

        def worker() -> None:
            _client("eu-west-1").create_experiment(ExperimentName="from-worker")
            results.put("ok")

        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        thread.join()
        release.set()
        other.join()
        assert results.get_nowait() == "ok"
        assert list(outer.experiments) == ["from-worker"]


def test_thread_pool_workers_belong_to_the_mock_that_submitted_the_work():
    client = _client("us-east-1")
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        with mock_sm_experiments() as first:
            list(pool.map(lambda index: client.create_experiment(
                ExperimentName=f"first-{index}"), range(6)))
        # The same worker threads, started under the first mock, now work for the second.
        with mock_sm_experiments() as second:
            list(pool.map(lambda index: client.create_experiment(
                ExperimentName=f"second-{index}"), range(6)))
    assert sorted(first.experiments) == [f"first-{index}" for index in range(6)]
    assert sorted(second.experiments) == [f"second-{index}" for index in range(6)]


async def test_asyncio_to_thread_belongs_to_the_mock_of_the_loop_thread():
    import asyncio

    client = _client("us-east-1")
    async with mock_sm_experiments() as mock:
        await asyncio.to_thread(client.create_experiment, ExperimentName="from-to-thread")
    assert list(mock.experiments) == ["from-to-thread"]


def test_a_thread_left_running_by_a_stopped_mock_is_refused_never_served_by_the_next():
    requests: queue.Queue[str] = queue.Queue()
    outcomes: queue.Queue[BaseException | str] = queue.Queue()
    client = _client("us-east-1")

    def flusher() -> None:  # a metrics flusher the first test forgot to stop
        while (name := requests.get()) != "quit":
            try:
                client.create_experiment(ExperimentName=name)
                outcomes.put("served")
            except BaseException as error:
                outcomes.put(error)

    first = SageMakerExperimentsMock()
    first.label = "test first"
    with first:
        thread = threading.Thread(target=flusher, name="metrics-flusher", daemon=True)
        thread.start()
        requests.put("during-first")
        assert outcomes.get(timeout=10) == "served"
    try:
        with mock_sm_experiments() as second:
            requests.put("during-second")
            refused = outcomes.get(timeout=10)
            _client("us-east-1").create_experiment(ExperimentName="own")
        requests.put("after-all")  # no mock runs at all: still refused, never sent
        after = outcomes.get(timeout=10)
    finally:
        requests.put("quit")
        thread.join(10)
    assert isinstance(refused, StoppedMockError)
    assert isinstance(after, StoppedMockError)
    message = str(refused)
    assert "'metrics-flusher'" in message
    assert "test first" in message
    assert "stopped" in message
    assert "sagemaker:CreateExperiment" in message
    assert list(first.experiments) == ["during-first"]
    assert list(second.experiments) == ["own"]
    assert len(second.calls) == 1


def test_a_thread_of_no_mock_is_refused_while_a_mock_runs_elsewhere():
    outcomes: queue.Queue[BaseException | str] = queue.Queue()
    go = threading.Event()
    client = _client("us-east-1")

    def early() -> None:  # started before any mock
        go.wait(10)
        try:
            client.create_experiment(ExperimentName="early")
            outcomes.put("served")
        except BaseException as error:
            outcomes.put(error)

    thread = threading.Thread(target=early, name="early-thread")
    thread.start()
    with mock_sm_experiments() as mock:
        go.set()
        thread.join(10)
    refused = outcomes.get_nowait()
    assert isinstance(refused, UnownedThreadError)
    assert "'early-thread'" in str(refused)
    assert "belongs to no mock" in str(refused)
    assert list(mock.experiments) == []
    assert len(mock.calls) == 0


def test_refusals_from_stopped_mocks_threads_are_listed_in_the_terminal_summary(pytester):
    pytester.makepyfile(test_leftover="""
        import queue, threading
        import boto3

        requests = queue.Queue()
        outcomes = queue.Queue()

        def flusher(client):
            while requests.get() != "quit":
                try:
                    client.create_experiment(ExperimentName="late")
                    outcomes.put("served")
                except Exception as error:  # the thread swallows it, as flushers do
                    outcomes.put(type(error).__name__)

        def test_leaves_a_thread(sm_experiments):
            client = boto3.session.Session().client(
                "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAOWNERTEST0000002",
                aws_secret_access_key="secret")
            threading.Thread(target=flusher, args=(client,), name="flusher",
                             daemon=True).start()

        def test_next(sm_experiments):
            requests.put("go")
            assert outcomes.get(timeout=10) == "StoppedMockError"
            requests.put("quit")
            assert len(sm_experiments.calls) == 0
    """)
    result = pytester.runpytest_subprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines([
        "*sm_experiments: calls refused from threads whose mock had stopped*",
        "*refused sagemaker:CreateExperiment from thread 'flusher'*test_leftover.py::"
        "test_leaves_a_thread*"])
