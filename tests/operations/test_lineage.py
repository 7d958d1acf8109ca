"""Lineage through boto3: artifacts (create, describe, list, update, delete, tags) and the
associations between artifacts, trial components and experiments."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from unittest.mock import ANY

import pytest
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"
TC_ARN = PREFIX + "experiment-trial-component/step"
EXP_ARN = PREFIX + "experiment/exp"
ARTIFACT_ARN = re.compile(r"arn:aws:sagemaker:us-east-1:123456789012:artifact/[0-9a-f]{32}")


def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


def make(sm_client, uri, name=None, kind="Dataset", **extra):
    params = {"ArtifactType": kind, "Source": {"SourceUri": uri}, **extra}
    if name is not None:
        params["ArtifactName"] = name
    return sm_client.create_artifact(**params)["ArtifactArn"]


@pytest.fixture
def component(sm_client):
    sm_client.create_trial_component(TrialComponentName="Step")
    return TC_ARN


# -- artifacts ------------------------------------------------------------------------------

def test_create_and_describe_every_member(sm_client):
    arn = sm_client.create_artifact(
        ArtifactName="Train-Data", ArtifactType="DataSet",
        Source={"SourceUri": "s3://bucket/train.csv",
                "SourceTypes": [{"SourceIdType": "S3ETag", "Value": '"abc"'},
                                {"SourceIdType": "Custom", "Value": "v1"}]},
        Properties={"rows": "100"}, MetadataProperties={"CommitId": "c0ffee"},
        Tags=[{"Key": "team", "Value": "ml"}])["ArtifactArn"]
    assert ARTIFACT_ARN.fullmatch(arn)

    described = sm_client.describe_artifact(ArtifactArn=arn)
    described.pop("ResponseMetadata")
    created = described.pop("CreationTime")
    assert described.pop("LastModifiedTime") == created
    assert described == {
        "ArtifactName": "Train-Data",
        "ArtifactArn": arn,
        "Source": {"SourceUri": "s3://bucket/train.csv",
                   "SourceTypes": [{"SourceIdType": "S3ETag", "Value": '"abc"'},
                                   {"SourceIdType": "Custom", "Value": "v1"}]},
        "ArtifactType": "DataSet",
        "Properties": {"rows": "100"},
        "CreatedBy": {},
        "LastModifiedBy": {},
        "MetadataProperties": {"CommitId": "c0ffee"},
    }
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_minimal_artifact_has_no_empty_members(sm_client):
    arn = make(sm_client, "s3://bucket/x")
    described = sm_client.describe_artifact(ArtifactArn=arn)
    described.pop("ResponseMetadata")
    assert set(described) == {"ArtifactArn", "Source", "ArtifactType", "CreationTime",
                              "LastModifiedTime", "CreatedBy", "LastModifiedBy"}
    assert described["Source"] == {"SourceUri": "s3://bucket/x"}


def test_one_artifact_per_source_uri(sm_client, sm_experiments):
    """Developer guide ("Lineage Tracking Entities"): there can be only one artifact with a
    unique SourceUri. The SDK matches "already exists" in a ValidationException."""
    make(sm_client, "s3://bucket/x", name="first")
    before = sm_client.list_artifacts()["ArtifactSummaries"]
    assert error_of(sm_client.create_artifact, ArtifactType="Other",
                    Source={"SourceUri": "s3://bucket/x"}) == {
        "Code": "ValidationException",
        "Message": "Artifact with SourceUri (s3://bucket/x) already exists."}
    assert sm_client.list_artifacts()["ArtifactSummaries"] == before
    # The URI is compared exactly; a name may repeat.
    make(sm_client, "s3://bucket/X", name="first")
    assert len(sm_client.list_artifacts()["ArtifactSummaries"]) == 2


def test_arns_are_distinct_and_repeat_in_a_new_mock(sm_client, sm_experiments):
    first = [make(sm_client, f"s3://b/{i}") for i in range(3)]
    assert len(set(first)) == 3
    sm_experiments.reset()
    assert [make(sm_client, f"s3://b/{i}") for i in range(3)] == first


def test_model_validation_applies(sm_client):
    error = error_of(sm_client.create_artifact, ArtifactName="has space", ArtifactType="x",
                     Source={"SourceUri": "s3://b/k"})
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith(
        "1 validation error detected: Value 'has space' at 'artifactName' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern")
    error = error_of(sm_client.create_artifact, ArtifactType="x",
                     Source={"SourceUri": "s3://b/k",
                             "SourceTypes": [{"SourceIdType": "Sha", "Value": "1"}]})
    assert "Member must satisfy enum value set: [MD5Hash, S3ETag, S3Version, Custom]" in (
        error["Message"])
    assert sm_client.list_artifacts()["ArtifactSummaries"] == []


def test_describe_missing_or_foreign(sm_client):
    arn = make(sm_client, "s3://b/k")
    ghost = PREFIX + "artifact/" + "0" * 32
    assert error_of(sm_client.describe_artifact, ArtifactArn=ghost) == {
        "Code": "ResourceNotFound", "Message": f"Artifact '{ghost}' does not exist."}
    other_region = arn.replace("us-east-1", "eu-west-1")
    assert error_of(sm_client.describe_artifact, ArtifactArn=other_region)["Code"] == (
        "ResourceNotFound")


def test_list_filters_sort_and_page(sm_client):
    arns = [make(sm_client, f"s3://b/{i}", name=f"a{i}", kind="Model" if i % 2 else "DataSet")
            for i in range(5)]
    listed = sm_client.list_artifacts()["ArtifactSummaries"]
    assert [s["ArtifactArn"] for s in listed] == arns[::-1]  # CreationTime, Descending
    ascending = sm_client.list_artifacts(SortOrder="Ascending")["ArtifactSummaries"]
    assert [s["ArtifactName"] for s in ascending] == ["a0", "a1", "a2", "a3", "a4"]
    assert [s["ArtifactName"] for s in sm_client.list_artifacts(
        ArtifactType="Model")["ArtifactSummaries"]] == ["a3", "a1"]
    assert [s["ArtifactName"] for s in sm_client.list_artifacts(
        SourceUri="s3://b/2")["ArtifactSummaries"]] == ["a2"]
    assert set(listed[0]) == {"ArtifactArn", "ArtifactName", "Source", "ArtifactType",
                              "CreationTime", "LastModifiedTime"}

    pages = sm_client.get_paginator("list_artifacts").paginate(
        SortOrder="Ascending", PaginationConfig={"PageSize": 2})
    sizes, names = [], []
    for page in pages:
        sizes.append(len(page["ArtifactSummaries"]))
        names += [s["ArtifactName"] for s in page["ArtifactSummaries"]]
    assert (sizes, names) == ([2, 2, 1], ["a0", "a1", "a2", "a3", "a4"])


def test_list_created_bounds_are_inclusive(sm_client):
    """ListArtifacts's model docs: artifacts created "on or after" / "on or before"."""
    make(sm_client, "s3://b/0", name="only")
    (summary,) = sm_client.list_artifacts()["ArtifactSummaries"]
    created = summary["CreationTime"]
    assert [s["ArtifactName"] for s in sm_client.list_artifacts(
        CreatedAfter=created, CreatedBefore=created)["ArtifactSummaries"]] == ["only"]
    assert sm_client.list_artifacts(
        CreatedAfter=created + timedelta(seconds=1))["ArtifactSummaries"] == []
    assert sm_client.list_artifacts(
        CreatedBefore=created - timedelta(seconds=1))["ArtifactSummaries"] == []


