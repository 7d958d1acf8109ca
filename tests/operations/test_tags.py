"""AddTags, ListTags and DeleteTags on experiments, trials and trial components."""

from __future__ import annotations

import pytest
import strategies as S
from botocore.config import Config
from botocore.exceptions import ClientError

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"
KINDS = ["experiment", "trial", "trial_component"]


def make(client, kind):
    """Create one resource of ``kind`` named 'Thing'; return its ARN and its handle view."""
    client.create_experiment(ExperimentName="Exp")
    if kind == "experiment":
        return client.create_experiment(ExperimentName="Thing")["ExperimentArn"], "experiments"
    if kind == "trial":
        return client.create_trial(TrialName="Thing", ExperimentName="Exp")["TrialArn"], "trials"
    arn = client.create_trial_component(TrialComponentName="Thing")["TrialComponentArn"]
    return arn, "trial_components"


def tags(*pairs):
    return [{"Key": key, "Value": value} for key, value in pairs]


@pytest.mark.parametrize("kind", KINDS)
def test_add_list_delete(sm_client, sm_experiments, kind):
    arn, view = make(sm_client, kind)
    added = sm_client.add_tags(ResourceArn=arn, Tags=tags(("team", "risk"), ("env", "dev")))
    assert added["Tags"] == tags(("team", "risk"), ("env", "dev"))
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == tags(("team", "risk"), ("env", "dev"))
    assert getattr(sm_experiments, view)["thing"].tags == {"team": "risk", "env": "dev"}
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["team", "absent"])
    listed = sm_client.list_tags(ResourceArn=arn)
    assert listed["Tags"] == tags(("env", "dev"))
    assert "NextToken" not in listed
    assert getattr(sm_experiments, view)["Thing"].tags == {"env": "dev"}


@pytest.mark.parametrize("kind", KINDS)
def test_add_overwrites_existing_key(sm_client, kind):
    arn, _ = make(sm_client, kind)
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("team", "risk"), ("env", "dev")))
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("team", "fraud")))
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == tags(("team", "fraud"), ("env", "dev"))


def test_creation_tags_are_listed(sm_client):
    sm_client.create_experiment(ExperimentName="Exp", Tags=tags(("a", "1")))
    arn = sm_client.create_trial(TrialName="T", ExperimentName="Exp",
                                 Tags=tags(("b", "2")))["TrialArn"]
    assert sm_client.list_tags(ResourceArn=PREFIX + "experiment/exp")["Tags"] == tags(("a", "1"))
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == tags(("b", "2"))


def test_delete_tags_returns_empty_response(sm_client):
    arn, _ = make(sm_client, "experiment")
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("a", "1")))
    response = sm_client.delete_tags(ResourceArn=arn, TagKeys=["a"])
    response.pop("ResponseMetadata")
    assert response == {}


@pytest.mark.parametrize("kind", KINDS)
def test_arn_resolves_in_any_letter_case(sm_client, kind):
    arn, _ = make(sm_client, kind)
    upper = arn.rpartition("/")[0] + "/THING"
    sm_client.add_tags(ResourceArn=upper, Tags=tags(("k", "v")))
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == tags(("k", "v"))


@pytest.mark.parametrize("arn", [
    PREFIX + "experiment/ghost",
    PREFIX + "experiment-trial/thing",  # the experiment of that name is not a trial
    "arn:aws:sagemaker:eu-west-1:123456789012:experiment/thing",  # another region
    "arn:aws:sagemaker:us-east-1:210987654321:experiment/thing",  # another account
    PREFIX + "training-job/thing",
])
@pytest.mark.parametrize("operation", ["add_tags", "list_tags", "delete_tags"])
def test_missing_resource_is_validation_exception(sm_client, sm_experiments, arn, operation):
    make(sm_client, "experiment")
    before = S.records(sm_experiments)
    kwargs = {"add_tags": {"Tags": tags(("k", "v"))}, "list_tags": {},
              "delete_tags": {"TagKeys": ["k"]}}[operation]
    with pytest.raises(ClientError) as raised:
        getattr(sm_client, operation)(ResourceArn=arn, **kwargs)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException", "Message": f"Resource {arn} does not exist."}
    assert S.records(sm_experiments) == before


