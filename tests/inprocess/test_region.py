"""The region a request is answered in: the client's, else the endpoint's host, else the mock's.

Recent botocore puts the client's region on every request; older botocore (and a raw request)
leaves only the URL, whose host names the region for AWS's endpoints.
"""

from __future__ import annotations

import json
import os
from typing import Any

import botocore.session
import pytest
from botocore import xform_name
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.tokens import FrozenAuthToken

from pytest_sm_experiments import attach
from pytest_sm_experiments.inprocess import hook


def _create(url: str, context: dict[str, object] | None = None) -> dict[str, object]:
    request = AWSPreparedRequest("POST", url, {}, json.dumps({"ExperimentName": "e"}).encode(),
                                 False, context=context or {})
    response = hook.before_send(request=request,
                                  event_name="before-send.sagemaker.CreateExperiment")
    assert response.status_code == 200, response.content
    return json.loads(response.content)


@pytest.mark.parametrize(("url", "region"), [
    ("https://api.sagemaker.eu-west-1.amazonaws.com/", "eu-west-1"),
    ("https://api.sagemaker.eu-west-1.amazonaws.com:443/a/b.c:d", "eu-west-1"),
    ("https://sagemaker.ap-south-1.amazonaws.com/", "ap-south-1"),
    ("https://api.sagemaker.cn-north-1.amazonaws.com.cn/", "cn-north-1"),
    ("https://api-fips.sagemaker.us-gov-west-1.amazonaws.com/x", "us-gov-west-1"),
    # No region in the host: the mock's own region (us-east-1).
    ("https://eu-west-1.amazonaws.com/", "us-east-1"),
    ("https://api.sagemaker.fips.amazonaws.com/", "us-east-1"),
    ("https://localhost:4566/", "us-east-1"),
    ("https://localhost:4566/api.sagemaker.eu-west-1.amazonaws.com/x", "us-east-1"),
    ("http://user:eu-west-1@localhost/", "us-east-1"),
    ("not a url", "us-east-1"),
])
def test_region_from_the_endpoint_host(sm_experiments, url, region):
    partition = {"cn-north-1": "aws-cn", "us-gov-west-1": "aws-us-gov"}.get(region, "aws")
    assert _create(url) == {
        "ExperimentArn": f"arn:{partition}:sagemaker:{region}:123456789012:experiment/e"}
    assert sm_experiments.calls[-1].region == region
    assert len(sm_experiments.region(region).experiments) == 1


def test_the_clients_region_wins_over_the_host(sm_experiments):
    url = "https://api.sagemaker.eu-west-1.amazonaws.com/"
    _create(url, {"client_region": "ap-southeast-2"})
    _create(url, {"client_region": 42})  # not a region: the host's
    assert [call.region for call in sm_experiments.calls] == ["ap-southeast-2", "eu-west-1"]


def test_the_same_url_answers_the_same_region_every_time(sm_experiments):
    url = "https://api.sagemaker.sa-east-1.amazonaws.com/"
    for name in ("a", "b", "c"):
        request = AWSPreparedRequest("POST", url, {},
                                     json.dumps({"ExperimentName": name}).encode(), False)
        hook.before_send(request=request, event_name="before-send.sagemaker.CreateExperiment")
    assert sorted(sm_experiments.region("sa-east-1").experiments) == ["a", "b", "c"]


def test_a_client_with_the_router_twice_is_answered_once(sm_experiments):
    client = attach(sm_experiments.client())  # the Session already has the router
    client.create_experiment(ExperimentName="once")
    assert sm_experiments.calls.operations == ["CreateExperiment"]
    assert list(sm_experiments.experiments) == ["once"]


# -- ARNs in the partition of every AWS region family ---------------------------------------
# Partitions and their regions' names as botocore's endpoints data lists them (botocore/data/
# endpoints.json, "partition" and "regionRegex"), written out here.

