"""QueryLineage: the lineage graph walked from a start entity.

The walk follows associations (lineage_associations) from each StartArn: ``Ascendants`` from an
entity to the sources of the associations that end at it, ``Descendants`` to the destinations
of those that start at it, ``Both`` each way; never up then down (a sibling is not lineage).
Depth counts associations from the start (model docs: "Depth is a measure of the number of
Associations from the StartArn entity to the matched results"), so ``MaxDepth=1`` reaches the
neighbours. Filters choose which entities are returned, not where the walk goes; with
IncludeEdges the entities and associations on the paths from the start to them come too.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any

from ...errors import ValidationError, validation_message
from ...models import LineageAssociation
from ..backend import Context
from ._common import Params, Response, timestamp
from .lineage_entities import Entity, require_entity
from .paging import page_of, page_request, with_token

#: CHOICE: without MaxDepth, the model's maximum (the SageMaker SDK's LineageQuery sends 10).
DEFAULT_MAX_DEPTH = 10
#: CHOICE: without Direction, both ways (the SDK's LineageQuery default).
DEFAULT_DIRECTION = "Both"

_UP, _DOWN = "Ascendants", "Descendants"
_WAYS: Mapping[str, tuple[str, ...]] = {_UP: (_UP,), _DOWN: (_DOWN,), "Both": (_UP, _DOWN)}

#: A place in the walk: an entity's ARN and the way the walk goes on from it.
State = tuple[str, str]


def query_lineage(ctx: Context, params: Params) -> Response:
    max_depth: int = params.get("MaxDepth", DEFAULT_MAX_DEPTH)
    _check_minimum(max_depth, "maxDepth", 0)
    if "MaxResults" in params:
        _check_minimum(params["MaxResults"], "maxResults", 1)
    filters: Mapping[str, Any] = params.get("Filters") or {}
    # The token is bound to every member that shapes the result; Filters compare as sent.
    shaping = {**params, "Filters": [json.dumps(filters, sort_keys=True)]}
    # INFERRED: without MaxResults, one page holds every vertex. The SDK's LineageQuery never
    # sends NextToken, so a smaller page would silently cut its results short.
    page = page_request(ctx, "QueryLineage", shaping,
                        ("StartArns", "Direction", "IncludeEdges", "Filters", "MaxDepth"),
                        default_max=sys.maxsize)
    # INFERRED: a start ARN that names nothing is the model's ResourceNotFound.
    starts = [require_entity(ctx, arn) for arn in params.get("StartArns") or ()]
    walk = _Walk(ctx, starts, _WAYS[params.get("Direction", DEFAULT_DIRECTION)], max_depth)
    wanted = _Filter(filters)
    if params.get("IncludeEdges", False):  # CHOICE: no edges unless asked for
        useful = walk.leading_to({state for state in walk.depth
                                  if wanted.keeps(walk.entities[state[0]])})
        arns = {arn for arn, _ in useful}
        vertices = [arn for arn in walk.order if arn in arns]
        edges = _unique(step[0] for step in walk.steps if step[2] in useful)
    else:
        vertices = [arn for arn in walk.order if wanted.keeps(walk.entities[arn])]
        edges = []
    chunk, token = page_of(ctx, page, vertices, key=lambda arn: arn)
    # CHOICE: pages split the vertices; an edge comes with the page that completes its two
    # ends, so each edge is sent once, after both its vertices.
    position = {arn: index for index, arn in enumerate(vertices)}
    first = position[chunk[0]] if chunk else len(vertices)
    last = first + len(chunk)
    # INFERRED: Edges is always present, empty without IncludeEdges: the SDK's LineageQuery
    # reads response["Edges"] whatever it asked for.
    return with_token({
        "Vertices": [_vertex(walk.entities[arn]) for arn in chunk],
        "Edges": [_edge(association) for association in edges
                  if first <= max(position[association.source_arn],
                                  position[association.destination_arn]) < last],
    }, token)


def _check_minimum(value: int, member: str, minimum: int) -> None:
    """CHOICE: the model bounds MaxDepth and MaxResults above only; below, the mock answers as
    AWS does for a modeled minimum."""
    if value < minimum:
        raise ValidationError(validation_message([
            f"Value '{value}' at '{member}' failed to satisfy constraint: Member must have "
            f"value greater than or equal to {minimum}"]))


class _Walk:
    """Breadth first from the start entities, one way or both, to ``max_depth`` associations.

    ``order``: the ARNs met, in the order met (the starts first); ``depth``: each state's
    distance from a start; ``steps``: every association followed, as (association, from, to).
    """

    __slots__ = ("ctx", "depth", "entities", "order", "steps")

    def __init__(self, ctx: Context, starts: list[Entity], ways: tuple[str, ...],
                 max_depth: int) -> None:
        self.ctx = ctx
        self.entities: dict[str, Entity] = {}
        self.order: list[str] = []
        self.depth: dict[State, int] = {}
        self.steps: list[tuple[LineageAssociation, State, State]] = []
        queue: deque[State] = deque()
        for start in starts:
            if self._meet(start):
                for way in ways:
                    self.depth.setdefault((start.arn, way), 0)
                    queue.append((start.arn, way))
        while queue:
            state = queue.popleft()
            if self.depth[state] < max_depth:
                for association, neighbour in self._next(state):
                    target = (neighbour.arn, state[1])
                    if target not in self.depth:
                        self.depth[target] = self.depth[state] + 1
                        queue.append(target)
                    self.steps.append((association, state, target))

    def _meet(self, found: Entity) -> bool:
        """Note an entity met; False for one the graph does not hold.

        CHOICE: experiments take no part in the walk (neither returned nor walked through):
        the model's LineageType has no value for them, and the SDK's LineageQuery reads the
        LineageType of every vertex.
        """
        if found.lineage_type is None:
            return False
        if found.arn not in self.entities:
            self.entities[found.arn] = found
            self.order.append(found.arn)
        return True

    def _next(self, state: State) -> Iterable[tuple[LineageAssociation, Entity]]:
        """The associations one step on from ``state`` (in creation order), with the entity
        each leads to."""
        arn, way = state
        lineage = self.ctx.state.lineage
        for key in self.ctx.state.lineage_edges.get(arn, ()):
            association = lineage[key]
            here, there = ((association.destination_arn, association.source_arn) if way == _UP
                           else (association.source_arn, association.destination_arn))
            if here != arn:
                continue
            # Deleting an entity drops its associations, so the other end exists.
            neighbour = require_entity(self.ctx, there)
            if self._meet(neighbour):
                yield association, neighbour

    def leading_to(self, goals: set[State]) -> set[State]:
        """The states from which the walk's steps lead to one of ``goals`` (goals included)."""
        before: dict[State, list[State]] = {}
        for _, origin, target in self.steps:
            before.setdefault(target, []).append(origin)
        found = set(goals)
        pending = list(goals)
        while pending:
            for origin in before.get(pending.pop(), ()):
                if origin not in found:
                    found.add(origin)
                    pending.append(origin)
        return found


