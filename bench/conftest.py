"""Benchmarks, as pytest-benchmark cases: each group puts this plugin beside what it replaces
(moto for the same calls, moto's server for the endpoint, a new SDK ``Session`` per test for
``sm_session``), and Search at scale. Not part of the suite (``testpaths`` leaves ``bench``
out); BENCHMARKS.md has the command and one run's results."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from pytest_sm_experiments import SageMakerExperimentsMock
from pytest_sm_experiments.core.service import route

Calls = Iterable[tuple[str, dict[str, Any]]]


def _seed(mock: SageMakerExperimentsMock, calls: Calls) -> None:
    region = mock.options.region
    with mock.unrecorded():
        for operation, params in calls:
            status, _, body = mock.service.handle(route("sagemaker", operation),
                                                  json.dumps(params), region, None)
            assert status == 200, body


@pytest.fixture(scope="session")
def seed() -> Callable[[SageMakerExperimentsMock, Calls], None]:
    """``seed(mock, calls)`` makes the calls straight through the mock's service (no botocore:
    100,000 records in seconds), unrecorded; each must succeed."""
    return _seed


@pytest.fixture
def names() -> Iterable[str]:
    """Fresh resource names, one per call of ``next``."""
    return (f"bench-{index}" for index in itertools.count())
