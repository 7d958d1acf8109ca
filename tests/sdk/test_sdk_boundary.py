"""The SageMaker Python SDK (v3 or v2, whichever is installed: ``conftest.SDK``) at the
boundary: the user's SDK config still applies, no telemetry or other ``requests`` call leaves
from sessions made before or after the mock started, and a whole user story (a training job and
S3 from moto, the experiment from this mock) runs with nothing reaching the network.

Every test points the SDK at a config file of its own (``SAGEMAKER_USER_CONFIG_OVERRIDE``), so
the developer's ``~/.config/sagemaker/config.yaml`` never changes an outcome.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
requests = pytest.importorskip("requests")

from conftest import NetworkBlocked  # noqa: E402

from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments  # noqa: E402

TELEMETRY_URL = ("https://sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com/telemetry?"
                 "x-accountId=123456789012&x-status=1&x-feature=16")


@pytest.fixture(autouse=True)
def user_sdk_config(monkeypatch, tmp_path) -> Path:
    """The user's SDK config: a team bucket and tags; telemetry NOT opted out."""
    config = tmp_path / "config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
                      "      Session:\n        DefaultS3Bucket: my-team-bucket\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    return config


def _telemetry_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "sagemaker-telemetry"]


def test_the_users_sdk_config_applies_inside_the_mock(sdk, sm_experiments, network_attempts):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        session = sdk.Session(boto_session=boto3.Session(region_name="us-east-1"))
        assert session.default_bucket() == "my-team-bucket"
        assert [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]] == [
            "my-team-bucket"]
    assert list(network_attempts) == []


@pytest.mark.parametrize("made", ["before the mock started", "while the mock runs"])
def test_no_telemetry_leaves_from_any_session(sdk, made, network_attempts):
    before = set(threading.enumerate())
    session = None
    if made == "before the mock started":
        session = sdk.Session(boto_session=boto3.Session(
            region_name="us-east-1", aws_access_key_id="AKIABEFOREMOCK000001",
            aws_secret_access_key="secret"))
    with mock_sm_experiments() as mock:
        if session is None:
            session = sdk.Session(boto_session=boto3.Session(region_name="us-east-1"))
        assert session.sagemaker_config["SageMaker"]["PythonSDK"]["Modules"]["Session"] == {
            "DefaultS3Bucket": "my-team-bucket"}
        with sdk.Run(experiment_name="quiet", run_name="run-1",
                     sagemaker_session=session) as run:
            run.log_parameter("lr", 0.1)
            run.log_metric("loss", 0.5, step=0)
        assert _telemetry_threads() == []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert list(network_attempts) == []
    # The telemetry thread would have asked STS for the account first.
    mock.assert_not_called("GetCallerIdentity")
    component = mock.trial_components["quiet-run-1"]
    assert component.parameters == {"lr": 0.1}
    assert component.metrics["loss"].count == 1


@pytest.mark.parametrize("made", ["before the mock started", "while the mock runs"])
def test_no_telemetry_from_estimator_fit(sdk, made, network_attempts):
    """v2's ``Estimator.fit`` emits telemetry (an STS account lookup, then ``requests``); v3's
    ``Run`` does, which the test above covers."""
    if sdk.generation != 2:
        pytest.skip("sagemaker.estimator.Estimator is the v2 SDK's")
    moto = pytest.importorskip("moto")
    from sagemaker.estimator import Estimator

    session = None
    if made == "before the mock started":
        session = sdk.Session(boto_session=boto3.Session(
            region_name="us-east-1", aws_access_key_id="AKIABEFOREMOCK000003",
            aws_secret_access_key="secret"))
    with mock_sm_experiments() as mock, moto.mock_aws():
        if session is None:
            session = sdk.Session(boto_session=boto3.Session(region_name="us-east-1"))
        estimator = Estimator(image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1",
                              role="arn:aws:iam::123456789012:role/SageMakerRole",
                              instance_count=1, instance_type="ml.m5.large",
                              sagemaker_session=session)
        estimator.fit(wait=False, logs=False, job_name="fit-1")
        jobs = boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"]
    assert [job["TrainingJobName"] for job in jobs] == ["fit-1"]
    mock.assert_not_called("GetCallerIdentity")
    assert list(network_attempts) == []


def test_requests_to_aws_hosts_are_refused_while_a_mock_runs(sm_experiments, network_attempts):
    with pytest.raises(RequestRefusedError) as raised:
        requests.get(TELEMETRY_URL, timeout=2)
    error = raised.value
    # Also a requests ConnectionError: code that handles network failures handles it.
    assert isinstance(error, requests.exceptions.ConnectionError)
    assert "sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com" in str(error)
    assert "nothing was sent" in str(error)
    assert error.request.url == TELEMETRY_URL
    # Hosts outside AWS are not the mock's business (the suite's guard stops them here).
    with pytest.raises(NetworkBlocked):
        requests.get("https://example.com/", timeout=2)
    assert [attempt[0] for attempt in network_attempts] == ["example.com"]


