"""What the code running inside a SageMaker job sees of its job, so a test can run that code as
SageMaker would (``SageMakerExperimentsMock.inside_job`` / ``job_environment``).

The SageMaker SDKs find the job their code runs in, and through it the experiment run
(``load_run()``, smexperiments' ``Tracker.load()``), from (CONFIRMED: v2
``sagemaker/experiments/_environment.py``, v3 ``sagemaker/core/experiments/_environment.py``,
sagemaker-experiments ``smexperiments/_environment.py``):

- a training job: the variable ``TRAINING_JOB_ARN``;
- a processing job: the file ``/opt/ml/config/processingjobconfig.json`` (its
  ``ProcessingJobArn``), a fixed path: inside the block it is redirected, in this process, to a
  temporary file (each installed SDK's default path argument is replaced while the block runs);
- a transform job: the variable ``TRANSFORM_JOB_ARN``.

They look in that order, so a block for one kind hides the others' variables. Variables reach
child processes started inside the block; the processing file's redirection does not.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .. import arns
from ..errors import MockUsageError

TRAINING_JOB_ARN = "TRAINING_JOB_ARN"
TRANSFORM_JOB_ARN = "TRANSFORM_JOB_ARN"
PROCESSING_JOB_CONFIG_PATH = "/opt/ml/config/processingjobconfig.json"

#: A job ARN's resource type -> the variable that carries it into the job (None: the file).
_VARIABLES = {"training-job": TRAINING_JOB_ARN, "processing-job": None,
              "transform-job": TRANSFORM_JOB_ARN}

#: The SDK modules that read the processing job's file: (top package, module, class, method).
#: Of one top package only the first that imports is used: SDK v3 keeps a deprecation stub
#: where v2's module was.
_READERS = (
    ("sagemaker", "sagemaker.core.experiments._environment", "_RunEnvironment", "load"),
    ("sagemaker", "sagemaker.experiments._environment", "_RunEnvironment", "load"),
    ("smexperiments", "smexperiments._environment", "TrialComponentEnvironment", "load"),
)
_PATH_PARAMETER = "processing_job_config_path"


def kind_of(job_arn: str) -> str:
    """``training-job``, ``processing-job`` or ``transform-job``; anything else is misuse."""
    parsed = arns.parse(job_arn)
    if parsed is None or parsed.service != "sagemaker" or parsed.resource_type not in _VARIABLES:
        raise MockUsageError(
            f"{job_arn!r} is not the ARN of a SageMaker training, processing or transform job")
    return parsed.resource_type


def variables(job_arn: str) -> dict[str, str]:
    """The variables a job's code finds its job by (a processing job has none: see
    :func:`inside`)."""
    name = _VARIABLES[kind_of(job_arn)]
    if name is None:
        raise MockUsageError(
            "a processing job's code finds its job in the file "
            f"{PROCESSING_JOB_CONFIG_PATH}, not in a variable, so no environment carries it "
            "to a child process; run the job's code in the test's process inside "
            "sm_experiments.inside_job(...), which redirects that file there")
    return {name: job_arn}


@contextmanager
def inside(job_arn: str) -> Iterator[dict[str, str]]:
    """Inside the block, this process is inside job ``job_arn``: its variable is set (the
    other kinds' are removed), or, for a processing job, the SDKs read a temporary
    ``processingjobconfig.json``. Everything is restored after the block."""
    kind = kind_of(job_arn)
    saved = {name: os.environ.get(name) for name in (TRAINING_JOB_ARN, TRANSFORM_JOB_ARN)}
    try:
        for name in saved:
            os.environ.pop(name, None)
        if kind != "processing-job":
            found = variables(job_arn)
            os.environ.update(found)
            yield found
            return
        with tempfile.TemporaryDirectory(prefix="sm-processing-job-") as folder:
            path = os.path.join(folder, "processingjobconfig.json")
            with open(path, "w", encoding="utf-8") as file:
                # INFERRED: the job's description; the SDKs read ProcessingJobArn only.
                json.dump({"ProcessingJobArn": job_arn,
                           "ProcessingJobName": job_arn.rpartition("/")[2]}, file)
            restore = _redirect(path)
            try:
                yield {}
            finally:
                restore()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _redirect(path: str) -> Any:
    """Point each installed SDK's processing-job file at ``path``; returns the undo."""
    undo: list[tuple[Any, tuple[Any, ...] | None]] = []
    done: set[str] = set()
    for package, module_name, class_name, method in _READERS:
        if package in done or importlib.util.find_spec(package) is None:
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:  # another generation of the SDK
            continue
        done.add(package)
        function = getattr(getattr(module, class_name, None), method, None)
        function = getattr(function, "__func__", function)
        defaults = getattr(function, "__defaults__", None)
        if function is None or defaults is None:
            continue
        names = [parameter.name for parameter in inspect.signature(function).parameters.values()
                 if parameter.default is not inspect.Parameter.empty]
        if _PATH_PARAMETER not in names:
            continue
        changed = list(defaults)
        changed[names.index(_PATH_PARAMETER)] = path
        undo.append((function, defaults))
        function.__defaults__ = tuple(changed)

    def restore() -> None:
        for function, defaults in reversed(undo):
            function.__defaults__ = defaults

    return restore
