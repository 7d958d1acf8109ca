"""The same calls answered by this plugin and by moto (``mock_aws``, ``ThreadedMotoServer``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.server import ThreadedMotoServer

from pytest_sm_experiments import mock_sm_experiments
from pytest_sm_experiments.core.service import Service
from pytest_sm_experiments.credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, Credentials
from pytest_sm_experiments.options import make_options
from pytest_sm_experiments.server.endpoint import Endpoint

MOCKS: dict[str, Callable[[], Any]] = {"plugin": mock_sm_experiments, "moto": mock_aws}
CREDENTIALS = Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY)


@pytest.fixture(params=list(MOCKS))
def client(request: pytest.FixtureRequest) -> Iterator[Any]:
    with MOCKS[request.param]():
        yield boto3.client("sagemaker", region_name="us-east-1")


@pytest.mark.benchmark(group="CreateExperiment, per call")
def test_create_experiment(benchmark: Any, client: Any, names: Iterator[str]) -> None:
    benchmark(lambda: client.create_experiment(ExperimentName=next(names)))


@pytest.mark.benchmark(group="DescribeExperiment, per call")
def test_describe_experiment(benchmark: Any, client: Any) -> None:
    client.create_experiment(ExperimentName="described")
    benchmark(client.describe_experiment, ExperimentName="described")


@pytest.mark.benchmark(group="start + stop, no calls")
@pytest.mark.parametrize("mock", list(MOCKS))
def test_start_and_stop(benchmark: Any, mock: str) -> None:
    def start_and_stop() -> None:
        with MOCKS[mock]():
            pass
    benchmark(start_and_stop)


@pytest.mark.benchmark(group="a test: start, boto3.client, one CreateExperiment, stop")
@pytest.mark.parametrize("mock", list(MOCKS))
def test_idiomatic_test(benchmark: Any, mock: str, names: Iterator[str]) -> None:
    def one_test() -> None:
        with MOCKS[mock]():
            boto3.client("sagemaker", region_name="us-east-1").create_experiment(
                ExperimentName=next(names))
    benchmark(one_test)


@pytest.fixture(params=["endpoint", "moto server"])
def http_client(request: pytest.FixtureRequest) -> Iterable[Any]:
    """A boto3 client talking HTTP (one kept-alive connection) to the plugin's endpoint or to
    moto's server, both in this process: CPU time counts client and server."""
    def over_http(url: str, key: str, secret: str) -> Any:
        return boto3.client("sagemaker", region_name="us-east-1", endpoint_url=url,
                            aws_access_key_id=key, aws_secret_access_key=secret)

    if request.param == "endpoint":  # the endpoint alone: no in-process hook to answer first
        endpoint = Endpoint(Service(make_options()), CREDENTIALS).start()
        try:
            yield over_http(endpoint.url, FAKE_ACCESS_KEY, FAKE_SECRET_KEY)
        finally:
            endpoint.stop()
        return
    server = ThreadedMotoServer(port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield over_http(f"http://{host}:{port}", "testing", "testing")
    finally:
        server.stop()


@pytest.mark.benchmark(group="CreateExperiment over HTTP, per call")
def test_create_experiment_over_http(benchmark: Any, http_client: Any,
                                     names: Iterator[str]) -> None:
    benchmark(lambda: http_client.create_experiment(ExperimentName=next(names)))
