"""The sealed boundary: while a mock runs, every botocore request (any client, any session,
aiobotocore too) is answered by this mock, answered by moto's ``mock_aws``, sent on purpose
(``allow_network``) or to a server on this machine, or refused before a byte is sent.

The suite's socket guard (tests/conftest.py) fails any connection outside the loopback
interface and any DNS lookup, and ``network_attempts`` lists them, so "nothing was sent" is
checked, not assumed.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import boto3
import botocore.handlers
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore_facts import PER_REQUEST_CREDENTIALS

from pytest_sm_experiments import (
    MockUsageError,
    RequestRefusedError,
    SageMakerExperimentsMock,
    UnsupportedOperationError,
    attach,
    mock_sm_experiments,
)

ONE_ATTEMPT = Config(retries={"total_max_attempts": 1})
FAKE_KEY = "AKIAMOCKSMEXPERIMENTS"

# Made when this module is imported, long before any mock starts (as code under test does).
EARLY_S3 = boto3.session.Session().client(
    "s3", region_name="us-east-1", aws_access_key_id="AKIAEARLYCLIENTKEY01",
    aws_secret_access_key="early-secret", config=ONE_ATTEMPT)


def _training_job(name: str) -> dict[str, Any]:
    return {
        "TrainingJobName": name,
        "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/"
                                                    "train:latest", "TrainingInputMode": "File"},
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://bucket/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1,
                           "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }


def _session_without(*modules: str) -> botocore.session.Session:
    """A Session whose handlers lack those of ``modules``: as if it had been created before
    they were imported (a client made before the plugin, or before moto, was loaded)."""
    handlers = botocore.handlers.BUILTIN_HANDLERS
    kept = [spec for spec in handlers
            if not any(getattr(spec[1], "__module__", "").startswith(m) for m in modules)]
    saved = handlers[:]
    handlers[:] = kept
    try:
        return botocore.session.Session()
    finally:
        handlers[:] = saved


# -- refused: nothing else runs ------------------------------------------------------------------

REFUSED_CALLS = [
    ("s3", "PutObject", lambda c: c.put_object(Bucket="bucket", Key="k", Body=b"x")),
    ("sts", "AssumeRole", lambda c: c.assume_role(RoleArn="arn:aws:iam::123456789012:role/r",
                                                  RoleSessionName="session")),
    ("cloudwatch", "PutMetricData", lambda c: c.put_metric_data(
        Namespace="ns", MetricData=[{"MetricName": "m", "Value": 1.0}])),
    ("logs", "PutLogEvents", lambda c: c.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": 1, "message": "m"}])),
    ("stepfunctions", "StartExecution", lambda c: c.start_execution(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:m")),
]
#: botocore's service ids where they differ from the client names.
SERVICE_IDS = {"logs": "cloudwatch-logs", "stepfunctions": "sfn"}


@pytest.mark.parametrize(("client_name", "operation", "call"), REFUSED_CALLS,
                         ids=[row[0] for row in REFUSED_CALLS])
def test_other_services_are_refused_naming_service_operation_and_remedy(
        sm_experiments, network_attempts, client_name, operation, call):
    client = boto3.client(client_name, region_name="us-east-1")
    service_id = SERVICE_IDS.get(client_name, client_name)
    with pytest.raises(RequestRefusedError) as raised:
        call(client)
    error = raised.value
    assert (error.service, error.operation) == (service_id, operation)
    message = str(error)
    assert f"refused {service_id}:{operation}" in message
    assert "nothing was sent to AWS" in message
    assert "start moto's mock_aws" in message
    # The advice names what allow_network accepts: the client's name.
    assert f"allow_network=[{client_name!r}]" in message
    assert not isinstance(error, ClientError)
    assert list(network_attempts) == []
    assert len(sm_experiments.calls) == 0


def test_refusal_is_not_retried(sm_experiments, network_attempts):
    client = boto3.client("s3", region_name="us-east-1",
                          config=Config(retries={"mode": "standard", "max_attempts": 5}))
    attempts: list[str] = []
    client.meta.events.register("before-send", lambda request, **_: attempts.append(request.url))
    with pytest.raises(RequestRefusedError):
        client.list_buckets()
    assert len(attempts) == 1
    assert list(network_attempts) == []


@pytest.mark.parametrize("operation", ["CreateTrainingJob", "DescribeTrainingJob",
                                       "ListTrainingJobs"])
def test_unserved_sagemaker_operations_are_refused_without_moto(
        sm_experiments, sm_client, network_attempts, operation):
    calls = {
        "CreateTrainingJob": lambda: sm_client.create_training_job(**_training_job("job-1")),
        "DescribeTrainingJob": lambda: sm_client.describe_training_job(TrainingJobName="job-1"),
        "ListTrainingJobs": sm_client.list_training_jobs,
    }
    with pytest.raises(UnsupportedOperationError) as raised:
        calls[operation]()
    assert isinstance(raised.value, RequestRefusedError)
    message = str(raised.value)
    assert f"does not serve sagemaker:{operation}; nothing was sent to AWS" in message
    assert "start moto's mock_aws beside this mock" in message
    assert "sagemaker:CreateExperiment" in message
    assert list(network_attempts) == []


def test_client_created_before_the_mock_started_is_refused_then_free_again(network_attempts):
    with mock_sm_experiments(), pytest.raises(RequestRefusedError, match="s3:ListBuckets"):
        EARLY_S3.list_buckets()
    assert list(network_attempts) == []
    # The boundary is gone with the mock: the same client goes to the network again.
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        EARLY_S3.list_buckets()
    assert network_attempts[0][0] == "s3.amazonaws.com"


def test_client_whose_session_predates_the_router_is_routed_from_its_first_call(
        network_attempts):
    session = _session_without("pytest_sm_experiments")
    keys = {"aws_access_key_id": "AKIAEARLYSESSION0001", "aws_secret_access_key": "secret",
            "config": ONE_ATTEMPT, "region_name": "us-east-1"}
    s3 = session.create_client("s3", **keys)
    sagemaker = session.create_client("sagemaker", **keys)
    with mock_sm_experiments() as mock:
        with pytest.raises(RequestRefusedError) as raised:
            s3.list_buckets()
        assert "s3:ListBuckets" in str(raised.value)
        assert "created before" not in str(raised.value)
        sagemaker.create_experiment(ExperimentName="unseen")
        attach(sagemaker)  # still harmless
        sagemaker.create_experiment(ExperimentName="seen")
    assert sorted(mock.experiments) == ["seen", "unseen"]
    assert list(network_attempts) == []


async def test_aiobotocore_requests_are_refused_too(sm_experiments, network_attempts):
    aio_session = pytest.importorskip("aiobotocore.session")
    async with aio_session.get_session().create_client("s3", region_name="us-east-1") as s3:
        with pytest.raises(RequestRefusedError, match="s3:PutObject"):
            await s3.put_object(Bucket="bucket", Key="k", Body=b"x")
    assert list(network_attempts) == []


# -- moto's mock_aws beside the mock, in both orders -----------------------------------------------

@contextlib.contextmanager
def _both(order: str) -> Iterator[SageMakerExperimentsMock]:
    moto = pytest.importorskip("moto")
    with contextlib.ExitStack() as stack:
        if order == "moto first":
            stack.enter_context(moto.mock_aws())
            mock = stack.enter_context(mock_sm_experiments())
        else:
            mock = stack.enter_context(mock_sm_experiments())
            stack.enter_context(moto.mock_aws())
        yield mock


ORDERS = ["mock first", "moto first"]


@pytest.mark.parametrize("order", ORDERS)
def test_moto_serves_what_the_mock_does_not(order, network_attempts):
    with _both(order) as mock:
        sagemaker = boto3.client("sagemaker", region_name="us-east-1")
        sagemaker.create_experiment(ExperimentName="churn")
        arn = sagemaker.create_training_job(**_training_job("job-1"))["TrainingJobArn"]
        described = sagemaker.describe_training_job(TrainingJobName="job-1")
        listed = sagemaker.list_training_jobs()["TrainingJobSummaries"]
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="artifacts")
        s3.put_object(Bucket="artifacts", Key="model.tar.gz", Body=b"weights")
        body = s3.get_object(Bucket="artifacts", Key="model.tar.gz")["Body"].read()
        assumed = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session")
        experiment = sagemaker.describe_experiment(ExperimentName="churn")
    assert arn.endswith(":training-job/job-1")
    assert described["TrainingJobName"] == "job-1"
    assert [job["TrainingJobName"] for job in listed] == ["job-1"]
    assert body == b"weights"
    assert assumed["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert experiment["ExperimentName"] == "churn"
    # The journal holds the mock's calls only.
    assert mock.calls.operations == ["CreateExperiment", "DescribeExperiment"]
    assert list(network_attempts) == []


@pytest.mark.parametrize("order", ORDERS)
def test_refused_again_once_moto_stops_in_any_order(order, network_attempts):
    moto = pytest.importorskip("moto")
    if order == "mock first":
        mock = mock_sm_experiments().start()
        beside = moto.mock_aws()
        beside.start()
    else:
        beside = moto.mock_aws()
        beside.start()
        mock = mock_sm_experiments().start()
    s3 = boto3.client("s3", region_name="us-east-1")
    try:
        s3.create_bucket(Bucket="while-moto-runs")
    finally:
        beside.stop()
    try:
        with pytest.raises(RequestRefusedError, match="start moto's mock_aws"):
            s3.list_buckets()
    finally:
        mock.stop()
    assert list(network_attempts) == []


def test_moto_answers_a_client_made_before_moto_was_imported(network_attempts):
    moto = pytest.importorskip("moto")
    # No moto stubber in this Session's handlers; moto alone would let its requests out.
    s3 = _session_without("moto").create_client(
        "s3", region_name="us-east-1", aws_access_key_id="AKIABEFOREMOTO000001",
        aws_secret_access_key="secret")
    with mock_sm_experiments(), moto.mock_aws():
        s3.create_bucket(Bucket="early")
        names = [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert names == ["early"]
    assert list(network_attempts) == []


def test_moto_answers_aiobotocore_clients(network_attempts):
    moto = pytest.importorskip("moto")
    aio_session = pytest.importorskip("aiobotocore.session")

    async def use() -> tuple[bytes, str]:
        session = aio_session.get_session()
        async with session.create_client("s3", region_name="us-east-1") as s3, \
                session.create_client("sagemaker", region_name="us-east-1") as sagemaker:
            await s3.create_bucket(Bucket="aio-bucket")
            await s3.put_object(Bucket="aio-bucket", Key="k", Body=b"streamed")
            got = await s3.get_object(Bucket="aio-bucket", Key="k")
            body = await got["Body"].read()
            await sagemaker.create_experiment(ExperimentName="aio-exp")
            jobs = await sagemaker.list_training_jobs()
            return body, repr(jobs["TrainingJobSummaries"])

    with mock_sm_experiments() as mock, moto.mock_aws():
        body, jobs = asyncio.run(use())
    assert (body, jobs) == (b"streamed", "[]")
    assert mock.calls.operations == ["CreateExperiment"]
    assert list(network_attempts) == []


def test_keys_moto_handed_out_reach_moto_unchanged(sm_experiments):
    """moto picks a request's account by its access key (multi-account tests)."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        credentials = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::111111111111:role/deployer",
            RoleSessionName="session")["Credentials"]
        other = boto3.client("s3", region_name="us-east-1",
                             aws_access_key_id=credentials["AccessKeyId"],
                             aws_secret_access_key=credentials["SecretAccessKey"],
                             aws_session_token=credentials["SessionToken"])
        other.create_bucket(Bucket="in-the-other-account")
        theirs = [bucket["Name"] for bucket in other.list_buckets()["Buckets"]]
        ours = boto3.client("s3", region_name="us-east-1").list_buckets()["Buckets"]
    assert theirs == ["in-the-other-account"]
    assert ours == []


