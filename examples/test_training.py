"""A training job launched for an experiment run, and its training script logging into that
run, tested together: moto's ``mock_aws`` makes the job, the plugin makes SageMaker's records
of it, and ``sm_experiments.inside_job`` runs the script as it runs inside the job.

Run: pytest examples   (needs moto and the SageMaker SDK: pip install -e ".[test,sdk]")
"""

from __future__ import annotations

import boto3
import pytest
import training

moto = pytest.importorskip("moto")
experiments = pytest.importorskip("sagemaker.core.experiments.run")

import train_script  # noqa: E402  (imports the SageMaker SDK)

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn-train:1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"


@moto.mock_aws
def test_the_script_logs_into_the_run_that_launched_its_job(sm_experiments, sm_session,
                                                            monkeypatch):
    sagemaker = boto3.client("sagemaker", region_name="us-east-1")
    with experiments.Run(experiment_name="churn", run_name="baseline",
                         sagemaker_session=sm_session) as run:
        arn = training.launch(sagemaker, run, "churn-train-1", IMAGE, ROLE,
                              "s3://churn-models/output", {"epochs": "3"})

    # The job's own trial component, as SageMaker names it, in the run's group.
    job = sm_experiments.trial_components["churn-train-1-aws-training-job"]
    assert (job.source_arn, job.source_type) == (arn, "SageMakerTrainingJob")
    assert job.status == {"PrimaryStatus": "Completed"}
    assert job.parameters["epochs"] == 3.0
    assert sm_experiments.trials["Default-Run-Group-churn"].trial_component_names == (
        "churn-baseline", "churn-train-1-aws-training-job")

    # The script, as SageMaker runs it inside the job (hyperparameters as SM_HP_* variables).
    monkeypatch.setenv("SM_HP_EPOCHS", "3")
    with sm_experiments.inside_job("churn-train-1"):
        train_script.main(sagemaker_session=sm_session)

    logged = sm_experiments.trial_components["churn-baseline"]
    assert logged.parameters == {"epochs": 3.0}
    assert logged.metrics["train:loss"].count == 3
    assert logged.metrics["train:loss"].last == pytest.approx(1 / 3)
    assert logged.metrics["validation:auc"].last == 0.91
