"""What the SDK's config costs a ``Run``: CPU time per ``Run`` (10 parameters, 20 metric steps)
on a SageMaker SDK v3 ``Session`` built with the ``sm_session`` fixture's telemetry-off config,
and on one built with an empty config (the SDK validates a non-empty config against its JSON
schema on every call that reads it). BENCHMARKS.md, "The SageMaker SDK".

    .venv/bin/python bench/sdk_config_cost.py
"""

from __future__ import annotations

import copy
import statistics
import time
from typing import Any

import boto3
from sagemaker.core.experiments.run import Run
from sagemaker.core.helper.session_helper import Session

from pytest_sm_experiments import mock_sm_experiments
from pytest_sm_experiments.sdk_session import SDK_CONFIG

RUNS = 10
ROUNDS = 5


def run_once(session: Any, name: str) -> None:
    with Run(experiment_name="bench", run_name=name, sagemaker_session=session) as run:
        for index in range(10):
            run.log_parameter(f"p{index}", index)
        for step in range(20):
            run.log_metric("loss", 1.0 / (step + 1), step=step)


def main() -> None:
    configs = {"fixture's config (telemetry off)": lambda: copy.deepcopy(dict(SDK_CONFIG)),
               "empty config": dict}
    with mock_sm_experiments():
        sessions = {}
        for label, config in configs.items():
            boto_session = boto3.Session(region_name="us-east-1",
                                         aws_access_key_id="AKIAMOCKSMEXPERIMENTS",
                                         aws_secret_access_key="fake")
            sessions[label] = Session(boto_session=boto_session, sagemaker_config=config())
            run_once(sessions[label], f"warm-{len(sessions)}")
        times: dict[str, list[float]] = {label: [] for label in configs}
        for round_ in range(ROUNDS):  # interleaved, so load hits both alike
            for index, (label, session) in enumerate(sessions.items()):
                started = time.thread_time()
                for run in range(RUNS):
                    run_once(session, f"r{round_}-{index}-{run}")
                times[label].append((time.thread_time() - started) / RUNS)
    for label, values in times.items():
        print(f"{label}: {statistics.median(values) * 1000:.1f} ms of CPU per Run "
              f"(median of {ROUNDS} rounds of {RUNS})")


if __name__ == "__main__":
    main()