@pytest.mark.sm_experiments(account_id="444455556666")
def test_get_caller_identity_stays_the_mocks_beside_moto(sm_experiments):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        identity = boto3.client("sts", region_name="us-east-1").get_caller_identity()
    assert identity["Account"] == "444455556666"
    sm_experiments.assert_called_once("GetCallerIdentity")


# -- allow_network: out on purpose -----------------------------------------------------------------

def _reaches_the_network(network_attempts: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1", config=ONE_ATTEMPT)
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        s3.list_buckets()
    assert network_attempts[-1][0] == "s3.amazonaws.com"


def test_allow_network_by_context_manager_and_handle(network_attempts):
    with mock_sm_experiments(allow_network=["s3"]) as mock:
        assert mock.options.allow_network == frozenset({"s3"})
        _reaches_the_network(network_attempts)
        with pytest.raises(RequestRefusedError, match="sts:AssumeRole"):
            boto3.client("sts", region_name="us-east-1").assume_role(
                RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="session")
    with SageMakerExperimentsMock(allow_network=("s3", "sts")):
        _reaches_the_network(network_attempts)


@pytest.mark.parametrize("client_name", ["logs", "stepfunctions"])
def test_the_refusals_advice_works_and_the_service_id_is_accepted_too(network_attempts,
                                                                       client_name):
    call = {row[0]: row[2] for row in REFUSED_CALLS}[client_name]
    with mock_sm_experiments():
        client = boto3.client(client_name, region_name="us-east-1", config=ONE_ATTEMPT)
        with pytest.raises(RequestRefusedError) as raised:
            call(client)
    advised = str(raised.value).split("allow_network=[", 1)[1].split("]", 1)[0].strip("'")
    for name in (advised, SERVICE_IDS[client_name]):
        with mock_sm_experiments(allow_network=[name]), pytest.raises(
                HTTPClientError, match="DNS lookup attempted"):
            call(client)
    assert len(network_attempts) == 2


def test_allowing_docdb_does_not_let_rds_out(network_attempts):
    """DocumentDB and RDS share an endpoint prefix (``rds``): only the service named leaves."""
    with mock_sm_experiments(allow_network=["docdb"]):
        with pytest.raises(RequestRefusedError, match="rds:DescribeDBInstances"):
            boto3.client("rds", region_name="us-east-1",
                         config=ONE_ATTEMPT).describe_db_instances()
        assert list(network_attempts) == []
        with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
            boto3.client("docdb", region_name="us-east-1",
                         config=ONE_ATTEMPT).describe_db_clusters()
    assert len(network_attempts) == 1


def test_the_innermost_mock_of_the_thread_rules_allow_network(network_attempts):
    with mock_sm_experiments(allow_network=["s3"]):
        with mock_sm_experiments(), pytest.raises(RequestRefusedError, match="s3:ListBuckets"):
            boto3.client("s3", region_name="us-east-1", config=ONE_ATTEMPT).list_buckets()
        assert list(network_attempts) == []
        _reaches_the_network(network_attempts)  # the outer mock answers again: its rules
    with mock_sm_experiments(), mock_sm_experiments(allow_network=["s3"]):
        _reaches_the_network(network_attempts)


@mock_sm_experiments(allow_network="s3, logs")
def test_allow_network_by_decorator_as_a_string(network_attempts):
    _reaches_the_network(network_attempts)


@pytest.mark.sm_experiments(allow_network=["s3"])
def test_allow_network_by_marker(sm_experiments, network_attempts):
    _reaches_the_network(network_attempts)


@pytest.mark.sm_experiments(allow_network=["sagemaker"])
def test_allowing_sagemaker_still_serves_what_the_mock_serves(sm_experiments, network_attempts):
    client = boto3.client("sagemaker", region_name="us-east-1", config=ONE_ATTEMPT)
    client.create_experiment(ExperimentName="still-mocked")
    with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
        client.list_training_jobs()
    assert network_attempts[-1][0] == "api.sagemaker.us-east-1.amazonaws.com"
    assert sm_experiments.calls.operations == ["CreateExperiment"]


def test_allowed_service_is_signed_with_the_clients_own_credentials(network_attempts):
    seen: list[str] = []
    with mock_sm_experiments(allow_network=["s3"]):
        s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIAOPTEDOUTKEY00001",
                          aws_secret_access_key="secret", config=ONE_ATTEMPT)
        s3.meta.events.register("before-send", lambda request, **_: seen.append(
            request.headers["Authorization"].decode()))
        with pytest.raises(HTTPClientError):
            s3.list_buckets()
    assert "Credential=AKIAOPTEDOUTKEY00001/" in seen[0]


