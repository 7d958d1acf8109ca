"""Lineage: artifacts (Create/Describe/List/Update/DeleteArtifact) and the associations between
lineage and experiment entities (AddAssociation, ListAssociations, DeleteAssociation).

The SageMaker SDK's ``Run`` (both generations, ``experiments/_helper.py``) records each graph
it logs (``log_precision_recall``, ``log_roc_curve``, ``log_confusion_matrix``) as an artifact
and links it to the run's trial component when the run closes: CreateArtifact, then
AddAssociation (trial component -> artifact ``Produced`` for an output, artifact -> trial
component ``ContributedTo`` for an input).  Its lineage classes (``sagemaker.lineage``) list,
describe, update and delete them.

An association's ends are experiments, trial components or artifacts of this account and
region (the model's AssociationEntityArn also names actions and contexts, which the mock does
not hold: they are not found).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...errors import ResourceNotFound, ValidationError
from ...models import LineageArtifact, LineageAssociation
from ..backend import Context
from ._common import USER_CONTEXT, Params, Response, tag_dict, update
from .paging import list_page, page_of, page_request, with_token

_ARTIFACT = "artifact"


# -- entities -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Entity:
    """One end of an association, as ListAssociations reports it."""

    arn: str
    name: str | None
    #: an artifact's ArtifactType; None for experiments and trial components (CHOICE: their
    #: lineage type is set by the job that created them, and the mock runs no jobs)
    type: str | None


_TYPE_NAMES = {"artifact": "Artifact", "experiment": "Experiment",
               "experiment-trial-component": "TrialComponent"}


def entity(ctx: Context, arn: str) -> Entity | None:
    """The experiment, trial component or artifact an ARN names (any letter case), or None."""
    found = ctx.local(arn)
    if found is None:
        return None
    resource_type, name = found
    state = ctx.state
    if resource_type == _ARTIFACT:
        artifact = state.artifacts.get(name)
        if artifact is not None:
            return Entity(artifact.arn, artifact.artifact_name, artifact.artifact_type)
    elif resource_type == "experiment-trial-component":
        component = state.trial_components.get(name)
        if component is not None:
            return Entity(component.arn, component.name, None)
    elif resource_type == "experiment":
        experiment = state.experiments.get(name)
        if experiment is not None:
            return Entity(experiment.arn, experiment.name, None)
    return None


def _missing(ctx: Context, arn: str) -> ResourceNotFound:
    """``<Type> '<arn>' does not exist.`` (CHOICE: the wording the experiment entities use)."""
    found = ctx.local(arn)
    label = _TYPE_NAMES.get(found[0], "Resource") if found else "Resource"
    return ResourceNotFound(f"{label} '{arn}' does not exist.")


def _require(ctx: Context, arn: str) -> Entity:
    found = entity(ctx, arn)
    if found is None:
        raise _missing(ctx, arn)
    return found


# -- artifacts ------------------------------------------------------------------------------

def _new_id(ctx: Context, source_uri: str) -> str:
    """INFERRED: artifact ARNs end in a 32-digit hexadecimal id, not the name (the SageMaker
    SDK's lineage tests use ``artifact/e66eef7f19c05e75284089183491bd4f``; names are optional).
    CHOICE: derived from the account, region, creation sequence and SourceUri, so a test run
    repeats its ARNs."""
    seed = f"{ctx.account_id}/{ctx.region}/{ctx.seq}/{source_uri}".encode(errors="surrogatepass")
    return hashlib.blake2b(seed, digest_size=16).hexdigest()


def require_artifact(ctx: Context, arn: str) -> LineageArtifact:
    found = ctx.local(arn)
    record = ctx.state.artifacts.get(found[1]) if found and found[0] == _ARTIFACT else None
    if record is None:
        raise ResourceNotFound(f"Artifact '{arn}' does not exist.")
    return record


def create_artifact(ctx: Context, params: Params) -> Response:
    state = ctx.state
    source: Mapping[str, Any] = params["Source"]
    uri: str = source["SourceUri"]
    tags = tag_dict(params.get("Tags"))
    if uri in state.artifact_sources:
        # CONFIRMED rule (developer guide, "Lineage Tracking Entities": "there can be only one
        # artifact with a unique SourceUri"). INFERRED code and wording: the SageMaker SDK
        # treats a ValidationException saying "already exists" from CreateArtifact as a
        # duplicate (experiments/_helper.py).
        raise ValidationError(f"Artifact with SourceUri ({uri}) already exists.")
    ctx.check_quota("tags_per_resource", len(tags))
    artifact_id = _new_id(ctx, uri)
    metadata = params.get("MetadataProperties")
    record = LineageArtifact(
        artifact_id=artifact_id,
        arn=ctx.arn(_ARTIFACT, artifact_id),
        artifact_name=params.get("ArtifactName"),
        artifact_type=params["ArtifactType"],
        source_uri=uri,
        source_types=tuple((item["SourceIdType"], item["Value"])
                           for item in source.get("SourceTypes") or ()),
        properties=dict(params.get("Properties") or {}),
        tags=tags,
        creation_time=ctx.now,
        last_modified_time=ctx.now,
        metadata_properties=dict(metadata) if metadata is not None else None,
        seq=ctx.seq,
    )
    state.add_artifact(record)
    return {"ArtifactArn": record.arn}


def describe_artifact(ctx: Context, params: Params) -> Response:
    record = require_artifact(ctx, params["ArtifactArn"])
    view = artifact_summary(record)
    if record.properties:
        view["Properties"] = dict(record.properties)
    view["CreatedBy"] = dict(USER_CONTEXT)
    view["LastModifiedBy"] = dict(USER_CONTEXT)
    if record.metadata_properties is not None:
        view["MetadataProperties"] = dict(record.metadata_properties)
    return view


def list_artifacts(ctx: Context, params: Params) -> Response:
    state = ctx.state
    uri, artifact_type = params.get("SourceUri"), params.get("ArtifactType")
    page = page_request(ctx, "ListArtifacts", params, ("SourceUri", "ArtifactType"))
    # CONFIRMED (model docs): CreatedAfter/CreatedBefore keep artifacts created "on or after"
    # / "on or before" the time, unlike the experiment entities' strict bounds.
    after, before = page.created_after, page.created_before
    candidates = None
    if uri is not None or artifact_type is not None or after is not None or before is not None:
        candidates = [
            record for record in state.artifacts
            if (uri is None or record.source_uri == uri)
            and (artifact_type is None or record.artifact_type == artifact_type)
            and (after is None or record.creation_time >= after)
            and (before is None or record.creation_time <= before)]
        page = dataclasses.replace(page, created_after=None, created_before=None)
    records, token = list_page(ctx, page, state.artifacts, candidates)
    return with_token({"ArtifactSummaries": [artifact_summary(r) for r in records]}, token)


def update_artifact(ctx: Context, params: Params) -> Response:
    record = require_artifact(ctx, params["ArtifactArn"])
    given = params.get("Properties")
    # CONFIRMED (model docs): Properties "overwrites the current property list".
    properties = dict(given) if given is not None else dict(record.properties)
    # INFERRED: removal is applied last, as UpdateTrialComponent's *ToRemove are.
    for key in params.get("PropertiesToRemove") or ():
        properties.pop(key, None)
    update(ctx, ctx.state.artifacts, record,
           artifact_name=params.get("ArtifactName", record.artifact_name),
           properties=properties)
    return {"ArtifactArn": record.arn}


def delete_artifact(ctx: Context, params: Params) -> Response:
    state = ctx.state
    arn = params.get("ArtifactArn")
    source = params.get("Source")
    if arn is not None:
        record = require_artifact(ctx, arn)
    elif source is not None:
        artifact_id = state.artifact_sources.get(source["SourceUri"])
        if artifact_id is None:
            raise ResourceNotFound(
                f"Artifact with SourceUri ({source['SourceUri']}) does not exist.")
        record = state.artifacts.get_by_key(artifact_id)
    else:
        # CONFIRMED rule (model docs: "Either ArtifactArn or Source must be specified");
        # CHOICE: the wording.
        raise ValidationError("Either ArtifactArn or Source must be specified.")
    # CHOICE: an artifact's associations go with it (AWS's answer is not public; the SDK's
    # Artifact.delete(disassociate=True) deletes them first), so no association ever names an
    # entity that no longer exists.
    state.drop_artifact(record)
    return {"ArtifactArn": record.arn}


def _source_view(record: LineageArtifact) -> dict[str, Any]:
    view: dict[str, Any] = {"SourceUri": record.source_uri}
    if record.source_types:
        view["SourceTypes"] = [{"SourceIdType": id_type, "Value": value}
                               for id_type, value in record.source_types]
    return view


def artifact_summary(record: LineageArtifact) -> Response:
    """An ``ArtifactSummary`` (ListArtifacts); DescribeArtifact builds on it."""
    view: Response = {"ArtifactArn": record.arn}
    if record.artifact_name is not None:
        view["ArtifactName"] = record.artifact_name
    view["Source"] = _source_view(record)
    view["ArtifactType"] = record.artifact_type
    view["CreationTime"] = record.creation_time
    view["LastModifiedTime"] = record.last_modified_time
    return view


# -- associations ---------------------------------------------------------------------------

def add_association(ctx: Context, params: Params) -> Response:
    state = ctx.state
    source = _require(ctx, params["SourceArn"])
    destination = _require(ctx, params["DestinationArn"])
    key = (source.arn, destination.arn)
    if key in state.lineage:
        # INFERRED: the SageMaker SDK treats a ValidationException saying "already exists"
        # from AddAssociation as a duplicate (experiments/_helper.py). CHOICE: the wording.
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
    key = (_canonical(ctx, source), _canonical(ctx, destination))
    if key not in state.lineage:
        # CHOICE: the wording (the code is the model's ResourceNotFound).
        raise ResourceNotFound(
            f"Association between source '{source}' and destination '{destination}' does "
            "not exist.")
    state.remove_lineage(key)
    return {"SourceArn": key[0], "DestinationArn": key[1]}


def _canonical(ctx: Context, arn: str) -> str:
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
    source_arn = filters["SourceArn"]
    destination_arn = filters["DestinationArn"]
    keys: Any = state.lineage
    for arn in (source_arn, destination_arn):
        if arn is not None:
            # CHOICE: a filter naming an entity that does not exist matches nothing.
            keys = state.lineage_edges.get(_canonical(ctx, arn), {})
            break
    rows: list[tuple[LineageAssociation, Entity, Entity]] = []
    for key in keys:
        association = state.lineage[key]
        source, destination = _ends(ctx, association)
        if _matches(association, source, destination, filters, after, before):
            rows.append((association, source, destination))
    # CONFIRMED (model docs): CreationTime and Descending are the defaults; CHOICE: ties (and
    # a type an entity does not have, which sorts as "") keep creation order.
    key_of = _SORT_KEYS.get(params.get("SortBy", ""))  # CreationTime: no key of its own
    rows.sort(key=(lambda row: (key_of(*row), row[0].seq)) if key_of
              else (lambda row: (row[0].creation_time, row[0].seq)),
              reverse=page.descending)
    chunk, token = page_of(ctx, page, rows,
                           key=lambda row: f"{row[0].source_arn} {row[0].destination_arn}")
    return with_token({"AssociationSummaries": [_summary(*row) for row in chunk]}, token)


def _ends(ctx: Context, association: LineageAssociation) -> tuple[Entity, Entity]:
    # Deleting an entity drops its associations, so both ends always exist.
    return (_require(ctx, association.source_arn), _require(ctx, association.destination_arn))


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
    test of Run reads DestinationName) and, for artifacts, their types."""
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
    view["CreatedBy"] = dict(USER_CONTEXT)
    return view

