"""pytest-sm-experiments: a fast, faithful in-process mock of Amazon SageMaker Experiments.

Importing this package does not import botocore: the pytest plugin loads it at start-up, and the
router is put into botocore when botocore is first imported (or when a mock starts).
"""

from __future__ import annotations

from ._version import __version__
from .errors import (
    ForkedProcessError,
    MockUnreachableError,
    MockUsageError,
    RequestRefusedError,
    UnsupportedOperationError,
)
from .mock import (
    RegionView,
    ResourceView,
    SageMakerExperimentsMock,
    active_mock,
    attach,
    mock_sm_experiments,
)
from .models import Artifact, Experiment, MetricSummary, Trial, TrialComponent
from .options import MockOptions
from .recorder import CallJournal, RecordedCall
from .service import InjectedError

__all__ = [
    "Artifact",
    "CallJournal",
    "Experiment",
    "ForkedProcessError",
    "InjectedError",
    "MetricSummary",
    "MockOptions",
    "MockUnreachableError",
    "MockUsageError",
    "RecordedCall",
    "RegionView",
    "RequestRefusedError",
    "ResourceView",
    "SageMakerExperimentsMock",
    "Trial",
    "TrialComponent",
    "UnsupportedOperationError",
    "__version__",
    "active_mock",
    "attach",
    "mock_sm_experiments",
]
