"""Experiment operations."""

from __future__ import annotations

from ..backend import Context
from ..models import Experiment
from ._common import Params, Response, already_exists, require, tag_dict


def create_experiment(ctx: Context, params: Params) -> Response:
    name: str = params["ExperimentName"]
    tags = tag_dict(params.get("Tags"))
    experiments = ctx.state.experiments
    if name in experiments:
        raise already_exists("experiment", name)
    ctx.check_quota("experiments", len(experiments))
    record = Experiment(
        name=name,
        arn=ctx.arn("experiment", name),
        display_name=params.get("DisplayName") or name,
        description=params.get("Description"),
        tags=tags,
        creation_time=ctx.now,
        last_modified_time=ctx.now,
        seq=ctx.seq,
    )
    experiments.add(record)
    return {"ExperimentArn": record.arn}


def describe_experiment(ctx: Context, params: Params) -> Response:
    record = require(ctx, ctx.state.experiments, "experiment", params["ExperimentName"])
    return experiment_view(record)


def experiment_view(record: Experiment) -> Response:
    """The Describe/Search shape of an experiment (Search adds Tags)."""
    view: Response = {
        "ExperimentName": record.name,
        "ExperimentArn": record.arn,
        "DisplayName": record.display_name,
        "CreationTime": record.creation_time,
        "LastModifiedTime": record.last_modified_time,
    }
    if record.description is not None:
        view["Description"] = record.description
    return view
