"""The SageMaker SDK's ``Run`` end to end, offline, with only this plugin: what the SDK leaves
in the mock and what it called. Written once for both SDK generations (``sdk`` fixture, see
conftest.py); CI runs it against v3 and, in a second environment, v2.

The sessions opt out of the SDK's telemetry: with telemetry on, every ``Experiment.create``
starts a thread that asks STS for the account (the mock answers) and then sends an HTTPS GET to
an S3 telemetry endpoint, which no botocore hook can answer.
"""

from __future__ import annotations

import math

import pytest

boto3 = pytest.importorskip("boto3")

RUN_TAG = {"sagemaker:trial-component-source": "run"}


@pytest.fixture
def session(sm_session):
    return sm_session


def run_calls(sm_experiments):
    return [(call.operation, call.error_code) for call in sm_experiments.calls
            if call.operation != "BatchPutMetrics"]


def test_new_run_logs_parameters_and_metrics(sdk, session, sm_experiments, sm_client):
    with sdk.Run(experiment_name="Churn-Exp", run_name="Run-1", sagemaker_session=session) as run:
        run.log_parameter("lr", 0.1)
        run.log_parameters({"optimizer": "adam", "epochs": 3})
        for step in range(105):
            run.log_metric("loss", 1.0 / (step + 1), step=step)
        run.log_metric("accuracy", 0.93)

    # The SDK lower-cases every name it builds.
    assert list(sm_experiments.experiments) == ["churn-exp"]
    trial = sm_experiments.trials["Default-Run-Group-churn-exp"]
    assert trial.experiment_name == "churn-exp"
    assert trial.trial_component_names == ("churn-exp-run-1",)
    component = sm_experiments.trial_components["churn-exp-run-1"]
    assert component.tags == RUN_TAG
    assert component.trial_names == ("Default-Run-Group-churn-exp",)
    assert component.parameters == {"lr": 0.1, "optimizer": "adam", "epochs": 3.0}
    assert component.status == {"PrimaryStatus": "Completed"}
    assert component.start_time is not None
    assert component.end_time is not None
    assert component.start_time <= component.end_time

    loss = component.metrics["loss"]
    assert loss.count == 105
    assert loss.max == 1.0
    assert loss.min == pytest.approx(1 / 105)
    # Every point carries the same whole second, so Last is the last one sent.
    assert loss.last == pytest.approx(1 / 105)
    assert loss.avg == pytest.approx(sum(1 / (s + 1) for s in range(105)) / 105)
    assert [step for step, _, _ in component.metric_values["loss"]] == list(range(105))
    assert component.metric_values["accuracy"][0][0] is None

    # What the SDK called, in order.
    assert run_calls(sm_experiments) == [
        ("CreateExperiment", None),
        ("CreateTrial", None),
        ("CreateTrialComponent", None),
        ("Search", None),
        ("AssociateTrialComponent", None),
        ("UpdateTrialComponent", None),
        ("UpdateTrialComponent", None),
    ]
    sm_experiments.assert_called_once(
        "CreateTrialComponent", TrialComponentName="churn-exp-run-1",
        Tags=[{"Key": "sagemaker:trial-component-source", "Value": "run"}])
    # 106 points in batches of 10, each batch answered without errors.
    puts = sm_experiments.calls.filter("BatchPutMetrics")
    assert len(puts) == math.ceil(106 / 10)
    assert all(call.response == {} for call in puts)
    assert sum(len(call.params["MetricData"]) for call in puts) == 106
    sm_experiments.assert_not_called("GetCallerIdentity")

    # What a user sees through the API.
    metrics = {m["MetricName"]: m for m in sm_client.describe_trial_component(
        TrialComponentName="churn-exp-run-1")["Metrics"]}
    assert metrics["loss"]["Count"] == 105
    assert metrics["accuracy"]["Last"] == 0.93