@pytest.mark.parametrize(("value", "match"), [
    (["S3"], "boto3 client names"),
    (["no-such-service"], "not a service botocore knows"),
    (42, "list of service names"),
])
def test_allow_network_misuse_is_a_usage_error(value, match):
    with pytest.raises(MockUsageError, match=match):
        mock_sm_experiments(allow_network=value).start()


def test_allow_network_in_the_ini_file_and_closest_marker(pytester):
    pytester.makeini("[pytest]\nsm_experiments_allow_network = s3, sts\n")
    pytester.makepyfile("""
        import pytest

        def test_ini(sm_experiments):
            assert sm_experiments.options.allow_network == {"s3", "sts"}

        @pytest.mark.sm_experiments(allow_network=[])
        def test_marker_wins(sm_experiments):
            assert sm_experiments.options.allow_network == frozenset()
    """)
    pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio").assert_outcomes(passed=2)


def test_allow_network_in_the_ini_file_is_checked(pytester):
    pytester.makeini("[pytest]\nsm_experiments_allow_network = s3, Not A Service\n")
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio")
    result.stderr.fnmatch_lines(["*invalid sm_experiments ini option*boto3 client names*"])


# -- a server on this machine ----------------------------------------------------------------------

class _ListBuckets(BaseHTTPRequestHandler):
    authorizations: ClassVar[list[str]] = []

    def do_GET(self) -> None:  # http.server's name
        type(self).authorizations.append(self.headers.get("Authorization", ""))
        body = (b'<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult>'
                b"<Buckets><Bucket><Name>local</Name></Bucket></Buckets>"
                b"</ListAllMyBucketsResult>")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: Any) -> None:
        """Quiet."""


