"""The SageMaker Python SDK v2 (``sagemaker<3``) at the boundary.

v2 and v3 cannot share an environment, so CI (which installs v3 through the ``sdk`` extra) skips
this module; the ``sdk2`` environment runs it (``tox -e sdk2``, and `.ci/run`).
"""

from __future__ import annotations

import os
import threading
import warnings
from pathlib import Path

import pytest

boto3 = pytest.importorskip("boto3")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # v2 warns at import that it is on its way out
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    session_module = pytest.importorskip("sagemaker.session")
    run_module = pytest.importorskip("sagemaker.experiments.run")

from pytest_sm_experiments import mock_sm_experiments  # noqa: E402

Session = session_module.Session
Run = run_module.Run


@pytest.fixture(autouse=True)
def user_sdk_config(monkeypatch, tmp_path) -> Path:
    """The user's SDK config: a team bucket; telemetry NOT opted out."""
    config = tmp_path / "config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
                      "      Session:\n        DefaultS3Bucket: my-team-bucket\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    for name in ("TRAINING_JOB_ARN", "PROCESSING_JOB_CONFIG_PATH", "TRANSFORM_JOB_ARN"):
        monkeypatch.delenv(name, raising=False)
    return config


def test_the_users_sdk_config_applies_inside_the_mock(sm_experiments, network_attempts):
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        session = Session(boto_session=boto3.Session(region_name="us-east-1"))
        assert session.default_bucket() == "my-team-bucket"
    assert list(network_attempts) == []


@pytest.mark.parametrize("made", ["before the mock started", "while the mock runs"])
def test_no_telemetry_leaves_from_any_session(made, network_attempts):
    before = set(threading.enumerate())
    session = None
    if made == "before the mock started":
        session = Session(boto_session=boto3.Session(
            region_name="us-east-1", aws_access_key_id="AKIABEFOREMOCK000002",
            aws_secret_access_key="secret"))
    with mock_sm_experiments() as mock:
        if session is None:
            session = Session(boto_session=boto3.Session(region_name="us-east-1"))
        with Run(experiment_name="quiet", run_name="run-1", sagemaker_session=session) as run:
            run.log_parameter("lr", 0.1)
            run.log_metric("loss", 0.5, step=0)
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert list(network_attempts) == []
    mock.assert_not_called("GetCallerIdentity")  # the telemetry's account lookup
    component = mock.trial_components["quiet-run-1"]
    assert component.parameters == {"lr": 0.1}
    assert component.metrics["loss"].count == 1


@pytest.mark.parametrize("made", ["before the mock started", "while the mock runs"])
def test_no_telemetry_from_estimator_fit(made, network_attempts):
    """``Estimator.fit`` emits v2 telemetry (with an STS account lookup, then ``requests``)."""
    moto = pytest.importorskip("moto")
    from sagemaker.estimator import Estimator

    session = None
    if made == "before the mock started":
        session = Session(boto_session=boto3.Session(
            region_name="us-east-1", aws_access_key_id="AKIABEFOREMOCK000003",
            aws_secret_access_key="secret"))
    with mock_sm_experiments() as mock, moto.mock_aws():
        if session is None:
            session = Session(boto_session=boto3.Session(region_name="us-east-1"))
        estimator = Estimator(image_uri="123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1",
                              role="arn:aws:iam::123456789012:role/SageMakerRole",
                              instance_count=1, instance_type="ml.m5.large",
                              sagemaker_session=session)
        estimator.fit(wait=False, logs=False, job_name="fit-1")
        jobs = boto3.client("sagemaker").list_training_jobs()["TrainingJobSummaries"]
    assert [job["TrainingJobName"] for job in jobs] == ["fit-1"]
    mock.assert_not_called("GetCallerIdentity")
    assert list(network_attempts) == []


def test_user_story_run_log_file_to_moto(tmp_path, network_attempts):
    moto = pytest.importorskip("moto")
    report = tmp_path / "evaluation.json"
    report.write_text('{"accuracy": 0.9}')
    with mock_sm_experiments() as mock, moto.mock_aws():
        session = Session(boto_session=boto3.Session(region_name="us-east-1"))
        session.sagemaker_client.create_training_job(
            TrainingJobName="job-1",
            AlgorithmSpecification={"TrainingImage": "img:latest", "TrainingInputMode": "File"},
            RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
            OutputDataConfig={"S3OutputPath": "s3://my-team-bucket/models"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                            "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 60})
        with Run(experiment_name="churn", run_name="job-1", sagemaker_session=session) as run:
            run.log_file(str(report), name="evaluation", is_output=True)
        keys = [item["Key"] for item in boto3.client("s3").list_objects_v2(
            Bucket="my-team-bucket")["Contents"]]
    component = mock.trial_components["churn-job-1"]
    assert component.output_artifacts["evaluation"].value == f"s3://my-team-bucket/{keys[0]}"
    mock.assert_not_called("CreateTrainingJob")
    assert list(network_attempts) == []
