"""Search over experiments, trials and trial components.

Each record is read through a :class:`~.search_filters.Document` that reads only the
properties asked for; an Equals filter on a name, a parent, the source, the display name or a
tag takes its candidates from the backend's indexes; the compiled SearchExpression picks the
matches, SortBy/SortOrder order them (default LastModifiedTime, Descending: model docs,
CONFIRMED) and NextToken pages them with the same sealed, request-bound tokens as the List
operations, its cursor the last record's place in the order.  Results are one-key records
carrying what the model's search records carry: Tags, a trial's TrialComponentSummaries, a
component's Parents.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ...errors import UnsupportedOperationError
from ...models import METRIC_STATISTICS, Artifact, Experiment, Trial, TrialComponent
from ..backend import Collection, Context, RegionState
from ._common import USER_CONTEXT, Params, Response, tag_list
from .components import trial_component_view
from .experiments import experiment_view
from .paging import Page, page_request, seal, with_token
from .search_filters import (
    Document,
    Fields,
    PropertyType,
    Rank,
    Scalar,
    Schema,
    Values,
    compile_expression,
    compile_sort,
    rank,
    rank_from_json,
    rank_to_json,
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

Scalars = dict[str, Callable[[Any], Any]]
#: fills the fields (and nested elements) of one part of a record: its tags, parents...
Section = Callable[[RegionState, Any, Fields, dict[str, list[Fields]]], None]

_COMMON: Scalars = {
    "DisplayName": lambda record: record.display_name,
    "CreationTime": lambda record: record.creation_time,
    "LastModifiedTime": lambda record: record.last_modified_time,
}


def _add(fields: Fields, path: str, value: Scalar | None) -> None:
    if value is not None:
        fields.setdefault(path, []).append(value)


def _tags(state: RegionState, record: Any, fields: Fields,
          nested: dict[str, list[Fields]]) -> None:
    tags: dict[str, str] = record.tags
    for key, value in tags.items():
        fields[f"Tags.{key}"] = [value]
    nested["Tags"] = [{"Tags.Key": [key], "Tags.Value": [value]} for key, value in tags.items()]


def _metadata(state: RegionState, record: Any, fields: Fields,
              nested: dict[str, list[Fields]]) -> None:
    properties: dict[str, str] | None = record.metadata_properties
    for key, value in (properties or {}).items():
        fields[f"MetadataProperties.{key}"] = [value]


def _trial_summaries(state: RegionState, record: Trial, fields: Fields,
                     nested: dict[str, list[Fields]]) -> None:
    elements = []
    for summary in _summaries(state, record):
        element: Fields = {f"TrialComponentSummaries.{key}": [value]
                           for key, value in summary.items()}
        for path, values in element.items():
            fields.setdefault(path, []).extend(values)
        elements.append(element)
    nested["TrialComponentSummaries"] = elements


def _parameters(state: RegionState, record: TrialComponent, fields: Fields,
                nested: dict[str, list[Fields]]) -> None:
    for key, value in record.parameters.items():
        member = "StringValue" if isinstance(value, str) else "NumberValue"
        fields[f"Parameters.{key}"] = [value]
        fields[f"Parameters.{key}.{member}"] = [value]


def _artifacts(prefix: str) -> Section:
    def section(state: RegionState, record: TrialComponent, fields: Fields,
                nested: dict[str, list[Fields]]) -> None:
        artifacts: dict[str, Artifact] = getattr(record, _ARTIFACT_MEMBERS[prefix])
        for key, artifact in artifacts.items():
            fields[f"{prefix}.{key}"] = [artifact.value]
            fields[f"{prefix}.{key}.Value"] = [artifact.value]
            _add(fields, f"{prefix}.{key}.MediaType", artifact.media_type)
    return section


_ARTIFACT_MEMBERS = {"InputArtifacts": "input_artifacts", "OutputArtifacts": "output_artifacts"}


def _metrics(state: RegionState, record: TrialComponent, fields: Fields,
             nested: dict[str, list[Fields]]) -> None:
    elements = []
    for name, summary in record.metrics.items():
        element: Fields = {"Metrics.MetricName": [name], "Metrics.TimeStamp": [summary.timestamp]}
        for stat, value in summary.statistics().items():
            fields[f"Metrics.{name}.{stat}"] = [float(value)]
            element[f"Metrics.{stat}"] = [float(value)]
        elements.append(element)
    nested["Metrics"] = elements


def _component_parents(state: RegionState, record: TrialComponent, fields: Fields,
                       nested: dict[str, list[Fields]]) -> None:
    parents = _parents(state, record)
    for parent in parents:
        for key, value in parent.items():
            fields.setdefault(f"Parents.{key}", []).append(value)
    nested["Parents"] = [{f"Parents.{key}": [value] for key, value in parent.items()}
                         for parent in parents]


@dataclass(frozen=True, slots=True)
class Reader:
    """How to read one resource's properties: single-valued ones straight from the record,
    the others (tags, parameters, metrics, parents...) one section at a time, each section
    named by the first part of its paths (``Tags.team`` -> ``Tags``) and built once per record
    when a filter or the sort first asks for it."""

    scalars: Scalars
    sections: Mapping[str, Section]


@dataclass(slots=True)
class _Sections:
    """The sections of one record built so far."""

    fields: Fields = field(default_factory=dict)
    nested: dict[str, list[Fields]] = field(default_factory=dict)
    built: set[str] = field(default_factory=set)


class RecordDocument(Document):
    """A record seen through its resource's :class:`Reader`."""

    __slots__ = ("_reader", "_record", "_sections", "_state")

    def __init__(self, reader: Reader, state: RegionState, record: Any) -> None:
        self._reader = reader
        self._state = state
        self._record = record
        # Made when a section is first asked for: most filters read single-valued properties.
        self._sections: _Sections | None = None

    def _section(self, section: str) -> _Sections:
        sections = self._sections
        if sections is None:
            sections = self._sections = _Sections()
        if section not in sections.built:
            sections.built.add(section)
            build = self._reader.sections.get(section)
            if build is not None:
                build(self._state, self._record, sections.fields, sections.nested)
        return sections

    def values(self, path: str) -> Values:
        scalar = self._reader.scalars.get(path)
        if scalar is not None:
            value = scalar(self._record)
            return [] if value is None else [value]
        return self._section(path.partition(".")[0]).fields.get(path, [])

    def elements(self, nested: str) -> list[Fields]:
        return self._section(nested).nested.get(nested, [])