def test_run_that_raises_is_failed_with_the_message(sdk, session, sm_experiments):
    def train():
        with sdk.Run(experiment_name="exp", run_name="bad", sagemaker_session=session) as run:
            run.log_parameter("lr", 10.0)
            run.log_metric("loss", 1e6, step=0)
            raise RuntimeError("training diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        train()
    component = sm_experiments.trial_components["exp-bad"]
    assert component.status == {"PrimaryStatus": "Failed", "Message": "training diverged"}
    assert component.parameters == {"lr": 10.0}
    # The buffered metric is flushed on exit even though the run failed.
    assert component.metrics["loss"].count == 1


def test_load_run_reuses_the_existing_run(sdk, session, sm_experiments):
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=session) as run:
        run.log_parameter("lr", 0.1)
        run.log_metric("loss", 0.5, step=0)
    first_calls = len(sm_experiments.calls)

    with sdk.run.load_run(experiment_name="exp", run_name="r1", sagemaker_session=session) as run:
        run.log_parameter("batch", 64)
        run.log_metric("loss", 0.25, step=1)

    assert len(sm_experiments.trial_components) == 1
    component = sm_experiments.trial_components["exp-r1"]
    assert component.parameters == {"lr": 0.1, "batch": 64.0}
    assert component.metrics["loss"].count == 2
    assert component.metrics["loss"].min == 0.25
    assert component.status == {"PrimaryStatus": "Completed"}
    assert component.trial_names == ("Default-Run-Group-exp",)

    # Each create hits AWS's duplicate ValidationException and falls back to Describe; the
    # Search finds the association, so nothing is associated twice.
    second = [(call.operation, call.error_code) for call in sm_experiments.calls[first_calls:]
              if call.operation != "BatchPutMetrics"]
    assert second == [
        ("CreateExperiment", "ValidationException"),
        ("DescribeExperiment", None),
        ("CreateTrial", "ValidationException"),
        ("DescribeTrial", None),
        ("CreateTrialComponent", "ValidationException"),
        ("DescribeTrialComponent", None),
        ("Search", None),
        ("UpdateTrialComponent", None),
        ("UpdateTrialComponent", None),
    ]
    duplicate = sm_experiments.calls.filter("CreateTrialComponent")[-1]
    assert "already exists" in duplicate.error_message
    search = sm_experiments.calls.filter("Search")[-1]
    assert len(search.response["Results"]) == 1
    sm_experiments.assert_called_once("AssociateTrialComponent")


def test_list_runs_keeps_only_run_components(sdk, session, sm_experiments, sm_client):
    for name in ("first", "second"):
        with sdk.Run(experiment_name="exp", run_name=name, sagemaker_session=session) as run:
            run.log_parameter("name", name)
    # A component made outside the SDK, in the same run group, without the run tag.
    sm_client.create_trial_component(TrialComponentName="manual-step")
    sm_client.associate_trial_component(TrialComponentName="manual-step",
                                        TrialName="Default-Run-Group-exp")
    before = len(sm_experiments.calls)

    runs = sdk.run.list_runs(experiment_name="exp", sagemaker_session=session)

    assert [run.run_name for run in runs] == ["second", "first"]
    assert [run.experiment_name for run in runs] == ["exp", "exp"]
    listing = sm_experiments.calls[before:]
    assert listing[0].operation == "ListTrialComponents"
    assert listing[0].params["ExperimentName"] == "exp"
    searched = [call.params["SearchExpression"]["Filters"][0]["Value"]
                for call in listing.filter("Search")
                if call.params["SearchExpression"]["Filters"][0]["Name"] == "TrialComponentName"
                and len(call.params["SearchExpression"]["Filters"]) == 1]
    assert sorted(searched) == ["exp-first", "exp-second", "manual-step"]
    assert "manual-step" not in {run._trial_component.trial_component_name for run in runs}


def test_run_tags_reach_every_resource_and_search(sdk, session, sm_experiments, sm_client):
    with sdk.Run(experiment_name="exp", run_name="tagged", sagemaker_session=session,
             tags=[{"Key": "team", "Value": "risk"}]):
        pass
    assert sm_experiments.experiments["exp"].tags == {"team": "risk"}
    assert sm_experiments.trials["Default-Run-Group-exp"].tags == {"team": "risk"}
    assert sm_experiments.trial_components["exp-tagged"].tags == {"team": "risk", **RUN_TAG}
    found = sm_client.search(Resource="ExperimentTrialComponent", SearchExpression={
        "Filters": [{"Name": "Tags.team", "Value": "risk"},
                    {"Name": "Parents.ExperimentName", "Value": "exp"}]})["Results"]
    assert [r["TrialComponent"]["TrialComponentName"] for r in found] == ["exp-tagged"]


