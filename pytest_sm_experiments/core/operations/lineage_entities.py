"""What the lineage operations share: the entity an ARN names, and the members and rules that
artifacts, contexts and actions have in common.

The lineage graph's entities are artifacts, contexts, actions, trial components and experiments
of one account and region (the model's ``AssociationEntityArn``: ``experiment``,
``experiment-trial-component``, ``artifact``, ``action``, ``context``; trials take no part).
:func:`entity` describes any of them the same way, for the ends of an association
(ListAssociations) and the vertices of QueryLineage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ...errors import ResourceNotFound
from ...models import LineageSource, ResourceType, TrialComponent
from ..backend import Collection, Context, R
from ._common import Params, already_exists, not_found, tag_dict
from .paging import Page, list_page, page_request

ARTIFACT = "artifact"

#: The LineageType (QueryLineage's vertices and filters) of each resource type that has one.
#: CONFIRMED: the model's LineageType enum (TrialComponent, Artifact, Context, Action); it has no
#: value for an experiment.
LINEAGE_TYPES: Mapping[str, str] = MappingProxyType({
    ARTIFACT: "Artifact", "context": "Context", "action": "Action",
    "experiment-trial-component": "TrialComponent"})

#: What messages call each resource type an ARN may name.
_LABELS: Mapping[str, str] = MappingProxyType({
    **LINEAGE_TYPES, "experiment": "Experiment"})

#: The prefix a job's trial component source type has in ListAssociations and lacks as a
#: QueryLineage vertex Type (``SageMakerTrainingJob`` / ``TrainingJob``), see _component_types.
_JOB_SOURCE_PREFIX = "SageMaker"

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Entity:
    """One lineage entity, as associations and QueryLineage report it."""

    #: its ARN as the mock made it (canonical letter case)
    arn: str
    #: AssociationSummary's SourceName/DestinationName: the name (optional for artifacts)
    name: str | None
    #: AssociationSummary's SourceType/DestinationType
    type: str | None
    #: QueryLineage's LineageType; None for an experiment
    lineage_type: str | None
    #: QueryLineage's vertex Type
    vertex_type: str | None
    creation_time: datetime
    last_modified_time: datetime
    properties: Mapping[str, str]


def _component_types(record: TrialComponent) -> tuple[str | None, str | None]:
    """A trial component's (association type, vertex type).

    SEAM: a trial component a SageMaker job makes carries its job's Source.SourceType
    (``SageMakerTrainingJob``...) as ``source_type`` (another change adds the attribute). INFERRED:
    ListAssociations reports that SourceType (the SageMaker SDK's lineage integration tests filter
    ``SourceType="SageMakerTrainingJob"``), and QueryLineage the job's kind without the prefix (the
    SDK filters trial component vertices by ``Types=["TrainingJob"]``, ``ProcessingJob``,
    ``TransformJob``: ``LineageSourceEnum``). CHOICE: a trial component with no source (one made by
    CreateTrialComponent) has neither.
    """
    source_type: str | None = getattr(record, "source_type", None)
    if source_type is None:
        return None, None
    return source_type, source_type.removeprefix(_JOB_SOURCE_PREFIX)


def entity(ctx: Context, arn: str) -> Entity | None:
    """The lineage entity an ARN of this account and region names (any letter case), or None."""
    found = ctx.local(arn)
    if found is None:
        return None
    resource_type, name = found
    state = ctx.state
    if resource_type == ARTIFACT:
        artifact = state.artifacts.get(name)
        if artifact is not None:
            return Entity(artifact.arn, artifact.artifact_name, artifact.artifact_type,
                          "Artifact", artifact.artifact_type, artifact.creation_time,
                          artifact.last_modified_time, artifact.properties)
    elif resource_type == "context":
        context = state.contexts.get(name)
        if context is not None:
            return Entity(context.arn, context.name, context.context_type, "Context",
                          context.context_type, context.creation_time,
                          context.last_modified_time, context.properties)
    elif resource_type == "action":
        action = state.actions.get(name)
        if action is not None:
            return Entity(action.arn, action.name, action.action_type, "Action",
                          action.action_type, action.creation_time, action.last_modified_time,
                          action.properties)
    elif resource_type == "experiment-trial-component":
        component = state.trial_components.get(name)
        if component is not None:
            association_type, vertex_type = _component_types(component)
            return Entity(component.arn, component.name, association_type, "TrialComponent",
                          vertex_type, component.creation_time, component.last_modified_time,
                          _EMPTY)
    elif resource_type == "experiment":
        experiment = state.experiments.get(name)
        if experiment is not None:
            # CHOICE: an experiment has no type (it has no source and no lineage type).
            return Entity(experiment.arn, experiment.name, None, None, None,
                          experiment.creation_time, experiment.last_modified_time, _EMPTY)
    return None


def missing(ctx: Context, arn: str) -> ResourceNotFound:
    """``<Type> '<arn>' does not exist.`` (CHOICE: the wording the experiment entities use)."""
    found = ctx.local(arn)
    label = _LABELS.get(found[0], "Resource") if found else "Resource"
    return ResourceNotFound(f"{label} '{arn}' does not exist.")


def require_entity(ctx: Context, arn: str) -> Entity:
    found = entity(ctx, arn)
    if found is None:
        raise missing(ctx, arn)
    return found


# -- named lineage entities (contexts, actions) -----------------------------------------------

def named(ctx: Context, collection: Collection[R], resource_type: ResourceType,
          name_or_arn: str) -> R:
    """The record a name or an ARN names (any letter case), or AWS's ResourceNotFound.

    CHOICE: an ARN of another resource type, account or region names nothing here (the model's
    ``ExperimentEntityNameOrArn`` lets DescribeAction take any experiment entity's ARN).
    """
    if not name_or_arn.startswith("arn:"):
        found = collection.get(name_or_arn)
        if found is None:
            raise not_found(ctx, resource_type, name_or_arn)
        return found
    local = ctx.local(name_or_arn)
    found = collection.get(local[1]) if local and local[0] == resource_type else None
    if found is None:
        raise ResourceNotFound(f"{_LABELS[resource_type]} '{name_or_arn}' does not exist.")
    return found


def new_named(ctx: Context, collection: Collection[Any], resource_type: ResourceType,
              name: str, params: Params) -> dict[str, Any]:
    """What creating a context or an action checks and sets: AWS's tag rules, a name not taken
    in any letter case (INFERRED, as for every SageMaker experiment entity: the model says the
    name "must be unique to your account in an Amazon Web Services Region"), the tag quota;
    then the fields both records have."""
    tags = tag_dict(params.get("Tags"))
    if name in collection:
        raise already_exists(resource_type, name)
    ctx.check_quota("tags_per_resource", len(tags))
    return {
        "name": name,
        "arn": ctx.arn(resource_type, name),
        "source": source_of(params["Source"]),
        "description": params.get("Description"),
        "properties": dict(params.get("Properties") or {}),
        "tags": tags,
        "creation_time": ctx.now,
        "last_modified_time": ctx.now,
        "seq": ctx.seq,
    }


def source_of(given: Mapping[str, str]) -> LineageSource:
    return LineageSource(given["SourceUri"], given.get("SourceType"), given.get("SourceId"))


def source_view(source: LineageSource) -> dict[str, str]:
    view = {"SourceUri": source.source_uri}
    if source.source_type is not None:
        view["SourceType"] = source.source_type
    if source.source_id is not None:
        view["SourceId"] = source.source_id
    return view


def updated_properties(current: Mapping[str, str], params: Params) -> dict[str, str]:
    """CONFIRMED (model docs): an update's Properties "overwrites the current property list".
    INFERRED: PropertiesToRemove applies after it, as UpdateTrialComponent's ``*ToRemove`` do."""
    given = params.get("Properties")
    properties = dict(given) if given is not None else dict(current)
    for key in params.get("PropertiesToRemove") or ():
        properties.pop(key, None)
    return properties


def list_lineage(ctx: Context, page: Page, collection: Collection[R],
                 keep: Callable[[R], bool] | None) -> tuple[list[R], str | None]:
    """One page of a lineage List: ``keep`` filters the records (None: every record).

    CONFIRMED (model docs): the lineage Lists' CreatedAfter/CreatedBefore keep what was created
    "on or after" / "on or before" the time, unlike the experiment entities' strict bounds.
    """
    after, before = page.created_after, page.created_before
    if keep is None and after is None and before is None:
        return list_page(ctx, page, collection)
    candidates = [
        record for record in collection
        if (keep is None or keep(record))
        and (after is None or record.creation_time >= after)
        and (before is None or record.creation_time <= before)]
    return list_page(ctx, replace(page, created_after=None, created_before=None), collection,
                     candidates)


def list_by_source_and_type(ctx: Context, params: Params, operation: str,
                            collection: Collection[R], type_member: str,
                            uri_of: Callable[[R], str | None],
                            type_of: Callable[[R], str | None]) -> tuple[list[R], str | None]:
    """One page of ListArtifacts, ListActions or ListContexts: the records whose source URI and
    type equal ``SourceUri`` and ``<type_member>`` when those are given."""
    uri, kind = params.get("SourceUri"), params.get(type_member)
    page = page_request(ctx, operation, params, ("SourceUri", type_member))
    keep: Callable[[R], bool] | None = None
    if uri is not None or kind is not None:
        def keep(record: R) -> bool:
            return ((uri is None or uri_of(record) == uri)
                    and (kind is None or type_of(record) == kind))
    return list_lineage(ctx, page, collection, keep)
