"""Trial operations.

Views other modules (Search) import:

- ``trial_view(record: Trial) -> dict``: the DescribeTrial shape (no Tags, no components).
- ``trial_summary(record: Trial) -> dict``: one ``TrialSummaries`` entry (ListTrials).
"""

from __future__ import annotations

from ...errors import ValidationError
from ...models import Trial
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response, new_record, require, update
from .paging import list_page, page_request, with_token


def create_trial(ctx: Context, params: Params) -> Response:
    state = ctx.state
    fields = new_record(ctx, state.trials, "experiment-trial", params["TrialName"], params)
    experiment = require(ctx, state.experiments, "experiment", params["ExperimentName"])
    ctx.check_quota("trials", len(state.trials) + 1)
    ctx.check_quota("trials_per_experiment", len(state.trials_of(experiment.name)) + 1)
    metadata = params.get("MetadataProperties")
    record = Trial(
        **fields,
        # The experiment's own spelling, whatever case the request used.
        experiment_name=experiment.name,
        metadata_properties=dict(metadata) if metadata is not None else None,
    )
    state.add_trial(record)
    return {"TrialArn": record.arn}


def describe_trial(ctx: Context, params: Params) -> Response:
    return trial_view(require(ctx, ctx.state.trials, "experiment-trial", params["TrialName"]))


def list_trials(ctx: Context, params: Params) -> Response:
    state = ctx.state
    experiment_name = params.get("ExperimentName")
    component_name = params.get("TrialComponentName")
    page = page_request(ctx, "ListTrials", params, ("ExperimentName", "TrialComponentName"))
    # CHOICE: unlike ListTrialComponents's filters, these two may be combined (AWS's docs do not
    # say they exclude each other): the trials of the experiment that hold the component.
    experiment = (None if experiment_name is None
                  else require(ctx, state.experiments, "experiment", experiment_name))
    component = (None if component_name is None
                 else require(ctx, state.trial_components, "experiment-trial-component",
                              component_name))
    candidates = None
    if experiment is not None:
        keys = set(state.trials_of(experiment.name))
        if component is not None:
            keys &= set(state.parents_of(component.name))
        candidates = [state.trials.get_by_key(key) for key in keys]
    elif component is not None:
        candidates = [state.trials.get_by_key(key) for key in state.parents_of(component.name)]
    records, token = list_page(ctx, page, state.trials, candidates)
    return with_token({"TrialSummaries": [trial_summary(r) for r in records]}, token)


def update_trial(ctx: Context, params: Params) -> Response:
    trials = ctx.state.trials
    record = require(ctx, trials, "experiment-trial", params["TrialName"])
    update(ctx, trials, record, display_name=params.get("DisplayName", record.display_name))
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
    state.drop_trial(record)
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