def test_list_token_is_bound_to_its_filters(sm_client):
    for i in range(3):
        make(sm_client, f"s3://b/{i}", kind="Model")
    token = sm_client.list_artifacts(ArtifactType="Model", MaxResults=1)["NextToken"]
    error = error_of(sm_client.list_artifacts, ArtifactType="DataSet", NextToken=token)
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Invalid NextToken:")


def test_update_overwrites_properties_then_removes(sm_client):
    arn = make(sm_client, "s3://b/k", name="old", Properties={"k1": "v1", "k2": "v2"})
    before = sm_client.describe_artifact(ArtifactArn=arn)
    sm_client.update_artifact(ArtifactArn=arn, ArtifactName="new",
                              Properties={"k3": "v3", "k4": "v4"}, PropertiesToRemove=["k4"])
    after = sm_client.describe_artifact(ArtifactArn=arn)
    assert after["ArtifactName"] == "new"
    assert after["Properties"] == {"k3": "v3"}
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]
    sm_client.update_artifact(ArtifactArn=arn, PropertiesToRemove=["k3", "absent"])
    assert "Properties" not in sm_client.describe_artifact(ArtifactArn=arn)
    assert error_of(sm_client.update_artifact,
                    ArtifactArn=PREFIX + "artifact/" + "0" * 32)["Code"] == "ResourceNotFound"