def test_deleted_resource_loses_its_tags(sm_client):
    arn, _ = make(sm_client, "experiment")
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("k", "v")))
    sm_client.delete_experiment(ExperimentName="Thing")
    sm_client.create_experiment(ExperimentName="Thing")
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == []


@pytest.mark.parametrize("operation", ["add_tags", "delete_tags"])
def test_reserved_prefix(sm_client, sm_experiments, operation):
    arn, _ = make(sm_client, "experiment")
    before = S.records(sm_experiments)
    kwargs = ({"Tags": tags(("ok", "1"), ("AWS:team", "x"))} if operation == "add_tags"
              else {"TagKeys": ["ok", "AWS:team"]})
    with pytest.raises(ClientError) as raised:
        getattr(sm_client, operation)(ResourceArn=arn, **kwargs)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "System prefix 'aws:' reserved for AWS usage in tag key: AWS:team"}
    assert S.records(sm_experiments) == before


def test_duplicate_key_in_one_request(sm_client, sm_experiments):
    arn, _ = make(sm_client, "trial_component")
    with pytest.raises(ClientError) as raised:
        sm_client.add_tags(ResourceArn=arn, Tags=tags(("k", "1"), ("k", "2")))
    assert raised.value.response["Error"]["Message"] == "Duplicate tag key"
    assert sm_experiments.trial_components["Thing"].tags == {}


def test_per_resource_limit_counts_unique_keys(sm_client, sm_experiments):
    arn, _ = make(sm_client, "trial")
    sm_client.add_tags(ResourceArn=arn, Tags=tags(*((f"k{i}", "v") for i in range(45))))
    # Overwriting existing keys does not count twice: 45 + 5 new = 50 is allowed.
    sm_client.add_tags(ResourceArn=arn, Tags=tags(*((f"k{i}", "w") for i in range(40, 50))))
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.add_tags(ResourceArn=arn, Tags=tags(("k0", "x"), ("one-more", "v")))
    assert raised.value.response["Error"]["Message"] == (
        "The account-level service limit 'Total number of tags allowed per resource' is 50 "
        "Tags, with current utilization of 0 Tags and a request delta of 51 Tags. Please "
        "contact AWS support to request an increase for this limit.")
    assert S.records(sm_experiments) == before


def test_more_than_50_tags_in_one_request_is_a_model_error(sm_client):
    arn, _ = make(sm_client, "experiment")
    with pytest.raises(ClientError) as raised:
        sm_client.add_tags(ResourceArn=arn, Tags=tags(*((f"k{i}", "v") for i in range(51))))
    assert raised.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value '[")
    assert "Member must have length less than or equal to 50" in (
        raised.value.response["Error"]["Message"])


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 120})
def test_list_tags_pages_through_the_paginator(sm_client):
    arn, _ = make(sm_client, "experiment")
    for start, stop in ((0, 50), (50, 100), (100, 120)):
        sm_client.add_tags(ResourceArn=arn,
                           Tags=tags(*((f"k{i:03d}", "v") for i in range(start, stop))))
    first = sm_client.list_tags(ResourceArn=arn)
    assert len(first["Tags"]) == 50
    assert first["NextToken"]
    pages = list(sm_client.get_paginator("list_tags").paginate(ResourceArn=arn))
    assert [len(page["Tags"]) for page in pages] == [50, 50, 20]
    keys = [tag["Key"] for page in pages for tag in page["Tags"]]
    assert keys == [f"k{i:03d}" for i in range(120)]


