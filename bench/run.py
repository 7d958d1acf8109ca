#!/usr/bin/env python3
"""Benchmarks of pytest-sm-experiments beside the alternatives, in one run on one machine.

    python3 -m venv .venv-bench && .venv-bench/bin/pip install -e ".[bench]"
    .venv-bench/bin/python bench/run.py            # full mode: the published numbers (~5 min)
    .venv-bench/bin/python bench/run.py --quick    # ~1-2 minutes, fewer calls and rounds

Every comparison is measured side by side in interleaved rounds (variant order rotates each
round) and reported as the median over rounds, so background load hits all variants alike.
The results table is written between the ``bench:begin``/``bench:end`` markers of
BENCHMARKS.md (hand-written text outside the markers is kept).  The script installs nothing.

Sections (``--only``): per-call, per-test, suite, sdk, startup, scale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# The floor clients must come from a Session created before moto is imported and before the
# plugin's router is installed: botocore copies its builtin handlers into a Session when it is
# created, so this Session carries botocore's own handlers only.
import botocore.session

_FLOOR_SESSION = botocore.session.Session()

from botocore import UNSIGNED  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402
from botocore.config import Config  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
ACCOUNT = "123456789012"
FAKE = {"aws_access_key_id": "AKIABENCHFAKEKEY0000", "aws_secret_access_key": "bench-fake-secret"}
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SECTIONS = ("per-call", "per-test", "suite", "sdk", "startup", "scale")
#: ``--clock wall`` (default): elapsed time.  ``--clock cpu``: CPU time of the measuring thread
#: (of the child for subprocesses), which time slices taken by other processes do not inflate.
CLOCK: Callable[[], float] = time.perf_counter


@dataclass(frozen=True)
class Mode:
    quick: bool
    call_rounds: int
    calls_per_round: int
    start_stop_rounds: int
    start_stop_iters: int
    idiomatic_rounds: int
    idiomatic_iters: int
    suite_tests: int
    suite_rounds: int
    startup_rounds: int
    scale_experiments: int
    memory_experiments: int
    page_rounds: int


QUICK = Mode(True, 7, 100, 7, 200, 5, 6, 200, 1, 7, 10_000, 2_000, 15)
FULL = Mode(False, 15, 200, 15, 1_000, 9, 15, 200, 3, 21, 100_000, 10_000, 41)


@dataclass
class Row:
    section: str
    measure: str
    plugin: str
    other: str = ""
    ratio: str = ""
    target: str = ""
    met: bool | None = None
    notes: str = ""
    command: str = ""


@dataclass
class Results:
    mode: Mode
    clock: str = "wall"
    rows: list[Row] = field(default_factory=list)

    def add(self, row: Row) -> None:
        row.command = command_for(row.section, self.mode, self.clock)
        self.rows.append(row)
        flag = "" if row.met is None else ("  [met]" if row.met else "  [NOT MET]")
        print(f"  {row.measure}: {row.plugin}  vs {row.other or '-'}  {row.ratio}{flag}",
              flush=True)


def command_for(section: str, mode: Mode, clock: str) -> str:
    options = (" --quick" if mode.quick else "") + (" --clock cpu" if clock == "cpu" else "")
    return f"python bench/run.py{options} --only {section}"


# -- measuring ----------------------------------------------------------------------------------

def fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def interleaved(variants: dict[str, Callable[[], float]], rounds: int) -> dict[str, float]:
    """Run each variant once per round (order rotating), return the median of each.

    A variant returns its own measurement (seconds per unit) for that round.
    """
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()
            samples[name].append(variants[name]())
    return {name: statistics.median(values) for name, values in samples.items()}


def per_unit(func: Callable[[int], None], count: int) -> float:
    start = CLOCK()
    func(count)
    return (CLOCK() - start) / count


# -- 1. per call --------------------------------------------------------------------------------

def _canned_response(body: bytes) -> AWSResponse:
    headers = {"x-amzn-RequestId": "00000000-0000-0000-0000-000000000000",
               "Content-Type": "application/x-amz-json-1.1"}
    response = AWSResponse(f"https://api.sagemaker.{REGION}.amazonaws.com/", 200, headers, None)
    response._content = body
    return response


def _add_canned_hook(client: Any) -> None:
    """Answer CreateExperiment/DescribeExperiment with one prebuilt response each."""
    arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:experiment/bench"
    created = _canned_response(b'{"ExperimentArn":"%s"}' % arn.encode())
    described = _canned_response(
        b'{"ExperimentName":"bench","ExperimentArn":"%s","DisplayName":"bench",'
        b'"CreationTime":1764295200.123,"LastModifiedTime":1764295200.123}' % arn.encode())
    events = client.meta.events
    events.register_first("before-send.sagemaker.CreateExperiment",
                          lambda **_: created, unique_id="bench-canned-create")
    events.register_first("before-send.sagemaker.DescribeExperiment",
                          lambda **_: described, unique_id="bench-canned-describe")


class _Names:
    """Unique experiment names per variant (every create succeeds in every variant)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.next = 0

    def take(self, count: int) -> list[str]:
        start = self.next
        self.next += count
        return [f"{self.prefix}-{i}" for i in range(start, start + count)]


