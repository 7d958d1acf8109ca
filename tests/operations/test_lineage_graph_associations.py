"""Associations between every kind of lineage entity through boto3: contexts and actions beside
artifacts, trial components and experiments; what ListAssociations says of each end."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"


def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


@pytest.fixture
def ends(sm_client):
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.create_trial_component(TrialComponentName="Train")
    return {
        "context": sm_client.create_context(
            ContextName="Endpoint-1", ContextType="Endpoint",
            Source={"SourceUri": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e"})[
            "ContextArn"],
        "action": sm_client.create_action(
            ActionName="Deploy-1", ActionType="ModelDeployment",
            Source={"SourceUri": "s3://b/m"})["ActionArn"],
        "artifact": sm_client.create_artifact(
            ArtifactName="model", ArtifactType="Model", Source={"SourceUri": "s3://b/m"})[
            "ArtifactArn"],
        "component": PREFIX + "experiment-trial-component/train",
        "experiment": PREFIX + "experiment/exp",
    }


def test_every_kind_of_entity_can_be_an_end(sm_client, ends):
    for source in ends.values():
        for destination in ends.values():
            if source != destination:
                sm_client.add_association(SourceArn=source, DestinationArn=destination)
    summaries = sm_client.list_associations(MaxResults=100)["AssociationSummaries"]
    assert len(summaries) == 20


def test_summaries_name_and_type_contexts_and_actions(sm_client, ends):
    sm_client.add_association(SourceArn=ends["artifact"], DestinationArn=ends["action"],
                              AssociationType="ContributedTo")
    # Any letter case finds the entity; the answer names it as created.
    answer = sm_client.add_association(SourceArn=ends["action"].replace("/deploy-1", "/DEPLOY-1"),
                                       DestinationArn=ends["context"],
                                       AssociationType="AssociatedWith")
    assert (answer["SourceArn"], answer["DestinationArn"]) == (ends["action"], ends["context"])
    (summary,) = sm_client.list_associations(DestinationArn=ends["context"])[
        "AssociationSummaries"]
    summary.pop("CreationTime")
    assert summary == {
        "SourceArn": ends["action"], "DestinationArn": ends["context"],
        "SourceType": "ModelDeployment", "DestinationType": "Endpoint",
        "AssociationType": "AssociatedWith",
        "SourceName": "Deploy-1", "DestinationName": "Endpoint-1", "CreatedBy": {}}
    (upstream,) = sm_client.list_associations(DestinationArn=ends["action"])[
        "AssociationSummaries"]
    assert (upstream["SourceType"], upstream["DestinationType"]) == ("Model", "ModelDeployment")


def test_type_filters_and_sort_use_context_and_action_types(sm_client, ends):
    """The SDK's ModelArtifact.endpoints() lists ``DestinationType="Action"`` to find the
    deployments of a model, and its integration test gives that action the ActionType
    ``Action``: an action's type is its ActionType (a context's its ContextType)."""
    deployment = sm_client.create_action(ActionName="as-action", ActionType="Action",
                                         Source={"SourceUri": "u"})["ActionArn"]
    sm_client.add_association(SourceArn=ends["artifact"], DestinationArn=deployment)
    sm_client.add_association(SourceArn=ends["artifact"], DestinationArn=ends["action"])
    sm_client.add_association(SourceArn=ends["action"], DestinationArn=ends["context"])
    by_type = sm_client.list_associations(SourceArn=ends["artifact"],
                                          DestinationType="Action")["AssociationSummaries"]
    assert [a["DestinationArn"] for a in by_type] == [deployment]
    assert [a["DestinationName"] for a in sm_client.list_associations(
        DestinationType="Endpoint")["AssociationSummaries"]] == ["Endpoint-1"]
    assert sm_client.list_associations(DestinationType="Context")["AssociationSummaries"] == []
    assert [a["SourceName"] for a in sm_client.list_associations(
        SourceType="ModelDeployment")["AssociationSummaries"]] == ["Deploy-1"]
    ordered = sm_client.list_associations(SortBy="DestinationType", SortOrder="Ascending")
    assert [a["DestinationType"] for a in ordered["AssociationSummaries"]] == [
        "Action", "Endpoint", "ModelDeployment"]


def test_missing_context_or_action_is_named(sm_client, ends):
    for resource, label in (("context", "Context"), ("action", "Action")):
        ghost = f"{PREFIX}{resource}/ghost"
        assert error_of(sm_client.add_association, SourceArn=ghost,
                        DestinationArn=ends["artifact"]) == {
            "Code": "ResourceNotFound", "Message": f"{label} '{ghost}' does not exist."}


def test_delete_association_in_any_letter_case(sm_client, ends):
    sm_client.add_association(SourceArn=ends["action"], DestinationArn=ends["context"])
    answer = sm_client.delete_association(
        SourceArn=ends["action"].replace("/deploy-1", "/DEPLOY-1"),
        DestinationArn=ends["context"])
    assert (answer["SourceArn"], answer["DestinationArn"]) == (ends["action"], ends["context"])
    assert sm_client.list_associations()["AssociationSummaries"] == []


def test_the_same_ends_in_another_letter_case_are_the_same_association(sm_client, ends):
    """ARNs name entities in any letter case: adding the pair again with both ends upper-cased is
    the duplicate AWS refuses, and deleting it so deletes the one association."""
    sm_client.add_association(SourceArn=ends["action"], DestinationArn=ends["context"],
                              AssociationType="AssociatedWith")
    upper = {"SourceArn": ends["action"].replace("/deploy-1", "/DEPLOY-1"),
             "DestinationArn": ends["context"].replace("/endpoint-1", "/ENDPOINT-1")}
    assert upper["SourceArn"] != ends["action"]
    assert upper["DestinationArn"] != ends["context"]
    error = error_of(sm_client.add_association, **upper)
    assert error["Code"] == "ValidationException"
    assert "already exists" in error["Message"]
    summaries = sm_client.list_associations()["AssociationSummaries"]
    assert [(a["SourceArn"], a["DestinationArn"], a["AssociationType"])
            for a in summaries] == [(ends["action"], ends["context"], "AssociatedWith")]
    answer = sm_client.delete_association(**upper)
    assert (answer["SourceArn"], answer["DestinationArn"]) == (ends["action"], ends["context"])
    assert sm_client.list_associations()["AssociationSummaries"] == []
    assert error_of(sm_client.delete_association, **upper)["Code"] == "ResourceNotFound"


def test_deleting_an_action_drops_its_associations_both_ways(sm_client, ends):
    sm_client.add_association(SourceArn=ends["artifact"], DestinationArn=ends["action"])
    sm_client.add_association(SourceArn=ends["action"], DestinationArn=ends["context"])
    sm_client.add_association(SourceArn=ends["artifact"], DestinationArn=ends["context"])
    sm_client.delete_action(ActionName="deploy-1")
    assert [(a["SourceName"], a["DestinationName"]) for a in sm_client.list_associations()[
        "AssociationSummaries"]] == [("model", "Endpoint-1")]
