"""The records SageMaker makes itself when a job is created with an ``ExperimentConfig``.

``CreateTrainingJob``, ``CreateProcessingJob`` and ``CreateTransformJob`` are another service's
(moto answers them beside the mock); what SageMaker Experiments does around them is this
service's: the job's own trial component, named ``<job name>-aws-training-job`` (``-processing-``,
``-transform-``) with the job as its ``Source``, in the trial the config names (or a new one),
and the job listed among the ``Sources`` of the run it names. ``Service.job_call``
(``core/service.py``) runs the two steps under the service's lock around the job service's
answer: :func:`plan` checks the config before the job exists (an error here means no job is
made), :func:`record` writes once the job service made the job.

Evidence, in each decision's comment below:

- aws/sagemaker-experiments ``tests/integ`` (run against AWS): ``test_track_from_processing_job``
  and ``test_track_from_training_job`` find a job's component by ``ListTrialComponents(SourceArn=
  <job arn>)`` and read its parameters, artifacts, times, status and ``Source``.
- the SageMaker SDK's ``ExperimentConfig`` docstring (v2 ``estimator.py``, ``session.py``): how
  ``ExperimentName`` and ``TrialName`` decide the trial.
- records AWS returned, kept in public code: a training job's component (sagemaker-core
  ``tests/unit/test_codec.py``), a processing and a transform job's (a pipeline viewer's test
  client quoting account 311638508164's records).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import cache
from typing import Any

from ... import _botocore
from ...errors import ValidationError
from ...models import Artifact, Experiment, ResourceType, Trial, TrialComponent
from ..backend import Context, RegionState, name_key
from ..validation import Validator
from ._common import Params, already_exists, new_record, require

_COMPONENT: ResourceType = "experiment-trial-component"
_TRIAL: ResourceType = "experiment-trial"

#: TrialComponentPrimaryStatus, which the job statuses share word for word.
_PRIMARY_STATUSES = frozenset({"InProgress", "Completed", "Failed", "Stopping", "Stopped"})

Describe = Callable[[Params, str], tuple[dict[str, str | float], dict[str, Artifact],
                                        dict[str, Artifact]]]


@dataclass(frozen=True, slots=True)
class JobKind:
    """What differs between the three kinds of job."""

    operation: str
    #: the request member naming the job, and the response member holding its ARN
    name_member: str
    arn_member: str
    #: CONFIRMED: ``<job name>-aws-training-job`` (``-aws-processing-job``,
    #: ``-aws-transform-job``): sagemaker-experiments' ``Tracker.load(training_job_name=...)``
    #: and the SDK's lineage visualizer build these names; AWS's records above carry them.
    suffix: str
    #: CONFIRMED: ``Source.SourceType`` in AWS's records (the SDK's lineage tests too).
    source_type: str
    #: the Describe*Job members that the component's status and times follow
    status_member: str
    start_member: str
    end_member: str
    #: ``(params, job name) -> (parameters, input artifacts, output artifacts)``
    describe: Describe
    #: the status message AWS writes, or None when no record shows one
    message: Callable[[Mapping[str, Any], str], str] | None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _put(parameters: dict[str, str | float], name: str, value: Any, numeric: bool) -> None:
    if value is None:
        return
    number = _number(value) if numeric else None
    parameters[name] = number if number is not None else str(value)


def _s3_uri(channel: Mapping[str, Any]) -> str | None:
    uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
    return uri if isinstance(uri, str) else None


def _training(params: Params, job_name: str) -> tuple[dict[str, str | float],
                                                       dict[str, Artifact], dict[str, Artifact]]:
    parameters: dict[str, str | float] = {}
    # INFERRED: each hyperparameter becomes a parameter of its own name (AWS's MNIST experiment
    # example analyses its training jobs' components by the hyperparameters' names,
    # aws/sagemaker-experiments#136); CHOICE: a value that reads as a number is a NumberValue.
    for key, value in (params.get("HyperParameters") or {}).items():
        _put(parameters, key, value, numeric=True)
    # CONFIRMED (AWS's record of a training job's component): the image, instance type and
    # count, as SageMaker.* parameters.
    resources = params.get("ResourceConfig") or {}
    _put(parameters, "SageMaker.ImageUri",
         (params.get("AlgorithmSpecification") or {}).get("TrainingImage"), numeric=False)
    _put(parameters, "SageMaker.InstanceCount", resources.get("InstanceCount"), numeric=True)
    _put(parameters, "SageMaker.InstanceType", resources.get("InstanceType"), numeric=False)
    # CHOICE: each channel is an input artifact of its name, as a processing job's inputs are.
    inputs = {}
    for channel in params.get("InputDataConfig") or []:
        uri = _s3_uri(channel)
        if uri is not None and channel.get("ChannelName"):
            inputs[channel["ChannelName"]] = Artifact(uri, channel.get("ContentType"))
    # CONFIRMED (the same record): the model at <S3OutputPath>/<job>/output/model.tar.gz, and
    # the debugger's output path.
    outputs = {}
    output_path = (params.get("OutputDataConfig") or {}).get("S3OutputPath")
    if isinstance(output_path, str):
        outputs["SageMaker.ModelArtifact"] = Artifact(
            f"{output_path.rstrip('/')}/{job_name}/output/model.tar.gz")
    debug_path = (params.get("DebugHookConfig") or {}).get("S3OutputPath")
    if isinstance(debug_path, str):
        outputs["SageMaker.DebugHookOutput"] = Artifact(debug_path)
    return parameters, inputs, outputs


def _processing(params: Params, job_name: str) -> tuple[dict[str, str | float],
                                                         dict[str, Artifact], dict[str, Artifact]]:
    # CONFIRMED (sagemaker-experiments test_track_from_processing_job, against AWS): exactly
    # these three parameters, and the image as an input artifact; inputs and outputs by name
    # (AWS's record of a pipeline's processing job).
    cluster = (params.get("ProcessingResources") or {}).get("ClusterConfig") or {}
    parameters: dict[str, str | float] = {}
    _put(parameters, "SageMaker.InstanceCount", cluster.get("InstanceCount"), numeric=True)
    _put(parameters, "SageMaker.InstanceType", cluster.get("InstanceType"), numeric=False)
    _put(parameters, "SageMaker.VolumeSizeInGB", cluster.get("VolumeSizeInGB"), numeric=True)
    inputs = {}
    image = (params.get("AppSpecification") or {}).get("ImageUri")
    if isinstance(image, str):
        inputs["SageMaker.ImageUri"] = Artifact(image)
    for item in params.get("ProcessingInputs") or []:
        uri = (item.get("S3Input") or {}).get("S3Uri")
        if isinstance(uri, str) and item.get("InputName"):
            inputs[item["InputName"]] = Artifact(uri)
    outputs = {}
    for item in (params.get("ProcessingOutputConfig") or {}).get("Outputs") or []:
        uri = (item.get("S3Output") or {}).get("S3Uri")
        if isinstance(uri, str) and item.get("OutputName"):
            outputs[item["OutputName"]] = Artifact(uri)
    return parameters, inputs, outputs


def _transform(params: Params, job_name: str) -> tuple[dict[str, str | float],
                                                        dict[str, Artifact], dict[str, Artifact]]:
    # INFERRED (AWS's record of a pipeline's transform job): the instances, the model, the
    # input with its content type and the output path. CHOICE: the model's image and data
    # (SageMaker.ModelPrimary.*) are left out: they are the model's, not the request's.
    resources = params.get("TransformResources") or {}
    parameters: dict[str, str | float] = {}
    _put(parameters, "SageMaker.InstanceCount", resources.get("InstanceCount"), numeric=True)
    _put(parameters, "SageMaker.InstanceType", resources.get("InstanceType"), numeric=False)
    _put(parameters, "SageMaker.ModelName", params.get("ModelName"), numeric=False)
    given = params.get("TransformInput") or {}
    inputs = {}
    uri = _s3_uri(given)
    if uri is not None:
        inputs["SageMaker.TransformInput"] = Artifact(uri, given.get("ContentType"))
    outputs = {}
    output_path = (params.get("TransformOutput") or {}).get("S3OutputPath")
    if isinstance(output_path, str):
        outputs["SageMaker.TransformOutput"] = Artifact(output_path)
    return parameters, inputs, outputs


def _null(value: Any) -> str:
    return str(value) if value else "null"


KINDS: Mapping[str, JobKind] = {
    "CreateTrainingJob": JobKind(
        "CreateTrainingJob", "TrainingJobName", "TrainingJobArn", "-aws-training-job",
        "SageMakerTrainingJob", "TrainingJobStatus", "TrainingStartTime", "TrainingEndTime",
        _training, None),
    # INFERRED messages: as AWS's records of a processing and a transform job word them.
    "CreateProcessingJob": JobKind(
        "CreateProcessingJob", "ProcessingJobName", "ProcessingJobArn", "-aws-processing-job",
        "SageMakerProcessingJob", "ProcessingJobStatus", "ProcessingStartTime",
        "ProcessingEndTime", _processing,
        lambda job, status: (f"Status: {status}, exit message: {_null(job.get('ExitMessage'))}"
                             f", failure reason: {_null(job.get('FailureReason'))}")),
    "CreateTransformJob": JobKind(
        "CreateTransformJob", "TransformJobName", "TransformJobArn", "-aws-transform-job",
        "SageMakerTransformJob", "TransformJobStatus", "TransformStartTime", "TransformEndTime",
        _transform,
        lambda job, status: f"Status: {status}, failure reason: {_null(job.get('FailureReason'))}"),
}

#: The service whose job-creating operations SageMaker Experiments watches.
SERVICE = "sagemaker"


def watched(service_name: str, operation: str) -> bool:
    """True for an operation that makes a job (SageMaker then makes records of its own)."""
    return service_name == SERVICE and operation in KINDS


@dataclass(frozen=True, slots=True)
class Plan:
    """What :func:`record` will write, checked before the job exists."""

    kind: JobKind
    job_name: str
    component_name: str
    display_name: str
    #: the trial the component joins, if it exists already
    trial: Trial | None
    #: the trial SageMaker makes for it instead, and its experiment
    new_trial: str | None
    experiment: Experiment | None
    #: the run (a trial component) that lists the job among its Sources
    run: TrialComponent | None


@cache
def _validator(operation: str) -> Validator:
    """The request's ExperimentConfig member, checked as AWS checks it."""
    request = _botocore.operation_model(SERVICE, operation).input_shape
    assert request is not None
    return Validator(SERVICE, request.members["ExperimentConfig"], "experimentConfig")


