"""Trial component operations as AWS answers them, through real botocore clients."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import strategies as S
from botocore.exceptions import ClientError

ARN = "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/"
START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
END = datetime(2026, 1, 2, 4, 0, 0, tzinfo=timezone.utc)


def create_full(client, name="Train-1"):
    return client.create_trial_component(
        TrialComponentName=name,
        DisplayName="Training",
        Status={"PrimaryStatus": "InProgress", "Message": "started"},
        StartTime=START,
        Parameters={"lr": {"NumberValue": 0.01}, "epochs": {"NumberValue": 3},
                    "optimizer": {"StringValue": "adam"}},
        InputArtifacts={"train": {"Value": "s3://bucket/train.csv", "MediaType": "text/csv"}},
        OutputArtifacts={"model": {"Value": "s3://bucket/model.tar.gz"}},
        MetadataProperties={"GeneratedBy": "pytest"},
        Tags=[{"Key": "stage", "Value": "train"}],
    )


def test_create_and_describe_every_member(sm_client):
    assert create_full(sm_client)["TrialComponentArn"] == ARN + "train-1"
    described = sm_client.describe_trial_component(TrialComponentName="TRAIN-1")
    described.pop("ResponseMetadata")
    created = described.pop("CreationTime")
    assert described.pop("LastModifiedTime") == created
    assert described == {
        "TrialComponentName": "Train-1",
        "TrialComponentArn": ARN + "train-1",
        "DisplayName": "Training",
        "Status": {"PrimaryStatus": "InProgress", "Message": "started"},
        "StartTime": START,
        "Parameters": {"lr": {"NumberValue": 0.01}, "epochs": {"NumberValue": 3.0},
                       "optimizer": {"StringValue": "adam"}},
        "InputArtifacts": {"train": {"Value": "s3://bucket/train.csv", "MediaType": "text/csv"}},
        "OutputArtifacts": {"model": {"Value": "s3://bucket/model.tar.gz"}},
        "MetadataProperties": {"GeneratedBy": "pytest"},
        "CreatedBy": {},
        "LastModifiedBy": {},
    }


def test_describe_minimal_component_has_no_empty_members(sm_client):
    sm_client.create_trial_component(TrialComponentName="Bare")
    described = sm_client.describe_trial_component(TrialComponentName="Bare")
    described.pop("ResponseMetadata")
    assert set(described) == {"TrialComponentName", "TrialComponentArn", "DisplayName",
                              "CreationTime", "LastModifiedTime", "CreatedBy", "LastModifiedBy"}


def test_describe_by_arn_in_any_case(sm_client):
    sm_client.create_trial_component(TrialComponentName="Train-1")
    described = sm_client.describe_trial_component(TrialComponentName=ARN + "Train-1")
    assert described["TrialComponentName"] == "Train-1"


def test_describe_missing(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.describe_trial_component(TrialComponentName=ARN + "ghost")
    assert raised.value.response["Error"]["Message"] == (
        f"TrialComponent '{ARN}ghost' does not exist.")


def test_handle_records_parameters_artifacts_and_status(sm_client, sm_experiments):
    create_full(sm_client)
    record = sm_experiments.trial_components["train-1"]
    assert record.parameters == {"lr": 0.01, "epochs": 3.0, "optimizer": "adam"}
    assert record.input_artifacts["train"].media_type == "text/csv"
    assert record.output_artifacts["model"].value == "s3://bucket/model.tar.gz"
    assert record.status == {"PrimaryStatus": "InProgress", "Message": "started"}
    assert record.start_time == START
    assert record.end_time is None
    assert record.tags == {"stage": "train"}


def test_duplicate_name_in_other_case(sm_client, sm_experiments):
    sm_client.create_trial_component(TrialComponentName="Train-1")
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial_component(TrialComponentName="train-1")
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "TrialComponent with name (train-1) already exists."}
    assert S.records(sm_experiments) == before


@pytest.mark.parametrize("value", [{}, {"StringValue": "a", "NumberValue": 1}])
def test_parameter_needs_exactly_one_value(sm_client, sm_experiments, value):
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial_component(TrialComponentName="Train-1",
                                         Parameters={"p": value})
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Parameter 'p' must have exactly one of StringValue or NumberValue."}
    assert len(sm_experiments.trial_components) == 0


def test_update_merges_and_removes_by_key(sm_client, sm_experiments):
    create_full(sm_client)
    sm_client.update_trial_component(
        TrialComponentName="train-1",
        DisplayName="Training-Done",
        Status={"PrimaryStatus": "Completed"},
        EndTime=END,
        Parameters={"lr": {"NumberValue": 0.02}, "batch": {"StringValue": "64"}},
        ParametersToRemove=["epochs", "not-there"],
        InputArtifacts={"valid": {"Value": "s3://bucket/valid.csv"}},
        OutputArtifactsToRemove=["model"],
    )
    described = sm_client.describe_trial_component(TrialComponentName="Train-1")
    assert described["DisplayName"] == "Training-Done"
    assert described["Status"] == {"PrimaryStatus": "Completed"}
    assert (described["StartTime"], described["EndTime"]) == (START, END)
    assert described["Parameters"] == {"lr": {"NumberValue": 0.02},
                                       "optimizer": {"StringValue": "adam"},
                                       "batch": {"StringValue": "64"}}
    assert set(described["InputArtifacts"]) == {"train", "valid"}
    assert "OutputArtifacts" not in described
    assert described["LastModifiedTime"] > described["CreationTime"]
    assert sm_experiments.trial_components["Train-1"].parameters["lr"] == 0.02


def test_update_setting_and_removing_one_key_removes_it(sm_client):
    """A key both set and removed in one UpdateTrialComponent is accepted and ends up removed,
    in the parameters and in both artifact maps.

    Evidence (CONFIRMED): aws/sagemaker-python-sdk
    tests/integ/sagemaker/experiments/test_trial_component.py::test_save runs against AWS; it
    saves parameters {"foo", "whizz"} with parameters_to_remove ["foo"], input artifacts
    {"snizz", "snizz1"} removing "snizz", output artifacts {"fly", "fly2"} removing "fly2", in
    one UpdateTrialComponent, and loads back {"whizz"}, {"snizz1"} and {"fly"}.
    """
    sm_client.create_trial_component(TrialComponentName="tc")
    sm_client.update_trial_component(
        TrialComponentName="tc",
        Parameters={"foo": {"StringValue": "bar"}, "whizz": {"NumberValue": 100.1}},
        ParametersToRemove=["foo"],
        InputArtifacts={"snizz": {"Value": "s3:/foo/bar", "MediaType": "text/plain"},
                        "snizz1": {"Value": "s3:/foo/bar2", "MediaType": "text/plain2"}},
        InputArtifactsToRemove=["snizz"],
        OutputArtifacts={"fly": {"Value": "s3:/sky/far", "MediaType": "away/tomorrow"},
                         "fly2": {"Value": "s3:/sky/far2", "MediaType": "away/tomorrow2"}},
        OutputArtifactsToRemove=["fly2"])
    loaded = sm_client.describe_trial_component(TrialComponentName="tc")
    assert loaded["Parameters"] == {"whizz": {"NumberValue": 100.1}}
    assert loaded["InputArtifacts"] == {
        "snizz1": {"Value": "s3:/foo/bar2", "MediaType": "text/plain2"}}
    assert loaded["OutputArtifacts"] == {
        "fly": {"Value": "s3:/sky/far", "MediaType": "away/tomorrow"}}


def test_removing_a_key_the_same_call_sets_drops_the_stored_value_too(sm_client):
    """The removal applies after the merge: the new value and the stored one both go."""
    sm_client.create_trial_component(TrialComponentName="tc",
                                     Parameters={"lr": {"NumberValue": 0.1},
                                                 "keep": {"StringValue": "x"}})
    sm_client.update_trial_component(TrialComponentName="tc",
                                     Parameters={"lr": {"NumberValue": 1}},
                                     ParametersToRemove=["lr"])
    loaded = sm_client.describe_trial_component(TrialComponentName="tc")
    assert loaded["Parameters"] == {"keep": {"StringValue": "x"}}


def test_update_missing(sm_client):
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.update_trial_component(TrialComponentName="Ghost", DisplayName="x")


@pytest.mark.sm_experiments(quotas={"parameters_per_trial_component": 3})
def test_parameter_quota_counts_the_merged_result(sm_client, sm_experiments):
    create_full(sm_client)  # 3 parameters
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.update_trial_component(TrialComponentName="Train-1",
                                         Parameters={"new": {"StringValue": "x"}})
    assert raised.value.response["Error"]["Message"] == (
        "The account-level service limit 'Total number of parameters allowed per trial "
        "component' is 3 Parameters, with current utilization of 0 Parameters and a request "
        "delta of 4 Parameters. Please contact AWS support to request an increase for this "
        "limit.")
    assert S.records(sm_experiments) == before
    # Replacing a key and removing one stays within the quota.
    sm_client.update_trial_component(TrialComponentName="Train-1",
                                     Parameters={"new": {"StringValue": "x"}},
                                     ParametersToRemove=["epochs"])


@pytest.mark.sm_experiments(quotas={"artifacts_per_trial_component": 1})
def test_artifact_quota_applies_to_inputs_and_outputs_separately(sm_client, sm_experiments):
    create_full(sm_client)  # one input, one output
    for member in ("InputArtifacts", "OutputArtifacts"):
        with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
            sm_client.update_trial_component(TrialComponentName="Train-1",
                                             **{member: {"extra": {"Value": "v"}}})
        assert "'Total number of input or output artifacts allowed per trial component' is " \
            "1 Artifacts" in raised.value.response["Error"]["Message"]
    record = sm_experiments.trial_components["Train-1"]
    assert (len(record.input_artifacts), len(record.output_artifacts)) == (1, 1)


def test_model_limits_are_enforced_server_side(sm_client, sm_experiments):
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial_component(
            TrialComponentName="Train-1",
            Status={"PrimaryStatus": "Done"},
            InputArtifacts={"a": {"Value": "v", "MediaType": "not a media type"}})
    message = raised.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert "Member must satisfy enum value set: [InProgress, Completed, Failed, Stopping, " \
        "Stopped]" in message
    assert len(sm_experiments.trial_components) == 0


@pytest.mark.sm_experiments(quotas={"trial_components": 1})
def test_account_quota(sm_client):
    sm_client.create_trial_component(TrialComponentName="a")
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.create_trial_component(TrialComponentName="b")
    assert "'Total number of trial components allowed per account' is 1 Trial Components" in (
        raised.value.response["Error"]["Message"])


def test_delete_and_delete_while_associated(sm_client, sm_experiments):
    """Deleting a component still in a trial is refused and changes nothing.

    Evidence (CONFIRMED): AWS's ValidationException text as quoted in
    aws/sagemaker-python-sdk#1515 (integration tests failing against AWS on
    DeleteTrialComponent).
    """
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_trial(TrialName="Run", ExperimentName="Exp")
    sm_client.create_trial_component(TrialComponentName="Step")
    sm_client.associate_trial_component(TrialComponentName="Step", TrialName="Run")
    before = S.records(sm_experiments)
    with pytest.raises(ClientError) as raised:
        sm_client.delete_trial_component(TrialComponentName="Step")
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": f"TrialComponent '{ARN}step' is linked to 1 or more trials and cannot be "
                   "deleted."}
    assert S.records(sm_experiments) == before
    sm_client.disassociate_trial_component(TrialComponentName="Step", TrialName="Run")
    assert sm_client.delete_trial_component(TrialComponentName="STEP")["TrialComponentArn"] == (
        ARN + "step")
    assert "Step" not in sm_experiments.trial_components
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.delete_trial_component(TrialComponentName="Step")


def test_metrics_render_as_summaries(sm_client, sm_experiments):
    sm_client.create_trial_component(TrialComponentName="train-1")
    metrics = sm_experiments.client(service="sagemaker-metrics")
    now = datetime.now(timezone.utc).replace(microsecond=0)
    metrics.batch_put_metrics(TrialComponentName="train-1", MetricData=[
        {"MetricName": "loss", "Timestamp": now, "Step": step, "Value": value}
        for step, value in enumerate((4.0, 2.0, 3.0))])
    summaries = sm_client.describe_trial_component(TrialComponentName="train-1")["Metrics"]
    assert len(summaries) == 1
    loss = summaries[0]
    assert set(loss) == {"MetricName", "TimeStamp", "Max", "Min", "Last", "Count", "Avg",
                         "StdDev"}
    assert (loss["MetricName"], loss["Count"], loss["Min"], loss["Max"], loss["Avg"]) == (
        "loss", 3, 2.0, 4.0, 3.0)
    assert loss["StdDev"] == pytest.approx(1.0)
    assert loss["TimeStamp"] == now


@pytest.mark.sm_experiments(quotas={"tags_per_resource": 1})
def test_create_refused_for_its_tags_stores_nothing(sm_client, sm_experiments):
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded):
        sm_client.create_trial_component(
            TrialComponentName="Train-1",
            Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    assert len(sm_experiments.trial_components) == 0
    assert sm_client.list_trial_components()["TrialComponentSummaries"] == []
    sm_client.create_trial_component(TrialComponentName="Train-1")
    assert list(sm_experiments.trial_components) == ["Train-1"]


def test_start_and_end_times_on_create_and_on_update(sm_client):
    sm_client.create_trial_component(TrialComponentName="tc", StartTime=START, EndTime=END)
    described = sm_client.describe_trial_component(TrialComponentName="tc")
    assert (described["StartTime"], described["EndTime"]) == (START, END)
    later = END.replace(hour=5)
    response = sm_client.update_trial_component(TrialComponentName="tc", StartTime=END,
                                                EndTime=later)
    assert response["TrialComponentArn"] == ARN + "tc"
    described = sm_client.describe_trial_component(TrialComponentName="tc")
    assert (described["StartTime"], described["EndTime"]) == (END, later)


def test_update_keeps_what_it_does_not_send(sm_client):
    create_full(sm_client)
    sm_client.update_trial_component(TrialComponentName="Train-1",
                                     Parameters={"extra": {"StringValue": "x"}})
    described = sm_client.describe_trial_component(TrialComponentName="Train-1")
    assert (described["DisplayName"], described["StartTime"]) == ("Training", START)
    assert described["Status"] == {"PrimaryStatus": "InProgress", "Message": "started"}


def test_list_by_experiment_leaves_out_components_of_other_experiments(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_experiment(ExperimentName="Other")
    sm_client.create_trial(TrialName="Run", ExperimentName="Exp")
    sm_client.create_trial(TrialName="Elsewhere", ExperimentName="Other")
    for name, trial in (("in-exp", "Run"), ("in-other", "Elsewhere"), ("lone", None)):
        sm_client.create_trial_component(TrialComponentName=name)
        if trial:
            sm_client.associate_trial_component(TrialComponentName=name, TrialName=trial)
    listed = sm_client.list_trial_components(ExperimentName="exp")["TrialComponentSummaries"]
    assert [summary["TrialComponentName"] for summary in listed] == ["in-exp"]