def test_an_endpoint_on_the_loopback_interface_is_reached(network_attempts):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _ListBuckets)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with mock_sm_experiments():
            s3 = boto3.client("s3", region_name="us-east-1",
                              endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
                              aws_access_key_id="AKIALOCALSTACKUSER01",
                              aws_secret_access_key="secret")
            buckets = s3.list_buckets()["Buckets"]
    finally:
        server.shutdown()
        server.server_close()
    assert [bucket["Name"] for bucket in buckets] == ["local"]
    assert list(network_attempts) == []
    # Not a service named in allow_network: signed with the mock's fake credentials (unsigned on
    # botocore older than 1.34.5x, which cannot change one request's credentials).
    expected = f"Credential={FAKE_KEY}/" if PER_REQUEST_CREDENTIALS else ""
    assert expected in _ListBuckets.authorizations[-1]
    assert "AKIALOCALSTACKUSER01" not in _ListBuckets.authorizations[-1]


# -- signing beside moto: only keys moto handed out keep their signature --

_CLIENT_KEY = "AKIAIOSFODNN7EXAMPLE"


class _Signed(Exception):
    """Ends a request before moto's stubber sees it (botocore calls every before-send
    handler, so returning an answer would not keep moto from reading the request)."""


def _key_sent_to_moto(access_key: str) -> str:
    """The Authorization header of an S3 request moto would answer, made with ``access_key``."""

    def catch(request: Any, **_: Any) -> None:
        raise _Signed(request.headers["Authorization"].decode())  # botocore signs in bytes

    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=access_key,
                      aws_secret_access_key="secret", config=ONE_ATTEMPT)
    s3.meta.events.register_first("before-send.s3", catch)
    with pytest.raises(_Signed) as signed:
        s3.list_buckets()
    return str(signed.value)


