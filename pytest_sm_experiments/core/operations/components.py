"""Trial component operations.

Views other modules (Search) import:

- ``trial_component_view(record: TrialComponent) -> dict``: the DescribeTrialComponent shape
  (no Tags, no Parents).
- ``trial_component_summary(record: TrialComponent) -> dict``: one ``TrialComponentSummaries``
  entry (ListTrialComponents).
- ``parameter_view(value: str | float) -> dict`` and ``metric_view(summary: MetricSummary)``.
- ``source_view(record: TrialComponent) -> dict``: its ``Source`` (components made for a job).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import arns
from ...errors import ValidationError
from ...models import Artifact, MetricSummary, ResourceType, TrialComponent
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response, new_record, require, timestamp, update
from .paging import list_page, page_request, with_token

_TYPE: ResourceType = "experiment-trial-component"
_ARTIFACT_MEMBERS = (("InputArtifacts", "input_artifacts"), ("OutputArtifacts", "output_artifacts"))


def _parameters(given: Mapping[str, Mapping[str, Any]]) -> dict[str, str | float]:
    """``{"StringValue": s}`` -> ``s``; ``{"NumberValue": n}`` -> ``float(n)``."""
    result: dict[str, str | float] = {}
    for key, value in given.items():
        has_string, has_number = "StringValue" in value, "NumberValue" in value
        if has_string == has_number:
            # CHOICE: the model does not mark the value a union; AWS's answer to none or both
            # members is not public.  The mock refuses it rather than guess which one counts.
            raise ValidationError(
                f"Parameter '{key}' must have exactly one of StringValue or NumberValue.")
        result[key] = value["StringValue"] if has_string else float(value["NumberValue"])
    return result


def _artifacts(given: Mapping[str, Mapping[str, str]]) -> dict[str, Artifact]:
    return {key: Artifact(value=item["Value"], media_type=item.get("MediaType"))
            for key, item in given.items()}


def _check_sizes(ctx: Context, parameters: int, inputs: int, outputs: int) -> None:
    # CHOICE: a merge (UpdateTrialComponent) past a per-component limit is the same
    # ResourceLimitExceeded as on create, though the model lists it for CreateTrialComponent only;
    # botocore raises client.exceptions.ResourceLimitExceeded for it on any operation.
    ctx.check_quota("parameters_per_trial_component", parameters)
    ctx.check_quota("artifacts_per_trial_component", inputs)
    ctx.check_quota("artifacts_per_trial_component", outputs)


def _optional_time(params: Params, member: str) -> Any:
    value = params.get(member)
    return timestamp(value) if value is not None else None


def create_trial_component(ctx: Context, params: Params) -> Response:
    components = ctx.state.trial_components
    parameters = _parameters(params.get("Parameters") or {})
    inputs = _artifacts(params.get("InputArtifacts") or {})
    outputs = _artifacts(params.get("OutputArtifacts") or {})
    fields = new_record(ctx, components, _TYPE, params["TrialComponentName"], params)
    ctx.check_quota("trial_components", len(components) + 1)
    _check_sizes(ctx, len(parameters), len(inputs), len(outputs))
    status = params.get("Status")
    metadata = params.get("MetadataProperties")
    record = TrialComponent(
        **fields,
        status=dict(status) if status is not None else None,
        start_time=_optional_time(params, "StartTime"),
        end_time=_optional_time(params, "EndTime"),
        parameters=parameters,
        input_artifacts=inputs,
        output_artifacts=outputs,
        metadata_properties=dict(metadata) if metadata is not None else None,
    )
    ctx.state.add_component(record)
    return {"TrialComponentArn": record.arn}


def describe_trial_component(ctx: Context, params: Params) -> Response:
    name = arns.name_of(params["TrialComponentName"])
    return trial_component_view(require(ctx, ctx.state.trial_components, _TYPE, name))


def list_trial_components(ctx: Context, params: Params) -> Response:
    state = ctx.state
    filters = {member: params.get(member) for member in ("ExperimentName", "TrialName",
                                                          "SourceArn")}
    given = [member for member, value in filters.items() if value is not None]
    if len(given) > 1:
        # CONFIRMED (docs): these three filters exclude each other. CHOICE: the wording.
        raise ValidationError(
            f"Only one of ExperimentName, TrialName or SourceArn can be specified; "
            f"got {' and '.join(given)}.")
    page = page_request(ctx, "ListTrialComponents", params, tuple(filters))
    candidates: list[TrialComponent] | None = None
    if filters["ExperimentName"] is not None:
        experiment = require(ctx, state.experiments, "experiment", filters["ExperimentName"])
        keys: dict[str, None] = {}
        for trial_key in state.trials_of(experiment.name):
            keys.update(state.components_of(trial_key))
        candidates = [state.trial_components.get_by_key(key) for key in keys]
    elif filters["TrialName"] is not None:
        trial = require(ctx, state.trials, "experiment-trial", filters["TrialName"])
        candidates = [state.trial_components.get_by_key(key)
                      for key in state.components_of(trial.name)]
    elif filters["SourceArn"] is not None:
        # The components SageMaker made for the job (``core/operations/jobs.py``). CHOICE: the
        # ARN matches in any letter case: the job's ARN is the job service's (moto keeps the
        # case of a job's name, AWS lower-cases it), and the SageMaker SDK lower-cases it
        # before it lists (``_RunEnvironment.get_trial_component``).
        candidates = [state.trial_components.get_by_key(key)
                      for key in state.components_from(filters["SourceArn"])]
    records, token = list_page(ctx, page, state.trial_components, candidates)
    return with_token(
        {"TrialComponentSummaries": [trial_component_summary(r) for r in records]}, token)


def update_trial_component(ctx: Context, params: Params) -> Response:
    components = ctx.state.trial_components
    record = require(ctx, components, _TYPE, params["TrialComponentName"])
    parameters = _merge(dict(record.parameters), _parameters(params.get("Parameters") or {}),
                        params.get("ParametersToRemove"))
    merged_artifacts: list[dict[str, Artifact]] = []
    for member, attribute in _ARTIFACT_MEMBERS:
        merged_artifacts.append(_merge(
            dict(getattr(record, attribute)), _artifacts(params.get(member) or {}),
            params.get(f"{member}ToRemove")))
    inputs, outputs = merged_artifacts
    _check_sizes(ctx, len(parameters), len(inputs), len(outputs))
    status = params.get("Status")
    update(ctx, components, record,
           display_name=params.get("DisplayName", record.display_name),
           status=dict(status) if status is not None else record.status,
           start_time=_optional_time(params, "StartTime") or record.start_time,
           end_time=_optional_time(params, "EndTime") or record.end_time,
           parameters=parameters,
           input_artifacts=inputs,
           output_artifacts=outputs)
    return {"TrialComponentArn": record.arn}


def _merge(current: dict[str, Any], added: dict[str, Any],
           removed: list[str] | None) -> dict[str, Any]:
    """Keys in ``added`` overwrite; then keys in ``removed`` go (absent keys are ignored).

    CONFIRMED: a key both set and removed in one call is removed: the SageMaker SDK's
    integration test ``tests/integ/sagemaker/experiments/test_trial_component.py::test_save``
    (aws/sagemaker-python-sdk, run against AWS) sends exactly that for parameters and both
    artifact maps and reads the keys back as gone.
    """
    current.update(added)
    for key in removed or ():
        current.pop(key, None)
    return current


def delete_trial_component(ctx: Context, params: Params) -> Response:
    state = ctx.state
    record = require(ctx, state.trial_components, _TYPE, params["TrialComponentName"])
    if state.parents_of(record.name):
        # CONFIRMED: AWS's answer, quoted in aws/sagemaker-python-sdk#1515.
        raise ValidationError(
            f"TrialComponent '{record.arn}' is linked to 1 or more trials and cannot be "
            "deleted.")
    state.drop_component(record)
    return {"TrialComponentArn": record.arn}


def parameter_view(value: str | float) -> dict[str, str | float]:
    return {"StringValue": value} if isinstance(value, str) else {"NumberValue": value}


def artifact_view(artifact: Artifact) -> dict[str, str]:
    view = {"Value": artifact.value}
    if artifact.media_type is not None:
        view["MediaType"] = artifact.media_type
    return view


def metric_view(summary: MetricSummary) -> Response:
    """A ``TrialComponentMetricSummary``."""
    view: Response = {"MetricName": summary.name, "TimeStamp": summary.timestamp}
    view.update(summary.statistics())
    return view


def trial_component_view(record: TrialComponent) -> Response:
    """The Describe/Search shape of a trial component (Search adds Tags and Parents).

    CHOICE: members with nothing in them (no parameters, no artifacts, no metrics, no status or
    times) are left out, as AWS leaves out unset members.
    """
    view = trial_component_summary(record)
    source = view.pop("TrialComponentSource", None)
    if source is not None:
        view["Source"] = source
    if record.sources:
        # INFERRED: the model's "ARNs and, if applicable, job types for multiple sources of an
        # experiment run": the jobs started with this run's name as ExperimentConfig.RunName.
        view["Sources"] = [{"SourceArn": arn, "SourceType": kind}
                           for arn, kind in record.sources]
    if record.parameters:
        view["Parameters"] = {key: parameter_view(value)
                              for key, value in record.parameters.items()}
    if record.input_artifacts:
        view["InputArtifacts"] = {key: artifact_view(value)
                                  for key, value in record.input_artifacts.items()}
    if record.output_artifacts:
        view["OutputArtifacts"] = {key: artifact_view(value)
                                   for key, value in record.output_artifacts.items()}
    if record.metadata_properties is not None:
        view["MetadataProperties"] = dict(record.metadata_properties)
    if record.metrics:
        view["Metrics"] = [metric_view(summary) for summary in record.metrics.values()]
    return view


def trial_component_summary(record: TrialComponent) -> Response:
    """A ``TrialComponentSummary`` (ListTrialComponents)."""
    view: Response = {
        "TrialComponentName": record.name,
        "TrialComponentArn": record.arn,
        "DisplayName": record.display_name,
    }
    if record.source_arn is not None:
        view["TrialComponentSource"] = source_view(record)
    _add_status_and_times(view, record)
    view["CreationTime"] = record.creation_time
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedTime"] = record.last_modified_time
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    return view


def source_view(record: TrialComponent) -> dict[str, str]:
    """A ``TrialComponentSource`` (a component SageMaker made for a job)."""
    view = {"SourceArn": record.source_arn or ""}
    if record.source_type is not None:
        view["SourceType"] = record.source_type
    return view


def _add_status_and_times(view: Response, record: TrialComponent) -> None:
    if record.status is not None:
        view["Status"] = dict(record.status)
    if record.start_time is not None:
        view["StartTime"] = record.start_time
    if record.end_time is not None:
        view["EndTime"] = record.end_time