def bench_per_call(results: Results) -> None:
    mode = results.mode
    print("per call", flush=True)
    import moto
    from botocore.stub import Stubber

    import pytest_sm_experiments as sme

    unsigned = _FLOOR_SESSION.create_client("sagemaker", region_name=REGION,
                                            config=Config(signature_version=UNSIGNED))
    signed = _FLOOR_SESSION.create_client("sagemaker", region_name=REGION, **FAKE)
    _add_canned_hook(unsigned)
    _add_canned_hook(signed)

    mock = sme.SageMakerExperimentsMock()
    with mock:
        plugin = mock.client()
    moto_mock = moto.mock_aws()
    moto_mock.start()
    moto_client = botocore.session.Session().create_client("sagemaker", region_name=REGION,
                                                           **FAKE)
    moto_mock.stop(remove_data=False)
    stub_client = _FLOOR_SESSION.create_client("sagemaker", region_name=REGION, **FAKE)
    stubber = Stubber(stub_client)
    stubber.activate()
    now = dt.datetime.now(dt.timezone.utc)

    def plain(client: Any, prefix: str, enter: Callable[[], Any] = lambda: None,
              leave: Callable[[], Any] = lambda: None) -> tuple[Callable[[], float], ...]:
        names = _Names(prefix)
        created: list[str] = []

        def create() -> float:
            batch = names.take(mode.calls_per_round)
            call = client.create_experiment
            enter()
            try:
                start = CLOCK()
                for name in batch:
                    call(ExperimentName=name)
                elapsed = CLOCK() - start
            finally:
                leave()
            created[:] = batch
            return elapsed / len(batch)

        def describe() -> float:
            call = client.describe_experiment
            enter()
            try:
                start = CLOCK()
                for name in created:
                    call(ExperimentName=name)
                elapsed = CLOCK() - start
            finally:
                leave()
            return elapsed / len(created)
        return create, describe

    def stubbed() -> tuple[Callable[[], float], Callable[[], float]]:
        names = _Names("stub")
        arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:experiment/"

        def create() -> float:
            batch = names.take(mode.calls_per_round)
            start = CLOCK()
            for name in batch:
                stubber.add_response("create_experiment", {"ExperimentArn": arn + name})
                stub_client.create_experiment(ExperimentName=name)
            return (CLOCK() - start) / len(batch)

        def describe() -> float:
            batch = names.take(mode.calls_per_round)
            start = CLOCK()
            for name in batch:
                stubber.add_response("describe_experiment", {
                    "ExperimentName": name, "ExperimentArn": arn + name, "DisplayName": name,
                    "CreationTime": now, "LastModifiedTime": now})
                stub_client.describe_experiment(ExperimentName=name)
            return (CLOCK() - start) / len(batch)
        return create, describe

    variants = {
        "plugin": plain(plugin, "plugin", mock.start, mock.stop),
        "floor-unsigned": plain(unsigned, "unsigned"),
        "canned-signed": plain(signed, "signed"),
        "moto": plain(moto_client, "moto", lambda: moto_mock.start(reset=False),
                      lambda: moto_mock.stop(remove_data=False)),
        "stubber": stubbed(),
    }
    for create, describe in variants.values():  # warm every path once
        create()
        describe()
    creates = interleaved({name: pair[0] for name, pair in variants.items()}, mode.call_rounds)
    describes = interleaved({name: pair[1] for name, pair in variants.items()},
                            mode.call_rounds)
    calls = mode.call_rounds * mode.calls_per_round
    for operation, medians in (("CreateExperiment", creates), ("DescribeExperiment", describes)):
        own = medians["plugin"]
        for other, label, target, check in (
            ("floor-unsigned", "canned hook, unsigned client (floor)", "≤ 1.25x",
             lambda r: r <= 1.25),
            ("canned-signed", "canned hook, signed client", "≤ 0.8x", lambda r: r <= 0.8),
            ("moto", "moto mock_aws", "≥ 4x faster", None),
            ("stubber", "botocore Stubber (add_response + call)", "", None),
        ):
            ratio = own / medians[other]
            if other == "moto":
                speedup = medians[other] / own
                results.add(Row("per-call", f"{operation} per call", fmt_time(own),
                                f"{label}: {fmt_time(medians[other])}",
                                f"{speedup:.1f}x faster", target, speedup >= 4,
                                f"{calls} calls each"))
            else:
                results.add(Row("per-call", f"{operation} per call", fmt_time(own),
                                f"{label}: {fmt_time(medians[other])}", f"{ratio:.2f}x",
                                target, check(ratio) if check else None,
                                f"{calls} calls each"))


