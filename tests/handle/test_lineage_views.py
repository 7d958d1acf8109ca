"""The handle's read-only views of the lineage entities: ``sm_experiments.contexts``,
``.actions`` and ``.artifacts`` (and the same on a RegionView), holding frozen records."""

from __future__ import annotations

import dataclasses
import re

import pytest

from pytest_sm_experiments import LineageAction, LineageArtifact, LineageContext, LineageSource


def test_contexts_and_actions_by_name_in_any_letter_case(sm_client, sm_experiments):
    sm_client.create_context(ContextName="Endpoint-1", ContextType="Endpoint",
                             Source={"SourceUri": "arn:aws:sagemaker:us-east-1:123456789012:"
                                                  "endpoint/e", "SourceType": "Endpoint"},
                             Properties={"k": "v"}, Tags=[{"Key": "t", "Value": "1"}])
    sm_client.create_action(ActionName="Deploy", ActionType="ModelDeployment",
                            Source={"SourceUri": "s3://b/m"}, Status="Completed",
                            MetadataProperties={"CommitId": "abc"})
    context = sm_experiments.contexts["endpoint-1"]
    assert isinstance(context, LineageContext)
    assert (context.name, context.context_type, context.properties, context.tags) == (
        "Endpoint-1", "Endpoint", {"k": "v"}, {"t": "1"})
    assert context.source == LineageSource(
        "arn:aws:sagemaker:us-east-1:123456789012:endpoint/e", "Endpoint", None)
    assert context.arn == "arn:aws:sagemaker:us-east-1:123456789012:context/endpoint-1"
    action = sm_experiments.actions["DEPLOY"]
    assert isinstance(action, LineageAction)
    assert (action.status, action.metadata_properties) == ("Completed", {"CommitId": "abc"})
    assert list(sm_experiments.contexts) == ["Endpoint-1"]
    assert "ENDPOINT-1" in sm_experiments.contexts
    assert len(sm_experiments.actions) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.description = "changed"  # type: ignore[misc]


def test_views_are_live(sm_client, sm_experiments):
    contexts = sm_experiments.contexts
    assert len(contexts) == 0
    sm_client.create_context(ContextName="c", ContextType="T", Source={"SourceUri": "u"})
    before = contexts["c"]
    sm_client.update_context(ContextName="c", Description="new")
    assert contexts["c"].description == "new"
    assert before.description is None  # a record held is a snapshot
    sm_client.delete_context(ContextName="c")
    assert "c" not in contexts


def test_artifacts_by_arn_or_id(sm_client, sm_experiments):
    arn = sm_client.create_artifact(ArtifactName="graph", ArtifactType="ConfusionMatrix",
                                    Source={"SourceUri": "s3://b/g"})["ArtifactArn"]
    artifact_id = arn.rpartition("/")[2]
    by_arn = sm_experiments.artifacts[arn]
    assert isinstance(by_arn, LineageArtifact)
    assert by_arn is sm_experiments.artifacts[artifact_id]
    assert (by_arn.artifact_name, by_arn.artifact_type, by_arn.source_uri) == (
        "graph", "ConfusionMatrix", "s3://b/g")
    assert arn in sm_experiments.artifacts
    assert list(sm_experiments.artifacts) == [artifact_id]


def test_a_missing_key_says_where_it_is(sm_client, sm_experiments):
    with sm_experiments.use_account("444455556666"):
        sm_client.create_action(ActionName="elsewhere", ActionType="T",
                                Source={"SourceUri": "u"})
        arn = sm_client.create_artifact(ArtifactType="T", Source={"SourceUri": "u"})[
            "ArtifactArn"]
    with pytest.raises(KeyError, match=re.escape(
            "no action named 'elsewhere' in account 123456789012, region us-east-1, which this "
            "view shows; it exists in account 444455556666, region us-east-1: "
            "sm_experiments.region('us-east-1', '444455556666').actions['elsewhere']")):
        sm_experiments.actions["elsewhere"]
    with pytest.raises(KeyError, match=re.escape(
            f"no artifact with the id or ARN '{arn}' in account 123456789012")):
        sm_experiments.artifacts[arn]
    assert sm_experiments.region(account_id="444455556666").artifacts[arn].arn == arn
    with pytest.raises(KeyError, match=re.escape(
            "no context named 'ghost' in account 123456789012, region us-east-1 (nor anywhere "
            "else in this mock)")):
        sm_experiments.contexts["ghost"]


def test_region_views(sm_experiments):
    client = sm_experiments.client(region="eu-west-1")
    client.create_context(ContextName="eu", ContextType="T", Source={"SourceUri": "u"})
    assert "eu" not in sm_experiments.contexts
    assert sm_experiments.region("eu-west-1").contexts["eu"].arn == (
        "arn:aws:sagemaker:eu-west-1:123456789012:context/eu")
