"""Lineage contexts and actions through boto3: Create/Describe/List/Update/Delete, names in any
letter case, Source, types, Status, Properties, tags, paging, errors. The two resources share
their rules, so most tests run for both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"


def error_of(call, **params):
    with pytest.raises(ClientError) as raised:
        call(**params)
    return raised.value.response["Error"]


@dataclass(frozen=True)
class Kind:
    """Where one resource keeps what the shared tests use."""

    noun: str  # Context / Action
    resource: str  # the ARN's resource type

    def member(self, suffix):
        return f"{self.noun}{suffix}"

    def call(self, client, verb, **params):
        return getattr(client, f"{verb}_{self.resource}")(**params)

    def create(self, client, name, uri="s3://b/k", kind="Endpoint", **extra):
        params = {self.member("Name"): name, "Source": {"SourceUri": uri},
                  self.member("Type"): kind, **extra}
        return self.call(client, "create", **params)[self.member("Arn")]

    def describe(self, client, name):
        answer = self.call(client, "describe", **{self.member("Name"): name})
        answer.pop("ResponseMetadata")
        return answer

    def listed(self, client, **params):
        plural = "contexts" if self.resource == "context" else "actions"
        return getattr(client, f"list_{plural}")(**params)[self.member("Summaries")]

    def names(self, client, **params):
        return [s[self.member("Name")] for s in self.listed(client, **params)]


CONTEXT, ACTION = Kind("Context", "context"), Kind("Action", "action")


@pytest.fixture(params=[CONTEXT, ACTION], ids=["context", "action"])
def kind(request):
    return request.param


def test_create_and_describe_every_member(sm_client, kind):
    extra = {"Status": "InProgress", "MetadataProperties": {"CommitId": "c0ffee"}} if (
        kind is ACTION) else {}
    arn = kind.create(sm_client, "Deploy-1", uri="s3://b/model", kind="ModelDeployment",
                      Description="first", Properties={"k1": "v1"},
                      Tags=[{"Key": "team", "Value": "ml"}], **extra)
    # The ARN names the resource type and the name (lower-cased by default, as for the
    # experiment entities: the mock's arn_case option).
    assert arn == f"{PREFIX}{kind.resource}/deploy-1"
    # Names are found in any letter case.
    described = kind.describe(sm_client, "DEPLOY-1")
    created = described.pop("CreationTime")
    assert described.pop("LastModifiedTime") == created
    expected = {
        kind.member("Name"): "Deploy-1",
        kind.member("Arn"): arn,
        "Source": {"SourceUri": "s3://b/model"},
        kind.member("Type"): "ModelDeployment",
        "Description": "first",
        "Properties": {"k1": "v1"},
        "CreatedBy": {},
        "LastModifiedBy": {},
        **extra,
    }
    assert described == expected
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "ml"}]


def test_source_type_and_id_are_kept(sm_client, kind):
    params = {kind.member("Name"): "n", kind.member("Type"): "T",
              "Source": {"SourceUri": "u", "SourceType": "S3ETag", "SourceId": "abc"}}
    kind.call(sm_client, "create", **params)
    assert kind.describe(sm_client, "n")["Source"] == params["Source"]
    (summary,) = kind.listed(sm_client)
    assert summary["Source"] == params["Source"]


def test_minimal_record_has_no_empty_members(sm_client, kind):
    kind.create(sm_client, "bare")
    described = kind.describe(sm_client, "bare")
    assert set(described) == {kind.member("Name"), kind.member("Arn"), "Source",
                              kind.member("Type"), "CreationTime", "LastModifiedTime",
                              "CreatedBy", "LastModifiedBy"}


def test_describe_by_arn_in_any_letter_case(sm_client, kind):
    arn = kind.create(sm_client, "Named")
    upper = arn.replace("/named", "/NAMED")
    assert kind.describe(sm_client, upper)[kind.member("Arn")] == arn


def test_name_is_unique_in_any_letter_case(sm_client, kind):
    """The model: the name "must be unique to your account in an AWS Region"; the SDK matches
    "already exists" in a ValidationException."""
    kind.create(sm_client, "taken", uri="s3://b/1")
    before = kind.listed(sm_client)
    params = {kind.member("Name"): "TAKEN", kind.member("Type"): "x",
              "Source": {"SourceUri": "s3://b/2"}}
    assert error_of(getattr(sm_client, f"create_{kind.resource}"), **params) == {
        "Code": "ValidationException",
        "Message": f"{kind.noun} with name (TAKEN) already exists."}
    assert kind.listed(sm_client) == before


def test_source_uri_may_repeat(sm_client, kind):
    """The SDK's lineage integration tests create three of each with SourceUri "foo"."""
    for name in ("a", "b", "c"):
        kind.create(sm_client, name, uri="foo")
    assert kind.names(sm_client, SourceUri="foo") == ["c", "b", "a"]