def test_default_session_from_environment(sdk, sm_experiments, monkeypatch, tmp_path):
    """No session given: the SDK builds one from the environment the mock set up."""
    config = tmp_path / "config.yaml"
    config.write_text("SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n"
                      "      TelemetryOptOut: true\n")
    monkeypatch.setenv("SAGEMAKER_USER_CONFIG_OVERRIDE", str(config))
    with sdk.Run(experiment_name="exp", run_name="implicit") as run:
        run.log_metric("loss", 1.0, step=0)
    component = sm_experiments.trial_components["exp-implicit"]
    assert component.metrics["loss"].count == 1
    assert component.status == {"PrimaryStatus": "Completed"}
    assert {call.region for call in sm_experiments.calls} == {sm_experiments.options.region}
    sm_experiments.assert_not_called("GetCallerIdentity")


def test_experiment_analytics_pages_through_search(sdk, session, sm_experiments):
    """The SDK's ExperimentAnalytics: Search on Parents.ExperimentName, sorted, all pages."""
    pytest.importorskip("pandas")

    for index in range(12):
        with sdk.Run(experiment_name="exp", run_name=f"r{index:02d}",
                 sagemaker_session=session) as run:
            run.log_parameter("lr", 0.01 * (index + 1))
            for step in range(3):
                run.log_metric("loss", 1.0 - 0.05 * index + 0.1 * step, step=step)
    with sdk.Run(experiment_name="other", run_name="r00", sagemaker_session=session):
        pass
    before = len(sm_experiments.calls)

    frame = sdk.analytics.ExperimentAnalytics(experiment_name="exp", sagemaker_session=session,
                                sort_by="Metrics.loss.Min", sort_order="Ascending").dataframe()

    assert list(frame["TrialComponentName"]) == [f"exp-r{i:02d}" for i in reversed(range(12))]
    assert list(frame["lr"]) == pytest.approx([0.01 * (i + 1) for i in reversed(range(12))])
    assert list(frame["loss - Count"]) == [3] * 12
    assert list(frame["loss - Max"]) == pytest.approx(
        [1.2 - 0.05 * i for i in reversed(range(12))])
    assert all(trials == ["Default-Run-Group-exp"] for trials in frame["Trials"])
    searches = sm_experiments.calls[before:].filter("Search")
    # Twelve hits at the default page size of ten: two pages, the second via NextToken.
    assert [len(call.response["Results"]) for call in searches] == [10, 2]
    assert "NextToken" not in searches[0].params
    assert searches[1].params["NextToken"] == searches[0].response["NextToken"]
    assert searches[0].response["TotalHits"] == {"Value": 12, "Relation": "EqualTo"}


@pytest.mark.sm_experiments(account_id="444455556666", region="eu-west-1")
def test_session_account_id_comes_from_sts(sdk, session, sm_experiments):
    # The SDK asks STS's regional endpoint (default bucket names, telemetry).
    assert session.account_id() == "444455556666"
    call = sm_experiments.calls.one("GetCallerIdentity")
    assert (call.service, call.region) == ("sts", "eu-west-1")


def test_default_sdk_session_sends_no_telemetry(sdk, sm_experiments, network_attempts):
    """With no config of the user's, the mock opts the SDK out of its `requests` telemetry."""
    import threading

    before = set(threading.enumerate())
    session = sdk.Session(boto_session=boto3.Session(region_name=sm_experiments.options.region))
    with sdk.Run(experiment_name="Quiet", run_name="Run-1", sagemaker_session=session) as run:
        run.log_parameter("lr", 0.1)
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
    assert network_attempts == []
    assert sm_experiments.trial_components["quiet-run-1"].parameters == {"lr": 0.1}
