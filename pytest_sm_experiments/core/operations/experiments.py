"""Experiment operations.

Views other modules (Search) import:

- ``experiment_view(record: Experiment) -> dict``: the DescribeExperiment shape (no Tags).
- ``experiment_summary(record: Experiment) -> dict``: one ``ExperimentSummaries`` entry.
"""

from __future__ import annotations

from ...errors import ValidationError
from ...models import Experiment
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response, new_record, require, update
from .paging import list_page, page_request, with_token


def create_experiment(ctx: Context, params: Params) -> Response:
    experiments = ctx.state.experiments
    fields = new_record(ctx, experiments, "experiment", params["ExperimentName"], params)
    ctx.check_quota("experiments", len(experiments) + 1)
    record = Experiment(**fields, description=params.get("Description"))
    experiments.add(record)
    return {"ExperimentArn": record.arn}


def describe_experiment(ctx: Context, params: Params) -> Response:
    record = require(ctx, ctx.state.experiments, "experiment", params["ExperimentName"])
    return experiment_view(record)


def list_experiments(ctx: Context, params: Params) -> Response:
    page = page_request(ctx, "ListExperiments", params)
    records, token = list_page(ctx, page, ctx.state.experiments)
    return with_token({"ExperimentSummaries": [experiment_summary(r) for r in records]}, token)


def update_experiment(ctx: Context, params: Params) -> Response:
    experiments = ctx.state.experiments
    record = require(ctx, experiments, "experiment", params["ExperimentName"])
    update(ctx, experiments, record,
           display_name=params.get("DisplayName", record.display_name),
           description=params.get("Description", record.description))
    return {"ExperimentArn": record.arn}


def delete_experiment(ctx: Context, params: Params) -> Response:
    state = ctx.state
    record = require(ctx, state.experiments, "experiment", params["ExperimentName"])
    if state.trials_of(record.name):
        # CHOICE: AWS documents that an experiment's trials must be deleted first; the error
        # code and text are not public.
        raise ValidationError(
            f"Experiment '{record.arn}' still has trials; delete its trials before deleting "
            "the experiment.")
    state.drop_experiment(record)
    return {"ExperimentArn": record.arn}


def experiment_view(record: Experiment) -> Response:
    """The Describe/Search shape of an experiment (Search adds Tags)."""
    view = experiment_summary(record)
    if record.description is not None:
        view["Description"] = record.description
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    return view


def experiment_summary(record: Experiment) -> Response:
    """An ``ExperimentSummary`` (ListExperiments)."""
    return {
        "ExperimentArn": record.arn,
        "ExperimentName": record.name,
        "DisplayName": record.display_name,
        "CreationTime": record.creation_time,
        "LastModifiedTime": record.last_modified_time,
    }