def test_model_validation_applies(sm_client, kind):
    error = error_of(getattr(sm_client, f"create_{kind.resource}"),
                     **{kind.member("Name"): "has space", kind.member("Type"): "x",
                        "Source": {"SourceUri": "u"}})
    assert error["Code"] == "ValidationException"
    assert "Member must satisfy regular expression pattern" in error["Message"]
    too_many = {f"k{i}": "v" for i in range(31)}
    error = error_of(getattr(sm_client, f"create_{kind.resource}"),
                     **{kind.member("Name"): "n", kind.member("Type"): "x",
                        "Source": {"SourceUri": "u"}, "Properties": too_many})
    assert "Member must have length less than or equal to 30" in error["Message"]
    assert kind.listed(sm_client) == []


def test_context_names_may_have_underscores_and_action_names_may_not(sm_client):
    """ContextName's pattern allows ``_``; ActionName is an ExperimentEntityName."""
    assert CONTEXT.create(sm_client, "with_underscore").endswith("/with_underscore")
    error = error_of(sm_client.create_action, ActionName="with_underscore", ActionType="x",
                     Source={"SourceUri": "u"})
    assert error["Code"] == "ValidationException"


def test_describe_missing_or_foreign(sm_client, kind):
    arn = kind.create(sm_client, "here")
    assert error_of(getattr(sm_client, f"describe_{kind.resource}"),
                    **{kind.member("Name"): "ghost"}) == {
        "Code": "ResourceNotFound",
        "Message": f"{kind.noun} '{PREFIX}{kind.resource}/ghost' does not exist."}
    for foreign in (arn.replace("us-east-1", "eu-west-1"),
                    arn.replace("123456789012", "444455556666")):
        assert error_of(getattr(sm_client, f"describe_{kind.resource}"),
                        **{kind.member("Name"): foreign}) == {
            "Code": "ResourceNotFound", "Message": f"{kind.noun} '{foreign}' does not exist."}


def test_describe_action_by_the_arn_of_another_resource_finds_nothing(sm_client):
    """DescribeAction's model pattern takes any experiment entity's ARN; one that names no
    action is not found, even when an action has that name."""
    ACTION.create(sm_client, "same")
    CONTEXT.create(sm_client, "same")
    error = error_of(sm_client.describe_action, ActionName=f"{PREFIX}context/same")
    assert error == {"Code": "ResourceNotFound",
                     "Message": f"Action '{PREFIX}context/same' does not exist."}