def test_delete_by_arn_or_by_source(sm_client):
    first = make(sm_client, "s3://b/1")
    make(sm_client, "s3://b/2")
    assert sm_client.delete_artifact(ArtifactArn=first)["ArtifactArn"] == first
    second = sm_client.delete_artifact(Source={"SourceUri": "s3://b/2"})["ArtifactArn"]
    assert ARTIFACT_ARN.fullmatch(second)
    assert sm_client.list_artifacts()["ArtifactSummaries"] == []
    # The SourceUri is free again.
    make(sm_client, "s3://b/1")
    assert error_of(sm_client.delete_artifact, ArtifactArn=first)["Code"] == "ResourceNotFound"
    assert error_of(sm_client.delete_artifact, Source={"SourceUri": "s3://b/none"}) == {
        "Code": "ResourceNotFound",
        "Message": "Artifact with SourceUri (s3://b/none) does not exist."}
    assert error_of(sm_client.delete_artifact) == {
        "Code": "ValidationException",
        "Message": "Either ArtifactArn or Source must be specified."}


def test_tags_on_artifacts(sm_client):
    arn = make(sm_client, "s3://b/k")
    sm_client.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"}])
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["a"])
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == []


# -- associations ---------------------------------------------------------------------------

def test_associate_and_list_both_ways(sm_client, component):
    data = make(sm_client, "s3://b/data", name="Data", kind="DataSet")
    model = make(sm_client, "s3://b/model", name="Model", kind="Model")
    # Any letter case of the name finds the entity; the answer names it canonically.
    answer = sm_client.add_association(
        SourceArn=data, DestinationArn=PREFIX + "experiment-trial-component/STEP",
        AssociationType="ContributedTo")
    answer.pop("ResponseMetadata")
    assert answer == {"SourceArn": data, "DestinationArn": component}
    sm_client.add_association(SourceArn=component, DestinationArn=model,
                              AssociationType="Produced")

    (incoming,) = sm_client.list_associations(DestinationArn=component)["AssociationSummaries"]
    incoming.pop("CreationTime")
    assert incoming == {"SourceArn": data, "DestinationArn": component, "SourceType": "DataSet",
                        "AssociationType": "ContributedTo", "SourceName": "Data",
                        "DestinationName": "Step", "CreatedBy": {}}
    (outgoing,) = sm_client.list_associations(SourceArn=component)["AssociationSummaries"]
    assert (outgoing["DestinationName"], outgoing["DestinationType"]) == ("Model", "Model")
    assert [a["SourceName"] for a in sm_client.list_associations(
        SourceType="DataSet")["AssociationSummaries"]] == ["Data"]
    assert [a["DestinationName"] for a in sm_client.list_associations(
        AssociationType="Produced")["AssociationSummaries"]] == ["Model"]
    assert sm_client.list_associations(DestinationType="Nothing")["AssociationSummaries"] == []


def test_association_ends_must_exist(sm_client, component, sm_experiments):
    ghost = PREFIX + "artifact/" + "f" * 32
    assert error_of(sm_client.add_association, SourceArn=component, DestinationArn=ghost) == {
        "Code": "ResourceNotFound", "Message": f"Artifact '{ghost}' does not exist."}
    action = PREFIX + "action/deploy"
    assert error_of(sm_client.add_association, SourceArn=action,
                    DestinationArn=component)["Message"] == f"Action '{action}' does not exist."
    assert error_of(sm_client.add_association, SourceArn=EXP_ARN,
                    DestinationArn=component)["Message"] == (
        f"Experiment '{EXP_ARN}' does not exist.")
    # The model's pattern leaves trials out of lineage.
    trial = PREFIX + "experiment-trial/t"
    assert error_of(sm_client.add_association, SourceArn=trial,
                    DestinationArn=component)["Code"] == "ValidationException"
    assert sm_client.list_associations()["AssociationSummaries"] == []