@pytest.mark.parametrize(("region", "partition"), [
    ("us-east-1", "aws"),
    ("cn-northwest-1", "aws-cn"),
    ("us-gov-west-1", "aws-us-gov"),
    ("us-gov-east-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"),
    ("us-isob-east-1", "aws-iso-b"),
    ("eu-isoe-west-1", "aws-iso-e"),
    ("us-isof-south-1", "aws-iso-f"),
    ("eusc-de-east-1", "aws-eusc"),
    ("mars-west-1", "aws"),  # no partition claims the name: botocore resolves it in aws
])
def test_arns_are_in_the_partition_of_the_clients_region(sm_experiments, region, partition):
    client = sm_experiments.client(region=region)
    if client.meta.partition != partition:
        pytest.skip(f"this botocore does not know partition {partition} (added in 2025)")
    arn = client.create_experiment(ExperimentName="Churn")["ExperimentArn"]
    assert arn == f"arn:{partition}:sagemaker:{region}:123456789012:experiment/churn"
    component = client.create_trial_component(TrialComponentName="run")["TrialComponentArn"]
    assert component == (
        f"arn:{partition}:sagemaker:{region}:123456789012:experiment-trial-component/run")
    artifact = client.create_artifact(
        Source={"SourceUri": "s3://bucket/data.csv"}, ArtifactType="DataSet")["ArtifactArn"]
    assert artifact.startswith(f"arn:{partition}:sagemaker:{region}:123456789012:artifact/")
    identity = sm_experiments.client("sts", region=region).get_caller_identity()
    assert identity["Arn"] == (f"arn:{partition}:sts::123456789012:assumed-role/"
                               "pytest-sm-experiments/pytest-sm-experiments")


# -- the region comes from the endpoint's host only --

@pytest.mark.parametrize("url", [
    # Only the host names a region: not the user info, the path, nor text after a second "://".
    "http://user:pw@sagemaker.eu-west-1.amazonaws.com/",
    "http://user:pw@sagemaker.eu-west-1.amazonaws.com:443/",
    "https://localhost/api.sagemaker.eu-west-1.amazonaws.com/x",
    "https://localhost/x://api.sagemaker.eu-west-1.amazonaws.com/",
])
def test_only_the_endpoint_host_names_the_region(sm_experiments, url):
    arn = _create(url)["ExperimentArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:experiment/e"


# -- what an answered request shows: its URL, the journal's process --

def test_an_answered_response_carries_the_request_url(sm_experiments):
    client = sm_experiments.client(region="eu-west-1")
    seen: list[str] = []
    client.meta.events.register(
        "after-call.sagemaker.CreateExperiment",
        lambda http_response, **_: seen.append(http_response.url))
    client.create_experiment(ExperimentName="e")
    assert seen == ["https://api.sagemaker.eu-west-1.amazonaws.com/"]


def test_the_journal_records_this_process(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="e")
    assert [call.pid for call in sm_experiments.calls] == [os.getpid()]


# -- signing: the client's own key without a mock, a bearer token only where allowed out --

def _captured_authorization(client: Any, operation: str) -> list[str]:
    """The Authorization header of each request ``client`` sends for ``operation`` (answered
    here by the test's own before-send hook, so nothing is sent)."""
    seen: list[str] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        authorization = request.headers.get("Authorization", b"")
        seen.append(authorization.decode() if isinstance(authorization, bytes) else authorization)
        response = AWSResponse(request.url, 200, {}, None)  # type: ignore[arg-type]
        response._content = b"{}"
        return response

    client.meta.events.register(f"before-send.{client.meta.service_model.service_id.hyphenize()}."
                                f"{operation}", answer)
    getattr(client, xform_name(operation))()
    return seen


def test_without_a_mock_requests_are_signed_with_the_clients_own_key():
    # SSM: a service no mock here serves.
    client = botocore.session.get_session().create_client(
        "ssm", region_name="us-east-1", aws_access_key_id="AKIDOWNKEY",
        aws_secret_access_key="secret")
    [authorization] = _captured_authorization(client, "DescribeParameters")
    assert "Credential=AKIDOWNKEY/" in authorization


class _Token:
    """A bearer token provider (what botocore's SSO token provider hands a client)."""

    def load_token(self, **_: Any) -> _Token:
        return self

    def get_frozen_token(self) -> FrozenAuthToken:
        return FrozenAuthToken("the-users-token")


def _codecatalyst() -> Any:
    session = botocore.session.get_session()
    session.register_component("token_provider", _Token())
    return session.create_client("codecatalyst", region_name="us-east-1")


def test_a_bearer_token_is_not_sent_to_a_service_not_allowed_out(sm_experiments):
    assert _captured_authorization(_codecatalyst(), "ListSpaces") == [""]


@pytest.mark.sm_experiments(allow_network=["codecatalyst"])
def test_a_bearer_token_is_sent_to_a_service_allowed_out(sm_experiments):
    assert _captured_authorization(_codecatalyst(), "ListSpaces") == ["Bearer the-users-token"]
