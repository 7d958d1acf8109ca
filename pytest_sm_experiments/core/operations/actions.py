"""Lineage actions: Create/Describe/List/Update/DeleteAction.

An action is an activity between lineage entities (SageMaker makes one per model deployment and
model package approval); the SageMaker SDK's ``lineage.action`` creates, loads, lists, saves and
deletes them, and associates them with artifacts and contexts.
"""

from __future__ import annotations

from ...models import LineageAction, ResourceType
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response, require, update
from .lineage_entities import (
    list_by_source_and_type,
    named,
    new_named,
    source_view,
    updated_properties,
)
from .paging import with_token

_TYPE: ResourceType = "action"


def create_action(ctx: Context, params: Params) -> Response:
    actions = ctx.state.actions
    # CONFIRMED (the SageMaker SDK's lineage integration tests create several actions with one
    # SourceUri): an action's SourceUri need not be unique.
    fields = new_named(ctx, actions, _TYPE, params["ActionName"], params)
    metadata = params.get("MetadataProperties")
    record = LineageAction(
        **fields,
        action_type=params["ActionType"],
        # CHOICE: no Status unless one is sent (the member is optional; no default is
        # documented).
        status=params.get("Status"),
        metadata_properties=dict(metadata) if metadata is not None else None,
    )
    actions.add(record)
    return {"ActionArn": record.arn}


def describe_action(ctx: Context, params: Params) -> Response:
    """By name or ARN (the model's ``ExperimentEntityNameOrArn``)."""
    record = named(ctx, ctx.state.actions, _TYPE, params["ActionName"])
    view = action_summary(record)
    if record.description is not None:
        view["Description"] = record.description
    # CHOICE: no Properties member when there are none, as for artifacts.
    if record.properties:
        view["Properties"] = dict(record.properties)
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    if record.metadata_properties is not None:
        view["MetadataProperties"] = dict(record.metadata_properties)
    # CHOICE: no LineageGroupArn (see contexts.describe_context).
    return view


def list_actions(ctx: Context, params: Params) -> Response:
    records, token = list_by_source_and_type(
        ctx, params, "ListActions", ctx.state.actions, "ActionType",
        lambda record: record.source.source_uri, lambda record: record.action_type)
    return with_token({"ActionSummaries": [action_summary(r) for r in records]}, token)


def update_action(ctx: Context, params: Params) -> Response:
    actions = ctx.state.actions
    record = require(ctx, actions, _TYPE, params["ActionName"])
    update(ctx, actions, record,
           description=params.get("Description", record.description),
           status=params.get("Status", record.status),
           properties=updated_properties(record.properties, params))
    return {"ActionArn": record.arn}


def delete_action(ctx: Context, params: Params) -> Response:
    state = ctx.state
    record = require(ctx, state.actions, _TYPE, params["ActionName"])
    # CHOICE: its associations go with it, as an artifact's (artifacts.delete_artifact).
    state.drop_action(record)
    return {"ActionArn": record.arn}


def action_summary(record: LineageAction) -> Response:
    """An ``ActionSummary`` (ListActions); DescribeAction builds on it."""
    view: Response = {
        "ActionArn": record.arn,
        "ActionName": record.name,
        "Source": source_view(record.source),
        "ActionType": record.action_type,
    }
    if record.status is not None:
        view["Status"] = record.status
    view["CreationTime"] = record.creation_time
    view["LastModifiedTime"] = record.last_modified_time
    return view