def test_list_filters_sort_and_page(sm_client, kind):
    for i, name in enumerate(["b1", "A0", "c2", "d3", "E4"]):
        kind.create(sm_client, name, uri=f"s3://b/{i % 2}", kind="Model" if i % 2 else "Data")
    assert kind.names(sm_client) == ["E4", "d3", "c2", "A0", "b1"]  # CreationTime, Descending
    assert kind.names(sm_client, SortOrder="Ascending") == ["b1", "A0", "c2", "d3", "E4"]
    # Name sorts in any letter case.
    assert kind.names(sm_client, SortBy="Name", SortOrder="Ascending") == [
        "A0", "b1", "c2", "d3", "E4"]
    assert kind.names(sm_client, SortBy="Name") == ["E4", "d3", "c2", "b1", "A0"]
    assert kind.names(sm_client, SourceUri="s3://b/1") == ["d3", "A0"]
    assert kind.names(sm_client, **{kind.member("Type"): "Data"}) == ["E4", "c2", "b1"]
    assert kind.names(sm_client, SourceUri="s3://b/1", **{kind.member("Type"): "Data"}) == []
    summary = kind.listed(sm_client)[0]
    expected = {kind.member("Arn"), kind.member("Name"), "Source", kind.member("Type"),
                "CreationTime", "LastModifiedTime"}
    assert set(summary) == expected

    plural = "contexts" if kind is CONTEXT else "actions"
    sizes, names = [], []
    for page in sm_client.get_paginator(f"list_{plural}").paginate(
            SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 2}):
        sizes.append(len(page[kind.member("Summaries")]))
        names += [s[kind.member("Name")] for s in page[kind.member("Summaries")]]
    assert (sizes, names) == ([2, 2, 1], ["A0", "b1", "c2", "d3", "E4"])


def test_list_created_bounds_are_inclusive(sm_client, kind):
    """The model docs: created "on or after" / "on or before" the time."""
    kind.create(sm_client, "only")
    created = kind.listed(sm_client)[0]["CreationTime"]
    assert kind.names(sm_client, CreatedAfter=created, CreatedBefore=created) == ["only"]
    assert kind.names(sm_client, CreatedAfter=created + timedelta(seconds=1)) == []
    assert kind.names(sm_client, CreatedBefore=created - timedelta(seconds=1)) == []


def test_list_token_is_bound_to_its_request(sm_client, kind):
    for name in ("a", "b", "c"):
        kind.create(sm_client, name, kind="Model")
    plural = "contexts" if kind is CONTEXT else "actions"
    listing = getattr(sm_client, f"list_{plural}")
    token = listing(MaxResults=1, **{kind.member("Type"): "Model"})["NextToken"]
    error = error_of(listing, NextToken=token, **{kind.member("Type"): "Data"})
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("Invalid NextToken:")
    other = "actions" if kind is CONTEXT else "contexts"
    assert error_of(getattr(sm_client, f"list_{other}"), NextToken=token)["Message"].startswith(
        "Invalid NextToken: the token was issued by List")


def test_update_overwrites_properties_then_removes(sm_client, kind):
    """The model: Properties "overwrites the current property list"; the SDK's integration
    test saves properties {"k3": "v3"} with properties_to_remove ["k1"] and loads {"k3": "v3"}."""
    kind.create(sm_client, "n", Description="old", Properties={"k1": "v1", "k2": "v2"})
    before = kind.describe(sm_client, "n")
    answer = kind.call(sm_client, "update", **{kind.member("Name"): "N"}, Description="new",
                       Properties={"k3": "v3", "k4": "v4"}, PropertiesToRemove=["k4", "k1"])
    assert answer[kind.member("Arn")] == before[kind.member("Arn")]
    after = kind.describe(sm_client, "n")
    assert (after["Description"], after["Properties"]) == ("new", {"k3": "v3"})
    assert after["CreationTime"] == before["CreationTime"]
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]
    # Without Properties, the list stays and PropertiesToRemove applies to it.
    kind.call(sm_client, "update", **{kind.member("Name"): "n"}, PropertiesToRemove=["k3"])
    after = kind.describe(sm_client, "n")
    assert "Properties" not in after
    assert after["Description"] == "new"
    assert error_of(getattr(sm_client, f"update_{kind.resource}"),
                    **{kind.member("Name"): "ghost"}) == {
        "Code": "ResourceNotFound",
        "Message": f"{kind.noun} '{PREFIX}{kind.resource}/ghost' does not exist."}


