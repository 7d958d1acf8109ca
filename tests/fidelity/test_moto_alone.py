"""The README's "Why not moto alone" table, measured: each row runs the same calls against
moto's `mock_aws` alone and against this mock, and pins what each answers. When a moto release
changes one of them, the row's test fails: update the table (and the moto version it quotes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sm_experiments import mock_sm_experiments

moto = pytest.importorskip("moto")

JOB = {
    "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
    "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out"},
    "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 10},
    "StoppingCondition": {"MaxRuntimeInSeconds": 60},
}


def _outcome(call: Callable[[Any], Any], client: Any) -> Any:
    """What a caller sees: the value, or the error code (or the Python exception's type)."""
    try:
        return call(client)
    except ClientError as error:
        return ("error", error.response["Error"]["Code"])
    except Exception as error:  # moto's unimplemented or crashing paths
        return ("raised", type(error).__name__)


def _duplicate(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn")
    return c.create_experiment(ExperimentName="churn")["ExperimentArn"].rsplit("/", 1)[1]


def _other_case(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn")
    return c.create_experiment(ExperimentName="CHURN")["ExperimentArn"].rsplit("/", 1)[1]


def _display_name(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn", DisplayName="Churn", Description="baseline")
    described = c.describe_experiment(ExperimentName="churn")
    return described.get("DisplayName"), described.get("Description")


def _trial_without_experiment(c: Any) -> Any:
    return c.create_trial(TrialName="t", ExperimentName="missing")["TrialArn"].rsplit("/", 1)[1]


def _update(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn")
    c.update_experiment(ExperimentName="churn", DisplayName="Churn")
    return c.describe_experiment(ExperimentName="churn")["DisplayName"]


def _delete_with_trials(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn")
    c.create_trial(TrialName="t", ExperimentName="churn")
    c.delete_experiment(ExperimentName="churn")
    return "deleted"


def _tags(c: Any) -> Any:
    arn = c.create_experiment(ExperimentName="churn")["ExperimentArn"]
    c.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "a"}])
    c.add_tags(ResourceArn=arn, Tags=[{"Key": "team", "Value": "b"}])
    return c.list_tags(ResourceArn=arn)["Tags"]


def _search_or(c: Any) -> Any:
    for name in ("a", "b"):
        c.create_experiment(ExperimentName=name)
    filters = [{"Name": "ExperimentName", "Operator": "Equals", "Value": name}
               for name in ("a", "b")]
    results = c.search(Resource="Experiment",
                       SearchExpression={"Filters": filters, "Operator": "Or"})["Results"]
    return sorted(r["Experiment"]["ExperimentName"] for r in results)


def _search_max_results(c: Any) -> Any:
    for name in ("a", "b", "c"):
        c.create_experiment(ExperimentName=name)
    return len(c.search(Resource="Experiment", MaxResults=1)["Results"])


def _job_component(c: Any) -> Any:
    c.create_experiment(ExperimentName="churn")
    c.create_trial(TrialName="t", ExperimentName="churn")
    c.create_training_job(TrainingJobName="job", ExperimentConfig={
        "ExperimentName": "churn", "TrialName": "t"}, **JOB)
    return [s["TrialComponentName"]
            for s in c.list_trial_components()["TrialComponentSummaries"]]


# (call, what this mock answers (as AWS does), what moto alone answers)
ROWS = {
    "duplicate name": (_duplicate, ("error", "ValidationException"), "churn"),
    "duplicate in another letter case": (
        _other_case, ("error", "ValidationException"), "CHURN"),
    "DisplayName and Description kept": (_display_name, ("Churn", "baseline"), (None, None)),
    "describe a missing experiment": (
        lambda c: c.describe_experiment(ExperimentName="missing"),
        ("error", "ResourceNotFound"), ("raised", "KeyError")),
    "invalid name": (lambda c: c.create_experiment(ExperimentName="bad_name!")["ExperimentArn"],
                     ("error", "ValidationException"),
                     "arn:aws:sagemaker:us-east-1:123456789012:experiment/bad_name!"),
    "200-character name": (
        lambda c: c.create_experiment(ExperimentName="a" * 200)["ExperimentArn"][-3:],
        ("error", "ValidationException"), "aaa"),
    "trial of a missing experiment": (
        _trial_without_experiment, ("error", "ResourceNotFound"), "t"),
    "UpdateExperiment": (_update, "Churn", ("raised", "NotImplementedError")),
    "delete an experiment that has trials": (
        _delete_with_trials, ("error", "ValidationException"), "deleted"),
    "AddTags with a key already there": (
        _tags, [{"Key": "team", "Value": "b"}],
        [{"Key": "team", "Value": "a"}, {"Key": "team", "Value": "b"}]),
    "Search with Operator=Or": (_search_or, ["a", "b"], []),
    "Search with MaxResults=1": (_search_max_results, 1, 3),
    "a training job with an ExperimentConfig": (
        _job_component, ["job-aws-training-job"], []),
}


def _client() -> Any:
    return boto3.client("sagemaker", region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": 1}))


@pytest.mark.parametrize("row", list(ROWS))
def test_this_mock_answers_as_aws_and_moto_alone_does_not(row: str) -> None:
    call, ours, motos = ROWS[row]
    with moto.mock_aws(), mock_sm_experiments():
        assert _outcome(call, _client()) == ours
    with moto.mock_aws():
        assert _outcome(call, _client()) == motos, (
            f"moto {moto.__version__} changed: update the README's row {row!r}")
