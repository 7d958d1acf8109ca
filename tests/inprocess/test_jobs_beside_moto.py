"""The records SageMaker makes itself: a job created with an ``ExperimentConfig`` while moto's
``mock_aws`` runs beside the mock (either started first) gets its trial component, named as AWS
names it, with the job as its ``Source``, in the trial the config names; ``Search`` of what the
mock does not hold goes to moto.

Every client here is a real botocore/boto3/aiobotocore client; moto makes the jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.handlers
import botocore.session
import job_requests
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sm_experiments import (
    SageMakerExperimentsMock,
    UnsupportedOperationError,
    mock_sm_experiments,
)

moto = pytest.importorskip("moto")

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/SageMakerRole"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
ORDERS = ["mock first", "moto first"]


def training_job(name: str, **extra: Any) -> dict[str, Any]:
    return job_requests.training_job(name, image=IMAGE, output="s3://bucket/output/",
                                     instance_count=2, **extra)


@contextlib.contextmanager
def beside_moto(order: str = "mock first", **options: Any) -> Iterator[SageMakerExperimentsMock]:
    with contextlib.ExitStack() as stack:
        if order == "moto first":
            stack.enter_context(moto.mock_aws())
            mock = stack.enter_context(mock_sm_experiments(**options))
        else:
            mock = stack.enter_context(mock_sm_experiments(**options))
            stack.enter_context(moto.mock_aws())
        yield mock


def seeded(client: Any) -> None:
    client.create_experiment(ExperimentName="churn")
    client.create_trial(TrialName="churn-trial", ExperimentName="churn")


def _session_without(*modules: str) -> botocore.session.Session:
    """A Session whose handlers lack those of ``modules``: as if it had been created before
    they were imported."""
    handlers = botocore.handlers.BUILTIN_HANDLERS
    saved = handlers[:]
    handlers[:] = [spec for spec in handlers
                   if not any(getattr(spec[1], "__module__", "").startswith(m) for m in modules)]
    try:
        return botocore.session.Session()
    finally:
        handlers[:] = saved


# -- the job's trial component -------------------------------------------------------------------

@pytest.mark.parametrize("order", ORDERS)
def test_a_training_job_gets_its_trial_component_in_its_trial(order, network_attempts):
    with beside_moto(order) as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        arn = sagemaker.create_training_job(**training_job("churn-train-1", ExperimentConfig={
            "ExperimentName": "churn", "TrialName": "churn-trial"}))["TrainingJobArn"]
        job = sagemaker.describe_training_job(TrainingJobName="churn-train-1")
        component = sagemaker.describe_trial_component(
            TrialComponentName="churn-train-1-aws-training-job")
        in_trial = sagemaker.list_trial_components(TrialName="churn-trial")
        by_source = sagemaker.list_trial_components(SourceArn=arn)
        parents = sagemaker.list_trials(TrialComponentName="churn-train-1-aws-training-job")

    assert component["TrialComponentArn"] == (
        "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/"
        "churn-train-1-aws-training-job")
    assert component["DisplayName"] == "churn-train-1-aws-training-job"
    assert component["Source"] == {"SourceArn": arn, "SourceType": "SageMakerTrainingJob"}
    # The job as moto reports it: completed at once.
    assert job["TrainingJobStatus"] == "Completed"
    assert component["Status"] == {"PrimaryStatus": "Completed"}
    assert component["StartTime"] == job["TrainingStartTime"]
    assert component["EndTime"] == job["TrainingEndTime"]
    assert component["Parameters"] == {
        "SageMaker.ImageUri": {"StringValue": IMAGE},
        "SageMaker.InstanceCount": {"NumberValue": 2.0},
        "SageMaker.InstanceType": {"StringValue": "ml.m5.large"},
    }
    assert component["OutputArtifacts"] == {"SageMaker.ModelArtifact": {
        "Value": "s3://bucket/output/churn-train-1/output/model.tar.gz"}}
    for listed in (in_trial, by_source):
        (summary,) = listed["TrialComponentSummaries"]
        assert summary["TrialComponentName"] == "churn-train-1-aws-training-job"
        assert summary["TrialComponentSource"] == component["Source"]
    assert [trial["TrialName"] for trial in parents["TrialSummaries"]] == ["churn-trial"]
    record = mock.trial_components["churn-train-1-aws-training-job"]
    assert (record.source_arn, record.source_type) == (arn, "SageMakerTrainingJob")
    assert mock.trials["churn-trial"].trial_component_names == (
        "churn-train-1-aws-training-job",)
    # Journaled as the user made it, with moto's answer.
    call = mock.assert_called_once("CreateTrainingJob", TrainingJobName="churn-train-1")
    assert call.response == {"TrainingJobArn": arn}
    assert list(network_attempts) == []


def test_a_job_without_experiment_config_adds_no_component(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        arn = sagemaker.create_training_job(**training_job("plain"))["TrainingJobArn"]
        by_source = sagemaker.list_trial_components(SourceArn=arn)["TrialComponentSummaries"]
        with pytest.raises(ClientError, match="does not exist") as missing:
            sagemaker.describe_trial_component(TrialComponentName="plain-aws-training-job")
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
    assert by_source == []
    assert len(mock.trial_components) == 0
    mock.assert_not_called("CreateTrainingJob")


def test_display_name_and_the_experiment_alone(network_attempts):
    """No TrialName: SageMaker makes a trial in the experiment for the job."""
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_training_job(**training_job("job-2", ExperimentConfig={
            "ExperimentName": "churn", "TrialComponentDisplayName": "Training"}))
        trials = sagemaker.list_trials(ExperimentName="churn")["TrialSummaries"]
        component = sagemaker.describe_trial_component(TrialComponentName="job-2-aws-training-job")
    assert component["DisplayName"] == "Training"
    assert sorted(trial["TrialName"] for trial in trials) == [
        "churn-trial", "job-2-aws-training-job"]
    assert mock.trials["job-2-aws-training-job"].experiment_name == "churn"
    assert mock.trial_components["job-2-aws-training-job"].trial_names == (
        "job-2-aws-training-job",)


def test_a_trial_alone_and_no_experiment_or_trial(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_training_job(**training_job("in-trial", ExperimentConfig={
            "TrialName": "churn-trial"}))
        sagemaker.create_training_job(**training_job("loose", ExperimentConfig={
            "TrialComponentDisplayName": "Loose"}))
    assert mock.trial_components["in-trial-aws-training-job"].trial_names == ("churn-trial",)
    loose = mock.trial_components["loose-aws-training-job"]
    assert (loose.trial_names, loose.display_name) == ((), "Loose")
    assert len(mock.trials) == 1


def test_the_job_joins_its_runs_group_and_the_runs_sources(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_trial(TrialName="Default-Run-Group-churn", ExperimentName="churn")
        sagemaker.create_trial_component(TrialComponentName="churn-run-1")
        sagemaker.associate_trial_component(TrialName="Default-Run-Group-churn",
                                            TrialComponentName="churn-run-1")
        # RunName without TrialName: the run's group.
        arn = sagemaker.create_training_job(**training_job("job-3", ExperimentConfig={
            "ExperimentName": "churn", "RunName": "churn-run-1"}))["TrainingJobArn"]
        run = sagemaker.describe_trial_component(TrialComponentName="churn-run-1")
        searched = sagemaker.search(Resource="ExperimentTrialComponent", SearchExpression={
            "Filters": [{"Name": "TrialComponentName", "Operator": "Equals",
                         "Value": "churn-run-1"}]})["Results"][0]["TrialComponent"]
    assert run["Sources"] == [{"SourceArn": arn, "SourceType": "SageMakerTrainingJob"}]
    assert "Sources" not in searched
    assert mock.trials["Default-Run-Group-churn"].trial_component_names == (
        "churn-run-1", "job-3-aws-training-job")


def test_processing_and_transform_jobs(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        config = {"ExperimentName": "churn", "TrialName": "churn-trial"}
        processing = sagemaker.create_processing_job(
            ProcessingJobName="prep-1", RoleArn=ROLE, ExperimentConfig=config,
            AppSpecification={"ImageUri": IMAGE},
            ProcessingResources={"ClusterConfig": {
                "InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 30}},
            ProcessingInputs=[{"InputName": "raw", "S3Input": {
                "S3Uri": "s3://bucket/raw", "LocalPath": "/opt/ml/processing/input",
                "S3DataType": "S3Prefix", "S3InputMode": "File"}}],
            ProcessingOutputConfig={"Outputs": [{"OutputName": "features", "S3Output": {
                "S3Uri": "s3://bucket/features", "LocalPath": "/opt/ml/processing/output",
                "S3UploadMode": "EndOfJob"}}]},
        )["ProcessingJobArn"]
        transform = sagemaker.create_transform_job(
            TransformJobName="score-1", ModelName="churn-model", ExperimentConfig=config,
            TransformInput={"DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/features"}},
                "ContentType": "text/csv"},
            TransformOutput={"S3OutputPath": "s3://bucket/scores"},
            TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        )["TransformJobArn"]
        prep = sagemaker.describe_trial_component(TrialComponentName="prep-1-aws-processing-job")
        score = sagemaker.describe_trial_component(TrialComponentName="score-1-aws-transform-job")
    assert prep["Source"] == {"SourceArn": processing, "SourceType": "SageMakerProcessingJob"}
    assert prep["Parameters"] == {
        "SageMaker.InstanceCount": {"NumberValue": 1.0},
        "SageMaker.InstanceType": {"StringValue": "ml.m5.large"},
        "SageMaker.VolumeSizeInGB": {"NumberValue": 30.0},
    }
    assert prep["InputArtifacts"] == {"SageMaker.ImageUri": {"Value": IMAGE},
                                      "raw": {"Value": "s3://bucket/raw"}}
    assert prep["OutputArtifacts"] == {"features": {"Value": "s3://bucket/features"}}
    assert prep["Status"]["PrimaryStatus"] == "Completed"
    assert score["Source"] == {"SourceArn": transform, "SourceType": "SageMakerTransformJob"}
    assert score["Parameters"]["SageMaker.ModelName"] == {"StringValue": "churn-model"}
    assert score["InputArtifacts"] == {"SageMaker.TransformInput": {
        "Value": "s3://bucket/features", "MediaType": "text/csv"}}
    assert score["OutputArtifacts"] == {"SageMaker.TransformOutput": {
        "Value": "s3://bucket/scores"}}
    assert mock.trials["churn-trial"].trial_component_names == (
        "prep-1-aws-processing-job", "score-1-aws-transform-job")


def test_hyperparameters_channels_and_debugger_output(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_training_job(**training_job(
            "job-4", ExperimentConfig={"TrialName": "churn-trial"},
            HyperParameters={"epochs": "10", "optimizer": '"adam"'},
            InputDataConfig=[{"ChannelName": "train", "ContentType": "text/csv",
                              "DataSource": {"S3DataSource": {
                                  "S3DataType": "S3Prefix", "S3Uri": "s3://bucket/train"}}}],
            DebugHookConfig={"S3OutputPath": "s3://bucket/debug"}))
    component = mock.trial_components["job-4-aws-training-job"]
    assert component.parameters["epochs"] == 10.0
    assert component.parameters["optimizer"] == '"adam"'
    assert component.input_artifacts["train"].value == "s3://bucket/train"
    assert component.input_artifacts["train"].media_type == "text/csv"
    assert component.output_artifacts["SageMaker.DebugHookOutput"].value == "s3://bucket/debug"


# -- refused: no job is made ---------------------------------------------------------------------

REFUSALS = [
    ({"ExperimentName": "nope"}, "ResourceNotFound",
     "Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/nope' does not exist."),
    ({"TrialName": "nope"}, "ResourceNotFound",
     "Trial 'arn:aws:sagemaker:us-east-1:123456789012:experiment-trial/nope' does not exist."),
    ({"ExperimentName": "other", "TrialName": "churn-trial"}, "ValidationException",
     "Trial 'arn:aws:sagemaker:us-east-1:123456789012:experiment-trial/churn-trial' is not "
     "part of Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/other'."),
    ({"TrialName": "bad name"}, "ValidationException",
     "1 validation error detected: Value 'bad name' at 'experimentConfig.trialName' failed to "
     "satisfy constraint: Member must satisfy regular expression pattern: "
     "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}"),
]


@pytest.mark.parametrize(("config", "code", "message"), REFUSALS,
                         ids=["no experiment", "no trial", "another experiment", "bad name"])
def test_a_config_aws_refuses_makes_no_job(config, code, message, network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_experiment(ExperimentName="other")
        with pytest.raises(ClientError) as refused:
            sagemaker.create_training_job(**training_job("refused", ExperimentConfig=config))
        jobs = sagemaker.list_training_jobs()["TrainingJobSummaries"]
    assert refused.value.response["Error"] == {"Code": code, "Message": message}
    assert jobs == []
    assert len(mock.trial_components) == 0
    call = mock.assert_called_once("CreateTrainingJob")
    assert (call.error_code, call.error_message) == (code, message)


def test_a_component_name_taken_refuses_the_job(network_attempts):
    with beside_moto():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_trial_component(TrialComponentName="taken-aws-training-job")
        with pytest.raises(ClientError, match=r"TrialComponent with name "
                           r"\(taken-aws-training-job\) already exists"):
            sagemaker.create_training_job(**training_job("taken", ExperimentConfig={
                "TrialName": "churn-trial"}))
        assert sagemaker.list_training_jobs()["TrainingJobSummaries"] == []


@pytest.mark.sm_experiments(quotas={"trial_components": 1})
def test_a_full_quota_refuses_the_job(sm_experiments, network_attempts):
    with moto.mock_aws():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_trial_component(TrialComponentName="the-one")
        with pytest.raises(sagemaker.exceptions.ResourceLimitExceeded):
            sagemaker.create_training_job(**training_job("over", ExperimentConfig={
                "TrialComponentDisplayName": "Over"}))
        assert sagemaker.list_training_jobs()["TrainingJobSummaries"] == []


# -- what users do with the component ------------------------------------------------------------

def test_the_component_can_be_updated_moved_and_deleted(network_attempts):
    """As sagemaker-experiments' Tracker does from inside a job, and apache/airflow's SageMaker
    system test does to clean up (disassociate, then delete)."""
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        sagemaker.create_training_job(**training_job("job-5", ExperimentConfig={
            "TrialName": "churn-trial"}))
        name = "job-5-aws-training-job"
        sagemaker.update_trial_component(TrialComponentName=name,
                                         Parameters={"lr": {"NumberValue": 0.1}})
        with pytest.raises(ClientError, match="linked to 1 or more trials"):
            sagemaker.delete_trial_component(TrialComponentName=name)
        sagemaker.disassociate_trial_component(TrialComponentName=name, TrialName="churn-trial")
        arn = mock.trial_components[name].source_arn
        sagemaker.delete_trial_component(TrialComponentName=name)
        by_source = sagemaker.list_trial_components(SourceArn=arn)["TrialComponentSummaries"]
    assert by_source == []
    assert name not in mock.trial_components


def test_search_finds_job_components_by_source(network_attempts):
    with beside_moto():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        arn = sagemaker.create_training_job(**training_job("job-6", ExperimentConfig={
            "TrialName": "churn-trial"}))["TrainingJobArn"]
        sagemaker.create_trial_component(TrialComponentName="by-hand")
        results = sagemaker.search(Resource="ExperimentTrialComponent", SearchExpression={
            "Filters": [{"Name": "Source.SourceType", "Operator": "Equals",
                         "Value": "SageMakerTrainingJob"}]})["Results"]
        by_arn = sagemaker.search(Resource="ExperimentTrialComponent", SearchExpression={
            "Filters": [{"Name": "Source.SourceArn", "Operator": "Equals",
                         "Value": arn}]})["Results"]
    assert [r["TrialComponent"]["TrialComponentName"] for r in results] == [
        "job-6-aws-training-job"]
    assert results[0]["TrialComponent"]["Source"] == {
        "SourceArn": arn, "SourceType": "SageMakerTrainingJob"}
    assert by_arn == results


def test_source_arn_matches_in_any_letter_case(network_attempts):
    """moto keeps a job name's case in its ARN; AWS lower-cases it and the SageMaker SDK
    lower-cases the ARN before it lists."""
    with beside_moto():
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        arn = sagemaker.create_training_job(**training_job("Churn-Train-2", ExperimentConfig={
            "TrialName": "churn-trial"}))["TrainingJobArn"]
        listed = sagemaker.list_trial_components(SourceArn=arn.lower())
    assert arn.endswith("training-job/Churn-Train-2")
    assert [s["TrialComponentName"] for s in listed["TrialComponentSummaries"]] == [
        "Churn-Train-2-aws-training-job"]


def test_seeding_jobs_unrecorded(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        with mock.unrecorded():
            seeded(sagemaker)
            sagemaker.create_training_job(**training_job("seed", ExperimentConfig={
                "TrialName": "churn-trial"}))
    assert "seed-aws-training-job" in mock.trial_components
    assert len(mock.calls) == 0


# -- every client ---------------------------------------------------------------------------------

def test_a_client_made_before_moto_was_imported(network_attempts):
    # No moto stubber in this Session's handlers: the hook asks moto itself.
    early = _session_without("moto").create_client(
        "sagemaker", region_name=REGION, aws_access_key_id="AKIABEFOREMOTO000001",
        aws_secret_access_key="secret")
    with beside_moto() as mock:
        seeded(early)
        early.create_training_job(**training_job("early", ExperimentConfig={
            "TrialName": "churn-trial"}))
    assert mock.trial_components["early-aws-training-job"].trial_names == ("churn-trial",)


def test_a_client_the_hook_never_saw_is_watched_at_the_transport(network_attempts):
    """A Session made before the plugin loaded: moto answers it at the transport, and the job
    still gets its component (the mock's own operations reach moto too: it never saw them)."""
    unseen = _session_without("moto", "pytest_sm_experiments").create_client(
        "sagemaker", region_name=REGION, aws_access_key_id="AKIABEFOREPLUGIN0001",
        aws_secret_access_key="secret", config=Config(retries={"total_max_attempts": 1}))
    with beside_moto() as mock:
        seeded(mock.client())
        unseen.create_training_job(**training_job("unseen", ExperimentConfig={
            "TrialName": "churn-trial"}))
        arn = boto3.client("sagemaker", region_name=REGION).describe_training_job(
            TrainingJobName="unseen")["TrainingJobArn"]
    assert mock.trial_components["unseen-aws-training-job"].source_arn == arn
    mock.assert_called_once("CreateTrainingJob", TrainingJobName="unseen")


def test_aiobotocore_clients(network_attempts):
    aio_session = pytest.importorskip("aiobotocore.session")

    async def use() -> str:
        async with aio_session.get_session().create_client(
                "sagemaker", region_name=REGION) as sagemaker:
            await sagemaker.create_experiment(ExperimentName="churn")
            await sagemaker.create_trial(TrialName="churn-trial", ExperimentName="churn")
            created = await sagemaker.create_training_job(**training_job(
                "aio-job", ExperimentConfig={"TrialName": "churn-trial"}))
            found = await sagemaker.list_trial_components(SourceArn=created["TrainingJobArn"])
            return str(found["TrialComponentSummaries"][0]["TrialComponentName"])

    with beside_moto() as mock:
        name = asyncio.run(use())
    assert name == "aio-job-aws-training-job"
    assert mock.trials["churn-trial"].trial_component_names == (name,)


# -- Search beside moto ---------------------------------------------------------------------------

@pytest.mark.parametrize("order", ORDERS)
def test_search_of_training_jobs_is_moto_s(order, network_attempts):
    with beside_moto(order) as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        sagemaker.create_training_job(**training_job("job-a"))
        sagemaker.create_training_job(**training_job("job-b"))
        results = sagemaker.search(Resource="TrainingJob")["Results"]
        filtered = sagemaker.search(Resource="TrainingJob", SearchExpression={"Filters": [
            {"Name": "TrainingJobName", "Operator": "Equals", "Value": "job-b"}]})["Results"]
    assert sorted(r["TrainingJob"]["TrainingJobName"] for r in results) == ["job-a", "job-b"]
    assert [r["TrainingJob"]["TrainingJobName"] for r in filtered] == ["job-b"]
    mock.assert_not_called("Search")
    assert list(network_attempts) == []


def test_search_of_what_no_one_holds_is_refused_without_moto(sm_client, network_attempts):
    with pytest.raises(UnsupportedOperationError, match=r"Search\(Resource=TrainingJob\)"):
        sm_client.search(Resource="TrainingJob")
    assert list(network_attempts) == []


def test_search_of_experiments_stays_the_mocks_beside_moto(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        seeded(sagemaker)
        found = sagemaker.search(Resource="Experiment")["Results"]
    assert [r["Experiment"]["ExperimentName"] for r in found] == ["churn"]
    mock.assert_called_once("Search", Resource="Experiment")


def test_search_of_no_resource_at_all_is_the_mocks_to_refuse(network_attempts):
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)
        with pytest.raises(ClientError, match="Member must satisfy enum value set") as refused:
            sagemaker.search(Resource="Bogus")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert mock.calls.one("Search").error_code == "ValidationException"


def test_a_search_body_nested_too_deeply_beside_moto_is_the_mocks_to_refuse(network_attempts):
    """Reading a Search's resource must not raise out of the hook: the mock answers the body
    as it answers it without moto."""
    with beside_moto() as mock:
        sagemaker = boto3.client("sagemaker", region_name=REGION)

        def raw_body(request: Any, **_: Any) -> None:
            request.body = "[" * 100_000 + "]" * 100_000

        sagemaker.meta.events.register_first("before-send.sagemaker.Search", raw_body)
        with pytest.raises(ClientError, match="nested too deeply"):
            sagemaker.search(Resource="TrainingJob")
    assert mock.calls.one("Search").error_code == "ValidationException"
    assert list(network_attempts) == []