def plan(ctx: Context, kind: JobKind, params: Params) -> Plan | None:
    """The records a job created with ``params`` gets, or None when it gets none; raises the
    AWS error that refuses the job (then the job service is never asked)."""
    config = params.get("ExperimentConfig")
    job_name = params.get(kind.name_member)
    if config is None or not isinstance(job_name, str):
        # CHOICE: a job without an ExperimentConfig adds no component. (Until 2021 or so AWS
        # made one for every job: aws-step-functions-data-science-sdk-python#22 calls them
        # "orphaned"; what it does now is not public.)
        return None
    # The members are AWS's ExperimentEntityName (length, pattern): checked as AWS checks
    # them, since botocore's client checks neither.
    _validator(kind.operation)(config)
    state = ctx.state
    experiment_name, trial_name = config.get("ExperimentName"), config.get("TrialName")
    run_name = config.get("RunName")
    # CHOICE: the experiment and trial named must exist (the model: "The name of an existing
    # experiment / trial"), else the job is refused with CreateTrainingJob's modeled
    # ResourceNotFound and the wording of the other operations. AWS's answer is not public.
    experiment = (require(ctx, state.experiments, "experiment", experiment_name)
                  if experiment_name else None)
    component_name = job_name + kind.suffix
    if component_name in state.trial_components:
        # CHOICE: a component of that name (made by hand, or for an earlier job of the same
        # name) refuses the job, as CreateTrialComponent refuses the name.
        raise already_exists(_COMPONENT, component_name)
    run = state.trial_components.get(run_name) if run_name else None
    trial, new_trial = None, None
    if trial_name:
        trial = require(ctx, state.trials, _TRIAL, trial_name)
        if experiment is not None and name_key(trial.experiment_name) != name_key(
                experiment.name):
            # CHOICE: a trial of another experiment is refused rather than silently used.
            raise ValidationError(
                f"Trial '{trial.arn}' is not part of Experiment '{experiment.arn}'.")
    elif experiment is not None:
        # INFERRED: with RunName the job joins the run's group (the SDK passes it as TrialName
        # anyway: Run.experiment_config); CONFIRMED (SDK docstring) otherwise: "If ExperimentName
        # is supplied but TrialName is not a Trial will be automatically created".
        trial = _run_group(state, experiment, run)
        if trial is None:
            # CHOICE: the trial is named like the component, as SageMaker names the experiment
            # it makes for a tuning or AutoML job "<job name>-aws-tuning-job"
            # ("-aws-auto-ml-job"; apache/airflow's SageMaker system test deletes them).
            new_trial = component_name
            if new_trial in state.trials:
                raise already_exists(_TRIAL, new_trial)
    # CONFIRMED (SDK docstring): with neither ExperimentName nor TrialName "the trial component
    # will be unassociated".
    ctx.check_quota("trial_components", len(state.trial_components) + 1)
    if new_trial is not None and experiment is not None:
        ctx.check_quota("trials", len(state.trials) + 1)
        ctx.check_quota("trials_per_experiment", len(state.trials_of(experiment.name)) + 1)
    if trial is not None:
        ctx.check_quota("components_per_trial", len(state.components_of(trial.name)) + 1)
    # CONFIRMED (model): "If this key isn't specified, the display name is the trial component
    # name."
    display_name = config.get("TrialComponentDisplayName") or component_name
    return Plan(kind, job_name, component_name, display_name, trial, new_trial, experiment, run)