def bench_per_call_and_unserved(results: Results) -> None:
    bench_per_call(results)
    bench_unserved(results)


def bench_unserved(results: Results) -> None:
    """A call the mock does not serve (S3 PutObject), answered by moto: the boundary's cost on
    every botocore request while a mock runs, beside the same call with moto alone."""
    mode = results.mode
    print("a call the mock does not serve", flush=True)
    import moto

    import pytest_sm_experiments as sme

    moto_mock = moto.mock_aws()
    moto_mock.start()
    s3 = botocore.session.Session().create_client("s3", region_name=REGION, **FAKE)
    s3.create_bucket(Bucket="bench-bucket")
    moto_mock.stop(remove_data=False)
    mock = sme.SageMakerExperimentsMock()
    body = b"x" * 64

    def put(with_mock: bool) -> Callable[[], float]:
        keys = _Names("key-with" if with_mock else "key-without")

        def run() -> float:
            batch = keys.take(mode.calls_per_round)
            moto_mock.start(reset=False)
            if with_mock:
                mock.start()
            try:
                start = CLOCK()
                for key in batch:
                    s3.put_object(Bucket="bench-bucket", Key=key, Body=body)
                elapsed = CLOCK() - start
            finally:
                if with_mock:
                    mock.stop()
                moto_mock.stop(remove_data=False)
            return elapsed / len(batch)
        return run

    variants = {"plugin": put(True), "moto": put(False)}
    for run in variants.values():  # warm every path once
        run()
    medians = interleaved(variants, mode.call_rounds)
    ratio = medians["plugin"] / medians["moto"]
    results.add(Row("per-call", "S3 PutObject per call, not served: answered by moto beside "
                    "the mock", fmt_time(medians["plugin"]),
                    f"moto mock_aws alone: {fmt_time(medians['moto'])}", f"{ratio:.2f}x",
                    "", None,
                    f"{mode.call_rounds * mode.calls_per_round} calls each; the boundary's "
                    "checks and the fake-credential signing"))


# -- 2. per test --------------------------------------------------------------------------------

