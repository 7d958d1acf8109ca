"""Lineage contexts: Create/Describe/List/Update/DeleteContext.

A context groups lineage entities (SageMaker makes one per endpoint and model package group);
the SageMaker SDK's ``lineage.context`` creates, loads, lists, saves and deletes them, and
associates them with actions and artifacts.
"""

from __future__ import annotations

from ...models import LineageContext, ResourceType
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

_TYPE: ResourceType = "context"


def create_context(ctx: Context, params: Params) -> Response:
    contexts = ctx.state.contexts
    # CONFIRMED (the SageMaker SDK's lineage integration tests create several contexts with one
    # SourceUri): unlike an artifact's, a context's SourceUri need not be unique.
    fields = new_named(ctx, contexts, _TYPE, params["ContextName"], params)
    record = LineageContext(**fields, context_type=params["ContextType"])
    contexts.add(record)
    return {"ContextArn": record.arn}


def describe_context(ctx: Context, params: Params) -> Response:
    """By name or ARN (the model's ``ContextNameOrArn``)."""
    record = named(ctx, ctx.state.contexts, _TYPE, params["ContextName"])
    view = context_summary(record)
    if record.description is not None:
        view["Description"] = record.description
    # CHOICE: no Properties member when there are none, as for artifacts.
    if record.properties:
        view["Properties"] = dict(record.properties)
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    # CHOICE: no LineageGroupArn: SageMaker puts the entities it makes for some services in
    # lineage groups; a context made through the API is in none.
    return view


def list_contexts(ctx: Context, params: Params) -> Response:
    records, token = list_by_source_and_type(
        ctx, params, "ListContexts", ctx.state.contexts, "ContextType",
        lambda record: record.source.source_uri, lambda record: record.context_type)
    return with_token({"ContextSummaries": [context_summary(r) for r in records]}, token)


def update_context(ctx: Context, params: Params) -> Response:
    contexts = ctx.state.contexts
    record = require(ctx, contexts, _TYPE, params["ContextName"])
    update(ctx, contexts, record,
           description=params.get("Description", record.description),
           properties=updated_properties(record.properties, params))
    return {"ContextArn": record.arn}


def delete_context(ctx: Context, params: Params) -> Response:
    state = ctx.state
    record = require(ctx, state.contexts, _TYPE, params["ContextName"])
    # CHOICE: its associations go with it, as an artifact's (artifacts.delete_artifact).
    state.drop_context(record)
    return {"ContextArn": record.arn}


def context_summary(record: LineageContext) -> Response:
    """A ``ContextSummary`` (ListContexts); DescribeContext builds on it."""
    return {
        "ContextArn": record.arn,
        "ContextName": record.name,
        "Source": source_view(record.source),
        "ContextType": record.context_type,
        "CreationTime": record.creation_time,
        "LastModifiedTime": record.last_modified_time,
    }