def test_action_status(sm_client):
    ACTION.create(sm_client, "deploy", Status="InProgress")
    sm_client.update_action(ActionName="deploy", Status="Completed")
    assert sm_client.describe_action(ActionName="deploy")["Status"] == "Completed"
    assert [s["Status"] for s in ACTION.listed(sm_client)] == ["Completed"]
    # An update without Status keeps it.
    sm_client.update_action(ActionName="deploy", Description="d")
    assert sm_client.describe_action(ActionName="deploy")["Status"] == "Completed"
    error = error_of(sm_client.update_action, ActionName="deploy", Status="Done")
    assert "Member must satisfy enum value set" in error["Message"]
    ACTION.create(sm_client, "no-status")
    assert "Status" not in sm_client.describe_action(ActionName="no-status")


def test_delete_frees_the_name_and_drops_associations(sm_client, kind):
    arn = kind.create(sm_client, "gone")
    data = sm_client.create_artifact(ArtifactType="DataSet",
                                     Source={"SourceUri": "s3://b/d"})["ArtifactArn"]
    sm_client.add_association(SourceArn=data, DestinationArn=arn)
    answer = kind.call(sm_client, "delete", **{kind.member("Name"): "GONE"})
    assert answer[kind.member("Arn")] == arn
    assert kind.listed(sm_client) == []
    assert sm_client.list_associations()["AssociationSummaries"] == []
    assert error_of(getattr(sm_client, f"delete_{kind.resource}"),
                    **{kind.member("Name"): "gone"})["Code"] == "ResourceNotFound"
    assert kind.create(sm_client, "gone") == arn


def test_tags(sm_client, kind):
    arn = kind.create(sm_client, "tagged")
    sm_client.add_tags(ResourceArn=arn, Tags=[{"Key": "a", "Value": "1"},
                                              {"Key": "b", "Value": "2"}])
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["a"])
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "b", "Value": "2"}]
    error = error_of(getattr(sm_client, f"create_{kind.resource}"),
                     **{kind.member("Name"): "t2", kind.member("Type"): "x",
                        "Source": {"SourceUri": "u"},
                        "Tags": [{"Key": "aws:x", "Value": "1"}]})
    assert error == {"Code": "ValidationException",
                     "Message": "System prefix 'aws:' reserved for AWS usage in tag key: aws:x"}


def test_calls_are_journaled(sm_client, sm_experiments, kind):
    arn = kind.create(sm_client, "j")
    kind.call(sm_client, "update", **{kind.member("Name"): "j"}, Description="d")
    kind.call(sm_client, "delete", **{kind.member("Name"): "j"})
    assert sm_experiments.calls.operations == [
        f"Create{kind.noun}", f"Update{kind.noun}", f"Delete{kind.noun}"]
    assert sm_experiments.calls.one(f"Create{kind.noun}").response == {kind.member("Arn"): arn}
    sm_experiments.assert_called_once(f"Update{kind.noun}", Description="d")


def test_per_account_and_region(sm_client, sm_experiments, kind):
    kind.create(sm_client, "mine")
    with sm_experiments.use_account("444455556666"):
        assert kind.listed(sm_client) == []
        assert kind.create(sm_client, "mine").startswith(
            f"arn:aws:sagemaker:us-east-1:444455556666:{kind.resource}/")
    other = sm_experiments.client(region="eu-west-1")
    assert kind.listed(other) == []


@pytest.mark.sm_experiments(arn_case="preserve")
def test_arn_keeps_the_name_as_created_when_asked(sm_client, kind):
    assert kind.create(sm_client, "MixedCase") == f"{PREFIX}{kind.resource}/MixedCase"
    assert kind.describe(sm_client, "mixedcase")[kind.member("Name")] == "MixedCase"