def test_duplicate_association_already_exists(sm_client, component):
    """The SDK's lineage helper treats "already exists" in a ValidationException as a
    duplicate association (experiments/_helper.py add_association)."""
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.add_association(SourceArn=EXP_ARN, DestinationArn=component)
    error = error_of(sm_client.add_association, SourceArn=EXP_ARN, DestinationArn=component,
                     AssociationType="Produced")
    assert error == {"Code": "ValidationException",
                     "Message": f"Association between source '{EXP_ARN}' and destination "
                                f"'{component}' already exists."}
    (only,) = sm_client.list_associations()["AssociationSummaries"]
    assert "AssociationType" not in only  # the first one's: none was given
    assert (only["SourceName"], only["DestinationName"]) == ("exp", "Step")


def test_delete_association(sm_client, component):
    arn = make(sm_client, "s3://b/k")
    sm_client.add_association(SourceArn=component, DestinationArn=arn)
    answer = sm_client.delete_association(SourceArn=component, DestinationArn=arn)
    answer.pop("ResponseMetadata")
    assert answer == {"SourceArn": component, "DestinationArn": arn}
    assert sm_client.list_associations()["AssociationSummaries"] == []
    assert error_of(sm_client.delete_association, SourceArn=component, DestinationArn=arn) == {
        "Code": "ResourceNotFound",
        "Message": f"Association between source '{component}' and destination '{arn}' does "
                   "not exist."}


def test_deleting_an_entity_drops_its_associations(sm_client, component):
    sm_client.create_experiment(ExperimentName="exp")
    data = make(sm_client, "s3://b/data")
    model = make(sm_client, "s3://b/model")
    sm_client.add_association(SourceArn=data, DestinationArn=component)
    sm_client.add_association(SourceArn=component, DestinationArn=model)
    sm_client.add_association(SourceArn=EXP_ARN, DestinationArn=model)
    sm_client.delete_trial_component(TrialComponentName="Step")
    assert [(a["SourceArn"], a["DestinationArn"]) for a in sm_client.list_associations()[
        "AssociationSummaries"]] == [(EXP_ARN, model)]
    sm_client.delete_artifact(ArtifactArn=model)
    assert sm_client.list_associations()["AssociationSummaries"] == []
    sm_client.add_association(SourceArn=EXP_ARN, DestinationArn=data)
    sm_client.delete_experiment(ExperimentName="exp")
    assert sm_client.list_associations()["AssociationSummaries"] == []


def test_list_sorts_pages_and_bounds(sm_client, component):
    arns = [make(sm_client, f"s3://b/{i}", name=f"a{i}", kind=f"T{4 - i}") for i in range(5)]
    for arn in arns:
        sm_client.add_association(SourceArn=arn, DestinationArn=component)
    newest_first = [a["SourceName"] for a in sm_client.list_associations()[
        "AssociationSummaries"]]
    assert newest_first == ["a4", "a3", "a2", "a1", "a0"]
    by_type = sm_client.list_associations(SortBy="SourceType", SortOrder="Ascending")
    assert [a["SourceType"] for a in by_type["AssociationSummaries"]] == [
        "T0", "T1", "T2", "T3", "T4"]
    by_source = sm_client.list_associations(SortBy="SourceArn", SortOrder="Ascending")
    assert [a["SourceArn"] for a in by_source["AssociationSummaries"]] == sorted(arns)

    names = []
    for page in sm_client.get_paginator("list_associations").paginate(
            SortOrder="Ascending", PaginationConfig={"PageSize": 2}):
        assert len(page["AssociationSummaries"]) <= 2
        names += [a["SourceName"] for a in page["AssociationSummaries"]]
    assert names == ["a0", "a1", "a2", "a3", "a4"]

    created = sm_client.list_associations()["AssociationSummaries"][0]["CreationTime"]
    assert [a["SourceName"] for a in sm_client.list_associations(
        CreatedAfter=created, CreatedBefore=created)["AssociationSummaries"]] == ["a4"]
    future = datetime.now(timezone.utc) + timedelta(days=1)
    assert sm_client.list_associations(CreatedAfter=future)["AssociationSummaries"] == []


def test_list_sorts_by_destination(sm_client, component):
    arns = [make(sm_client, f"s3://b/{i}", name=f"a{i}", kind=f"T{(i * 2) % 5}")
            for i in range(5)]
    for arn in arns:
        sm_client.add_association(SourceArn=component, DestinationArn=arn)
    by_type = sm_client.list_associations(SortBy="DestinationType")["AssociationSummaries"]
    assert [a["DestinationType"] for a in by_type] == ["T4", "T3", "T2", "T1", "T0"]
    by_arn = sm_client.list_associations(SortBy="DestinationArn", SortOrder="Ascending")
    assert [a["DestinationArn"] for a in by_arn["AssociationSummaries"]] == sorted(arns)
    # A token is bound to its SortBy.
    token = sm_client.list_associations(SortBy="DestinationArn", MaxResults=2)["NextToken"]
    assert error_of(sm_client.list_associations, SortBy="SourceArn",
                    NextToken=token)["Code"] == "ValidationException"


