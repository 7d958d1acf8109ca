"""Hostile input: every served operation, generated requests, through a real client and raw.

Every answer must be a success whose shape fits the model's output shape, or an error whose code
the model lists for that operation (or ValidationException); never another exception. After every
call the backend's invariants hold, the call is journaled, and a failed call changed nothing.

The operations come from ``OPERATIONS`` and the shapes from botocore's model (tests/strategies.py),
so operations added later are covered without edits here.

Profiles (registered in tests/conftest.py; derandomized, no database, no deadline):

- ``ci`` (default): 50 examples per unit, 1,000 examples across the three generated-request
  tests (sequences 10 units, wrong types 5, raw bodies 5);
- ``deep``: 2,500 per unit, 50,000 across the three (about 25 minutes on 2 shared cores):
  ``pytest tests/fidelity/test_hostile.py --hypothesis-profile=deep`` or
  ``SM_HYPOTHESIS_PROFILE=deep``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import strategies as S
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import create_parser
from hypothesis import event, given, settings
from hypothesis import strategies as st

from pytest_sm_experiments import SageMakerExperimentsMock, UnsupportedOperationError
from pytest_sm_experiments.inprocess import hook

#: Examples per unit in the loaded profile (``ci`` 50, ``deep`` 2,500).
UNIT = settings.default.max_examples
WEIGHTS = {"sequences": 10, "wrong_types": 5, "raw": 5}  # 20 units: 1,000 / 50,000 examples

#: Codes outside an operation's modeled errors that a handler documents as a CHOICE.
DOCUMENTED_UNMODELED = {
    # operations/metrics.py batch_put_metrics: a missing trial component fails the whole call.
    ("sagemaker-metrics", "BatchPutMetrics"): frozenset({"ResourceNotFound"}),
    # A merge that passes the parameters/artifacts/tags quota: the model lists no
    # ResourceLimitExceeded for these two; a documented CHOICE (operations/components.py
    # _check_sizes, operations/tags.py add_tags). Found by the deep profile.
    ("sagemaker", "UpdateTrialComponent"): frozenset({"ResourceLimitExceeded"}),
    ("sagemaker", "AddTags"): frozenset({"ResourceLimitExceeded"}),
}

_NO_RETRY = Config(parameter_validation=False, retries={"total_max_attempts": 1})
_URLS = {
    "sagemaker": "https://api.sagemaker.us-east-1.amazonaws.com/",
    "sagemaker-metrics": "https://metrics.sagemaker.us-east-1.amazonaws.com/BatchPutMetrics",
    "sts": "https://sts.us-east-1.amazonaws.com/",
}


@pytest.fixture(scope="module")
def hostile() -> Iterator[tuple[SageMakerExperimentsMock, dict[str, Any]]]:
    """One mock and one client per service for the whole module (each example resets)."""
    mock = SageMakerExperimentsMock(region=S.REGION, account_id=S.ACCOUNT)
    with mock:
        clients = {service: mock.client(service=service, config=_NO_RETRY)
                   for service in {service for service, _ in S.served()}}
        yield mock, clients


#: Quotas small enough that generated sequences run into every one of them.
TINY_QUOTAS = {"experiments": 2, "trials": 2, "trial_components": 2, "trials_per_experiment": 1,
               "components_per_trial": 1, "tags_per_resource": 2,
               "parameters_per_trial_component": 2, "artifacts_per_trial_component": 1}


@pytest.fixture(scope="module")
def tiny() -> SageMakerExperimentsMock:
    """A second mock with tiny quotas, started (nested) only around the examples that use it."""
    return SageMakerExperimentsMock(region=S.REGION, account_id=S.ACCOUNT, quotas=TINY_QUOTAS)


def allowed_codes(service: str, operation: str) -> frozenset[str]:
    return S.modeled_error_codes(service, operation) | DOCUMENTED_UNMODELED.get(
        (service, operation), frozenset())


def _outcome_checks(mock: SageMakerExperimentsMock, service: str, operation: str,
                    call: Any, before: Any, calls_before: int) -> str:
    """Call, then check everything; returns 'ok' or the error code."""
    failure: Exception | None = None
    try:
        response = call()
    except (UnsupportedOperationError, ClientError) as raised:
        failure = raised
    if isinstance(failure, UnsupportedOperationError):
        # By design: a request outside SageMaker Experiments (Search over TrainingJob...) fails
        # loudly, before anything is stored or journaled.
        assert operation in str(failure)
        assert S.snapshot(mock) == before
        assert len(mock.calls) == calls_before
        return "unsupported"
    if isinstance(failure, ClientError):
        code = failure.response["Error"]["Code"]
        assert code in allowed_codes(service, operation), (
            f"{operation} answered {code!r} ({failure}); modeled: "
            f"{sorted(S.modeled_error_codes(service, operation))}")
        assert S.snapshot(mock) == before, f"failed {operation} ({code}) changed state"
        outcome = code
    else:
        output = S.operation_model(service, operation).output_shape
        if output is not None:
            assert S.shape_problems(output, response) == []
            assert S.shape_problems(output, mock.calls[-1].response, raw=True) == []
        outcome = "ok"
    assert len(mock.calls) == calls_before + 1, "every call is journaled exactly once"
    recorded = mock.calls[-1]
    assert recorded.operation == operation
    assert recorded.error_code == (None if outcome == "ok" else outcome)
    assert S.invariant_problems(mock) == []
    return outcome


def _run(hostile: tuple[SageMakerExperimentsMock, dict[str, Any]],
         calls: list[tuple[str, str, dict[str, Any]]],
         inner: SageMakerExperimentsMock | None = None) -> list[str]:
    mock, clients = hostile
    if inner is not None:
        mock = inner.start()  # the innermost running mock answers
    try:
        mock.reset()
        outcomes = []
        for service, operation, params in calls:
            method = getattr(clients[service], S.method_name(operation))
            outcome = _outcome_checks(
                mock, service, operation, lambda method=method, params=params: method(**params),
                S.snapshot(mock), len(mock.calls))
            event(f"{operation}: {'ok' if outcome == 'ok' else outcome}")
            outcomes.append(outcome)
    finally:
        if inner is not None:
            inner.stop()
    return outcomes


def _journaled(mock: SageMakerExperimentsMock, calls: list[tuple[str, str, dict[str, Any]]],
               outcomes: list[str]) -> None:
    """The journal holds exactly this example's answered calls, in order (reset emptied it)."""
    answered = [(operation, outcome) for (_, operation, _), outcome in zip(
        calls, outcomes, strict=True) if outcome != "unsupported"]
    assert [(call.operation, call.error_code or "ok") for call in mock.calls] == answered


