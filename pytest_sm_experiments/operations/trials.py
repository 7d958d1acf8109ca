"""Trial operations.

Views other modules (Search) import:

- ``trial_view(record: Trial) -> dict``: the DescribeTrial shape (no Tags, no components).
- ``trial_summary(record: Trial) -> dict``: one ``TrialSummaries`` entry (ListTrials).
"""

from __future__ import annotations

from dataclasses import replace

from pytest_sm_experiments.backend import Context, name_key
from pytest_sm_experiments.errors import ValidationError
from pytest_sm_experiments.models import Trial

from ._common import USER_CONTEXT, Params, Response, already_exists, require, tag_dict
from .paging import list_page, page_request, with_token


def create_trial(ctx: Context, params: Params) -> Response:
    state = ctx.state
    name: str = params["TrialName"]
    tags = tag_dict(params.get("Tags"))
    if name in state.trials:
        raise already_exists("experiment-trial", name)
    experiment = require(ctx, state.experiments, "experiment", params["ExperimentName"])
    ctx.check_quota("trials", len(state.trials))
    ctx.check_quota("trials_per_experiment", len(state.trials_of(experiment.name)))
    ctx.check_quota("tags_per_resource", 0, len(tags))
    metadata = params.get("MetadataProperties")
    record = Trial(
        name=name,
        arn=ctx.arn("experiment-trial", name),
        display_name=params.get("DisplayName") or name,
        # The experiment's own spelling, whatever case the request used.
        experiment_name=experiment.name,
        tags=tags,
        creation_time=ctx.now,
        last_modified_time=ctx.now,
        metadata_properties=dict(metadata) if metadata is not None else None,
        seq=ctx.seq,
    )
    state.trials.add(record)
    state.experiment_trials.setdefault(name_key(experiment.name), {})[name_key(name)] = None
    return {"TrialArn": record.arn}


def describe_trial(ctx: Context, params: Params) -> Response:
    return trial_view(require(ctx, ctx.state.trials, "experiment-trial", params["TrialName"]))


def list_trials(ctx: Context, params: Params) -> Response:
    state = ctx.state
    experiment_name = params.get("ExperimentName")
    component_name = params.get("TrialComponentName")
    page = page_request(ctx, "ListTrials", params, {
        "ExperimentName": experiment_name, "TrialComponentName": component_name})
    candidates = None
    # CHOICE: unlike ListTrialComponents's filters, these two may be combined (AWS's docs do not
    # say they exclude each other): the trials of the experiment that hold the component.
    if experiment_name is not None:
        experiment = require(ctx, state.experiments, "experiment", experiment_name)
        keys = set(state.trials_of(experiment.name))
        if component_name is not None:
            component = require(ctx, state.trial_components, "experiment-trial-component",
                                component_name)
            keys &= set(state.parents_of(component.name))
        candidates = [state.trials.get_by_key(key) for key in keys]
    elif component_name is not None:
        component = require(ctx, state.trial_components, "experiment-trial-component",
                            component_name)
        candidates = [state.trials.get_by_key(key) for key in state.parents_of(component.name)]
    records, token = list_page(ctx, page, state.trials, candidates)
    return with_token({"TrialSummaries": [trial_summary(r) for r in records]}, token)


def update_trial(ctx: Context, params: Params) -> Response:
    trials = ctx.state.trials
    record = require(ctx, trials, "experiment-trial", params["TrialName"])
    trials.replace(replace(
        record,
        display_name=params.get("DisplayName", record.display_name),
        last_modified_time=ctx.now,
    ))
    return {"TrialArn": record.arn}


def delete_trial(ctx: Context, params: Params) -> Response:
    state = ctx.state
    record = require(ctx, state.trials, "experiment-trial", params["TrialName"])
    if state.components_of(record.name):
        # CHOICE: AWS documents that components must be disassociated first; the error code
        # and text are not public.
        raise ValidationError(
            f"Trial '{record.arn}' still has trial components associated; disassociate them "
            "before deleting the trial.")
    state.trials.remove(record.name)
    key = name_key(record.name)
    state.trial_members.pop(key, None)
    siblings = state.experiment_trials.get(name_key(record.experiment_name))
    if siblings is not None:
        siblings.pop(key, None)
        if not siblings:
            del state.experiment_trials[name_key(record.experiment_name)]
    return {"TrialArn": record.arn}


def trial_view(record: Trial) -> Response:
    """The Describe/Search shape of a trial (Search adds Tags and TrialComponentSummaries)."""
    view = trial_summary(record)
    view["ExperimentName"] = record.experiment_name
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    if record.metadata_properties is not None:
        view["MetadataProperties"] = dict(record.metadata_properties)
    return view


def trial_summary(record: Trial) -> Response:
    """A ``TrialSummary`` (ListTrials)."""
    return {
        "TrialArn": record.arn,
        "TrialName": record.name,
        "DisplayName": record.display_name,
        "CreationTime": record.creation_time,
        "LastModifiedTime": record.last_modified_time,
    }
