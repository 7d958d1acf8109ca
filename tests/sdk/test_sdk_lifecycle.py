"""The rest of a run's life through the SDK: ``load_run`` inside and outside a run's context,
the recursive deletes (``Experiment._delete_all``, ``delete(force_disassociate=True)``), and the
metric points read back with ``sagemaker-core``'s ``TrialComponent.batch_get_metrics``.
Written once for both SDK generations.
"""

from __future__ import annotations

import pytest


def test_load_run_inside_a_run_context_is_that_run(sdk, sm_session, sm_experiments):
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=sm_session) as run:
        # What a job launched inside the run receives.
        assert run.experiment_config == {"ExperimentName": "exp",
                                         "TrialName": "Default-Run-Group-exp",
                                         "RunName": "exp-r1"}
        with sdk.run.load_run(sagemaker_session=sm_session) as loaded:
            assert loaded is run
            loaded.log_parameter("batch", 32)
            loaded.log_metric("loss", 0.5, step=0)
        run.log_parameter("lr", 0.1)
    component = sm_experiments.trial_components["exp-r1"]
    assert component.parameters == {"batch": 32.0, "lr": 0.1}
    assert component.metrics["loss"].count == 1
    assert component.status == {"PrimaryStatus": "Completed"}
    sm_experiments.assert_called_once("CreateTrialComponent")


def test_load_run_outside_any_context_needs_names(sdk, sm_session):
    with pytest.raises(RuntimeError, match="Failed to load a Run object"):
        sdk.run.load_run(sagemaker_session=sm_session)


def test_load_run_by_name_outside_a_context(sdk, sm_session, sm_experiments):
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=sm_session):
        pass
    with sdk.run.load_run(experiment_name="exp", run_name="r1",
                          sagemaker_session=sm_session) as run:
        run.log_metric("loss", 0.25, step=3)
    assert sm_experiments.trial_components["exp-r1"].metrics["loss"].last == 0.25


def test_experiment_delete_all_removes_everything(sdk, sm_session, sm_experiments, sm_client,
                                                  no_sleep):
    for name in ("r1", "r2"):
        with sdk.Run(experiment_name="exp", run_name=name, sagemaker_session=sm_session) as run:
            run.log_parameter("name", name)
    # A component shared with a trial of another experiment is disassociated everywhere.
    sm_client.create_experiment(ExperimentName="other")
    sm_client.create_trial(TrialName="other-trial", ExperimentName="other")
    sm_client.associate_trial_component(TrialComponentName="exp-r1", TrialName="other-trial")
    before = len(sm_experiments.calls)

    experiment = sdk.experiment.Experiment.load(experiment_name="exp",
                                                sagemaker_session=sm_session)
    experiment._delete_all(action="--force")

    assert list(sm_experiments.experiments) == ["other"]
    assert list(sm_experiments.trials) == ["other-trial"]
    assert list(sm_experiments.trial_components) == []
    assert sm_experiments.trials["other-trial"].trial_component_names == ()
    deleting = [call.operation for call in sm_experiments.calls[before:]
                if call.operation.startswith(("Delete", "Disassociate"))]
    assert sorted(deleting) == sorted([
        "DisassociateTrialComponent", "DisassociateTrialComponent", "DeleteTrialComponent",
        "DisassociateTrialComponent", "DeleteTrialComponent", "DeleteTrial", "DeleteExperiment"])
    assert all(call.succeeded for call in sm_experiments.calls[before:])


def test_component_delete_with_force_disassociate(sdk, sm_session, sm_experiments, sm_client,
                                                  no_sleep):
    sm_client.create_experiment(ExperimentName="exp")
    sm_client.create_trial_component(TrialComponentName="step")
    for index in range(3):
        sm_client.create_trial(TrialName=f"t{index}", ExperimentName="exp")
        sm_client.associate_trial_component(TrialComponentName="step", TrialName=f"t{index}")
    component = sdk.trial_component._TrialComponent.load(trial_component_name="step",
                                                         sagemaker_session=sm_session)
    component.delete(force_disassociate=True)
    assert "step" not in sm_experiments.trial_components
    assert [sm_experiments.trials[f"t{i}"].trial_component_names for i in range(3)] == [()] * 3


def test_batch_get_metrics_through_sagemaker_core(sdk, sm_session, sm_experiments):
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=sm_session) as run:
        for step, loss in enumerate([0.9, 0.7, 0.4]):
            run.log_metric("loss", loss, step=step)
            run.log_metric("loss", loss / 2, step=step)
    arn = sm_experiments.trial_components["exp-r1"].arn
    MetricQuery = sdk.shapes.MetricQuery
    queries = [MetricQuery(metric_name="loss", resource_arn=arn, metric_stat=stat,
                           period="IterationNumber", x_axis_type="IterationNumber")
               for stat in ("Max", "Min", "Count")]

    response = sdk.resources.TrialComponent.batch_get_metrics(
        metric_queries=queries, session=sm_session.boto_session,
        region=sm_experiments.options.region)

    results = response.metric_query_results
    assert [r.status for r in results] == ["Complete"] * 3
    assert [r.x_axis_values for r in results] == [[0, 1, 2]] * 3
    assert results[0].metric_values == [0.9, 0.7, 0.4]
    assert results[1].metric_values == [0.45, 0.35, 0.2]
    assert results[2].metric_values == [2.0, 2.0, 2.0]
    sm_experiments.assert_called_once("BatchGetMetrics")
