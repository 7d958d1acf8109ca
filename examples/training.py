"""Training orchestration as teams write it: the code under test in examples/test_training.py.

``launch`` starts a SageMaker training job for an experiment run: the run's
``experiment_config`` goes with the job, so SageMaker files the job's trial component in the
run's group, and the training script (examples/train_script.py) finds the run from inside the
job.
"""

from __future__ import annotations

from typing import Any


def launch(sagemaker: Any, run: Any, job_name: str, image_uri: str, role_arn: str,
           output_path: str, hyperparameters: dict[str, str]) -> str:
    """Start training job ``job_name`` for ``run`` (a SageMaker SDK ``Run``), wait for it to
    finish and return its ARN."""
    arn: str = sagemaker.create_training_job(
        TrainingJobName=job_name,
        AlgorithmSpecification={"TrainingImage": image_uri, "TrainingInputMode": "File"},
        RoleArn=role_arn,
        HyperParameters=hyperparameters,
        OutputDataConfig={"S3OutputPath": output_path},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1,
                        "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        ExperimentConfig=run.experiment_config,
    )["TrainingJobArn"]
    sagemaker.get_waiter("training_job_completed_or_stopped").wait(TrainingJobName=job_name)
    return arn