@pytest.mark.slow
@settings(max_examples=WEIGHTS["sequences"] * UNIT)
@given(calls=S.calls(), use_tiny_quotas=st.booleans())
def test_generated_call_sequences_answer_as_modeled(hostile, tiny, calls, use_tiny_quotas):
    outcomes = _run(hostile, calls, tiny if use_tiny_quotas else None)
    _journaled(tiny if use_tiny_quotas else hostile[0], calls, outcomes)


@pytest.mark.slow
@settings(max_examples=WEIGHTS["wrong_types"] * UNIT)
@given(calls=S.calls(("client",), max_calls=3))
def test_wrong_types_reach_the_mock_and_get_validation_errors(hostile, calls):
    outcomes = _run(hostile, calls)
    _journaled(hostile[0], calls, outcomes)


class Body(bytes):
    """A request body whose repr stays short in Hypothesis' reports."""

    def __repr__(self) -> str:
        shown = bytes(self)
        return f"Body({len(shown)} bytes: {shown[:120]!r}...{shown[-20:]!r})"


def _bodies(service: str, operation: str) -> st.SearchStrategy[Body]:
    def encoded(mode: str) -> st.SearchStrategy[bytes]:
        return S.request(service, operation, mode).map(lambda value: json.dumps(
            value, allow_nan=True, default=S.epoch_default).encode("utf-8", "surrogatepass"))

    shaped = st.one_of(encoded("valid"), encoded("hostile"), encoded("raw"))
    nested = st.integers(1, 100_000).map(lambda depth: b"[" * depth + b"]" * depth)
    deep_search = st.integers(1, 5_000).map(S.nested_search)
    truncated = shaped.flatmap(lambda body: st.integers(0, max(len(body) - 1, 0)).map(
        lambda cut: body[:cut]))
    odd = st.sampled_from([b"null", b"[]", b"\"x\"", b"1e999", b"{\"a\":NaN}",
                           b"\xff\xfe{}", b"{}" * 2, ("9" * 5000).encode()])
    return st.one_of(shaped, shaped, shaped, st.binary(max_size=64), truncated, nested,
                     deep_search, odd).map(Body)


@pytest.mark.slow
@settings(max_examples=WEIGHTS["raw"] * UNIT)
@given(data=st.data())
def test_raw_bodies_sent_straight_to_the_hook(hostile, data):
    mock, clients = hostile
    mock.reset()
    S.seed(mock, clients["sagemaker"])
    service, operation = data.draw(st.sampled_from(S.served()), label="operation")
    body = data.draw(_bodies(service, operation), label="body")
    url = data.draw(st.sampled_from([_URLS[service], "https://localhost:1/", "http://[::1]/x",
                                     "https://x.eu-west-1.amazonaws.com/", "not a url"]),
                    label="url")
    context = data.draw(st.sampled_from([{}, {"client_region": "us-east-1"},
                                         {"client_region": 42}]), label="context")
    request = AWSPreparedRequest("POST", url, {}, body, False, context=context)
    before, calls_before = S.snapshot(mock), len(mock.calls)

    try:
        response = hook.before_send(request=request,
                                      event_name=f"before-send.{service}.{operation}")
    except UnsupportedOperationError:
        assert (S.snapshot(mock), len(mock.calls)) == (before, calls_before)
        return

    model = S.operation_model(service, operation)
    parsed = create_parser(model.metadata["protocol"]).parse(
        {"status_code": response.status_code, "headers": response.headers,
         "body": response.content}, model.output_shape)
    if response.status_code == 200:
        if model.output_shape is not None:
            assert S.shape_problems(model.output_shape, parsed) == []
    else:
        assert response.status_code == 400
        assert parsed["Error"]["Code"] in allowed_codes(service, operation)
        assert S.snapshot(mock) == before
    assert len(mock.calls) == calls_before + 1
    event(f"{operation}: {response.status_code}")
    assert S.invariant_problems(mock) == []


def test_profile_totals_are_as_documented():
    # The file's docstring promises 1,000 examples in ci and 50,000 in deep.
    assert sum(WEIGHTS.values()) * settings.get_profile("ci").max_examples == 1_000
    assert sum(WEIGHTS.values()) * settings.get_profile("deep").max_examples == 50_000