EXPERIMENT_READER = Reader(
    scalars={"ExperimentName": lambda r: r.name, "ExperimentArn": lambda r: r.arn,
             "Description": lambda r: r.description, **_COMMON},
    sections=MappingProxyType({"Tags": _tags}),
)
TRIAL_READER = Reader(
    scalars={"TrialName": lambda r: r.name, "TrialArn": lambda r: r.arn,
             "ExperimentName": lambda r: r.experiment_name, **_COMMON},
    sections=MappingProxyType({"Tags": _tags, "MetadataProperties": _metadata,
                               "TrialComponentSummaries": _trial_summaries}),
)
COMPONENT_READER = Reader(
    scalars={
        "TrialComponentName": lambda r: r.name, "TrialComponentArn": lambda r: r.arn,
        "Source.SourceArn": lambda r: r.source_arn,
        "Source.SourceType": lambda r: r.source_type,
        "Status.PrimaryStatus": lambda r: (r.status or {}).get("PrimaryStatus"),
        "Status.Message": lambda r: (r.status or {}).get("Message"),
        "StartTime": lambda r: r.start_time, "EndTime": lambda r: r.end_time, **_COMMON,
    },
    sections=MappingProxyType({
        "Tags": _tags, "MetadataProperties": _metadata, "Parameters": _parameters,
        "InputArtifacts": _artifacts("InputArtifacts"),
        "OutputArtifacts": _artifacts("OutputArtifacts"), "Metrics": _metrics,
        "Parents": _component_parents,
    }),
)


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

#: The records for which ``<property> Equals <value>`` holds, from the backend's indexes (which
#: fold letter case; the exact comparison is made here, on the few records they give).
Lookup = Callable[[RegionState, str], list[Any]]


def _named(records: Callable[[RegionState], Collection[Any]]) -> Lookup:
    def lookup(state: RegionState, value: str) -> list[Any]:
        record = records(state).get(value)
        return [record] if record is not None and record.name == value else []
    return lookup


def _display(records: Callable[[RegionState], Collection[Any]]) -> Lookup:
    return lambda state, value: records(state).with_display_name(value)


def _records_of(collection: Collection[Any], keys: Iterable[str]) -> list[Any]:
    return [collection.get_by_key(key) for key in keys]


