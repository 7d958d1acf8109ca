"""A SageMaker SDK test (v3): a mock started, a ``Run`` logging 10 parameters and 20 metric
steps, the mock stopped; on the ``sm_session`` fixture's shared ``Session``, on one shared
``Session`` holding a config of its own (what the fixture built until it left the config to the
user: the SDK validates a config against its JSON schema each time it reads it), or on a
``Session`` built in the test, as users do without the fixture."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from pytest_sm_experiments import mock_sm_experiments
from pytest_sm_experiments.sdk_session import shared_session

sdk_run = pytest.importorskip("sagemaker.core.experiments.run")
session_helper = pytest.importorskip("sagemaker.core.helper.session_helper")


def new_session() -> Any:
    return session_helper.Session(boto_session=boto3.Session(region_name="us-east-1"))


def configured_session() -> Any:
    if "configured" not in CACHE:
        CACHE["configured"] = session_helper.Session(
            boto_session=boto3.Session(region_name="us-east-1"), sagemaker_config={
                "SchemaVersion": "1.0",
                "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}})
    return CACHE["configured"]


SESSIONS: dict[str, Callable[[], Any]] = {
    "sm_session": lambda: shared_session(CACHE, "us-east-1"),
    "shared, with a config of its own": configured_session,
    "a new Session per test": new_session,
}
CACHE: dict[Any, Any] = {}


@pytest.mark.benchmark(group="an SDK test: Run, 10 parameters, 20 metric steps")
@pytest.mark.parametrize("session", list(SESSIONS))
def test_sdk_run(benchmark: Any, session: str, names: Iterator[str]) -> None:
    def one_test() -> None:
        with mock_sm_experiments(), sdk_run.Run(
                experiment_name="bench", run_name=next(names),
                sagemaker_session=SESSIONS[session]()) as run:
            for index in range(10):
                run.log_parameter(f"p{index}", index)
            for step in range(20):
                run.log_metric("loss", 1.0 / (step + 1), step=step)
    benchmark(one_test)