def test_filter_naming_a_missing_entity_matches_nothing(sm_client, component):
    arn = make(sm_client, "s3://b/k")
    sm_client.add_association(SourceArn=arn, DestinationArn=component)
    ghost = PREFIX + "experiment-trial-component/ghost"
    assert sm_client.list_associations(DestinationArn=ghost)["AssociationSummaries"] == []


def test_calls_are_journaled_with_their_answers(sm_client, sm_experiments, component):
    arn = make(sm_client, "s3://b/k", name="cm")
    sm_client.add_association(SourceArn=component, DestinationArn=arn,
                              AssociationType="Produced")
    assert sm_experiments.calls.operations == [
        "CreateTrialComponent", "CreateArtifact", "AddAssociation"]
    sm_experiments.assert_called_once("AddAssociation", SourceArn=component,
                                      AssociationType="Produced")
    assert sm_experiments.calls.one("CreateArtifact").response == {"ArtifactArn": arn}


def test_lineage_is_per_account(sm_client, sm_experiments, component):
    arn = make(sm_client, "s3://b/k")
    with sm_experiments.use_account("444455556666"):
        assert sm_client.list_artifacts()["ArtifactSummaries"] == []
        # The same URI is free in another account.
        other = make(sm_client, "s3://b/k")
        assert ":444455556666:artifact/" in other
        assert error_of(sm_client.describe_artifact, ArtifactArn=arn)["Code"] == (
            "ResourceNotFound")


def test_list_created_bounds_each_alone_are_inclusive(sm_client):
    make(sm_client, "s3://b/0", name="only")
    (summary,) = sm_client.list_artifacts()["ArtifactSummaries"]
    created = summary["CreationTime"]
    for bound in ("CreatedAfter", "CreatedBefore"):
        listed = sm_client.list_artifacts(**{bound: created})["ArtifactSummaries"]
        assert [s["ArtifactName"] for s in listed] == ["only"], bound


def test_a_token_of_one_list_is_refused_by_the_other(sm_client, component):
    for i in range(2):
        arn = make(sm_client, f"s3://b/{i}")
        sm_client.add_association(SourceArn=component, DestinationArn=arn)
    artifacts = sm_client.list_artifacts(MaxResults=1)["NextToken"]
    associations = sm_client.list_associations(MaxResults=1)["NextToken"]
    assert error_of(sm_client.list_associations, NextToken=artifacts)["Message"] == (
        "Invalid NextToken: the token was issued by ListArtifacts, not ListAssociations.")
    assert error_of(sm_client.list_artifacts, NextToken=associations)["Message"] == (
        "Invalid NextToken: the token was issued by ListAssociations, not ListArtifacts.")
    assert error_of(sm_client.list_associations, NextToken=associations,
                    SortBy="SourceArn")["Message"].startswith(
        "Invalid NextToken: the token was issued for a ListAssociations request with other")


def test_update_without_a_name_keeps_it(sm_client):
    arn = make(sm_client, "s3://b/k", name="kept")
    assert sm_client.update_artifact(ArtifactArn=arn, Properties={"a": "1"})[
        "ArtifactArn"] == arn
    assert sm_client.describe_artifact(ArtifactArn=arn)["ArtifactName"] == "kept"


def test_filters_name_entities_in_any_letter_case(sm_client, component):
    arn = make(sm_client, "s3://b/k")
    sm_client.add_association(SourceArn=component, DestinationArn=arn)
    upper = PREFIX + "experiment-trial-component/STEP"
    listed = sm_client.list_associations(SourceArn=upper)["AssociationSummaries"]
    assert [(s["SourceArn"], s["DestinationArn"]) for s in listed] == [(TC_ARN, arn)]