def bench_per_test(results: Results) -> None:
    mode = results.mode
    print("per test", flush=True)
    import boto3
    import moto

    import pytest_sm_experiments as sme

    def plugin_start_stop() -> float:
        def run(count: int) -> None:
            for _ in range(count):
                with sme.mock_sm_experiments():
                    pass
        return per_unit(run, mode.start_stop_iters)

    def moto_start_stop() -> float:
        def run(count: int) -> None:
            for _ in range(count):
                with moto.mock_aws():
                    pass
        return per_unit(run, max(mode.start_stop_iters // 10, 10))

    counter = iter(range(10**9))

    def idiomatic(activate: Callable[[], Any]) -> Callable[[], float]:
        def run(count: int) -> None:
            for _ in range(count):
                with activate():
                    client = boto3.client("sagemaker", region_name=REGION)
                    client.create_experiment(ExperimentName=f"idiomatic-{next(counter)}")
        return lambda: per_unit(run, mode.idiomatic_iters)

    for func in (plugin_start_stop, moto_start_stop):
        func()
    medians = interleaved({"plugin": plugin_start_stop, "moto": moto_start_stop},
                          mode.start_stop_rounds)
    own, other = medians["plugin"], medians["moto"]
    results.add(Row("per-test", "start + stop of a mock, no calls", fmt_time(own),
                    f"moto mock_aws: {fmt_time(other)}", f"{other / own:.0f}x less",
                    "≤ 0.1 ms and ≥ 50x less", own <= 1e-4 and other / own >= 50,
                    "`with mock_sm_experiments(): pass` vs `with mock_aws(): pass`"))

    variants = {"plugin": idiomatic(sme.mock_sm_experiments), "moto": idiomatic(moto.mock_aws)}
    for func in variants.values():
        func()
    medians = interleaved(variants, mode.idiomatic_rounds)
    own, other = medians["plugin"], medians["moto"]
    results.add(Row("per-test", "idiomatic test", fmt_time(own),
                    f"moto mock_aws: {fmt_time(other)}", f"{other / own:.1f}x faster",
                    "≥ 10x faster", other / own >= 10,
                    "activate, `boto3.client('sagemaker')`, one CreateExperiment, deactivate"))


# -- 2b. a generated suite of 200 tests --------------------------------------------------------

_PLUGIN_TEST = '''
def test_{i}(sm_client):
    sm_client.create_experiment(ExperimentName="exp-{i}")
    assert sm_client.describe_experiment(ExperimentName="exp-{i}")["ExperimentName"] == "exp-{i}"
'''
_MOTO_HEADER = '''
import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def sm_client():
    with mock_aws():
        yield boto3.client("sagemaker", region_name="us-east-1")
'''
_PYTEST_INI = "[pytest]\nasyncio_default_fixture_loop_scope = function\n"


def _pytest_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "PYTEST_"))}
    env["AWS_DEFAULT_REGION"] = REGION
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as users have it
    return env


