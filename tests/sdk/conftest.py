"""The SageMaker SDK under test: v3 (``sagemaker-core``'s ``sagemaker.core``) or v2
(``sagemaker`` < 3), whichever is installed. The two generations share the ``Run`` API, so the
SDK tests are written once, against the small adapter below; CI runs them in one environment
per generation (see README, "Development").
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

# v2 warns (SageMakerV2DeprecationWarning) on import and on each class's first use; the suite
# turns warnings into errors. The SDK documents this variable to silence them.
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")


@dataclass(frozen=True)
class SDK:
    """Where one SDK generation keeps what the tests use."""

    generation: int
    run: ModuleType  # Run, load_run, list_runs
    session: ModuleType  # Session
    experiment: ModuleType  # Experiment (load, _delete_all)
    trial_component: ModuleType  # _TrialComponent
    artifact: ModuleType  # lineage Artifact
    association: ModuleType  # lineage Association
    analytics: ModuleType  # ExperimentAnalytics
    resources: ModuleType  # sagemaker-core resources (TrialComponent.batch_get_metrics)
    shapes: ModuleType  # sagemaker-core shapes (MetricQuery)

    @property
    def Run(self) -> Any:
        return self.run.Run

    @property
    def Session(self) -> Any:
        return self.session.Session


_LAYOUTS = {
    3: ("sagemaker.core.experiments.run", "sagemaker.core.helper.session_helper",
        "sagemaker.core.experiments.experiment", "sagemaker.core.experiments.trial_component",
        "sagemaker.core.lineage.artifact", "sagemaker.core.lineage.association",
        "sagemaker.core.analytics", "sagemaker.core.resources", "sagemaker.core.shapes"),
    2: ("sagemaker.experiments.run", "sagemaker.session", "sagemaker.experiments.experiment",
        "sagemaker.experiments.trial_component", "sagemaker.lineage.artifact",
        "sagemaker.lineage.association", "sagemaker.analytics",
        "sagemaker_core.main.resources", "sagemaker_core.main.shapes"),
}


def _load() -> SDK | None:
    for generation, names in _LAYOUTS.items():
        try:
            modules = [importlib.import_module(name) for name in names]
        except ImportError:
            continue
        return SDK(generation, *modules)
    return None


_SDK = _load()


@pytest.fixture(scope="session")
def sdk() -> SDK:
    if _SDK is None:
        pytest.skip("no SageMaker Python SDK installed (the sdk or sdk2 extra)")
    return _SDK


@pytest.fixture(autouse=True)
def _outside_a_job(monkeypatch):
    # Inside a SageMaker job the SDK reads the job's ARN from these and calls Describe*Job.
    for name in ("TRAINING_JOB_ARN", "PROCESSING_JOB_CONFIG_PATH", "TRANSFORM_JOB_ARN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def s3(sm_experiments):
    """moto's S3 beside the mock, as a user starts it (``mock_aws``); yields an S3 client."""
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        yield boto3.client("s3", region_name=sm_experiments.options.region)


@pytest.fixture
def no_sleep(monkeypatch, sdk):
    """The SDK's recursive deletes sleep 1.2 s per call against throttling; not here."""
    for module in (sdk.experiment, sdk.trial_component):
        monkeypatch.setattr(module.time, "sleep", lambda seconds: None)
