"""Search over experiments, trials and trial components.

Each record becomes a :class:`~.search_filters.Document` (its searchable properties), the
compiled SearchExpression picks the matches, SortBy/SortOrder order them (default
LastModifiedTime, Descending: model docs, CONFIRMED) and NextToken pages them with the same
sealed, request-bound tokens as the List operations.  Results are one-key records carrying what
the model's search records carry: Tags, a trial's TrialComponentSummaries, a component's Parents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ...errors import UnsupportedOperationError
from ...models import METRIC_STATISTICS, Experiment, Trial, TrialComponent
from ..backend import Collection, Context, RegionState, name_key
from ._common import USER_CONTEXT, Params, Response, tag_list
from .components import trial_component_view
from .experiments import experiment_view
from .paging import page_of, page_request, with_token
from .search_filters import (
    Document,
    Predicate,
    PropertyType,
    Schema,
    SortKey,
    compile_expression,
    compile_sort,
    order,
)
from .trials import trial_view

DEFAULT_SORT_BY = "LastModifiedTime"

_METADATA: dict[str, PropertyType] = {f"MetadataProperties.{key}": "text" for key in (
    "CommitId", "Repository", "GeneratedBy", "ProjectId")}
_SOURCE: dict[str, PropertyType] = {"Source.SourceArn": "text", "Source.SourceType": "text"}
_TAGS_NESTED: dict[str, PropertyType] = {"Tags.Key": "text", "Tags.Value": "text"}
_SUMMARIES: dict[str, PropertyType] = {
    "TrialComponentSummaries.TrialComponentName": "text",
    "TrialComponentSummaries.TrialComponentArn": "text",
    "TrialComponentSummaries.CreationTime": "time",
}
_PARENTS: dict[str, PropertyType] = {"Parents.TrialName": "text", "Parents.ExperimentName": "text"}
_METRICS_NESTED: dict[str, PropertyType] = {
    "Metrics.MetricName": "text", "Metrics.SourceArn": "text", "Metrics.TimeStamp": "time",
    **{f"Metrics.{stat}": "number" for stat in METRIC_STATISTICS},
}

EXPERIMENT_SCHEMA = Schema(
    resource="Experiment",
    fixed=MappingProxyType({
        "ExperimentName": "text", "ExperimentArn": "text", "DisplayName": "text",
        "Description": "text", "CreationTime": "time", "LastModifiedTime": "time", **_SOURCE,
    }),
    multi=frozenset(),
    nested=MappingProxyType({"Tags": _TAGS_NESTED}),
    prefixes=MappingProxyType({"Tags.": "text"}),
    contains_free=frozenset({"ExperimentName", "DisplayName", "Tags."}),
)
TRIAL_SCHEMA = Schema(
    resource="ExperimentTrial",
    fixed=MappingProxyType({
        "TrialName": "text", "TrialArn": "text", "DisplayName": "text",
        "ExperimentName": "text", "CreationTime": "time", "LastModifiedTime": "time",
        **_SOURCE, **_METADATA, **_SUMMARIES,
    }),
    multi=frozenset(_SUMMARIES),
    nested=MappingProxyType({"Tags": _TAGS_NESTED, "TrialComponentSummaries": _SUMMARIES}),
    prefixes=MappingProxyType({"Tags.": "text"}),
    contains_free=frozenset({"TrialName", "DisplayName", "Tags."}),
)
COMPONENT_SCHEMA = Schema(
    resource="ExperimentTrialComponent",
    fixed=MappingProxyType({
        "TrialComponentName": "text", "TrialComponentArn": "text", "DisplayName": "text",
        "Status.PrimaryStatus": "text", "Status.Message": "text", "StartTime": "time",
        "EndTime": "time", "CreationTime": "time", "LastModifiedTime": "time",
        "LineageGroupArn": "text", **_SOURCE, **_METADATA, **_PARENTS,
    }),
    multi=frozenset(_PARENTS),
    nested=MappingProxyType({"Tags": _TAGS_NESTED, "Parents": _PARENTS,
                             "Metrics": _METRICS_NESTED}),
    prefixes=MappingProxyType({
        "Tags.": "text", "Parameters.": "param", "Metrics.": "number",
        "InputArtifacts.": "text", "OutputArtifacts.": "text",
    }),
    contains_free=frozenset({"TrialComponentName", "DisplayName", "Tags.", "InputArtifacts.",
                             "OutputArtifacts."}),
)


# -- documents ------------------------------------------------------------------------------

def _common(document: Document, display_name: str, created: Any, modified: Any,
            tags: dict[str, str]) -> None:
    document.add("DisplayName", display_name)
    document.add("CreationTime", created)
    document.add("LastModifiedTime", modified)
    for key, value in tags.items():
        document.add(f"Tags.{key}", value)
    document.nested["Tags"] = [{"Tags.Key": [key], "Tags.Value": [value]}
                               for key, value in tags.items()]


def _metadata(document: Document, properties: dict[str, str] | None) -> None:
    for key, value in (properties or {}).items():
        document.add(f"MetadataProperties.{key}", value)


def experiment_document(state: RegionState, record: Experiment) -> Document:
    document = Document({})
    document.add("ExperimentName", record.name)
    document.add("ExperimentArn", record.arn)
    document.add("Description", record.description)
    _common(document, record.display_name, record.creation_time, record.last_modified_time,
            record.tags)
    return document


def trial_document(state: RegionState, record: Trial) -> Document:
    document = Document({})
    document.add("TrialName", record.name)
    document.add("TrialArn", record.arn)
    document.add("ExperimentName", record.experiment_name)
    _common(document, record.display_name, record.creation_time, record.last_modified_time,
            record.tags)
    _metadata(document, record.metadata_properties)
    elements = []
    for summary in _summaries(state, record):
        element = {f"TrialComponentSummaries.{key}": [value] for key, value in summary.items()}
        for path, values in element.items():
            document.fields.setdefault(path, []).extend(values)
        elements.append(element)
    document.nested["TrialComponentSummaries"] = elements
    return document


def component_document(state: RegionState, record: TrialComponent) -> Document:
    document = Document({})
    document.add("TrialComponentName", record.name)
    document.add("TrialComponentArn", record.arn)
    document.add("Source.SourceArn", record.source_arn)
    document.add("Source.SourceType", record.source_type)
    status = record.status or {}
    document.add("Status.PrimaryStatus", status.get("PrimaryStatus"))
    document.add("Status.Message", status.get("Message"))
    document.add("StartTime", record.start_time)
    document.add("EndTime", record.end_time)
    _common(document, record.display_name, record.creation_time, record.last_modified_time,
            record.tags)
    _metadata(document, record.metadata_properties)
    for key, value in record.parameters.items():
        member = "StringValue" if isinstance(value, str) else "NumberValue"
        document.add(f"Parameters.{key}", value)
        document.add(f"Parameters.{key}.{member}", value)
    for prefix, artifacts in (("InputArtifacts", record.input_artifacts),
                              ("OutputArtifacts", record.output_artifacts)):
        for key, artifact in artifacts.items():
            document.add(f"{prefix}.{key}", artifact.value)
            document.add(f"{prefix}.{key}.Value", artifact.value)
            document.add(f"{prefix}.{key}.MediaType", artifact.media_type)
    metrics = []
    for name, summary in record.metrics.items():
        element: dict[str, list[Any]] = {"Metrics.MetricName": [name],
                                          "Metrics.TimeStamp": [summary.timestamp]}
        for stat, value in summary.statistics().items():
            document.add(f"Metrics.{name}.{stat}", float(value))
            element[f"Metrics.{stat}"] = [float(value)]
        metrics.append(element)
    document.nested["Metrics"] = metrics
    parents = _parents(state, record)
    for parent in parents:
        for key, value in parent.items():
            document.add(f"Parents.{key}", value)
    document.nested["Parents"] = [{f"Parents.{key}": [value] for key, value in parent.items()}
                                  for parent in parents]
    return document


# -- result records -------------------------------------------------------------------------

def _summaries(state: RegionState, record: Trial) -> list[dict[str, Any]]:
    """``TrialComponentSimpleSummary`` entries of the trial's components, in association order."""
    summaries = []
    for name in record.trial_component_names:
        component = state.trial_components.get(name)
        if component is not None:
            summaries.append({
                "TrialComponentName": component.name,
                "TrialComponentArn": component.arn,
                "CreationTime": component.creation_time,
            })
    return summaries