def _trials_in(state: RegionState, experiment: str) -> list[Trial]:
    """The trials whose ExperimentName is ``experiment`` (as stored on the trial)."""
    trials = _records_of(state.trials, state.trials_of(experiment))
    return [trial for trial in trials if trial.experiment_name == experiment]


def _components_in_trial(state: RegionState, trial: str) -> list[Any]:
    record = state.trials.get(trial)
    if record is None or record.name != trial:
        return []
    return _records_of(state.trial_components, state.components_of(trial))


def _components_in_experiment(state: RegionState, experiment: str) -> list[Any]:
    keys: dict[str, None] = {}
    for trial in _trials_in(state, experiment):
        keys.update(state.components_of(trial.name))
    return _records_of(state.trial_components, keys)


def _components_from(state: RegionState, source_arn: str) -> list[Any]:
    found = _records_of(state.trial_components, state.components_from(source_arn))
    return [record for record in found if record.source_arn == source_arn]


@dataclass(frozen=True, slots=True)
class _Resource:
    schema: Schema
    reader: Reader
    records: Callable[[RegionState], Collection[Any]]
    result: Callable[[RegionState, Any], Response]
    #: property -> index lookup, for the Equals filters the SDKs send (and ``Tags.*``)
    lookups: Mapping[str, Lookup]


def _experiments(state: RegionState) -> Collection[Any]:
    return state.experiments


def _trials(state: RegionState) -> Collection[Any]:
    return state.trials


def _components(state: RegionState) -> Collection[Any]:
    return state.trial_components


RESOURCES: dict[str, _Resource] = {
    "Experiment": _Resource(
        EXPERIMENT_SCHEMA, EXPERIMENT_READER, _experiments, experiment_record,
        {"ExperimentName": _named(_experiments), "DisplayName": _display(_experiments)}),
    "ExperimentTrial": _Resource(
        TRIAL_SCHEMA, TRIAL_READER, _trials, trial_record,
        {"TrialName": _named(_trials), "DisplayName": _display(_trials),
         "ExperimentName": _trials_in}),
    "ExperimentTrialComponent": _Resource(
        COMPONENT_SCHEMA, COMPONENT_READER, _components, component_record,
        {"TrialComponentName": _named(_components), "DisplayName": _display(_components),
         "Parents.TrialName": _components_in_trial,
         "Parents.ExperimentName": _components_in_experiment,
         "Source.SourceArn": _components_from}),
}


def _candidates(resource: _Resource, state: RegionState, expression: Params | None
                ) -> tuple[Collection[Any] | list[Any], Params | None]:
    """The records that can match, and what of the expression is left to check on them.

    All records and the whole expression; or, when the expression is an And of filters among
    which an Equals on a name, a parent, the source, the display name or a tag (the SageMaker
    SDKs search like that: a run's component by name and trial, an experiment's components for
    ExperimentAnalytics), the fewest records such a filter holds for, from the backend's
    indexes, and the expression without that filter (None when nothing is left)."""
    records = resource.records(state)
    if not expression or expression.get("Operator", "And") != "And":
        return records, expression
    filters = expression.get("Filters") or []
    best: list[Any] | None = None
    answered = -1
    for position, item in enumerate(filters):
        value = item.get("Value")
        if value is None or item.get("Operator", "Equals") != "Equals":
            continue
        name = item["Name"]
        lookup = resource.lookups.get(name)
        if lookup is not None:
            found = lookup(state, value)
        elif name.startswith("Tags."):
            found = records.with_tag(name[len("Tags."):], value)
        else:
            continue
        if best is None or len(found) < len(best):
            best, answered = found, position
    if best is None:
        return records, expression
    rest = {**expression, "Filters": filters[:answered] + filters[answered + 1:]}
    if not (rest["Filters"] or rest.get("NestedFilters") or rest.get("SubExpressions")):
        return best, None
    return best, rest


def owns(resource: str) -> bool:
    """True when ``Search(Resource=resource)`` searches what this service holds; the others
    (TrainingJob, ModelPackageGroup, Pipeline...) are another service's (moto's, beside it)."""
    return resource in RESOURCES


