"""aiobotocore clients under the same mock as botocore ones: answers, errors and the journal."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from typing import Any

import pytest
from botocore.exceptions import ClientError

from pytest_sm_experiments import SageMakerExperimentsMock, active_mock, mock_sm_experiments

aio_session = pytest.importorskip("aiobotocore.session")

ARN = "arn:aws:sagemaker:{region}:123456789012:experiment/{name}"


def aio_client(region: str = "us-east-1") -> Any:
    return aio_session.get_session().create_client("sagemaker", region_name=region)


async def test_fixture_answers_aio_client(sm_experiments: SageMakerExperimentsMock):
    async with aio_client() as client:
        created = await client.create_experiment(ExperimentName="Churn", Description="d")
        described = await client.describe_experiment(ExperimentName="churn")
    assert created["ExperimentArn"] == ARN.format(region="us-east-1", name="churn")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert described["ExperimentName"] == "Churn"
    assert described["Description"] == "d"
    assert sm_experiments.experiments["CHURN"].description == "d"
    assert sm_experiments.calls.operations == ["CreateExperiment", "DescribeExperiment"]


async def test_modeled_exception_via_client_exceptions(sm_experiments: SageMakerExperimentsMock):
    async with aio_client() as client:
        with pytest.raises(client.exceptions.ResourceNotFound) as raised:
            await client.describe_experiment(ExperimentName="missing")
    assert raised.value.response["Error"]["Code"] == "ResourceNotFound"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    call = sm_experiments.calls.one("DescribeExperiment")
    assert call.error_code == "ResourceNotFound"
    assert call.error_message == raised.value.response["Error"]["Message"]


async def test_unmodeled_error_is_plain_client_error(sm_experiments: SageMakerExperimentsMock):
    async with aio_client() as client:
        await client.create_experiment(ExperimentName="dup")
        with pytest.raises(ClientError) as raised:
            await client.create_experiment(ExperimentName="DUP")
    assert type(raised.value) is ClientError
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Experiment with name (DUP) already exists.",
    }
    assert list(sm_experiments.experiments) == ["dup"]


async def test_server_side_validation_error(sm_experiments: SageMakerExperimentsMock):
    async with aio_client() as client:
        with pytest.raises(ClientError) as raised:
            await client.create_experiment(ExperimentName="bad name!")
    assert raised.value.response["Error"]["Message"].startswith(
        "1 validation error detected: Value 'bad name!' at 'experimentName'")
    assert len(sm_experiments.experiments) == 0


async def test_injected_error_reaches_aio_client(sm_experiments: SageMakerExperimentsMock):
    sm_experiments.inject_error("CreateExperiment", "ResourceLimitExceeded", "full")
    async with aio_client() as client:
        with pytest.raises(client.exceptions.ResourceLimitExceeded):
            await client.create_experiment(ExperimentName="a")
        await client.create_experiment(ExperimentName="a")
    assert [call.error_code for call in sm_experiments.calls] == ["ResourceLimitExceeded", None]


async def test_requests_are_unsigned(sm_experiments: SageMakerExperimentsMock):
    # aiobotocore awaits the choose-signer handlers; the mock's one must still win.
    seen: list[Any] = []
    async with aio_client() as client:
        client.meta.events.register(
            "before-send.sagemaker", lambda request, **_: seen.append(request.headers))
        await client.create_experiment(ExperimentName="a")
    assert len(seen) == 1
    assert "Authorization" not in seen[0]


def _comparable(calls: Any) -> list[tuple[Any, ...]]:
    return [(c.operation, dict(c.params), c.response, c.error_code, c.error_message, c.region,
             c.account_id, c.service) for c in calls]


async def test_journal_is_the_same_for_sync_and_async_clients(sm_client: Any):
    script: list[tuple[str, dict[str, Any]]] = [
        ("create_experiment", {"ExperimentName": "a", "Tags": [{"Key": "k", "Value": "v"}]}),
        ("create_experiment", {"ExperimentName": "A"}),
        ("describe_experiment", {"ExperimentName": "nope"}),
    ]

    async def run_async(mock: SageMakerExperimentsMock) -> None:
        async with aio_client() as client:
            for method, params in script:
                with contextlib.suppress(ClientError):
                    await getattr(client, method)(**params)

    def run_sync(mock: SageMakerExperimentsMock) -> None:
        for method, params in script:
            with contextlib.suppress(ClientError):
                getattr(sm_client, method)(**params)

    with SageMakerExperimentsMock() as sync_mock:
        run_sync(sync_mock)
    async with SageMakerExperimentsMock() as async_mock:
        await run_async(async_mock)
    sync_calls = _comparable(sync_mock.calls)
    async_calls = _comparable(async_mock.calls)
    # Timestamps are not in these responses, so the journals match field for field.
    assert async_calls == sync_calls
    assert [c[3] for c in async_calls] == [None, "ValidationException", "ResourceNotFound"]


async def test_concurrent_tasks_share_one_mock(sm_experiments: SageMakerExperimentsMock):
    async with aio_client() as client:
        names = [f"exp-{index}" for index in range(20)]
        await asyncio.gather(*(client.create_experiment(ExperimentName=n) for n in names))
        # Ten tasks race for one name: exactly one wins, the rest get AWS's duplicate error.
        results = await asyncio.gather(
            *(client.create_experiment(ExperimentName="Contested") for _ in range(10)),
            return_exceptions=True)
    assert sorted(sm_experiments.experiments) == sorted([*names, "Contested"])
    errors = [r for r in results if isinstance(r, ClientError)]
    assert len(errors) == 9
    assert {e.response["Error"]["Code"] for e in errors} == {"ValidationException"}
    assert len(sm_experiments.calls.filter("CreateExperiment")) == 30


async def test_async_context_manager_starts_and_stops():
    async with mock_sm_experiments(region="eu-west-1") as mock:
        assert active_mock() is mock
        async with aio_client("eu-west-1") as client:
            created = await client.create_experiment(ExperimentName="x")
    assert created["ExperimentArn"] == ARN.format(region="eu-west-1", name="x")
    assert not mock.running
    assert active_mock() is None


@mock_sm_experiments
async def test_bare_decorator_on_async_test():
    mock = active_mock()
    assert mock is not None
    async with aio_client() as client:
        await client.create_experiment(ExperimentName="decorated")
    assert list(mock.experiments) == ["decorated"]
    mock.assert_called_once("CreateExperiment", ExperimentName="decorated")


@mock_sm_experiments(region="ap-southeast-2", account_id="210987654321")
async def test_decorator_with_options_on_async_test():
    async with aio_client("ap-southeast-2") as client:
        created = await client.create_experiment(ExperimentName="opt")
    assert created["ExperimentArn"] == (
        "arn:aws:sagemaker:ap-southeast-2:210987654321:experiment/opt")


async def test_decorated_coroutine_function_stays_a_coroutine_function():
    @mock_sm_experiments
    async def work() -> str:
        mock = active_mock()
        assert mock is not None
        async with aio_client() as client:
            return (await client.create_experiment(ExperimentName="w"))["ExperimentArn"]

    assert inspect.iscoroutinefunction(work)
    assert await work() == ARN.format(region="us-east-1", name="w")
    # A fresh mock per call: the second call does not collide with the first.
    assert await work() == ARN.format(region="us-east-1", name="w")
    assert active_mock() is None


@pytest.fixture
def prepared_requests_without_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Emulate botocore < 1.35, whose prepared requests carry no request context."""
    from botocore.awsrequest import AWSPreparedRequest

    original = AWSPreparedRequest.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.__dict__.pop("context", None)

    monkeypatch.setattr(AWSPreparedRequest, "__init__", init)