def _parents(state: RegionState, record: TrialComponent) -> list[dict[str, str]]:
    parents = []
    for name in record.trial_names:
        trial = state.trials.get(name)
        if trial is not None:
            parents.append({"TrialName": trial.name, "ExperimentName": trial.experiment_name})
    return parents


def experiment_record(state: RegionState, record: Experiment) -> Response:
    view = experiment_view(record)
    view["Tags"] = tag_list(record.tags)
    return {"Experiment": view}


def trial_record(state: RegionState, record: Trial) -> Response:
    view = trial_view(record)
    view["Tags"] = tag_list(record.tags)
    view["TrialComponentSummaries"] = [{**summary, "CreatedBy": dict(USER_CONTEXT)}
                                       for summary in _summaries(state, record)]
    return {"Trial": view}


def component_record(state: RegionState, record: TrialComponent) -> Response:
    view = trial_component_view(record)
    view.pop("Sources", None)  # not a member of Search's TrialComponent
    # INFERRED: Search records carry these maps even when empty; the SageMaker SDK's
    # ExperimentAnalytics calls ``.items()`` on them with a list as the fallback, which only
    # works against AWS if the members are always there.
    for member in ("Parameters", "InputArtifacts", "OutputArtifacts"):
        view.setdefault(member, {})
    view["Tags"] = tag_list(record.tags)
    view["Parents"] = _parents(state, record)
    return {"TrialComponent": view}


# -- the operation --------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Resource:
    schema: Schema
    records: Callable[[RegionState], Collection[Any]]
    document: Callable[[RegionState, Any], Document]
    result: Callable[[RegionState, Any], Response]
    #: the property naming the record: an Equals filter on it pins the search to one record
    name_property: str