@pytest.mark.skipif(not PER_REQUEST_CREDENTIALS, reason="botocore re-signs no single request")
def test_beside_moto_only_keys_moto_handed_out_keep_their_signature(sm_experiments):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        handed_out = boto3.client("sts", region_name="us-east-1").assume_role(
            RoleArn="arn:aws:iam::111111111111:role/deployer",
            RoleSessionName="session")["Credentials"]["AccessKeyId"]
        assert f"Credential={handed_out}/" in _key_sent_to_moto(handed_out)
        assert f"Credential={FAKE_KEY}/" in _key_sent_to_moto(_CLIENT_KEY)


@pytest.mark.skipif(not PER_REQUEST_CREDENTIALS, reason="botocore re-signs no single request")
def test_beside_moto_before_its_iam_is_loaded_a_key_is_not_moto_s(sm_experiments, monkeypatch):
    # moto imports moto.iam.models with the first request it answers, not when mock_aws starts.
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), monkeypatch.context() as patch:  # back before mock_aws stops
        patch.delitem(sys.modules, "moto.iam.models", raising=False)
        assert f"Credential={FAKE_KEY}/" in _key_sent_to_moto(_CLIENT_KEY)


@pytest.mark.skipif(not PER_REQUEST_CREDENTIALS, reason="botocore re-signs no single request")
def test_beside_a_moto_of_another_layout_a_key_is_not_moto_s(sm_experiments, monkeypatch):
    moto = pytest.importorskip("moto")
    iam_models = pytest.importorskip("moto.iam.models")
    with moto.mock_aws(), monkeypatch.context() as patch:
        patch.delattr(iam_models, "PARTITION_NAMES")
        assert f"Credential={FAKE_KEY}/" in _key_sent_to_moto(_CLIENT_KEY)