class _Filter:
    """QueryLineage's Filters; members combine with AND, a list's values with OR.

    INFERRED: the SDK's LineageFilter sends entities and sources together to mean both (an
    Artifact of type DataSet). CONFIRMED (model docs): an entity matches Properties if it has
    any of the pairs. CHOICE: the time bounds are strict, and an empty list filters nothing.
    """

    __slots__ = ("filters",)

    def __init__(self, filters: Mapping[str, Any]) -> None:
        self.filters = filters

    def keeps(self, found: Entity) -> bool:
        wanted = self.filters
        if wanted.get("Types") and found.vertex_type not in wanted["Types"]:
            return False
        if wanted.get("LineageTypes") and found.lineage_type not in wanted["LineageTypes"]:
            return False
        for member, attribute, later in (
                ("CreatedAfter", "creation_time", True),
                ("CreatedBefore", "creation_time", False),
                ("ModifiedAfter", "last_modified_time", True),
                ("ModifiedBefore", "last_modified_time", False)):
            if member in wanted:
                bound, value = timestamp(wanted[member]), getattr(found, attribute)
                if (value <= bound) if later else (value >= bound):
                    return False
        properties: Mapping[str, str] = wanted.get("Properties") or {}
        return not properties or any(
            found.properties.get(key) == value for key, value in properties.items())


def _unique(associations: Iterable[LineageAssociation]) -> list[LineageAssociation]:
    seen: dict[tuple[str, str], LineageAssociation] = {}
    for association in associations:
        seen.setdefault((association.source_arn, association.destination_arn), association)
    return list(seen.values())


def _vertex(found: Entity) -> Response:
    """A ``Vertex``: the entity's ARN, LineageType and Type (CONFIRMED: the SageMaker SDK's
    lineage visualization integration test, run against AWS, shows an artifact's ArtifactType,
    an action's ActionType and a context's ContextType as a vertex's Type)."""
    view: Response = {"Arn": found.arn}
    if found.vertex_type is not None:
        view["Type"] = found.vertex_type
    view["LineageType"] = found.lineage_type
    return view


def _edge(association: LineageAssociation) -> Response:
    view: Response = {"SourceArn": association.source_arn,
                      "DestinationArn": association.destination_arn}
    if association.association_type is not None:
        view["AssociationType"] = association.association_type
    return view
