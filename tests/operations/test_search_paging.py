"""Search pages by the place of the last record in the order (a sealed cursor, not an offset),
and answers the SDKs' Equals filters from indexes: both must give what the plain reading of
the request gives, with the letter case of names kept."""

from __future__ import annotations

import pytest

TC = "ExperimentTrialComponent"


def names(pages):
    return [result["TrialComponent"]["TrialComponentName"]
            for page in pages for result in page["Results"]]


def walk(client, page_size, **request):
    paginator = client.get_paginator("search")
    return list(paginator.paginate(Resource=TC, PaginationConfig={"PageSize": page_size},
                                   **request))


@pytest.fixture
def components(sm_client):
    """Twelve components; display names tie in threes (d0 d1 d2 d3), created in name order."""
    for index in range(12):
        sm_client.create_trial_component(TrialComponentName=f"tc-{index:02d}",
                                         DisplayName=f"d{index % 4}")
    return [f"tc-{index:02d}" for index in range(12)]


@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_pages_of_a_sort_with_ties_hold_every_hit_once_in_order(sm_client, components, order):
    pages = walk(sm_client, 5, SortBy="DisplayName", SortOrder=order)
    # Ties are broken by creation order, in the direction asked for.
    expected = sorted(components, key=lambda name: (int(name[-2:]) % 4, name),
                      reverse=order == "Descending")
    assert names(pages) == expected
    assert [len(page["Results"]) for page in pages] == [5, 5, 2]
    assert {page["TotalHits"]["Value"] for page in pages} == {12}


@pytest.mark.parametrize("sort_by", ["CreationTime", "LastModifiedTime"])
@pytest.mark.parametrize("order", ["Ascending", "Descending"])
def test_pages_sorted_by_a_time_hold_every_hit_once(sm_client, components, sort_by, order):
    pages = walk(sm_client, 5, SortBy=sort_by, SortOrder=order)
    assert names(pages) == (components if order == "Ascending" else components[::-1])


def test_an_update_moves_a_record_to_the_front_of_the_default_order(sm_client, components):
    sm_client.update_trial_component(TrialComponentName="tc-03", DisplayName="changed")
    first = sm_client.search(Resource=TC, MaxResults=2)
    assert names([first]) == ["tc-03", "tc-11"]


def test_paging_resumes_after_the_last_record_even_once_it_is_deleted(sm_client, components):
    first = sm_client.search(Resource=TC, SortBy="TrialComponentName", SortOrder="Ascending",
                             MaxResults=4)
    assert names([first]) == components[:4]
    sm_client.delete_trial_component(TrialComponentName="tc-03")
    sm_client.delete_trial_component(TrialComponentName="tc-04")
    second = sm_client.search(Resource=TC, SortBy="TrialComponentName", SortOrder="Ascending",
                              MaxResults=4, NextToken=first["NextToken"])
    assert names([second]) == components[5:9]
    assert second["TotalHits"]["Value"] == 10


def test_a_record_created_between_pages_is_seen_only_after_the_cursor(sm_client, components):
    first = sm_client.search(Resource=TC, SortBy="TrialComponentName", SortOrder="Ascending",
                             MaxResults=4)
    sm_client.create_trial_component(TrialComponentName="tc-00a")  # before the cursor
    sm_client.create_trial_component(TrialComponentName="tc-04a")  # after it
    second = sm_client.search(Resource=TC, SortBy="TrialComponentName", SortOrder="Ascending",
                              MaxResults=3, NextToken=first["NextToken"])
    assert names([second]) == ["tc-04", "tc-04a", "tc-05"]


