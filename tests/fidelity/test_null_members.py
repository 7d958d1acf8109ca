"""A member sent as JSON ``null`` is a member not sent, at any depth, as AWS's JSON servers read
it (Smithy's protocol test ``AwsJson11ServersDontDeserializeNullStructureValues``): never a
Python error, never a 500. botocore itself never sends null, so these requests come from raw
clients (over the endpoint) and from a client with parameter validation off."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
import strategies as S
from botocore.config import Config
from endpoint_helpers import Response, raw, serving, signed_request

LIST_OPERATIONS = sorted(op for service, op in S.served()
                         if service == "sagemaker" and op.startswith("List"))


@functools.cache
def _model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def _headers(service: str, operation: str) -> tuple[str, str, dict[str, str]]:
    """How a client addresses ``operation``: method, path and protocol headers (from the
    service's own model, as the SDKs build them)."""
    model = _model(service)
    if model.protocol == "json":
        return "POST", "/", {"X-Amz-Target": f"{model.metadata['targetPrefix']}.{operation}",
                             "Content-Type": "application/x-amz-json-1.1"}
    http = model.operation_model(operation).http
    return http["method"], http["requestUri"], {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def two_endpoints() -> Iterator[tuple[Any, Any]]:
    with serving() as absent, serving() as null:
        yield absent, null


def _answer(endpoint: Any, service: str, operation: str, params: dict[str, Any]) -> Any:
    method, path, headers = _headers(service, operation)
    body = json.dumps(params).encode()
    response = Response(raw(endpoint.port, signed_request(
        endpoint, body, headers, path=path, method=method, service="sagemaker")))
    return response.status, response.headers.get("x-amzn-errortype"), response.json()


JSON_OPERATIONS = [(service, op) for service, op in S.served() if service != "sts"]


@pytest.mark.parametrize(("service", "operation"), JSON_OPERATIONS,
                         ids=[op for _, op in JSON_OPERATIONS])
def test_a_null_top_level_member_is_answered_as_if_absent(two_endpoints, service, operation):
    absent, null = two_endpoints
    members = _model(service).operation_model(operation).input_shape.members
    expected = _answer(absent, service, operation, {})
    for member in members:
        got = _answer(null, service, operation, {member: None})
        assert got == expected, member
        assert got[0] < 500


NESTED = [
    ("CreateExperiment", {"ExperimentName": "e", "Tags": [{"Key": "k", "Value": None}]},
     {"ExperimentName": "e", "Tags": [{"Key": "k"}]}),
    ("CreateTrialComponent",
     {"TrialComponentName": "c", "Parameters": {"p": {"StringValue": None, "NumberValue": 1}},
      "Status": {"PrimaryStatus": "InProgress", "Message": None}},
     {"TrialComponentName": "c", "Parameters": {"p": {"NumberValue": 1}},
      "Status": {"PrimaryStatus": "InProgress"}}),
    ("Search", {"Resource": "Experiment", "SearchExpression": {
        "Filters": [{"Name": "ExperimentName", "Operator": None, "Value": "e"}],
        "Operator": None}},
     {"Resource": "Experiment", "SearchExpression": {
         "Filters": [{"Name": "ExperimentName", "Value": "e"}]}}),
]


@pytest.mark.parametrize(("operation", "with_null", "without"), NESTED,
                         ids=[case[0] for case in NESTED])
def test_a_null_nested_member_is_answered_as_if_absent(operation, with_null, without):
    with serving() as absent, serving() as null:
        expected = _answer(absent, "sagemaker", operation, without)
        got = _answer(null, "sagemaker", operation, with_null)
    assert _without(got, ("CreationTime", "LastModifiedTime")) == _without(
        expected, ("CreationTime", "LastModifiedTime"))


def _without(answer: Any, keys: tuple[str, ...]) -> Any:
    status, code, body = answer
    return status, code, {key: value for key, value in body.items() if key not in keys}


def test_a_null_list_item_is_a_validation_error_that_quotes_null():
    with serving() as endpoint:
        status, code, body = _answer(endpoint, "sagemaker", "DeleteTags", {
            "ResourceArn": "arn:aws:sagemaker:us-east-1:123456789012:experiment/e",
            "TagKeys": [None]})
    assert (status, code) == (400, "ValidationException")
    assert body["Message"] == (
        "1 validation error detected: Value 'null' at 'tagKeys.1.member' failed to satisfy "
        "constraint: Member must be a string")


@pytest.mark.parametrize("operation", LIST_OPERATIONS)
def test_max_results_null_from_a_client_without_validation_lists_as_the_default(
        sm_experiments, operation):
    client = sm_experiments.client(config=Config(parameter_validation=False))
    strict = sm_experiments.client()
    method = botocore.xform_name(operation)
    needs = {"ListTrialComponents": {}, "ListAssociations": {}, "ListTags": {
        "ResourceArn": strict.create_experiment(ExperimentName="tagged", Tags=[
            {"Key": "k", "Value": "v"}])["ExperimentArn"]}}.get(operation, {})
    expected = getattr(strict, method)(**needs)
    got = getattr(client, method)(MaxResults=None, **needs)
    for answer in (expected, got):
        answer.pop("ResponseMetadata")
    assert got == expected