def test_requests_to_aws_hosts_reach_moto_or_the_network_on_purpose(network_attempts):
    moto = pytest.importorskip("moto")
    with mock_sm_experiments(), moto.mock_aws():
        answered = requests.get(TELEMETRY_URL, timeout=2)
    assert answered.status_code == 404  # moto: no such bucket
    assert list(network_attempts) == []
    with mock_sm_experiments(allow_network=["s3"]), pytest.raises(NetworkBlocked):
        requests.get(TELEMETRY_URL, timeout=2)
    assert network_attempts[-1][0] == "sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com"


def test_requests_are_untouched_outside_a_mock(network_attempts):
    with pytest.raises(NetworkBlocked):
        requests.get(TELEMETRY_URL, timeout=2)
    assert network_attempts[0][0] == "sm-pysdk-t-us-east-1.s3.us-east-1.amazonaws.com"


def test_shell_region_does_not_hide_the_run_from_the_handle(sdk, monkeypatch, network_attempts):
    """The issue's report: with eu-west-1 in the shell, the SDK's calls went to eu-west-1 and
    ``sm_experiments.trial_components[...]`` (us-east-1) raised a bare KeyError."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    with mock_sm_experiments() as mock:
        with sdk.Run(experiment_name="churn-exp", run_name="run-1") as run:
            run.log_parameter("lr", 0.1)
        component = mock.trial_components["churn-exp-run-1"]
    assert component.parameters == {"lr": 0.1}
    assert {call.region for call in mock.calls} == {"us-east-1"}
    assert list(network_attempts) == []


# -- the user story ------------------------------------------------------------------------------

JOB = {
    "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/"
                                                "churn:latest", "TrainingInputMode": "File"},
    "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
    "OutputDataConfig": {"S3OutputPath": "s3://my-team-bucket/models"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}


def train_and_track(sdk, job_name: str, report: Path) -> str:
    """Code under test: start a training job, and track it as an experiment run."""
    session = sdk.Session(boto_session=boto3.Session(region_name="us-east-1"))
    sagemaker = session.sagemaker_client
    arn = sagemaker.create_training_job(TrainingJobName=job_name, **JOB)["TrainingJobArn"]
    with sdk.Run(experiment_name="churn", run_name=job_name, sagemaker_session=session) as run:
        run.log_parameters({"instance_type": "ml.m5.large", "epochs": 3})
        status = sagemaker.describe_training_job(TrainingJobName=job_name)["TrainingJobStatus"]
        run.log_parameter("job_status", status)
        run.log_metric("accuracy", 0.91, step=0)
        run.log_file(str(report), name="evaluation", is_output=True)
    return str(arn)


def test_user_story_training_job_from_moto_experiment_from_the_mock(
        sdk, tmp_path, network_attempts):
    moto = pytest.importorskip("moto")
    report = tmp_path / "evaluation.json"
    report.write_text('{"accuracy": 0.91}')
    with mock_sm_experiments() as mock, moto.mock_aws():
        arn = train_and_track(sdk, "churn-job-1", report)
        jobs = boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"]
        objects = boto3.client("s3").list_objects_v2(Bucket="my-team-bucket")["Contents"]
        uploaded = boto3.client("s3").get_object(Bucket="my-team-bucket",
                                                 Key=objects[0]["Key"])["Body"].read()

    assert arn == "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-job-1"
    assert [job["TrainingJobName"] for job in jobs] == ["churn-job-1"]
    assert uploaded == b'{"accuracy": 0.91}'
    component = mock.trial_components["churn-churn-job-1"]
    assert component.parameters == {"instance_type": "ml.m5.large", "epochs": 3.0,
                                    "job_status": "Completed"}  # moto completes jobs at once
    assert component.output_artifacts["evaluation"].value == (
        f"s3://my-team-bucket/{objects[0]['Key']}")
    assert component.metrics["accuracy"].last == 0.91
    operations = [op for op in mock.calls.operations if op != "BatchPutMetrics"]
    assert operations == ["CreateExperiment", "CreateTrial", "CreateTrialComponent", "Search",
                          "AssociateTrialComponent", "UpdateTrialComponent",
                          "UpdateTrialComponent"]
    mock.assert_not_called("CreateTrainingJob")
    assert list(network_attempts) == []
