"""The public API: decorator, context manager, start/stop, nesting, journal, attach, moto."""

from __future__ import annotations

import unittest

import boto3
import pytest
from botocore.exceptions import ClientError

import pytest_sm_experiments as pkg
from pytest_sm_experiments import (
    MockUsageError,
    SageMakerExperimentsMock,
    UnsupportedOperationError,
    active_mock,
    mock_sm_experiments,
)


def _client(region: str = "us-east-1"):
    return boto3.client("sagemaker", region_name=region)


@mock_sm_experiments
def test_bare_decorator():
    _client().create_experiment(ExperimentName="Bare")
    mock = active_mock()
    assert mock is not None
    assert list(mock.experiments) == ["Bare"]


@mock_sm_experiments(region="eu-west-1", arn_case="preserve")
def test_decorator_with_options():
    arn = _client("eu-west-1").create_experiment(ExperimentName="MixedCase")["ExperimentArn"]
    assert arn == "arn:aws:sagemaker:eu-west-1:123456789012:experiment/MixedCase"


def test_decorated_function_gets_fresh_state_per_call():
    @mock_sm_experiments
    def create() -> list[str]:
        _client().create_experiment(ExperimentName="Same")
        mock = active_mock()
        assert mock is not None
        return list(mock.experiments)

    assert create() == ["Same"]
    assert create() == ["Same"]  # no "already exists": each call has its own mock
    assert active_mock() is None


@mock_sm_experiments
async def test_async_function_decorator():
    _client().create_experiment(ExperimentName="Async")
    mock = active_mock()
    assert mock is not None
    assert "async" in mock.experiments


@mock_sm_experiments(account_id="444455556666")
class TestDecoratedClass:
    def setup_method(self, method):
        # setup runs inside the mock too
        _client().create_experiment(ExperimentName="FromSetup")

    def test_first(self):
        assert self.sm_experiments.account_id == "444455556666"
        assert list(self.sm_experiments.experiments) == ["FromSetup"]

    def test_second_has_fresh_state(self):
        assert list(self.sm_experiments.experiments) == ["FromSetup"]


@mock_sm_experiments
class DecoratedTestCase(unittest.TestCase):
    def setUp(self):
        _client().create_experiment(ExperimentName="UnitSetup")

    def test_state(self):
        self.assertEqual(list(self.sm_experiments.experiments), ["UnitSetup"])  # noqa: PT009


def test_context_manager_start_stop_and_nesting():
    outer = mock_sm_experiments()
    with outer:
        _client().create_experiment(ExperimentName="Outer")
        with mock_sm_experiments() as inner:
            assert active_mock() is inner
            _client().create_experiment(ExperimentName="Outer")  # inner state is separate
            assert list(inner.experiments) == ["Outer"]
        assert active_mock() is outer
        with pytest.raises(ClientError, match="already exists"):
            _client().create_experiment(ExperimentName="outer")
    assert not outer.running
    assert active_mock() is None


def test_start_is_idempotent_and_stop_twice_is_an_error():
    mock = SageMakerExperimentsMock()
    assert mock.start() is mock
    assert mock.start() is mock
    mock.stop()
    with pytest.raises(MockUsageError, match="not running"):
        mock.stop()


def test_out_of_order_stop_keeps_the_other_mock_answering():
    first = SageMakerExperimentsMock().start()
    second = SageMakerExperimentsMock().start()
    first.stop()
    assert active_mock() is second
    _client().create_experiment(ExperimentName="Second")
    assert "second" in second.experiments
    assert "second" not in first.experiments
    second.stop()


def test_unsupported_sagemaker_operation_names_itself_and_sends_nothing(sm_experiments, sm_client):
    with pytest.raises(UnsupportedOperationError) as raised:
        sm_client.list_training_jobs()
    message = str(raised.value)
    assert "sagemaker:ListTrainingJobs" in message
    assert "nothing was sent to AWS" in message
    assert "sagemaker:CreateExperiment" in message


def test_journal_filter_one_and_readable_failures(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="A", DisplayName="First")
    sm_client.create_experiment(ExperimentName="B")
    with pytest.raises(ClientError):
        sm_client.describe_experiment(ExperimentName="C")

    calls = sm_experiments.calls
    assert calls.operations == ["CreateExperiment", "CreateExperiment", "DescribeExperiment"]
    assert calls.filter("CreateExperiment", DisplayName="First")[0].params["ExperimentName"] == "A"
    assert calls.one("DescribeExperiment").error_code == "ResourceNotFound"
    call = calls.one("CreateExperiment", ExperimentName="B")
    assert call.response is not None
    assert call.response["ExperimentArn"].endswith("/b")
    assert (call.region, call.account_id, call.service) == (
        "us-east-1", "123456789012", "sagemaker")
    with pytest.raises(AttributeError):
        call.operation = "x"  # type: ignore[misc]

    with pytest.raises(AssertionError) as raised:
        sm_experiments.assert_called_once("CreateExperiment")
    text = str(raised.value)
    assert "expected exactly one call matching CreateExperiment(), found 2" in text
    assert "3. DescribeExperiment(ExperimentName='C') -> ResourceNotFound" in text
    with pytest.raises(AssertionError, match="expected no call matching <any operation>"):
        sm_experiments.assert_not_called()