def _timed_run(args: list[str], cwd: Path) -> float:
    """Wall time of a subprocess, or its CPU time (user + system) with ``--clock cpu``."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(args, cwd=cwd, env=_pytest_env(), stdout=out,
                                 stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode not in (0, 5):  # 5: no tests collected
            out.seek(0)
            raise RuntimeError(f"{' '.join(args)} failed:\n{out.read()[-5000:].decode()}")
    return usage.ru_utime + usage.ru_stime if CLOCK is time.thread_time else elapsed


def _pytest(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
            *args]


def bench_suite(results: Results) -> None:
    mode = results.mode
    count = mode.suite_tests
    print(f"suite of {count} tests", flush=True)
    with tempfile.TemporaryDirectory(prefix="sme-bench-") as tmp:
        root = Path(tmp)
        for name, body in (
            ("plugin", "".join(_PLUGIN_TEST.format(i=i) for i in range(count))),
            ("moto", _MOTO_HEADER + "".join(_PLUGIN_TEST.format(i=i) for i in range(count))),
        ):
            (root / name).mkdir()
            (root / name / "pytest.ini").write_text(_PYTEST_INI)
            (root / name / f"test_{name}.py").write_text(body)
        variants = {
            "plugin": lambda: _timed_run(_pytest("."), root / "plugin"),
            "moto": lambda: _timed_run(_pytest("-p", "no:sm_experiments", "."), root / "moto"),
        }
        variants["plugin"]()  # writes the test module's rewritten bytecode once
        medians = interleaved(variants, mode.suite_rounds)
    own, other = medians["plugin"], medians["moto"]
    results.add(Row("suite", f"pytest run of {count} generated tests (subprocess)",
                    fmt_time(own), f"same tests with moto: {fmt_time(other)}",
                    f"{other / own:.1f}x faster", "≥ 5x faster", other / own >= 5,
                    "each test: CreateExperiment + DescribeExperiment; moto run with "
                    "`-p no:sm_experiments`"))


# -- 2c. the SageMaker SDK: the sm_session fixture against a Session per test ---------------

_SDK_HEADER = '''
import boto3

try:
    from sagemaker.core.experiments.run import Run
    from sagemaker.core.helper.session_helper import Session
except ImportError:  # SDK v2
    from sagemaker.experiments.run import Run
    from sagemaker.session import Session


def run_once(session, index):
    with Run(experiment_name="bench", run_name=f"run-{index}", sagemaker_session=session) as run:
        for number in range(10):
            run.log_parameter(f"p{number}", number)
        for step in range(20):
            run.log_metric("loss", 1.0 / (step + 1), step=step)
'''
_SDK_FIXTURE_TEST = '''

def test_{i}(sm_session):
    run_once(sm_session, {i})
'''
_SDK_FRESH_TEST = '''

def test_{i}(sm_experiments):
    run_once(Session(boto_session=boto3.Session(region_name="us-east-1")), {i})
'''
SDK_TESTS = 100


def bench_sdk(results: Results) -> None:
    mode = results.mode
    print(f"SDK suite of {SDK_TESTS} tests", flush=True)
    with tempfile.TemporaryDirectory(prefix="sme-bench-") as tmp:
        root = Path(tmp)
        for name, test in (("fixture", _SDK_FIXTURE_TEST), ("fresh", _SDK_FRESH_TEST)):
            (root / name).mkdir()
            (root / name / "pytest.ini").write_text(_PYTEST_INI)
            (root / name / f"test_{name}.py").write_text(
                _SDK_HEADER + "".join(test.format(i=i) for i in range(SDK_TESTS)))
        variants = {name: (lambda name=name: _timed_run(_pytest("."), root / name))
                    for name in ("fixture", "fresh")}
        for func in variants.values():  # bytecode written once, outside the rounds
            func()
        medians = interleaved(variants, mode.suite_rounds)
    own, other = medians["fixture"], medians["fresh"]
    results.add(Row("sdk", f"pytest run of {SDK_TESTS} SDK tests (subprocess)", fmt_time(own),
                    f"a new `Session(boto_session=boto3.Session())` per test: {fmt_time(other)}",
                    f"{other / own:.1f}x faster", "≥ 5x faster", other / own >= 5,
                    "each test: `with Run(...)`, 10 `log_parameter`, 20 `log_metric` steps; "
                    "`sm_session` fixture vs a Session built in the test"))


# -- 3. start-up --------------------------------------------------------------------------------

def bench_startup(results: Results) -> None:
    mode = results.mode
    print("start-up", flush=True)
    python = [sys.executable, "-c"]
    with tempfile.TemporaryDirectory(prefix="sme-bench-") as tmp:
        root = Path(tmp)
        for name, header in (("empty", ""), ("boto3", "import boto3\n")):
            (root / name).mkdir()
            (root / name / "pytest.ini").write_text(_PYTEST_INI)
            (root / name / "test_one.py").write_text(header + "\n\ndef test_one():\n    pass\n")
        variants = {
            "python": lambda: _timed_run([*python, "pass"], root),
            "import": lambda: _timed_run([*python, "import pytest_sm_experiments"], root),
        }
        for suite in ("empty", "boto3"):
            for plugin in (True, False):
                disable = () if plugin else ("-p", "no:sm_experiments")
                variants[f"{suite}-{plugin}"] = (
                    lambda d=disable, s=suite: _timed_run(
                        _pytest("--collect-only", *d, "."), root / s))
        for func in variants.values():
            func()
        medians = interleaved(variants, mode.startup_rounds)
        probe = subprocess.run(
            _pytest("--collect-only", "-p", "pytest_sm_experiments.plugin", "."),
            cwd=root / "empty", env={**_pytest_env(), "PYTHONPROFILEIMPORTTIME": "1"},
            capture_output=True, text=True, check=False)
    botocore_imported = any(line.rstrip().endswith("| botocore")
                            for line in probe.stderr.splitlines())
    extra = medians["import"] - medians["python"]
    results.add(Row("startup", "`import pytest_sm_experiments`", fmt_time(extra),
                    f"`python -c pass`: {fmt_time(medians['python'])}", "", "",
                    None, "extra time of the import in a fresh interpreter"))
    for suite, label, limit in (("empty", "an empty suite", 0.030),
                                ("boto3", "a suite importing boto3", 0.020)):
        extra = medians[f"{suite}-True"] - medians[f"{suite}-False"]
        notes = "median of `pytest --collect-only` with the plugin minus without it"
        if suite == "empty":
            notes += f"; botocore imported at start-up: {'yes' if botocore_imported else 'no'}"
        met = extra <= limit and (suite != "empty" or not botocore_imported)
        results.add(Row("startup", f"plugin's extra collection time, {label}", fmt_time(extra),
                        f"`-p no:sm_experiments`: {fmt_time(medians[f'{suite}-False'])}", "",
                        f"≤ {limit * 1e3:.0f} ms", met, notes))


# -- 4. scale -----------------------------------------------------------------------------------

def _supported() -> set[str]:
    from pytest_sm_experiments.operations import OPERATIONS

    return {operation for _, operation in OPERATIONS}


def bench_scale(results: Results) -> None:
    mode = results.mode
    total = mode.scale_experiments
    print(f"scale: {total:,} experiments", flush=True)
    import pytest_sm_experiments as sme

    supported = _supported()
    quotas = {"experiments": 2 * total}
    with sme.mock_sm_experiments(quotas=quotas) as mock:
        client = mock.client()
        create = client.create_experiment
        latencies: list[float] = []
        clock = CLOCK
        tag_every = 100
        for i in range(total):
            kwargs: dict[str, Any] = {"ExperimentName": f"scale-{i:06d}"}
            if i % tag_every == 0:
                kwargs["Tags"] = [{"Key": "team", "Value": "blue"}]
            start = clock()
            create(**kwargs)
            latencies.append(clock() - start)
        first = latencies[:1000]
        last = latencies[-1000:]
        med_ratio = statistics.median(last) / statistics.median(first)
        mean_ratio = statistics.fmean(last) / statistics.fmean(first)
        results.add(Row("scale", f"create latency, last 1,000 / first 1,000 of {total:,}",
                        f"{fmt_time(statistics.median(last))} / "
                        f"{fmt_time(statistics.median(first))}",
                        "", f"{med_ratio:.2f}x (means: {mean_ratio:.2f}x)", "≤ 1.3",
                        med_ratio <= 1.3, "medians of single-call latencies; mean ratio "
                        "includes garbage-collection pauses"))

        if "ListExperiments" in supported:
            for sort_by in ("Name", "CreationTime"):
                def page(sort_by: str = sort_by) -> float:
                    start = clock()
                    reply = client.list_experiments(SortBy=sort_by, MaxResults=100)
                    elapsed = clock() - start
                    assert len(reply["ExperimentSummaries"]) == 100
                    return elapsed

                def deep_page(sort_by: str = sort_by) -> float:
                    token = None
                    for _ in range(5):  # the sixth page, reached through NextToken
                        kwargs = {"NextToken": token} if token else {}
                        token = client.list_experiments(SortBy=sort_by, MaxResults=100,
                                                        **kwargs)["NextToken"]
                    start = clock()
                    client.list_experiments(SortBy=sort_by, MaxResults=100, NextToken=token)
                    return clock() - start

                medians = interleaved({"first": page, "deep": deep_page}, mode.page_rounds)
                results.add(Row("scale", f"ListExperiments, 100-item page of {total:,}, "
                                         f"SortBy={sort_by}", fmt_time(medians["first"]), "",
                                "", "≤ 5 ms", medians["first"] <= 0.005,
                                f"first page; 6th page via NextToken: "
                                f"{fmt_time(medians['deep'])}"))
        else:
            results.add(Row("scale", "ListExperiments, 100-item page", "not served yet"))

        if "Search" in supported:
            def search() -> float:
                start = clock()
                reply = client.search(Resource="Experiment", MaxResults=100, SearchExpression={
                    "Filters": [{"Name": "Tags.team", "Operator": "Equals", "Value": "blue"}]})
                elapsed = clock() - start
                assert len(reply["Results"]) == 100
                return elapsed

            medians = interleaved({"search": search}, mode.page_rounds)
            results.add(Row("scale", f"Search by tag, 100-item page of {total:,} "
                                     f"({total // tag_every:,} match)",
                            fmt_time(medians["search"]), "", "", "≤ 5 ms",
                            medians["search"] <= 0.005, "Filters Tags.team Equals blue"))
        else:
            results.add(Row("scale", "Search by tag, 100-item page", "not served yet"))


def bench_scale_and_memory(results: Results) -> None:
    bench_scale(results)
    gc.collect()
    bench_memory(results)


def bench_memory(results: Results) -> None:
    """Memory retained per stored experiment, its journal record included (tracemalloc)."""
    import pytest_sm_experiments as sme

    count = results.mode.memory_experiments
    with sme.mock_sm_experiments() as warm:  # warm botocore's caches outside the measurement
        warm.client().create_experiment(ExperimentName="warm-up")
    gc.collect()
    tracemalloc.start()
    with sme.mock_sm_experiments(quotas={"experiments": 2 * count}) as mock:
        client = mock.client()
        client.create_experiment(ExperimentName="first")
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            client.create_experiment(ExperimentName=f"memory-{i:06d}")
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        assert len(mock.calls) == count + 1
    tracemalloc.stop()
    per = (after - before) / count
    results.add(Row("scale", "memory per stored experiment incl. its journal record",
                    f"{per:,.0f} B", "", "", "≤ 2 KB", per <= 2048,
                    f"tracemalloc, {count:,} CreateExperiment calls (name only)"))


# -- report -------------------------------------------------------------------------------------

def render(results: Results, started: float) -> str:
    mode = results.mode
    import boto3
    import botocore
    import moto

    import pytest_sm_experiments as sme

    lines = [
        f"Run {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"{'quick' if mode.quick else 'full'} mode, {results.clock} clock, "
        f"{time.perf_counter() - started:.0f} s; "
        f"Python {platform.python_version()}, pytest-sm-experiments {sme.__version__}, "
        f"botocore {botocore.__version__}, boto3 {boto3.__version__}, moto {moto.__version__}; "
        f"{platform.machine()}, {os.cpu_count()} CPUs, 1-minute load average at the end "
        f"{os.getloadavg()[0]:.2f}.",
        "",
        "| measure | this plugin | compared with | ratio | target | met | notes | command |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in results.rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        lines.append(f"| {row.measure} | {row.plugin} | {row.other} | {row.ratio} | "
                     f"{row.target} | {met} | {row.notes} | `{row.command}` |")
    return "\n".join(lines) + "\n"


def write(path: Path, table: str) -> None:
    block = f"{BEGIN}\n{table}{END}"
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN in text and END in text:
        head, _, rest = text.partition(BEGIN)
        _, _, tail = rest.partition(END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and rounds (~1-2 min)")
    parser.add_argument("--only", action="append", choices=SECTIONS,
                        help="run only this section (repeatable)")
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md",
                        help="Markdown file to write the table into (default: BENCHMARKS.md)")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (default); cpu: CPU time, for a busy machine")
    args = parser.parse_args(list(argv) if argv is not None else None)
    global CLOCK
    CLOCK = time.thread_time if args.clock == "cpu" else time.perf_counter
    results = Results(QUICK if args.quick else FULL, args.clock)
    started = time.perf_counter()
    benches = {"per-call": bench_per_call_and_unserved, "per-test": bench_per_test,
               "suite": bench_suite, "sdk": bench_sdk, "startup": bench_startup,
               "scale": bench_scale_and_memory}
    for section in args.only or SECTIONS:
        benches[section](results)
    table = render(results, started)
    print()
    print(table)
    if not args.no_write:
        write(args.output, table)
        print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