def _page(resource: _Resource, state: RegionState, expression: Params | None,
          sort_path: str, descending: bool, page: Page) -> tuple[list[Any], int, Rank | None]:
    """One page of matches in order, the number of matches, and the rank of the page's last
    record when more follow.

    Of many matches only the page is kept (a heap of page size + 1 in ``heapq``), so a page
    costs O(matches x log page) whatever its position: the cursor of a NextToken is the rank of
    the last record of the page before, and the next page is the best-ranked records after it.
    Each rank is made and dropped in turn (no list of every match's rank), which keeps the
    garbage collector out of a search over many records.
    """
    reader = resource.reader
    cursor = None if page.cursor is None else rank_from_json(page.cursor)
    if expression is None and sort_path in _TIME_INDEXES:
        return _page_by_time(resource.records(state), sort_path, descending, page, cursor)
    candidates, rest = _candidates(resource, state, expression)
    matches: Collection[Any] | list[Any]
    if rest is None:
        matches = candidates
    else:
        predicate = compile_expression(resource.schema, rest)
        matches = [record for record in candidates
                   if predicate(RecordDocument(reader, state, record))]
    scalar = reader.scalars.get(sort_path)
    # Ranks of records at or before the cursor: after every other rank in the order.
    passed: Rank = (-1,) if descending else (2,)

    def key(record: Any) -> Rank:
        if scalar is not None:
            value = scalar(record)
        else:
            values = RecordDocument(reader, state, record).values(sort_path)
            value = values[0] if values else None
        place = rank(value, record.seq, descending)
        if cursor is not None and (place >= cursor if descending else place <= cursor):
            return passed
        return place

    wanted = page.max_results + 1  # one more than a page tells whether a next page exists
    if len(matches) <= _SORT_ALL * wanted:
        # A few matches (an index's): one sort in C beats the heap's Python loop, and the
        # indexes give records in creation order, the heap's worst case.
        best = sorted(matches, key=key, reverse=descending)[:wanted]
    else:
        best = (heapq.nlargest if descending else heapq.nsmallest)(wanted, matches, key=key)
    chosen = [(place, record) for place, record in ((key(record), record) for record in best)
              if place != passed]
    found = [record for _, record in chosen[:page.max_results]]
    if len(chosen) < wanted:
        return found, len(matches), None
    return found, len(matches), chosen[page.max_results - 1][0]


#: Up to this many times a page of matches are sorted whole rather than through a heap.
_SORT_ALL = 20


#: the sorted indexes of the record times Search sorts on (every record has both)
_TIME_INDEXES = ("CreationTime", "LastModifiedTime")


def _page_by_time(records: Collection[Any], sort_path: str, descending: bool, page: Page,
                  cursor: Rank | None) -> tuple[list[Any], int, Rank | None]:
    """A page of every record in time order, read from the backend's sorted index: the cost
    of a page, not of the collection (what :func:`_page` would find, in the same order)."""
    index = records.by_time if sort_path == "CreationTime" else records.by_modified
    if cursor is None:
        entries = index.descending() if descending else index.ascending()
    else:
        # The cursor is the rank of the page's last record: (flag, False, time, seq).
        time, seq = cursor[2], cursor[3]
        entries = (index.descending((time, seq)) if descending
                   else index.ascending((time, seq + 1)))
    wanted = page.max_results + 1
    chosen = list(itertools.islice(entries, wanted))
    found = [records.get_by_key(key) for _, _, key in chosen[:page.max_results]]
    if len(chosen) < wanted:
        return found, len(records), None
    time, seq, _ = chosen[page.max_results - 1]
    return found, len(records), rank(time, seq, descending)


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
    if expression is not None:
        compile_expression(resource.schema, expression)  # a bad request fails whatever the data
    sort_path = compile_sort(resource.schema, params.get("SortBy", DEFAULT_SORT_BY))
    descending = params.get("SortOrder", "Descending") == "Descending"
    page = page_request(ctx, "Search", params, (
        "Resource", "SearchExpression", "SortBy", "CrossAccountFilterOption"))

    state = ctx.state
    # CHOICE: the mock holds no resources shared from other accounts, so a CrossAccount search
    # finds nothing; VisibilityConditions are accepted and not applied.
    chunk: list[Any] = []
    hits = 0
    last = None
    if params.get("CrossAccountFilterOption") != "CrossAccount":
        chunk, hits, last = _page(resource, state, expression, sort_path, descending, page)
    return with_token({
        "Results": [resource.result(state, record) for record in chunk],
        # CHOICE: the mock always counts every hit exactly.
        "TotalHits": {"Value": hits, "Relation": "EqualTo"},
    }, None if last is None else seal(ctx, page, rank_to_json(last)))
