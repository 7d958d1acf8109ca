"""``sm_experiments.inside_job(...)`` and ``job_environment(...)``: run a job's code as SageMaker
runs it, in the test's process or in a child process.

The SDKs' readers are exercised in tests/sdk (``load_run()``) and
tests/sdk/test_smexperiments_tracker.py (``Tracker.load()``); here, what the environment holds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import job_requests
import pytest

from pytest_sm_experiments import MockUsageError, mock_sm_experiments

moto = pytest.importorskip("moto")

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
TRAINING_ARN = "arn:aws:sagemaker:us-east-1:123456789012:training-job/job-1"


def training_job(name: str, **extra: Any) -> dict[str, Any]:
    return job_requests.training_job(name, image=IMAGE, output="s3://bucket/output",
                                     **extra)


@pytest.fixture
def with_jobs(sm_experiments, monkeypatch):
    for name in ("TRAINING_JOB_ARN", "TRANSFORM_JOB_ARN"):
        monkeypatch.delenv(name, raising=False)
    with moto.mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_experiment(ExperimentName="churn")
        sagemaker.create_training_job(**training_job("job-1", ExperimentConfig={
            "ExperimentName": "churn"}))
        sagemaker.create_training_job(**training_job("no-config"))
        yield sagemaker


def test_a_training_jobs_variable_by_name_or_arn(sm_experiments, with_jobs):
    assert sm_experiments.job_environment("job-1") == {"TRAINING_JOB_ARN": TRAINING_ARN}
    assert sm_experiments.job_environment(TRAINING_ARN) == {"TRAINING_JOB_ARN": TRAINING_ARN}
    # A job with no component of the mock's: moto's job by that name.
    assert sm_experiments.job_arn("no-config") == (
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/no-config")


def test_inside_a_job_the_variable_is_set_then_restored(sm_experiments, with_jobs, monkeypatch):
    monkeypatch.setenv("TRANSFORM_JOB_ARN", "left-by-the-shell")
    with sm_experiments.inside_job("job-1") as variables:
        inside = {name: os.environ.get(name) for name in ("TRAINING_JOB_ARN",
                                                           "TRANSFORM_JOB_ARN")}
    assert variables == {"TRAINING_JOB_ARN": TRAINING_ARN}
    # The SDKs look for a training job first: the other kinds' variables are set aside.
    assert inside == {"TRAINING_JOB_ARN": TRAINING_ARN, "TRANSFORM_JOB_ARN": None}
    assert "TRAINING_JOB_ARN" not in os.environ
    assert os.environ["TRANSFORM_JOB_ARN"] == "left-by-the-shell"


def test_a_transform_jobs_variable(sm_experiments):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:transform-job/score-1"
    assert sm_experiments.job_environment(arn) == {"TRANSFORM_JOB_ARN": arn}


def test_a_processing_job_has_a_file_not_a_variable(sm_experiments):
    arn = "arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep-1"
    with pytest.raises(MockUsageError, match=r"processingjobconfig\.json"):
        sm_experiments.job_environment(arn)
    with sm_experiments.inside_job(arn) as variables:
        assert variables == {}
        assert "TRAINING_JOB_ARN" not in os.environ


@pytest.mark.parametrize("job", ["unknown-job", "arn:aws:sagemaker:us-east-1:123456789012:"
                                                "endpoint/e", "arn:aws:s3:::bucket/key"])
def test_misuse(sm_experiments, job):
    with pytest.raises(MockUsageError):
        sm_experiments.job_environment(job)


def test_a_child_process_sees_the_job(sm_experiments, with_jobs):
    script = "import os; print(os.environ.get('TRAINING_JOB_ARN'))"
    with sm_experiments.inside_job("job-1"):
        inherited = subprocess.run([sys.executable, "-c", script], capture_output=True,
                                   text=True, check=True).stdout.strip()
    given = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ,
                                            **sm_experiments.job_environment("job-1")},
                           ).stdout.strip()
    assert inherited == given == TRAINING_ARN


# A job's code in a child process, against the mock's endpoint: it finds its run through
# DescribeTrainingJob, which only moto (in the test's process) can answer.
_JOB_CODE = textwrap.dedent("""
    import json, os
    import boto3
    sagemaker = boto3.client("sagemaker")
    job = os.environ["TRAINING_JOB_ARN"].rpartition("/")[2]
    config = sagemaker.describe_training_job(TrainingJobName=job)["ExperimentConfig"]
    print(json.dumps(config))
""")


@pytest.mark.slow
def test_a_jobs_code_in_a_child_process_reads_its_job_from_moto(network_attempts):
    with mock_sm_experiments(subprocesses=True) as mock, moto.mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_experiment(ExperimentName="churn")
        sagemaker.create_training_job(**training_job("job-1", ExperimentConfig={
            "ExperimentName": "churn"}))
        with mock.inside_job("job-1"):
            done = subprocess.run([sys.executable, "-c", _JOB_CODE], capture_output=True,
                                  text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"ExperimentName": "churn"}
    assert list(network_attempts) == []


_CREATE_IN_CHILD = textwrap.dedent("""
    import sys
    import boto3
    sagemaker = boto3.client("sagemaker")
    sagemaker.create_training_job(
        TrainingJobName="child-job",
        AlgorithmSpecification={"TrainingImage": sys.argv[1], "TrainingInputMode": "File"},
        RoleArn=sys.argv[2], OutputDataConfig={"S3OutputPath": "s3://bucket/output"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        ExperimentConfig={"ExperimentName": "churn"})
""")


@pytest.mark.slow
def test_a_job_created_from_a_child_process_gets_its_component(network_attempts):
    with mock_sm_experiments(subprocesses=True) as mock, moto.mock_aws():
        boto3.client("sagemaker", region_name=REGION).create_experiment(ExperimentName="churn")
        done = subprocess.run([sys.executable, "-c", _CREATE_IN_CHILD, IMAGE, ROLE],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        assert "child-job-aws-training-job" in mock.trial_components
    assert list(network_attempts) == []
