"""pytest-sm-experiments: a fast, faithful in-process mock of Amazon SageMaker Experiments.

Importing the package imports nothing else of it (the names below are loaded on first use,
PEP 562) and no botocore; it asks for the botocore hook to be put into botocore when botocore
is first imported (``autoinstall``), so clients made afterwards are routed as under pytest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import autoinstall
from ._version import __version__

if TYPE_CHECKING:
    from .core.faults import InjectedError
    from .errors import (
        ForkedProcessError,
        MockUnreachableError,
        MockUsageError,
        RequestRefusedError,
        StoppedMockError,
        UnownedThreadError,
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
    from .models import (
        Artifact,
        Experiment,
        LineageAction,
        LineageArtifact,
        LineageContext,
        LineageSource,
        MetricSummary,
        Trial,
        TrialComponent,
    )
    from .options import MockOptions
    from .recorder import CallJournal, RecordedCall

__all__ = [
    "Artifact",
    "CallJournal",
    "Experiment",
    "ForkedProcessError",
    "InjectedError",
    "LineageAction",
    "LineageArtifact",
    "LineageContext",
    "LineageSource",
    "MetricSummary",
    "MockOptions",
    "MockUnreachableError",
    "MockUsageError",
    "RecordedCall",
    "RegionView",
    "RequestRefusedError",
    "ResourceView",
    "SageMakerExperimentsMock",
    "StoppedMockError",
    "Trial",
    "TrialComponent",
    "UnownedThreadError",
    "UnsupportedOperationError",
    "__version__",
    "active_mock",
    "attach",
    "mock_sm_experiments",
]

#: The modules that define the names above (as the imports for type checkers say), the cheap
#: ones first: a name is looked up in them at its first use.
_HOMES = ("errors", "models", "options", "recorder", "core.faults", "mock")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in _HOMES:
            module = importlib.import_module(f"{__name__}.{home}")
            if name in vars(module):
                value = globals()[name] = vars(module)[name]
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


autoinstall.watch()
