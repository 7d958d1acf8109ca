"""sagemaker-experiments (``smexperiments``, the SDK before ``Run``): its ``Tracker`` loads the
trial component SageMaker made for a job, by the job's name from outside the job, or from the
job's environment inside it (``ListTrialComponents(SourceArn=<job arn>)``).
"""

from __future__ import annotations

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")
tracker = pytest.importorskip("smexperiments.tracker")

REGION = "us-east-1"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"


@pytest.fixture
def job(sm_experiments):
    """A training job created for a trial, moto beside the mock; yields the SageMaker client."""
    with moto.mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_experiment(ExperimentName="churn")
        sagemaker.create_trial(TrialName="churn-trial", ExperimentName="churn")
        sagemaker.create_training_job(
            TrainingJobName="churn-train-1",
            AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
            OutputDataConfig={"S3OutputPath": "s3://bucket/output"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                            "VolumeSizeInGB": 10},
            StoppingCondition={"MaxRuntimeInSeconds": 3600},
            ExperimentConfig={"TrialName": "churn-trial", "TrialComponentDisplayName": "Train"})
        yield sagemaker


def test_load_by_training_job_name(sm_experiments, job):
    loaded = tracker.Tracker.load(training_job_name="churn-train-1", sagemaker_boto_client=job)
    loaded.log_parameters({"threshold": 0.5})
    loaded.trial_component.save()
    component = sm_experiments.trial_components["churn-train-1-aws-training-job"]
    assert loaded.trial_component.display_name == "Train"
    assert loaded.trial_component.source.source_arn == component.source_arn
    assert component.parameters["threshold"] == 0.5


def test_load_inside_the_job(sm_experiments, job):
    with sm_experiments.inside_job("churn-train-1"):
        loaded = tracker.Tracker.load(sagemaker_boto_client=job)
        loaded.log_parameter("batch_size", 64)
        loaded.log_output(name="report", value="s3://bucket/report.html")
        loaded.trial_component.save()
    assert loaded.trial_component.trial_component_name == "churn-train-1-aws-training-job"
    component = sm_experiments.trial_components["churn-train-1-aws-training-job"]
    assert component.parameters["batch_size"] == 64.0
    assert component.output_artifacts["report"].value == "s3://bucket/report.html"
    sm_experiments.assert_called("ListTrialComponents",
                                 SourceArn=component.source_arn)
