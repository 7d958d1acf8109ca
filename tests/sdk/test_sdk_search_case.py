"""Search compares names with their letter case, as the mock's Fidelity notes say (CHOICE): the
SDK's ``Run`` lower-cases the experiment name it is given, so ``ExperimentAnalytics`` finds a
run's components by the name the run stored (``run.experiment_name``), not by the one typed."""

from __future__ import annotations


def test_analytics_finds_a_run_by_the_name_the_run_stored(sdk, sm_session, sm_experiments):
    with sdk.Run(experiment_name="Exp2", run_name="r1", sagemaker_session=sm_session) as run:
        run.log_metric("loss", 0.5)
    assert run.experiment_name == "exp2"
    assert list(sm_experiments.experiments) == ["exp2"]

    def rows(name):
        frame = sdk.analytics.ExperimentAnalytics(
            experiment_name=name, sagemaker_session=sm_session).dataframe()
        return list(frame["TrialComponentName"]) if len(frame) else []

    assert rows(run.experiment_name) == ["exp2-r1"]
    assert rows("Exp2") == []


def test_search_compares_parent_names_with_their_case(sm_client):
    sm_client.create_experiment(ExperimentName="Churn")
    sm_client.create_trial(TrialName="Churn-A", ExperimentName="Churn")
    sm_client.create_trial_component(TrialComponentName="tc-1")
    sm_client.associate_trial_component(TrialComponentName="tc-1", TrialName="Churn-A")

    def found(name, value):
        response = sm_client.search(Resource="ExperimentTrialComponent", SearchExpression={
            "Filters": [{"Name": name, "Operator": "Equals", "Value": value}]})
        return [r["TrialComponent"]["TrialComponentName"] for r in response["Results"]]

    assert found("Parents.ExperimentName", "Churn") == ["tc-1"]
    assert found("Parents.ExperimentName", "churn") == []
    assert found("Parents.TrialName", "Churn-A") == ["tc-1"]
    assert found("Parents.TrialName", "CHURN-A") == []