@pytest.mark.usefixtures("prepared_requests_without_context")
async def test_sync_and_aio_clients_are_told_apart_without_request_context(
        sm_experiments: SageMakerExperimentsMock, sm_client: Any):
    async with aio_client("eu-west-1") as client:
        created = await client.create_experiment(ExperimentName="aio")
        with pytest.raises(client.exceptions.ResourceNotFound):
            await client.describe_experiment(ExperimentName="nope")
    sync_created = sm_client.create_experiment(ExperimentName="sync")
    assert created["ExperimentArn"] == ARN.format(region="eu-west-1", name="aio")
    assert sync_created["ExperimentArn"] == ARN.format(region="us-east-1", name="sync")
    assert [call.region for call in sm_experiments.calls] == ["eu-west-1", "eu-west-1", "us-east-1"]


async def test_attach_routes_an_aio_client_whose_session_lacks_the_router(
        sm_experiments: SageMakerExperimentsMock):
    from pytest_sm_experiments import attach
    from pytest_sm_experiments.inprocess import hook

    session = aio_session.get_session()
    # As if the session had been created before the plugin put the router into botocore.
    for event, handler in hook.HANDLERS.items():
        session.unregister(event, handler)
    async with session.create_client("sagemaker", region_name="us-east-1") as client:
        attach(client)
        created = await client.create_experiment(ExperimentName="attached")
    assert created["ExperimentArn"] == ARN.format(region="us-east-1", name="attached")
    sm_experiments.assert_called_once("CreateExperiment", ExperimentName="attached")


async def test_a_body_moto_answers_an_aio_client_with_reads_in_parts(
        sm_experiments: SageMakerExperimentsMock):
    """S3 GetObject answered by moto beside the mock: the streamed body reads as aiohttp's
    does, a part at a time."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        async with aio_session.get_session().create_client("s3", region_name="us-east-1") as s3:
            await s3.create_bucket(Bucket="bucket")
            await s3.put_object(Bucket="bucket", Key="key", Body=b"hello world")
            body = (await s3.get_object(Bucket="bucket", Key="key"))["Body"]
            assert await body.read(0) == b""
            assert await body.read(5) == b"hello"
            assert body.readable()
            assert await body.read(100) == b" world"
            assert not body.readable()
            assert await body.read() == b""


async def test_an_aio_request_allowed_out_reaches_the_transport(network_attempts):
    """allow_network: aiobotocore's own send runs (and meets this suite's refusal to connect)."""
    from botocore.config import Config
    from botocore.exceptions import HTTPClientError

    with mock_sm_experiments(allow_network=["s3"]):
        async with aio_session.get_session().create_client(
                "s3", region_name="us-east-1",
                config=Config(retries={"total_max_attempts": 1})) as s3:
            with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
                await s3.list_buckets()
    assert network_attempts[-1][0] == "s3.amazonaws.com"