def test_list_tags_max_results_below_50_is_refused(sm_experiments):
    # botocore checks minimums client-side; without that check the mock refuses it too.
    client = sm_experiments.client(config=Config(parameter_validation=False))
    arn, _ = make(client, "experiment")
    with pytest.raises(ClientError) as raised:
        client.list_tags(ResourceArn=arn, MaxResults=10)
    assert raised.value.response["Error"]["Message"] == (
        "1 validation error detected: Value '10' at 'maxResults' failed to satisfy constraint: "
        "Member must have value greater than or equal to 50")


def test_describe_does_not_show_tags(sm_client):
    arn, _ = make(sm_client, "trial_component")
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("k", "v")))
    assert "Tags" not in sm_client.describe_trial_component(TrialComponentName="Thing")


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 120})
@pytest.mark.parametrize(("count", "pages"), [(50, [50]), (100, [50, 50]), (101, [50, 50, 1])])
def test_list_tags_pages_end_exactly(sm_client, count, pages):
    arn, _ = make(sm_client, "experiment")
    for start in range(0, count, 50):
        sm_client.add_tags(ResourceArn=arn, Tags=tags(
            *((f"k{i:03d}", "v") for i in range(start, min(start + 50, count)))))
    seen = []
    token = None
    while True:
        response = sm_client.list_tags(ResourceArn=arn, **({"NextToken": token} if token else {}))
        seen.append(len(response["Tags"]))
        token = response.get("NextToken")
        if token is None:
            break
    assert seen == pages


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 120})
def test_list_tags_resumes_after_the_last_tag_seen_was_deleted(sm_client):
    arn, _ = make(sm_client, "experiment")
    for start in (0, 50):
        sm_client.add_tags(ResourceArn=arn,
                           Tags=tags(*((f"k{i:03d}", "v") for i in range(start, start + 50))))
    first = sm_client.list_tags(ResourceArn=arn, MaxResults=50)
    assert first["Tags"][-1]["Key"] == "k049"
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["k049"])
    second = sm_client.list_tags(ResourceArn=arn, MaxResults=50, NextToken=first["NextToken"])
    assert [tag["Key"] for tag in second["Tags"]] == [f"k{i:03d}" for i in range(50, 100)]
    assert "NextToken" not in second


@pytest.mark.parametrize("arn", [
    PREFIX + "experiment/",
    PREFIX + "experiment",
    PREFIX + "artifact/0123456789abcdef0123456789abcdef",
])
def test_arn_that_names_no_resource_is_validation_exception(sm_client, arn):
    make(sm_client, "experiment")
    with pytest.raises(ClientError) as raised:
        sm_client.list_tags(ResourceArn=arn)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException", "Message": f"Resource {arn} does not exist."}


def test_lineage_artifacts_take_tags(sm_client):
    arn = sm_client.create_artifact(ArtifactType="Dataset", Source={"SourceUri": "s3://b/k"})[
        "ArtifactArn"]
    sm_client.add_tags(ResourceArn=arn, Tags=tags(("team", "risk")))
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == tags(("team", "risk"))
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["team"])
    assert sm_client.list_tags(ResourceArn=arn)["Tags"] == []


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 60})
def test_list_tags_token_is_bound_to_its_resource_and_operation(sm_client):
    first, _ = make(sm_client, "experiment")
    second = sm_client.create_experiment(ExperimentName="Second")["ExperimentArn"]
    for arn in (first, second):
        for start in (0, 50):
            sm_client.add_tags(ResourceArn=arn, Tags=tags(
                *((f"k{i:02d}", "v") for i in range(start, start + 5 if start else 50))))
    token = sm_client.list_tags(ResourceArn=first)["NextToken"]
    with pytest.raises(ClientError) as raised:
        sm_client.list_tags(ResourceArn=second, NextToken=token)
    assert raised.value.response["Error"]["Message"].startswith(
        "Invalid NextToken: the token was issued for a ListTags request with other")
    with pytest.raises(ClientError) as raised:
        sm_client.list_experiments(NextToken=token)
    assert raised.value.response["Error"]["Message"] == (
        "Invalid NextToken: the token was issued by ListTags, not ListExperiments.")