# -- the guards in a fresh process: modules imported while a mock runs, sessions made before
# the plugin, the transport guard put in once; where what the mock leaves goes --

# A fresh process (no plugin, nothing imported yet): requests and aiobotocore imported while a
# mock runs are guarded from the next request on.
# The first lines of each fresh process below: it refuses every connect itself.
_NO_NETWORK = """
import asyncio
import socket


def no_network(*args, **kwargs):
    raise OSError("no network in this test")


socket.socket.connect = no_network
socket.getaddrinfo = no_network
"""

_IMPORTED_MID_MOCK = _NO_NETWORK + """
from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments

with mock_sm_experiments() as mock:
    client = mock.client()
    client.create_experiment(ExperimentName="before")
    import aiobotocore.session
    import requests
    client.create_experiment(ExperimentName="after")
    try:
        requests.get("https://s3.us-east-1.amazonaws.com/")
    except RequestRefusedError:
        print("requests: refused")
    except Exception as error:
        print("requests:", type(error).__name__)

    async def list_buckets():
        async with aiobotocore.session.get_session().create_client(
                "s3", region_name="us-east-1", aws_access_key_id="a",
                aws_secret_access_key="b") as s3:
            await s3.list_buckets()

    try:
        asyncio.run(list_buckets())
    except RequestRefusedError:
        print("aiobotocore: refused")
    except Exception as error:
        print("aiobotocore:", type(error).__name__)
"""


@pytest.mark.slow
def test_modules_imported_while_a_mock_runs_are_guarded():
    pytest.importorskip("aiobotocore")
    pytest.importorskip("requests")
    done = subprocess.run([sys.executable, "-c", _IMPORTED_MID_MOCK], capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "requests: refused\naiobotocore: refused\n"), \
        done.stderr


_REQUESTS_FIRST_IMPORTED_MID_MOCK = _NO_NETWORK + """
import sys
from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments

with mock_sm_experiments():
    assert "requests" not in sys.modules
    import requests  # and no botocore call after it
    try:
        requests.get("https://s3.us-east-1.amazonaws.com/")
    except RequestRefusedError:
        print("requests: refused")
    except Exception as error:
        print("requests:", type(error).__name__)
"""


@pytest.mark.slow
def test_requests_first_imported_in_a_mock_is_guarded_before_any_botocore_call():
    pytest.importorskip("requests")
    done = subprocess.run([sys.executable, "-c", _REQUESTS_FIRST_IMPORTED_MID_MOCK],
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "requests: refused\n"), done.stderr


@pytest.mark.parametrize(("allowed", "url", "refused"), [
    (["sagemaker"], "https://api.ecr.us-east-1.amazonaws.com/", True),
    (["sagemaker"], "https://ecr.us-east-1.api.aws/", True),
    (["sagemaker"], "https://api.sagemaker.us-east-1.api.aws/x", False),
    (["sagemaker"], "https://api.sagemaker.us-east-1.amazonaws.com/", False),
    (["s3"], "https://my-bucket.s3.us-east-1.amazonaws.com/key", False),
    (["s3"], "https://s3.dualstack.us-east-1.amazonaws.com/", False),
    (["logs"], "https://logs.s3.amazonaws.com/key", True),
    (["docdb"], "https://rds.us-east-1.amazonaws.com/", False),
], ids=lambda value: value if isinstance(value, str) else None)
def test_requests_to_aws_hosts_leave_only_for_the_named_services_endpoints(
        network_attempts, allowed, url, refused):
    requests = pytest.importorskip("requests")
    with mock_sm_experiments(allow_network=allowed):
        if refused:
            with pytest.raises(RequestRefusedError):
                requests.get(url, timeout=5)
            assert list(network_attempts) == []
        else:  # let out: the suite's socket guard stops it at the DNS lookup
            with pytest.raises(Exception, match="DNS lookup attempted") as raised:
                requests.get(url, timeout=5)
            assert not isinstance(raised.value, RequestRefusedError)
            assert network_attempts


