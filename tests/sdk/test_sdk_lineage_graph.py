"""The SageMaker SDK's lineage classes against the mock: ``Context`` and ``Action`` (create,
load, list, save, delete), ``Association`` between them and artifacts, ``LineageQuery`` with
``LineageFilter`` both ways to a depth, ``Vertex.to_lineage_object``, the SDK's own traversal
helpers, and ``LineageTableVisualizer``. Written once for both SDK generations (v3:
``sagemaker.core.lineage``, v2: ``sagemaker.lineage``).
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

_PACKAGES = {3: "sagemaker.core.lineage", 2: "sagemaker.lineage"}

# v3's Vertex.to_lineage_object imports its classes from the legacy ``sagemaker.lineage`` shim,
# which warns on import.
pytestmark = pytest.mark.filterwarnings(
    "ignore:The 'sagemaker.lineage.* module is deprecated:DeprecationWarning")


@pytest.fixture
def lineage(sdk):
    """The generation's lineage modules: context, action, artifact, association, query,
    visualizer."""
    package = _PACKAGES[sdk.generation]
    return SimpleNamespace(**{name: importlib.import_module(f"{package}.{name}") for name in (
        "context", "action", "artifact", "association", "query", "visualizer")})


@pytest.fixture
def graph(lineage, sm_session):
    """model artifact -> deployment action -> endpoint context, and a dataset into the model."""
    Artifact, Action, Context = (lineage.artifact.Artifact, lineage.action.Action,
                                 lineage.context.EndpointContext)
    Association = lineage.association.Association
    made = SimpleNamespace(
        data=Artifact.create(artifact_name="data", artifact_type="DataSet",
                             source_uri="s3://b/data", sagemaker_session=sm_session),
        model=Artifact.create(artifact_name="model", artifact_type="Model",
                              source_uri="s3://b/model", properties={"k": "v"},
                              sagemaker_session=sm_session),
        deploy=Action.create(action_name="deploy", action_type="ModelDeployment",
                             source_uri="s3://b/model", status="Completed",
                             sagemaker_session=sm_session),
        endpoint=Context.create(context_name="endpoint", context_type="Endpoint",
                                source_uri="arn:aws:sagemaker:us-east-1:123456789012:endpoint/e",
                                source_type="Endpoint", sagemaker_session=sm_session),
    )
    Association.create(source_arn=made.data.artifact_arn, destination_arn=made.model.artifact_arn,
                       association_type="ContributedTo", sagemaker_session=sm_session)
    Association.create(source_arn=made.model.artifact_arn, destination_arn=made.deploy.action_arn,
                       association_type="ContributedTo", sagemaker_session=sm_session)
    Association.create(source_arn=made.deploy.action_arn,
                       destination_arn=made.endpoint.context_arn,
                       association_type="AssociatedWith", sagemaker_session=sm_session)
    return made


def test_context_and_action_lifecycle(lineage, sm_session, sm_experiments):
    Context, Action = lineage.context.Context, lineage.action.Action
    created = Context.create(context_name="ctx", source_uri="bar", source_type="test-source",
                             context_type="test-context", description="d",
                             properties={"k1": "v1"}, sagemaker_session=sm_session)
    assert created.context_arn == "arn:aws:sagemaker:us-east-1:123456789012:context/ctx"
    created.description = "updated"
    created.properties = {"k3": "v3"}
    created.properties_to_remove = ["k1"]
    created.save()
    loaded = Context.load(context_name="ctx", sagemaker_session=sm_session)
    assert (loaded.description, loaded.properties, loaded.context_type) == (
        "updated", {"k3": "v3"}, "test-context")
    assert loaded.source.source_uri == "bar"

    action = Action.create(action_name="act", action_type="bar", source_uri="bazz",
                           status="InProgress", properties={"k1": "v1"},
                           sagemaker_session=sm_session)
    action.status = "Completed"
    action.save()
    assert Action.load(action_name="act", sagemaker_session=sm_session).status == "Completed"
    assert [summary.action_name for summary in Action.list(sagemaker_session=sm_session)] == [
        "act"]
    assert [summary.context_name for summary in Context.list(
        sort_by="Name", sort_order="Ascending", sagemaker_session=sm_session)] == ["ctx"]
    assert sm_experiments.contexts["ctx"].description == "updated"

    action.delete()
    created.delete()
    assert (len(sm_experiments.contexts), len(sm_experiments.actions)) == (0, 0)


def test_delete_with_disassociate(lineage, sm_session, graph, sm_client):
    graph.deploy.delete(disassociate=True)
    assert [(a["SourceArn"], a["DestinationArn"]) for a in sm_client.list_associations()[
        "AssociationSummaries"]] == [(graph.data.artifact_arn, graph.model.artifact_arn)]
    graph.endpoint.delete(disassociate=True)
    assert sm_client.list_contexts()["ContextSummaries"] == []


def test_lineage_query_both_ways_to_a_depth(lineage, sm_session, graph):
    query = lineage.query
    LineageQuery, Direction = query.LineageQuery, query.LineageQueryDirectionEnum

    up = LineageQuery(sm_session).query(start_arns=[graph.endpoint.context_arn],
                                        direction=Direction.ASCENDANTS, include_edges=True)
    assert [(v.arn, v.lineage_entity, v.lineage_source) for v in up.vertices] == [
        (graph.endpoint.context_arn, "Context", "Endpoint"),
        (graph.deploy.action_arn, "Action", "ModelDeployment"),
        (graph.model.artifact_arn, "Artifact", "Model"),
        (graph.data.artifact_arn, "Artifact", "DataSet")]
    assert {(e.source_arn, e.destination_arn, e.association_type) for e in up.edges} == {
        (graph.data.artifact_arn, graph.model.artifact_arn, "ContributedTo"),
        (graph.model.artifact_arn, graph.deploy.action_arn, "ContributedTo"),
        (graph.deploy.action_arn, graph.endpoint.context_arn, "AssociatedWith")}

    down = LineageQuery(sm_session).query(start_arns=[graph.data.artifact_arn],
                                          direction=Direction.DESCENDANTS, include_edges=False,
                                          max_depth=2)
    assert [v.arn for v in down.vertices] == [
        graph.data.artifact_arn, graph.model.artifact_arn, graph.deploy.action_arn]
    assert down.edges == []

    both = LineageQuery(sm_session).query(start_arns=[graph.deploy.action_arn], max_depth=1)
    assert {v.arn for v in both.vertices} == {
        graph.deploy.action_arn, graph.model.artifact_arn, graph.endpoint.context_arn}


def test_lineage_filter_and_to_lineage_object(lineage, sm_session, graph):
    query = lineage.query
    LineageFilter = query.LineageFilter
    result = query.LineageQuery(sm_session).query(
        start_arns=[graph.endpoint.context_arn],
        direction=query.LineageQueryDirectionEnum.ASCENDANTS,
        include_edges=False,
        query_filter=LineageFilter(entities=[query.LineageEntityEnum.ARTIFACT],
                                   sources=[query.LineageSourceEnum.DATASET]))
    (vertex,) = result.vertices
    dataset = vertex.to_lineage_object()
    assert type(dataset).__name__ == "DatasetArtifact"
    assert dataset.artifact_name == "data"

    # The SDK's own traversals: an endpoint's actions and models, a model's endpoints.
    (action,) = graph.endpoint.actions(direction=query.LineageQueryDirectionEnum.ASCENDANTS)
    assert type(action).__name__ == "Action"
    assert action.action_arn == graph.deploy.action_arn
    model = lineage.artifact.ModelArtifact.load(artifact_arn=graph.model.artifact_arn,
                                                sagemaker_session=sm_session)
    (endpoint,) = model.endpoint_contexts()
    assert type(endpoint).__name__ == "EndpointContext"
    assert endpoint.context_arn == graph.endpoint.context_arn
    (dataset,) = model.dataset_artifacts()
    assert dataset.artifact_arn == graph.data.artifact_arn


def test_endpoint_models_through_its_deployment(lineage, sm_session, sm_client):
    """EndpointContext.models_v2: two queries, context -> ModelDeployment action -> Model."""
    Association = lineage.association.Association
    endpoint = lineage.context.EndpointContext.create(
        context_name="ep", context_type="Endpoint", source_uri="ep-uri",
        sagemaker_session=sm_session)
    deploy = lineage.action.Action.create(action_name="dep", action_type="ModelDeployment",
                                          source_uri="u", sagemaker_session=sm_session)
    model = lineage.artifact.Artifact.create(artifact_name="m", artifact_type="Model",
                                             source_uri="s3://b/m", properties={"k1": "v1"},
                                             sagemaker_session=sm_session)
    Association.create(source_arn=endpoint.context_arn, destination_arn=deploy.action_arn,
                       sagemaker_session=sm_session)
    Association.create(source_arn=deploy.action_arn, destination_arn=model.artifact_arn,
                       sagemaker_session=sm_session)
    (found,) = endpoint.models_v2()
    assert (found.artifact_arn, found.artifact_type, found.properties) == (
        model.artifact_arn, "Model", {"k1": "v1"})
    (association,) = endpoint.models()
    assert (association.source_type, association.destination_type) == ("ModelDeployment",
                                                                        "Model")


def test_association_list_summaries(lineage, sm_session, graph):
    listed = list(lineage.association.Association.list(
        destination_arn=graph.endpoint.context_arn, sagemaker_session=sm_session))
    (summary,) = listed
    assert (summary.source_name, summary.source_type, summary.destination_name,
            summary.destination_type) == ("deploy", "ModelDeployment", "endpoint", "Endpoint")


def test_lineage_table_visualizer(lineage, sm_session, graph):
    pytest.importorskip("pandas")
    frame = lineage.visualizer.LineageTableVisualizer(sm_session).show(
        actions_arn=graph.deploy.action_arn)
    assert frame.to_dict("records") == [
        {"Name/Source": "model", "Direction": "Input", "Type": "Model",
         "Association Type": "ContributedTo", "Lineage Type": "artifact"},
        {"Name/Source": "endpoint", "Direction": "Output", "Type": "Endpoint",
         "Association Type": "AssociatedWith", "Lineage Type": "context"}]
    by_endpoint = lineage.visualizer.LineageTableVisualizer(sm_session).show(
        endpoint_arn="arn:aws:sagemaker:us-east-1:123456789012:endpoint/e")
    assert by_endpoint.to_dict("records") == [
        {"Name/Source": "deploy", "Direction": "Input", "Type": "ModelDeployment",
         "Association Type": "AssociatedWith", "Lineage Type": "action"}]