def test_injected_throttle_is_retried_and_counted(sm_experiments, sm_client):
    sm_experiments.inject_error("CreateExperiment", "ThrottlingException", "Rate exceeded",
                                times=2)
    response = sm_client.create_experiment(ExperimentName="Retried")
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    codes = [call.error_code for call in sm_experiments.calls]
    assert codes == ["ThrottlingException", "ThrottlingException", None]


def test_injected_error_changes_nothing(sm_experiments, sm_client):
    sm_experiments.inject_error("CreateExperiment", "InternalFailure", http_status=400)
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="Never")
    assert raised.value.response["Error"] == {"Code": "InternalFailure",
                                              "Message": "Injected InternalFailure"}
    assert len(sm_experiments.experiments) == 0


def test_attach_routes_a_client_made_before_the_router_existed(monkeypatch):
    """A Session whose handlers were copied before install() is routed once attached."""
    import botocore.handlers
    import botocore.session

    without = [spec for spec in botocore.handlers.BUILTIN_HANDLERS
               if "pytest_sm_experiments" not in getattr(spec[1], "__module__", "")]
    monkeypatch.setattr(botocore.handlers, "BUILTIN_HANDLERS", without)
    old = botocore.session.Session().create_client(
        "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAOLD",
        aws_secret_access_key="old")
    monkeypatch.undo()
    with mock_sm_experiments() as mock:
        assert pkg.attach(old) is old
        old.create_experiment(ExperimentName="Attached")
        assert "attached" in mock.experiments


def test_other_services_are_untouched_and_moto_works_beside(sm_experiments, sm_client):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="beside")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["beside"]
        sm_client.create_experiment(ExperimentName="Ours")
        boto3.client("sagemaker", region_name="us-east-1").describe_experiment(
            ExperimentName="OURS")
    assert "ours" in sm_experiments.experiments
    assert sm_experiments.calls.operations == ["CreateExperiment", "DescribeExperiment"]


def test_client_helper_and_repr(sm_experiments):
    client = sm_experiments.client(region="ap-southeast-2")
    client.create_experiment(ExperimentName="Sydney")
    assert "sydney" in sm_experiments.region("ap-southeast-2").experiments
    assert "sydney" not in sm_experiments.experiments  # the mock's own region is us-east-1
    assert repr(sm_experiments) == (
        "<SageMakerExperimentsMock running account=123456789012 region=us-east-1 calls=1>")


def test_experiments_view_is_read_only_and_case_insensitive(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="Churn-Model", Tags=[{"Key": "k", "Value": "v"}])
    view = sm_experiments.experiments
    record = view["CHURN-MODEL"]
    assert record is view["churn-model"]
    assert (record.name, record.display_name, record.description) == (
        "Churn-Model", "Churn-Model", None)
    assert record.creation_time == record.last_modified_time
    assert record.creation_time.tzinfo is not None
    with pytest.raises(TypeError):
        view["x"] = record  # type: ignore[index]
    with pytest.raises(KeyError):
        view["missing"]


def test_account_switch_keeps_state_apart(sm_experiments, sm_client):
    sm_client.create_experiment(ExperimentName="Shared-Name")
    with sm_experiments.use_account("210987654321"):
        arn = sm_client.create_experiment(ExperimentName="Shared-Name")["ExperimentArn"]
    assert arn == "arn:aws:sagemaker:us-east-1:210987654321:experiment/shared-name"
    assert list(sm_experiments.region(account_id="210987654321").experiments) == ["Shared-Name"]


def test_unrecorded_seeds_state_without_journal(sm_experiments, sm_client):
    with sm_experiments.unrecorded():
        sm_client.create_experiment(ExperimentName="Seeded")
    assert len(sm_experiments.calls) == 0
    assert sm_client.describe_experiment(ExperimentName="seeded")["ExperimentName"] == "Seeded"


def test_views_show_their_names_in_repr(sm_experiments, sm_client):
    for name in ("b", "A"):
        sm_client.create_experiment(ExperimentName=name)
    assert repr(sm_experiments.experiments) == "ResourceView(['A', 'b'])"
    assert repr(sm_experiments.trials) == "ResourceView([])"


def test_the_handle_attaches_a_client_too(sm_experiments):
    client = sm_experiments.client()
    assert sm_experiments.attach(client) is client
    client.create_experiment(ExperimentName="once")
    assert sm_experiments.calls.operations == ["CreateExperiment"]


def test_handle_client_passes_its_keywords_to_botocore(sm_experiments):
    from botocore.config import Config

    client = sm_experiments.client(config=Config(user_agent_extra="probe/1"),
                                   endpoint_url="https://sagemaker.example.invalid")
    assert client.meta.config.user_agent_extra == "probe/1"
    assert client.meta.endpoint_url == "https://sagemaker.example.invalid"
    client.create_experiment(ExperimentName="x")  # still answered by the mock
    assert list(sm_experiments.experiments) == ["x"]