RESOURCES: dict[str, _Resource] = {
    "Experiment": _Resource(EXPERIMENT_SCHEMA, lambda state: state.experiments,
                            experiment_document, experiment_record, "ExperimentName"),
    "ExperimentTrial": _Resource(TRIAL_SCHEMA, lambda state: state.trials,
                                 trial_document, trial_record, "TrialName"),
    "ExperimentTrialComponent": _Resource(COMPONENT_SCHEMA, lambda state: state.trial_components,
                                          component_document, component_record,
                                          "TrialComponentName"),
}


def _candidates(resource: _Resource, state: RegionState,
                expression: Params | None) -> Iterable[Any]:
    """The records that can match: all of them, or far fewer when a top-level And filter
    pins the name, a tag or the parent trial (the SageMaker SDK searches like that for every
    run).
    The full predicate still runs on each candidate, so this only saves work."""
    if not expression or expression.get("Operator", "And") != "And":
        return resource.records(state)
    for item in expression.get("Filters") or []:
        value = item.get("Value")
        if value is None or item.get("Operator", "Equals") != "Equals":
            continue
        if item["Name"] == resource.name_property:
            record = resource.records(state).get(value)
            return [record] if record is not None else []
        if item["Name"].startswith("Tags."):
            return resource.records(state).with_tag(item["Name"][len("Tags."):], value)
        if item["Name"] == "Parents.TrialName" and resource.schema is COMPONENT_SCHEMA:
            trial = state.trials.get(value)
            if trial is None:
                return []
            found = (state.trial_components.get(name) for name in trial.trial_component_names)
            return [record for record in found if record is not None]
    return resource.records(state)


_RECORD_TIMES = {"CreationTime": "creation_time", "LastModifiedTime": "last_modified_time"}


def _index_answers(expression: Params | None) -> bool:
    """True when the expression is one ``Tags.<key> Equals <value>`` filter and nothing else,
    so the records :func:`_candidates` takes from the tag index are exactly the matches."""
    if (not expression or set(expression) - {"Filters", "Operator"}
            or expression.get("Operator", "And") != "And"):  # _candidates narrows And only
        return False
    filters = expression.get("Filters") or []
    if len(filters) != 1:
        return False
    (item,) = filters
    return (item.get("Operator", "Equals") == "Equals" and item.get("Value") is not None
            and str(item.get("Name", "")).startswith("Tags."))


def _matches(resource: _Resource, state: RegionState, expression: Params | None,
             predicate: Predicate, sort_by: str, sort_key: SortKey,
             descending: bool) -> list[Any]:
    """The records that match, in the requested order."""
    if _index_answers(expression) and sort_by in _RECORD_TIMES:
        # The tag index already is the answer and every record has the sort key: no document
        # per match (the general path gives the same order: time, then creation order).
        attribute = _RECORD_TIMES[sort_by]
        return sorted(_candidates(resource, state, expression),
                      key=lambda record: (getattr(record, attribute), record.seq),
                      reverse=descending)
    matches: list[tuple[Document, int]] = []
    records: list[Any] = []
    for record in _candidates(resource, state, expression):
        document = resource.document(state, record)
        if predicate(document):
            matches.append((document, record.seq))
            records.append(record)
    return [records[position] for position in order(matches, sort_key, descending)]


def owns(resource: str) -> bool:
    """True when ``Search(Resource=resource)`` searches what this service holds; the others
    (TrainingJob, ModelPackageGroup, Pipeline...) are another service's (moto's, beside it)."""
    return resource in RESOURCES


def search(ctx: Context, params: Params) -> Response:
    # A member sent as JSON null is a member not sent.
    params = {key: value for key, value in params.items() if value is not None}
    resource_name: str = params["Resource"]
    resource = RESOURCES.get(resource_name)
    if resource is None:
        # Other resources (TrainingJob, Model...) are outside SageMaker Experiments: fail
        # loudly rather than answer with an empty, plausible-looking result.
        raise UnsupportedOperationError(
            "sagemaker", f"Search(Resource={resource_name})",
            [f"Search(Resource={name})" for name in RESOURCES])
    expression = params.get("SearchExpression")
    predicate = compile_expression(resource.schema, expression)
    sort_by = params.get("SortBy", DEFAULT_SORT_BY)
    sort_key = compile_sort(resource.schema, sort_by)
    descending = params.get("SortOrder", "Descending") == "Descending"
    page = page_request(ctx, "Search", params, (
        "Resource", "SearchExpression", "SortBy", "CrossAccountFilterOption"))

    state = ctx.state
    # CHOICE: the mock holds no resources shared from other accounts, so a CrossAccount search
    # finds nothing; VisibilityConditions are accepted and not applied.
    ordered = ([] if params.get("CrossAccountFilterOption") == "CrossAccount"
               else _matches(resource, state, expression, predicate, sort_by, sort_key,
                             descending))
    chunk, token = page_of(ctx, page, ordered, lambda record: name_key(record.name))
    return with_token({
        "Results": [resource.result(state, record) for record in chunk],
        # CHOICE: the mock always counts every hit exactly.
        "TotalHits": {"Value": len(ordered), "Relation": "EqualTo"},
    }, token)