@pytest.fixture
def lab(sm_client):
    sm_client.create_experiment(ExperimentName="Churn")
    sm_client.create_experiment(ExperimentName="fraud")
    for trial, experiment in (("Churn-A", "Churn"), ("churn-b", "Churn"), ("fraud-a", "fraud")):
        sm_client.create_trial(TrialName=trial, ExperimentName=experiment)
    members = {"a1": ["Churn-A"], "a2": ["Churn-A", "fraud-a"], "b1": ["churn-b"],
               "f1": ["fraud-a"], "lone": []}
    for name, trials in members.items():
        sm_client.create_trial_component(
            TrialComponentName=name, DisplayName=f"Run-{name}",
            Status={"PrimaryStatus": "Failed" if name == "a2" else "Completed"})
        for trial in trials:
            sm_client.associate_trial_component(TrialComponentName=name, TrialName=trial)
    return sm_client


def search(client, *filters, resource=TC):
    response = client.search(Resource=resource, SortBy="CreationTime", SortOrder="Ascending",
                             SearchExpression={"Filters": list(filters)})
    key = {"Experiment": "ExperimentName", "ExperimentTrial": "TrialName"}.get(resource)
    record = {"Experiment": "Experiment", "ExperimentTrial": "Trial"}.get(resource)
    if key is None:
        return [r["TrialComponent"]["TrialComponentName"] for r in response["Results"]]
    return [r[record][key] for r in response["Results"]]


def equals(name, value):
    return {"Name": name, "Operator": "Equals", "Value": value}


def test_equals_on_parents_display_names_and_names_keeps_letter_case(lab):
    assert search(lab, equals("Parents.ExperimentName", "Churn")) == ["a1", "a2", "b1"]
    assert search(lab, equals("Parents.ExperimentName", "churn")) == []
    assert search(lab, equals("Parents.TrialName", "Churn-A")) == ["a1", "a2"]
    assert search(lab, equals("Parents.TrialName", "churn-a")) == []
    assert search(lab, equals("DisplayName", "Run-b1")) == ["b1"]
    assert search(lab, equals("DisplayName", "run-b1")) == []
    assert search(lab, equals("ExperimentName", "Churn"),
                  resource="ExperimentTrial") == ["Churn-A", "churn-b"]
    assert search(lab, equals("ExperimentName", "CHURN"), resource="ExperimentTrial") == []
    assert search(lab, equals("DisplayName", "Churn"), resource="Experiment") == ["Churn"]


def test_the_other_filters_of_the_and_still_apply(lab):
    assert search(lab, equals("Parents.ExperimentName", "Churn"),
                  equals("Status.PrimaryStatus", "Failed")) == ["a2"]
    # The SDK's check that a run's component is in a trial: a name and a parent.
    assert search(lab, equals("TrialComponentName", "a2"),
                  equals("Parents.TrialName", "fraud-a")) == ["a2"]
    assert search(lab, equals("TrialComponentName", "a1"),
                  equals("Parents.TrialName", "fraud-a")) == []


def test_a_display_name_change_is_searchable_at_once(lab):
    lab.update_trial_component(TrialComponentName="b1", DisplayName="Renamed")
    assert search(lab, equals("DisplayName", "Renamed")) == ["b1"]
    assert search(lab, equals("DisplayName", "Run-b1")) == []


def test_components_by_their_jobs_source_arn(sm_client, sm_experiments):
    """A component whose Source is a job (made by the job beside moto) is found by its ARN,
    with its letter case."""
    moto = pytest.importorskip("moto")
    with moto.mock_aws():
        sm_client.create_experiment(ExperimentName="exp")
        sm_client.create_trial(TrialName="t", ExperimentName="exp")
        arn = sm_client.create_training_job(
            TrainingJobName="job-1", RoleArn="arn:aws:iam::123456789012:role/r",
            AlgorithmSpecification={"TrainingImage": "img", "TrainingInputMode": "File"},
            OutputDataConfig={"S3OutputPath": "s3://b/o"},
            ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1,
                            "VolumeSizeInGB": 1},
            StoppingCondition={"MaxRuntimeInSeconds": 60},
            ExperimentConfig={"ExperimentName": "exp", "TrialName": "t"})["TrainingJobArn"]
        assert search(sm_client, equals("Source.SourceArn", arn)) == ["job-1-aws-training-job"]
        assert search(sm_client, equals("Source.SourceArn", arn.upper())) == []
