"""Lineage associations: AddAssociation, ListAssociations, DeleteAssociation.

An association is a directed edge between two lineage entities of this account and region
(artifacts, contexts, actions, trial components, experiments: lineage_entities). The SageMaker
SDK's ``Run`` links each graph artifact it logs to its trial component when the run closes
(trial component -> artifact ``Produced`` for an output, artifact -> trial component
``ContributedTo`` for an input); its lineage classes link contexts, actions and artifacts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ...errors import ResourceNotFound, ValidationError
from ...models import LineageAssociation
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response
from .lineage_entities import Entity, entity, require_entity
from .paging import page_of, page_request, with_token


def add_association(ctx: Context, params: Params) -> Response:
    state = ctx.state
    source = require_entity(ctx, params["SourceArn"])
    destination = require_entity(ctx, params["DestinationArn"])
    key = (source.arn, destination.arn)
    if key in state.lineage:
        # INFERRED: the SageMaker SDK treats a ValidationException saying "already exists"
        # from AddAssociation as a duplicate (experiments/_helper.py), and its feature
        # processor any ValidationException from it (_lineage_association_handler.py).
        # CHOICE: the wording.
        raise ValidationError(
            f"Association between source '{source.arn}' and destination '{destination.arn}' "
            "already exists.")
    # CHOICE: an association without AssociationType has none (the member is optional and
    # AWS documents no default).
    state.add_lineage(LineageAssociation(
        source_arn=source.arn, destination_arn=destination.arn,
        association_type=params.get("AssociationType"), creation_time=ctx.now, seq=ctx.seq))
    return {"SourceArn": source.arn, "DestinationArn": destination.arn}


def delete_association(ctx: Context, params: Params) -> Response:
    state = ctx.state
    source, destination = params["SourceArn"], params["DestinationArn"]
    key = (canonical(ctx, source), canonical(ctx, destination))
    if key not in state.lineage:
        # CHOICE: the wording (the code is the model's ResourceNotFound).
        raise ResourceNotFound(
            f"Association between source '{source}' and destination '{destination}' does "
            "not exist.")
    state.remove_lineage(key)
    return {"SourceArn": key[0], "DestinationArn": key[1]}


def canonical(ctx: Context, arn: str) -> str:
    """The ARN of the entity ``arn`` names, as the mock made it; ``arn`` itself if none."""
    found = entity(ctx, arn)
    return found.arn if found is not None else arn


_SORT_KEYS: Mapping[str, Callable[[LineageAssociation, Entity, Entity], str]] = {
    "SourceArn": lambda association, source, destination: source.arn,
    "DestinationArn": lambda association, source, destination: destination.arn,
    "SourceType": lambda association, source, destination: source.type or "",
    "DestinationType": lambda association, source, destination: destination.type or "",
}


def list_associations(ctx: Context, params: Params) -> Response:
    state = ctx.state
    members = ("SourceArn", "DestinationArn", "SourceType", "DestinationType",
               "AssociationType")
    filters: dict[str, Any] = {member: params.get(member) for member in members}
    page = page_request(ctx, "ListAssociations", params, (*members, "SortBy"))
    after, before = page.created_after, page.created_before
    keys: Any = state.lineage
    for arn in (filters["SourceArn"], filters["DestinationArn"]):
        if arn is not None:
            # CHOICE: a filter naming an entity that does not exist matches nothing.
            keys = state.lineage_edges.get(canonical(ctx, arn), {})
            break
    rows: list[tuple[LineageAssociation, Entity, Entity]] = []
    for key in keys:
        association = state.lineage[key]
        source, destination = ends(ctx, association)
        if _matches(association, source, destination, filters, after, before):
            rows.append((association, source, destination))
    # CONFIRMED (model docs): CreationTime and Descending are the defaults; CHOICE: ties (and
    # a type an entity does not have, which sorts as "") keep creation order.
    # CreationTime (or no SortBy): no key of its own.
    key_of = _SORT_KEYS.get(params["SortBy"]) if "SortBy" in params else None
    rows.sort(key=(lambda row: (key_of(*row), row[0].seq)) if key_of
              else (lambda row: (row[0].creation_time, row[0].seq)),
              reverse=page.descending)
    chunk, token = page_of(ctx, page, rows,
                           key=lambda row: f"{row[0].source_arn} {row[0].destination_arn}")
    return with_token({"AssociationSummaries": [_summary(*row) for row in chunk]}, token)


def ends(ctx: Context, association: LineageAssociation) -> tuple[Entity, Entity]:
    """The two entities an association joins (deleting an entity drops its associations, so
    both always exist)."""
    return (require_entity(ctx, association.source_arn),
            require_entity(ctx, association.destination_arn))


def _matches(association: LineageAssociation, source: Entity, destination: Entity,
             filters: Mapping[str, Any], after: datetime | None,
             before: datetime | None) -> bool:
    wanted = filters
    if wanted["SourceArn"] is not None and source.arn.lower() != wanted["SourceArn"].lower():
        return False
    if wanted["DestinationArn"] is not None and (
            destination.arn.lower() != wanted["DestinationArn"].lower()):
        return False
    if wanted["SourceType"] is not None and source.type != wanted["SourceType"]:
        return False
    if wanted["DestinationType"] is not None and destination.type != wanted["DestinationType"]:
        return False
    if wanted["AssociationType"] is not None and (
            association.association_type != wanted["AssociationType"]):
        return False
    # CONFIRMED (model docs): "created on or after" / "on or before".
    created = association.creation_time
    return (after is None or created >= after) and (before is None or created <= before)


def _summary(association: LineageAssociation, source: Entity, destination: Entity) -> Response:
    """An ``AssociationSummary``: the ends' names (CONFIRMED: the SageMaker SDK's integration
    test of Run reads DestinationName) and types (an artifact's ArtifactType, a context's
    ContextType, an action's ActionType: INFERRED, the SDK's lineage integration tests filter
    ``DestinationType="Action"`` to find an action of ActionType ``Action`` and compare
    ``source_type`` with the action's ``action_type``)."""
    view: Response = {"SourceArn": source.arn, "DestinationArn": destination.arn}
    if source.type is not None:
        view["SourceType"] = source.type
    if destination.type is not None:
        view["DestinationType"] = destination.type
    if association.association_type is not None:
        view["AssociationType"] = association.association_type
    if source.name is not None:
        view["SourceName"] = source.name
    if destination.name is not None:
        view["DestinationName"] = destination.name
    view["CreationTime"] = association.creation_time
    # INFERRED, as for the other records (_common.USER_CONTEXT). The SDK's integration test of
    # ListAssociations asserts ``created_by is None`` on each summary, but over an iterator it
    # has already used up (sagemaker-python-sdk#2238): it checks nothing.
    view["CreatedBy"] = dict(USER_CONTEXT)
    return view