# A fresh process where botocore and aiobotocore sessions were made before the plugin loaded:
# the router never saw them, so the guard on botocore's transport is all that stands between
# their requests and AWS. The process refuses every connect itself.
_SESSIONS_BEFORE_THE_PLUGIN = _NO_NETWORK + """
import aiobotocore.session
import botocore.session

# Sessions made before the plugin loaded (pytest -p after a conftest's client, say).
KEYS = {"region_name": "us-east-1", "aws_access_key_id": "AKIAREALKEY0000000000",
        "aws_secret_access_key": "real"}
early = botocore.session.get_session().create_client("sagemaker", **KEYS)
early_s3 = botocore.session.get_session().create_client("s3", **KEYS)
aio_session = aiobotocore.session.get_session()

import pytest_sm_experiments.plugin  # noqa: F401
from pytest_sm_experiments import RequestRefusedError, attach, mock_sm_experiments


def outcome(call):
    try:
        call()
    except RequestRefusedError as refused:
        named = ", attach() named" if "attach()" in str(refused) else ""
        return f"refused {refused.service}:{refused.operation}{named}"
    except Exception as error:
        return type(error).__name__
    return "answered"


async def aio_call():
    async with aio_session.create_client("sagemaker", **KEYS) as client:
        await client.create_experiment(ExperimentName="aio")


async def aio_s3():
    async with aio_session.create_client("s3", **KEYS) as client:
        await client.create_bucket(Bucket="early")
        assert [b["Name"] for b in (await client.list_buckets())["Buckets"]] == ["early"]


with mock_sm_experiments() as mock:
    print("sync:", outcome(lambda: early.create_experiment(ExperimentName="early")))
    print("aio:", outcome(lambda: asyncio.run(aio_call())))
    attach(early)
    attach(early)
    print("attached:", outcome(lambda: early.create_experiment(ExperimentName="attached")))
    print("journal:", [call.operation for call in mock.calls])

from moto import mock_aws

with mock_aws(), mock_sm_experiments():
    print("s3 with moto:", outcome(lambda: early_s3.list_buckets()))
    print("aio s3 with moto:", outcome(lambda: asyncio.run(aio_s3())))
"""


@pytest.mark.slow
def test_sessions_made_before_the_plugin_loaded_are_answered_by_the_mock_or_by_moto():
    pytest.importorskip("aiobotocore")
    pytest.importorskip("moto")
    done = subprocess.run([sys.executable, "-c", _SESSIONS_BEFORE_THE_PLUGIN],
                          capture_output=True, text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout.splitlines()) == (0, [
        "sync: answered",
        "aio: answered",
        "attached: answered",
        "journal: ['CreateExperiment', 'CreateExperiment', 'CreateExperiment']",
        "s3 with moto: answered",
        "aio s3 with moto: answered",
    ]), done.stderr


def test_the_transport_guard_is_put_in_once_however_many_mocks_start(network_attempts):
    """Every mock start checks the guard on botocore's transport; were it wrapped again each
    time, a request sent after a thousand tests would pass through a thousand guards (and
    overflow the stack). One that reaches the transport: a service allowed out."""
    for _ in range(1100):
        mock_sm_experiments().start().stop()
    with mock_sm_experiments(allow_network=["s3"]):
        _reaches_the_network(network_attempts)


@pytest.mark.parametrize(("region", "host"), [
    ("eu-west-1", "api.sagemaker.eu-west-1.amazonaws.com"),
    ("cn-north-1", "api.sagemaker.cn-north-1.amazonaws.com.cn"),
])
def test_what_the_mock_leaves_goes_out_to_the_aws_host_not_to_the_endpoint(
        network_attempts, region, host):
    """With subprocesses=True a client made meanwhile is addressed to the mock's endpoint; an
    operation the mock does not serve, allowed out, goes to AWS's host for the region."""
    with mock_sm_experiments(subprocesses=True, allow_network=["sagemaker"], region=region):
        sagemaker = boto3.client("sagemaker", region_name=region, config=ONE_ATTEMPT)
        with pytest.raises(HTTPClientError, match="DNS lookup attempted"):
            sagemaker.list_training_jobs()
    assert network_attempts[-1][0] == host