def test_an_arn_of_another_account_names_no_entity(sm_client, component):
    foreign = "arn:aws:sagemaker:us-east-1:210987654321:experiment-trial-component/step"
    assert error_of(sm_client.add_association, SourceArn=foreign, DestinationArn=component) == {
        "Code": "ResourceNotFound", "Message": f"Resource '{foreign}' does not exist."}
    nameless = PREFIX + "experiment-trial-component/"
    assert error_of(sm_client.add_association, SourceArn=component,
                    DestinationArn=nameless)["Message"] == (
        f"Resource '{nameless}' does not exist.")


def test_a_source_uri_with_a_lone_surrogate_gets_an_artifact(sm_client):
    arn = make(sm_client, "s3://b/\ud800")
    assert sm_client.describe_artifact(ArtifactArn=arn)["Source"]["SourceUri"] == "s3://b/\ud800"


def test_created_at_one_instant_lists_in_creation_order(sm_client, component, monkeypatch):
    instant = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    monkeypatch.setattr("pytest_sm_experiments.core.service.utcnow", lambda: instant)
    arns = [make(sm_client, f"s3://b/{i}", name=f"a{i}") for i in range(4)]
    for arn in arns:
        sm_client.add_association(SourceArn=component, DestinationArn=arn)
    for order, expected in (("Ascending", arns), ("Descending", arns[::-1])):
        listed = sm_client.list_artifacts(SortOrder=order)["ArtifactSummaries"]
        assert [s["ArtifactArn"] for s in listed] == expected
        pages = sm_client.get_paginator("list_associations").paginate(
            SortOrder=order, PaginationConfig={"PageSize": 3}).build_full_result()
        assert [s["DestinationArn"] for s in pages["AssociationSummaries"]] == expected


def test_associations_list_by_their_own_creation_time_not_their_ends(sm_client, monkeypatch):
    """The default order (CreationTime, Descending) is the association's time: an association
    made later from an older entity lists first."""
    clock = iter(datetime(2026, 1, 2, 3, 4, second, tzinfo=timezone.utc) for second in range(60))
    monkeypatch.setattr("pytest_sm_experiments.core.service.utcnow", lambda: next(clock))
    old, new, end = (make(sm_client, f"s3://b/{name}", name=name) for name in ("old", "new", "end"))
    sm_client.add_association(SourceArn=new, DestinationArn=end)
    sm_client.add_association(SourceArn=old, DestinationArn=end)
    listed = sm_client.list_associations()["AssociationSummaries"]
    assert [s["SourceArn"] for s in listed] == [old, new]
    ascending = sm_client.list_associations(SortOrder="Ascending")["AssociationSummaries"]
    assert [s["SourceArn"] for s in ascending] == [new, old]


def test_list_associations_created_before_alone(sm_client, component):
    first = make(sm_client, "s3://b/0")
    sm_client.add_association(SourceArn=component, DestinationArn=first)
    (only,) = sm_client.list_associations()["AssociationSummaries"]
    later = make(sm_client, "s3://b/1")
    sm_client.add_association(SourceArn=component, DestinationArn=later)
    listed = sm_client.list_associations(CreatedBefore=only["CreationTime"])
    assert [s["DestinationArn"] for s in listed["AssociationSummaries"]] == [first]


def test_list_artifacts_token_is_bound_to_the_source_uri(sm_client):
    for i in range(2):
        make(sm_client, "s3://b/same" if i == 0 else "s3://b/other", kind="Model")
    token = sm_client.list_artifacts(MaxResults=1, ArtifactType="Model")["NextToken"]
    error = error_of(sm_client.list_artifacts, ArtifactType="Model", SourceUri="s3://b/same",
                     NextToken=token)
    assert error["Message"].startswith(
        "Invalid NextToken: the token was issued for a ListArtifacts request with other")


# -- an association of an entity with itself --

def test_an_association_of_an_entity_with_itself_can_be_deleted(sm_client):
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.add_association(SourceArn=EXP_ARN, DestinationArn=EXP_ARN)
    assert sm_client.delete_association(SourceArn=EXP_ARN, DestinationArn=EXP_ARN) == {
        "SourceArn": EXP_ARN, "DestinationArn": EXP_ARN, "ResponseMetadata": ANY}
    assert sm_client.list_associations(SourceArn=EXP_ARN)["AssociationSummaries"] == []
    sm_client.add_association(SourceArn=EXP_ARN, DestinationArn=EXP_ARN)
    sm_client.delete_experiment(ExperimentName="exp")
    sm_client.create_experiment(ExperimentName="exp")
    assert sm_client.list_associations(DestinationArn=EXP_ARN)["AssociationSummaries"] == []
