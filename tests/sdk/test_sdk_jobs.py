"""A job started for an experiment run, with moto's ``mock_aws`` beside the mock (moto makes the
job; SageMaker's records of it are this mock's), and the job's own code logging into the run
the way it does on SageMaker: ``sm_experiments.inside_job(...)`` then ``load_run()``.

Written once for both SDK generations (``sdk`` fixture, conftest.py).
"""

from __future__ import annotations

import importlib
from typing import Any

import job_requests
import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-train:1"


def training_job(name: str, **extra: Any) -> dict[str, Any]:
    return job_requests.training_job(name, image=IMAGE, output="s3://churn-bucket/output",
                                     **extra)


def processing_job(name: str, **extra: Any) -> dict[str, Any]:
    return {
        "ProcessingJobName": name,
        "ProcessingResources": {"ClusterConfig": {
            "InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 10}},
        "AppSpecification": {"ImageUri": IMAGE},
        "RoleArn": ROLE,
        **extra,
    }


@pytest.fixture
def beside_moto(sm_experiments):
    with moto.mock_aws():
        yield boto3.client("sagemaker", region_name=REGION)


def test_a_job_started_for_a_run_joins_its_run_group(sdk, sm_session, sm_experiments,
                                                     beside_moto):
    sagemaker = beside_moto
    with sdk.Run(experiment_name="Churn", run_name="Run-1",
                 sagemaker_session=sm_session) as run:
        config = run.experiment_config
        arn = sagemaker.create_training_job(**training_job(
            "churn-train-1", ExperimentConfig=config))["TrainingJobArn"]

    # The SDK passes the run's group as TrialName and the run's component as RunName.
    assert config == {"ExperimentName": "churn", "TrialName": "Default-Run-Group-churn",
                      "RunName": "churn-run-1"}
    job = sagemaker.describe_trial_component(TrialComponentName="churn-train-1-aws-training-job")
    assert job["Source"] == {"SourceArn": arn, "SourceType": "SageMakerTrainingJob"}
    assert job["DisplayName"] == "churn-train-1-aws-training-job"
    trial = sm_experiments.trials["Default-Run-Group-churn"]
    assert trial.trial_component_names == ("churn-run-1", "churn-train-1-aws-training-job")
    # The run lists the job among its sources; list_runs still finds the run alone.
    run_view = sagemaker.describe_trial_component(TrialComponentName="churn-run-1")
    assert run_view["Sources"] == [{"SourceArn": arn, "SourceType": "SageMakerTrainingJob"}]
    assert [found.run_name for found in sdk.run.list_runs(
        experiment_name="churn", sagemaker_session=sm_session)] == ["run-1"]


def test_the_jobs_code_logs_into_the_run_that_started_it(sdk, sm_session, sm_experiments,
                                                         beside_moto):
    with sdk.Run(experiment_name="churn", run_name="run-1", sagemaker_session=sm_session) as run:
        beside_moto.create_training_job(**training_job(
            "churn-train-1", ExperimentConfig=run.experiment_config))

    # As the training script runs on SageMaker: no names given, the job tells the run.
    with sm_experiments.inside_job("churn-train-1") as variables, \
            sdk.run.load_run(sagemaker_session=sm_session) as job_run:
        job_run.log_parameter("learning_rate", 0.1)
        for step, loss in enumerate([0.9, 0.5, 0.2]):
            job_run.log_metric("loss", loss, step=step)
        loaded = (job_run.experiment_name, job_run.run_name)

    assert variables == {"TRAINING_JOB_ARN": (
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-train-1")}
    assert loaded == ("churn", "run-1")
    component = sm_experiments.trial_components["churn-run-1"]
    assert component.parameters == {"learning_rate": 0.1}
    assert component.metrics["loss"].count == 3
    assert component.metrics["loss"].min == 0.2
    # The job's code called DescribeTrainingJob (moto answered it) to find its run.
    sm_experiments.assert_called_once("CreateTrainingJob", TrainingJobName="churn-train-1")


# The SDKs read the file with open(...).read() and leave it to the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_processing_jobs_code_finds_its_run_through_its_config_file(
        sdk, sm_session, sm_experiments, beside_moto):
    with sdk.Run(experiment_name="churn", run_name="prep", sagemaker_session=sm_session) as run:
        beside_moto.create_processing_job(**processing_job(
            "churn-prep-1", ExperimentConfig=run.experiment_config))

    with sm_experiments.inside_job("churn-prep-1") as variables, \
            sdk.run.load_run(sagemaker_session=sm_session) as job_run:
        job_run.log_metric("rows", 1000.0)

    assert variables == {}
    assert sm_experiments.trial_components["churn-prep"].metrics["rows"].last == 1000.0
    component = sm_experiments.trial_components["churn-prep-1-aws-processing-job"]
    assert component.source_type == "SageMakerProcessingJob"
    assert component.trial_names == ("Default-Run-Group-churn",)


def test_outside_the_block_the_job_is_gone(sdk, sm_session, sm_experiments, beside_moto):
    with sdk.Run(experiment_name="churn", run_name="r", sagemaker_session=sm_session) as run:
        beside_moto.create_training_job(**training_job(
            "job-1", ExperimentConfig=run.experiment_config))
    with sm_experiments.inside_job("job-1"):
        pass
    with pytest.raises(RuntimeError, match="Failed to load a Run"):
        sdk.run.load_run(sagemaker_session=sm_session)


def test_analytics_reads_the_job_component_of_the_experiment(sdk, sm_session, sm_experiments,
                                                             beside_moto):
    with sdk.Run(experiment_name="churn", run_name="r", sagemaker_session=sm_session) as run:
        beside_moto.create_training_job(**training_job(
            "job-1", ExperimentConfig=run.experiment_config,
            HyperParameters={"epochs": "3", "optimizer": "adam"}))
    frame = sdk.analytics.ExperimentAnalytics(
        experiment_name="churn", sagemaker_session=sm_session).dataframe()
    row = frame[frame["TrialComponentName"] == "job-1-aws-training-job"].iloc[0]
    assert (row["epochs"], row["optimizer"], row["SageMaker.InstanceType"]) == (
        3.0, "adam", "ml.m5.large")


def test_v2_estimator_fit_with_the_runs_config(sdk, sm_session, sm_experiments, beside_moto):
    """The previous generation's Estimator (v3 trains with another package)."""
    if sdk.generation != 2:
        pytest.skip("sagemaker.estimator is SDK v2's")
    estimator_module = importlib.import_module("sagemaker.estimator")
    estimator = estimator_module.Estimator(
        image_uri=IMAGE, role=ROLE, instance_count=1, instance_type="ml.m5.large",
        output_path="s3://churn-bucket/output", sagemaker_session=sm_session,
        hyperparameters={"epochs": 3})
    with sdk.Run(experiment_name="churn", run_name="fit", sagemaker_session=sm_session) as run:
        estimator.fit(job_name="churn-fit-1", wait=True, logs="None",
                      experiment_config=run.experiment_config)
    component = sm_experiments.trial_components["churn-fit-1-aws-training-job"]
    assert component.trial_names == ("Default-Run-Group-churn",)
    assert component.status == {"PrimaryStatus": "Completed"}
    assert component.parameters["epochs"] == 3.0
