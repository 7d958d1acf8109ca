"""AssociateTrialComponent / DisassociateTrialComponent, and what the handle shows of them."""

from __future__ import annotations

import pytest
import strategies as S

PREFIX = "arn:aws:sagemaker:us-east-1:123456789012:"


@pytest.fixture
def world(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    for trial in ("Run-A", "Run-B"):
        sm_client.create_trial(TrialName=trial, ExperimentName="Exp")
    for component in ("Prep", "Train"):
        sm_client.create_trial_component(TrialComponentName=component)


def names(summaries, key):
    return sorted(item[key] for item in summaries)


def test_associate_returns_both_arns_and_updates_records(sm_client, sm_experiments, world):
    response = sm_client.associate_trial_component(TrialComponentName="train",
                                                   TrialName="run-a")
    assert (response["TrialComponentArn"], response["TrialArn"]) == (
        PREFIX + "experiment-trial-component/train", PREFIX + "experiment-trial/run-a")
    # Names as created, whatever the case of the request.
    assert sm_experiments.trials["Run-A"].trial_component_names == ("Train",)
    assert sm_experiments.trial_components["Train"].trial_names == ("Run-A",)


def test_a_component_may_belong_to_several_trials(sm_client, sm_experiments, world):
    for trial in ("Run-A", "Run-B"):
        sm_client.associate_trial_component(TrialComponentName="Train", TrialName=trial)
    sm_client.associate_trial_component(TrialComponentName="Prep", TrialName="Run-A")
    assert sm_experiments.trial_components["Train"].trial_names == ("Run-A", "Run-B")
    assert sm_experiments.trials["Run-A"].trial_component_names == ("Train", "Prep")
    listed = sm_client.list_trials(TrialComponentName="Train")["TrialSummaries"]
    assert names(listed, "TrialName") == ["Run-A", "Run-B"]
    in_a = sm_client.list_trial_components(TrialName="Run-A")["TrialComponentSummaries"]
    assert names(in_a, "TrialComponentName") == ["Prep", "Train"]
    in_exp = sm_client.list_trial_components(ExperimentName="Exp")["TrialComponentSummaries"]
    assert names(in_exp, "TrialComponentName") == ["Prep", "Train"]  # each once


def test_associating_again_succeeds_and_changes_nothing(sm_client, sm_experiments, world):
    sm_client.associate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    before = S.records(sm_experiments)
    response = sm_client.associate_trial_component(TrialComponentName="TRAIN",
                                                   TrialName="RUN-A")
    assert response["TrialArn"] == PREFIX + "experiment-trial/run-a"
    assert S.records(sm_experiments) == before


def test_disassociate_leaves_other_trials(sm_client, sm_experiments, world):
    for trial in ("Run-A", "Run-B"):
        sm_client.associate_trial_component(TrialComponentName="Train", TrialName=trial)
    response = sm_client.disassociate_trial_component(TrialComponentName="train",
                                                      TrialName="run-a")
    assert (response["TrialComponentArn"], response["TrialArn"]) == (
        PREFIX + "experiment-trial-component/train", PREFIX + "experiment-trial/run-a")
    assert sm_experiments.trial_components["Train"].trial_names == ("Run-B",)
    assert sm_experiments.trials["Run-A"].trial_component_names == ()
    assert sm_client.list_trial_components(TrialName="Run-A")["TrialComponentSummaries"] == []


def test_disassociating_a_pair_that_is_not_associated(sm_client, sm_experiments, world):
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.disassociate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    assert raised.value.response["Error"]["Message"] == (
        f"TrialComponent '{PREFIX}experiment-trial-component/train' is not associated with "
        f"Trial '{PREFIX}experiment-trial/run-a'.")
    assert S.records(sm_experiments) == before


@pytest.mark.parametrize("operation", ["associate_trial_component",
                                       "disassociate_trial_component"])
@pytest.mark.parametrize(("component", "trial", "missing"), [
    ("Ghost", "Run-A", "TrialComponent 'PREFIXexperiment-trial-component/ghost'"),
    ("Train", "Ghost", "Trial 'PREFIXexperiment-trial/ghost'"),
])
def test_missing_side_is_resource_not_found(sm_client, sm_experiments, world, operation,
                                            component, trial, missing):
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        getattr(sm_client, operation)(TrialComponentName=component, TrialName=trial)
    assert raised.value.response["Error"]["Message"] == (
        missing.replace("PREFIX", PREFIX) + " does not exist.")
    assert S.records(sm_experiments) == before


@pytest.mark.sm_experiments(quotas={"components_per_trial": 1})
def test_components_per_trial_quota(sm_client, sm_experiments, world):
    sm_client.associate_trial_component(TrialComponentName="Prep", TrialName="Run-A")
    before = S.records(sm_experiments)
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded) as raised:
        sm_client.associate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    assert "'Total number of trial components allowed in a single trial' is 1 Trial " \
        "Components" in raised.value.response["Error"]["Message"]
    assert S.records(sm_experiments) == before
    sm_client.associate_trial_component(TrialComponentName="Train", TrialName="Run-B")


@pytest.mark.sm_experiments(quotas={"components_per_trial": 1})
def test_associating_again_at_the_components_quota_succeeds(sm_client, sm_experiments, world):
    """A pair already associated is not a new member of the trial: associating it again (as the
    SageMaker SDK long did on every load_run) succeeds though the trial is full."""
    sm_client.associate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    before = S.records(sm_experiments)
    response = sm_client.associate_trial_component(TrialComponentName="train",
                                                   TrialName="run-a")
    assert (response["TrialComponentArn"], response["TrialArn"]) == (
        PREFIX + "experiment-trial-component/train", PREFIX + "experiment-trial/run-a")
    assert S.records(sm_experiments) == before
    assert sm_experiments.trials["Run-A"].trial_component_names == ("Train",)


def test_delete_order_trial_components_then_trial_then_experiment(sm_client, sm_experiments,
                                                                  world):
    sm_client.associate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    sm_client.disassociate_trial_component(TrialComponentName="Train", TrialName="Run-A")
    for trial in ("Run-A", "Run-B"):
        sm_client.delete_trial(TrialName=trial)
    for component in ("Prep", "Train"):
        sm_client.delete_trial_component(TrialComponentName=component)
    sm_client.delete_experiment(ExperimentName="Exp")
    assert S.records(sm_experiments) == ({}, {}, {})
