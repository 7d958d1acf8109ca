r"""QueryLineage through boto3: the graph of artifacts, trial components, actions and contexts
walked up, down or both ways from a start entity, to a depth; vertices and edges; filters;
paging; errors.

The graph most tests walk (arrows are associations, source -> destination; C ContributedTo,
P Produced, A AssociatedWith)::

    image -C-\
              v
    data -C-> train -P-> model -C-> deploy -A-> endpoint
      \                (artifact)  (action)    (context)
       \-C-> retrain -P-> model2
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"
TC = PREFIX + "experiment-trial-component/"


def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


@pytest.fixture
def graph(sm_client):
    """The graph above; returns {name: ARN}."""
    arns = {}
    for name, kind in (("data", "DataSet"), ("image", "Image"), ("model", "Model"),
                       ("model2", "Model")):
        arns[name] = sm_client.create_artifact(
            ArtifactName=name, ArtifactType=kind, Source={"SourceUri": f"s3://b/{name}"},
            Properties={"name": name})["ArtifactArn"]
    for name in ("train", "retrain"):
        arns[name] = sm_client.create_trial_component(TrialComponentName=name)[
            "TrialComponentArn"]
    arns["deploy"] = sm_client.create_action(
        ActionName="deploy", ActionType="ModelDeployment", Source={"SourceUri": "ep"},
        Properties={"stage": "prod"})["ActionArn"]
    arns["endpoint"] = sm_client.create_context(
        ContextName="endpoint", ContextType="Endpoint", Source={"SourceUri": "ep"})[
        "ContextArn"]
    for source, destination, kind in (
            ("data", "train", "ContributedTo"), ("image", "train", "ContributedTo"),
            ("train", "model", "Produced"), ("model", "deploy", "ContributedTo"),
            ("deploy", "endpoint", "AssociatedWith"), ("data", "retrain", "ContributedTo"),
            ("retrain", "model2", "Produced")):
        sm_client.add_association(SourceArn=arns[source], DestinationArn=arns[destination],
                                  AssociationType=kind)
    return arns


def query(sm_client, start, **params):
    answer = sm_client.query_lineage(StartArns=[start], **params)
    answer.pop("ResponseMetadata")
    return answer


def names_of(graph, answer):
    by_arn = {arn: name for name, arn in graph.items()}
    return [by_arn[vertex["Arn"]] for vertex in answer["Vertices"]]


def edges_of(graph, answer):
    by_arn = {arn: name for name, arn in graph.items()}
    return {(by_arn[e["SourceArn"]], by_arn[e["DestinationArn"]], e.get("AssociationType"))
            for e in answer["Edges"]}


def test_descendants_to_each_depth(sm_client, graph):
    def reached(depth):
        return names_of(graph, query(sm_client, graph["data"], Direction="Descendants",
                                     MaxDepth=depth))

    # Depth counts associations from the start; the start itself comes first.
    assert reached(0) == ["data"]
    assert reached(1) == ["data", "train", "retrain"]
    assert reached(2) == ["data", "train", "retrain", "model", "model2"]
    assert reached(3) == ["data", "train", "retrain", "model", "model2", "deploy"]
    assert reached(4) == reached(10) == [
        "data", "train", "retrain", "model", "model2", "deploy", "endpoint"]


def test_ascendants_to_each_depth(sm_client, graph):
    def reached(depth):
        return names_of(graph, query(sm_client, graph["endpoint"], Direction="Ascendants",
                                     MaxDepth=depth))

    assert reached(1) == ["endpoint", "deploy"]
    assert reached(2) == ["endpoint", "deploy", "model"]
    assert reached(3) == ["endpoint", "deploy", "model", "train"]
    # data is reached, retrain (a sibling of train's lineage) is not.
    assert reached(4) == reached(10) == ["endpoint", "deploy", "model", "train", "data",
                                         "image"]


def test_both_ways_is_ascendants_and_descendants_never_siblings(sm_client, graph):
    both = query(sm_client, graph["model"], Direction="Both", MaxDepth=10, IncludeEdges=True)
    assert set(names_of(graph, both)) == {"model", "train", "deploy", "data", "image",
                                          "endpoint"}
    assert names_of(graph, both)[0] == "model"
    # Depth applies each way: one association up and one down.
    near = query(sm_client, graph["model"], Direction="Both", MaxDepth=1)
    assert names_of(graph, near) == ["model", "train", "deploy"]
    # Every edge keeps its own direction and type, whichever way it was walked.
    assert edges_of(graph, both) == {
        ("data", "train", "ContributedTo"), ("image", "train", "ContributedTo"),
        ("train", "model", "Produced"), ("model", "deploy", "ContributedTo"),
        ("deploy", "endpoint", "AssociatedWith")}


def test_vertices_carry_the_lineage_type_and_the_entity_type(sm_client, graph):
    answer = query(sm_client, graph["model"], Direction="Both", MaxDepth=1)
    assert answer["Vertices"] == [
        {"Arn": graph["model"], "Type": "Model", "LineageType": "Artifact"},
        # A trial component made by CreateTrialComponent (no job) has no type.
        {"Arn": graph["train"], "LineageType": "TrialComponent"},
        {"Arn": graph["deploy"], "Type": "ModelDeployment", "LineageType": "Action"},
    ]
    assert query(sm_client, graph["endpoint"], MaxDepth=0)["Vertices"] == [
        {"Arn": graph["endpoint"], "Type": "Endpoint", "LineageType": "Context"}]


def test_edges_only_when_asked_for(sm_client, graph):
    without = query(sm_client, graph["deploy"], Direction="Descendants")
    assert without == {"Vertices": [
        {"Arn": graph["deploy"], "Type": "ModelDeployment", "LineageType": "Action"},
        {"Arn": graph["endpoint"], "Type": "Endpoint", "LineageType": "Context"}],
        "Edges": []}
    with_edges = query(sm_client, graph["deploy"], Direction="Descendants", IncludeEdges=True)
    assert with_edges["Edges"] == [{"SourceArn": graph["deploy"],
                                    "DestinationArn": graph["endpoint"],
                                    "AssociationType": "AssociatedWith"}]


def test_defaults_both_ways_depth_ten_no_edges(sm_client, graph):
    assert query(sm_client, graph["model"]) == query(
        sm_client, graph["model"], Direction="Both", MaxDepth=10, IncludeEdges=False)


def test_lineage_types_filter_returns_only_matches(sm_client, graph):
    contexts = query(sm_client, graph["data"], Direction="Descendants",
                     Filters={"LineageTypes": ["Context"]})
    assert names_of(graph, contexts) == ["endpoint"]
    assert contexts["Edges"] == []
    actions_and_contexts = query(sm_client, graph["image"], Direction="Descendants",
                                 Filters={"LineageTypes": ["Action", "Context"]})
    assert names_of(graph, actions_and_contexts) == ["deploy", "endpoint"]
    components = query(sm_client, graph["endpoint"], Direction="Ascendants",
                       Filters={"LineageTypes": ["TrialComponent"]})
    assert names_of(graph, components) == ["train"]


def test_filters_do_not_prune_the_walk_and_edges_follow_the_paths(sm_client, graph):
    """An endpoint's datasets are four associations up, through an action, a model and a trial
    component (the SDK's EndpointContext.dataset_artifacts)."""
    answer = query(sm_client, graph["endpoint"], Direction="Ascendants",
                   Filters={"LineageTypes": ["Artifact"], "Types": ["DataSet"]})
    assert names_of(graph, answer) == ["data"]
    # With IncludeEdges, the entities and associations on the paths to the matches come too;
    # image's branch leads to no match.
    with_paths = query(sm_client, graph["endpoint"], Direction="Ascendants", IncludeEdges=True,
                       Filters={"LineageTypes": ["Artifact"], "Types": ["DataSet"]})
    assert names_of(graph, with_paths) == ["endpoint", "deploy", "model", "train", "data"]
    assert edges_of(graph, with_paths) == {
        ("deploy", "endpoint", "AssociatedWith"), ("model", "deploy", "ContributedTo"),
        ("train", "model", "Produced"), ("data", "train", "ContributedTo")}


def test_types_combine_with_lineage_types(sm_client, graph):
    models = query(sm_client, graph["data"], Direction="Descendants",
                   Filters={"Types": ["Model"]})
    assert names_of(graph, models) == ["model", "model2"]
    assert query(sm_client, graph["data"], Direction="Descendants",
                 Filters={"Types": ["Model"], "LineageTypes": ["Context"]})["Vertices"] == []
    # A start entity that matches is returned like any other.
    assert names_of(graph, query(sm_client, graph["model"], Direction="Descendants",
                                 Filters={"Types": ["Model", "Endpoint"]})) == [
        "model", "endpoint"]


def test_properties_filter_matches_any_pair(sm_client, graph):
    """The model: "an entity is included in the results if it matches any of the provided
    pairs"."""
    answer = query(sm_client, graph["data"], Direction="Descendants",
                   Filters={"Properties": {"name": "model2", "stage": "prod"}})
    assert names_of(graph, answer) == ["model2", "deploy"]
    assert query(sm_client, graph["data"], Direction="Descendants",
                 Filters={"Properties": {"stage": "dev"}})["Vertices"] == []


def test_created_and_modified_time_filters(sm_client, graph):
    endpoint = sm_client.describe_context(ContextName="endpoint")
    created = endpoint["CreationTime"]
    after = query(sm_client, graph["data"], Direction="Descendants",
                  Filters={"CreatedAfter": created - timedelta(microseconds=1)})
    assert "endpoint" in names_of(graph, after)
    assert "data" not in names_of(graph, after)
    strictly_after = query(sm_client, graph["data"], Direction="Descendants",
                           Filters={"CreatedAfter": created})
    assert "endpoint" not in names_of(graph, strictly_after)
    before = query(sm_client, graph["data"], Direction="Descendants",
                   Filters={"CreatedBefore": created})
    assert "endpoint" not in names_of(graph, before)
    assert "data" in names_of(graph, before)

    sm_client.update_action(ActionName="deploy", Description="touched")
    modified = sm_client.describe_action(ActionName="deploy")["LastModifiedTime"]
    recent = query(sm_client, graph["data"], Direction="Descendants",
                   Filters={"ModifiedAfter": modified - timedelta(microseconds=1)})
    assert names_of(graph, recent) == ["deploy"]
    older = query(sm_client, graph["data"], Direction="Descendants",
                  Filters={"ModifiedBefore": modified})
    assert "deploy" not in names_of(graph, older)
    assert "endpoint" in names_of(graph, older)


def test_paging_splits_vertices_and_sends_each_edge_once(sm_client, graph):
    whole = query(sm_client, graph["model"], Direction="Both", IncludeEdges=True)
    vertices, edges, pages = [], [], 0
    token = None
    while True:
        params = {"NextToken": token} if token else {}
        page = query(sm_client, graph["model"], Direction="Both", IncludeEdges=True,
                     MaxResults=2, **params)
        pages += 1
        assert len(page["Vertices"]) <= 2
        seen = {v["Arn"] for v in vertices + page["Vertices"]}
        # An edge comes once both its ends have been sent.
        assert all({e["SourceArn"], e["DestinationArn"]} <= seen for e in page["Edges"])
        vertices += page["Vertices"]
        edges += page["Edges"]
        token = page.get("NextToken")
        if token is None:
            break
    assert pages == 3
    assert vertices == whole["Vertices"]
    assert sorted(map(str, edges)) == sorted(map(str, whole["Edges"]))
    assert len(edges) == len(whole["Edges"])


def test_a_token_is_bound_to_its_query(sm_client, graph):
    token = query(sm_client, graph["model"], MaxResults=1)["NextToken"]
    for changed in ({"Direction": "Ascendants"}, {"MaxDepth": 2}, {"IncludeEdges": True},
                    {"Filters": {"Types": ["Model"]}}):
        error = error_of(sm_client.query_lineage, StartArns=[graph["model"]], MaxResults=1,
                         NextToken=token, **changed)
        assert error["Code"] == "ValidationException", changed
        assert error["Message"].startswith("Invalid NextToken:")
    error = error_of(sm_client.query_lineage, StartArns=[graph["data"]], NextToken=token)
    assert error["Code"] == "ValidationException"
    assert error_of(sm_client.query_lineage, StartArns=[graph["model"]],
                    NextToken="garbage")["Message"] == (
        "Invalid NextToken: the token is malformed.")


def test_bounds_of_depth_and_page_size(sm_client, graph):
    for params, member, minimum in (({"MaxDepth": -1}, "maxDepth", 0),
                                    ({"MaxResults": 0}, "maxResults", 1)):
        value = next(iter(params.values()))
        assert error_of(sm_client.query_lineage, StartArns=[graph["model"]], **params) == {
            "Code": "ValidationException",
            "Message": f"1 validation error detected: Value '{value}' at '{member}' failed to "
                       f"satisfy constraint: Member must have value greater than or equal to "
                       f"{minimum}"}
    # The model's maxima: MaxDepth 10, MaxResults 50, one start ARN.
    for params in ({"MaxDepth": 11}, {"MaxResults": 51},
                   {"StartArns": [graph["model"], graph["data"]]}):
        params = {"StartArns": [graph["model"]], **params}
        assert error_of(sm_client.query_lineage, **params)["Code"] == "ValidationException"


def test_start_must_exist(sm_client, graph):
    ghost = PREFIX + "context/ghost"
    assert error_of(sm_client.query_lineage, StartArns=[ghost]) == {
        "Code": "ResourceNotFound", "Message": f"Context '{ghost}' does not exist."}
    other_region = graph["model"].replace("us-east-1", "eu-west-1")
    assert error_of(sm_client.query_lineage, StartArns=[other_region])["Code"] == (
        "ResourceNotFound")
    # Trials take no part in lineage (the model's pattern).
    assert error_of(sm_client.query_lineage, StartArns=[PREFIX + "experiment-trial/t"])[
        "Code"] == "ValidationException"
    # No start, nothing to walk.
    answer = sm_client.query_lineage(StartArns=[])
    assert (answer["Vertices"], answer["Edges"]) == ([], [])


def test_start_in_any_letter_case(sm_client, graph):
    answer = query(sm_client, graph["deploy"].replace("/deploy", "/DEPLOY"), MaxDepth=0)
    assert answer["Vertices"][0]["Arn"] == graph["deploy"]


def test_cycles_end(sm_client):
    arns = [sm_client.create_context(ContextName=f"c{i}", ContextType="Loop",
                                     Source={"SourceUri": "u"})["ContextArn"] for i in range(3)]
    for i in range(3):
        sm_client.add_association(SourceArn=arns[i], DestinationArn=arns[(i + 1) % 3])
    sm_client.add_association(SourceArn=arns[0], DestinationArn=arns[0])
    answer = sm_client.query_lineage(StartArns=[arns[0]], Direction="Both", IncludeEdges=True)
    assert [v["Arn"] for v in answer["Vertices"]] == [arns[0], arns[2], arns[1]]
    # Edges without an AssociationType have none.
    assert len(answer["Edges"]) == 4
    assert all("AssociationType" not in edge for edge in answer["Edges"])


def test_experiments_take_no_part(sm_client, graph):
    sm_client.create_experiment(ExperimentName="exp")
    experiment = PREFIX + "experiment/exp"
    sm_client.add_association(SourceArn=experiment, DestinationArn=graph["deploy"])
    answer = query(sm_client, graph["deploy"], Direction="Ascendants", IncludeEdges=True,
                   MaxDepth=1)
    assert names_of(graph, answer) == ["deploy", "model"]
    assert all(experiment not in (e["SourceArn"], e["DestinationArn"])
               for e in answer["Edges"])
    started = query(sm_client, experiment, Direction="Descendants", IncludeEdges=True)
    assert started == {"Vertices": [], "Edges": []}


def test_deleted_entities_leave_the_graph(sm_client, graph):
    sm_client.delete_action(ActionName="deploy")
    answer = query(sm_client, graph["model"], Direction="Descendants", IncludeEdges=True)
    assert names_of(graph, answer) == ["model"]
    assert answer["Edges"] == []


def test_queries_are_journaled(sm_client, sm_experiments, graph):
    query(sm_client, graph["model"], Direction="Descendants", MaxDepth=1)
    call = sm_experiments.assert_called_once("QueryLineage", Direction="Descendants")
    assert [v["Arn"] for v in call.response["Vertices"]] == [graph["model"], graph["deploy"]]