def _run_group(state: RegionState, experiment: Experiment,
               run: TrialComponent | None) -> Trial | None:
    """The trial of ``experiment`` that holds the run, if any."""
    if run is None:
        return None
    for trial_key in state.parents_of(run.name):
        trial = state.trials.get_by_key(trial_key)
        if name_key(trial.experiment_name) == name_key(experiment.name):
            return trial
    return None


def _time(value: Any) -> datetime | None:
    """A job's time, to the millisecond: CHOICE, as the job service's Describe*Job carries it
    (AWS's timestamps have milliseconds; so do moto's answers), so the two compare equal."""
    if isinstance(value, datetime):
        found = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    else:
        number = _number(value)
        if number is None:
            return None
        found = datetime.fromtimestamp(number, timezone.utc)
    return found.replace(microsecond=found.microsecond // 1000 * 1000)


def record(ctx: Context, plan: Plan, params: Params, job_arn: str,
           job: Mapping[str, Any] | None) -> TrialComponent:
    """Write what :func:`plan` checked, once the job service made the job ``job_arn``.

    ``job`` is the job service's description of the job (its Describe*Job answer), if it has
    one: the component's status and times follow it.
    """
    state, kind = ctx.state, plan.kind
    parameters, inputs, outputs = kind.describe(params, plan.job_name)
    status: dict[str, str] = {"PrimaryStatus": "InProgress"}
    start = end = None
    if job is not None:
        # CONFIRMED (test_track_from_training_job, against AWS): the component's start and end
        # are the job's; its status is the job's (moto's jobs complete at once).
        given = job.get(kind.status_member)
        if given in _PRIMARY_STATUSES:
            status = {"PrimaryStatus": given}
            if kind.message is not None:
                status["Message"] = kind.message(job, given)
        start, end = _time(job.get(kind.start_member)), _time(job.get(kind.end_member))
    fields = new_record(ctx, state.trial_components, _COMPONENT, plan.component_name,
                        {"DisplayName": plan.display_name})
    state.add_component(TrialComponent(
        **fields, status=status, start_time=start, end_time=end, parameters=parameters,
        input_artifacts=inputs, output_artifacts=outputs, source_arn=job_arn,
        source_type=kind.source_type))
    trial = plan.trial
    if plan.new_trial is not None and plan.experiment is not None:
        trial = Trial(**new_record(ctx, state.trials, _TRIAL, plan.new_trial, {}),
                      experiment_name=plan.experiment.name)
        state.add_trial(trial)
    component = state.trial_components.get(plan.component_name)
    assert component is not None
    if trial is not None:
        # CHOICE: the job's component joins without changing the trial's LastModifiedTime, as
        # AssociateTrialComponent does here.
        current = state.trials.get(trial.name)
        assert current is not None
        state.associate(current, component)
    if plan.run is not None:
        run = state.trial_components.get(plan.run.name)
        if run is not None:
            state.trial_components.replace(replace(
                run, sources=(*run.sources, (job_arn, kind.source_type))))
    found = state.trial_components.get(plan.component_name)
    assert found is not None
    return found
