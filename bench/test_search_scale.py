"""Search at scale, through a boto3 client (botocore's parsing of the page included):
N trial components, 100 per trial, 10 trials per experiment (1,000 components per
experiment), display names shared by about N/997 components; 100,000 experiments, every
hundredth tagged ``team=blue``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pytest_sm_experiments import SageMakerExperimentsMock, mock_sm_experiments

TC = "ExperimentTrialComponent"
PAGE = 100


def components(total: int) -> Iterator[tuple[str, dict[str, Any]]]:
    for experiment in range(total // 1000):
        yield "CreateExperiment", {"ExperimentName": f"exp-{experiment:04d}"}
        for trial in range(10):
            yield "CreateTrial", {"TrialName": f"trial-{experiment:04d}-{trial}",
                                  "ExperimentName": f"exp-{experiment:04d}"}
    for index in range(total):
        name = f"tc-{index:06d}"
        yield "CreateTrialComponent", {"TrialComponentName": name,
                                       "DisplayName": f"run-{index % 997}"}
        yield "AssociateTrialComponent", {
            "TrialComponentName": name,
            "TrialName": f"trial-{index // 1000:04d}-{index // 100 % 10}"}


@pytest.fixture(scope="module", params=[10_000, 100_000], ids=["10k", "100k"])
def lab(request: pytest.FixtureRequest, seed: Any) -> Iterator[SageMakerExperimentsMock]:
    total = request.param
    with mock_sm_experiments(quotas={"trial_components": total}) as mock:
        seed(mock, components(total))
        yield mock


@pytest.fixture(scope="module")
def experiments(seed: Any) -> Iterator[SageMakerExperimentsMock]:
    with mock_sm_experiments(quotas={"experiments": 100_000}) as mock:
        seed(mock, (("CreateExperiment", {"ExperimentName": f"exp-{index:06d}", **(
            {"Tags": [{"Key": "team", "Value": "blue"}]} if index % 100 == 0 else {})})
            for index in range(100_000)))
        yield mock


EXPERIMENT = {"Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals",
                           "Value": "exp-0001"}]}


@pytest.mark.benchmark(group="Search: a page of one experiment's components (1,000 match)")
def test_filtered_page(benchmark: Any, lab: SageMakerExperimentsMock) -> None:
    client = lab.client()
    reply = benchmark(client.search, Resource=TC, SearchExpression=EXPERIMENT, MaxResults=PAGE)
    assert (len(reply["Results"]), reply["TotalHits"]["Value"]) == (PAGE, 1000)


@pytest.mark.benchmark(group="Search: page 2 of one experiment's components")
def test_filtered_page_2(benchmark: Any, lab: SageMakerExperimentsMock) -> None:
    client = lab.client()
    token = client.search(Resource=TC, SearchExpression=EXPERIMENT,
                          MaxResults=PAGE)["NextToken"]
    reply = benchmark(client.search, Resource=TC, SearchExpression=EXPERIMENT,
                      MaxResults=PAGE, NextToken=token)
    assert len(reply["Results"]) == PAGE


@pytest.mark.benchmark(group="Search: a page of every component, sorted")
@pytest.mark.parametrize("sort_by", ["LastModifiedTime", "DisplayName"])
def test_sorted_page(benchmark: Any, lab: SageMakerExperimentsMock, sort_by: str) -> None:
    client = lab.client()
    reply = benchmark(client.search, Resource=TC, SortBy=sort_by, MaxResults=PAGE)
    assert len(reply["Results"]) == PAGE


@pytest.mark.benchmark(group="Search: a filter no index answers (DisplayName Contains)")
def test_unindexed_filter(benchmark: Any, lab: SageMakerExperimentsMock) -> None:
    client = lab.client()
    reply = benchmark(client.search, Resource=TC, MaxResults=PAGE, SearchExpression={
        "Filters": [{"Name": "DisplayName", "Operator": "Contains", "Value": "run-9"}]})
    assert len(reply["Results"]) == PAGE


@pytest.mark.benchmark(group="100,000 experiments: a 100-item page")
def test_search_by_tag(benchmark: Any, experiments: SageMakerExperimentsMock) -> None:
    client = experiments.client()
    reply = benchmark(client.search, Resource="Experiment", MaxResults=PAGE, SearchExpression={
        "Filters": [{"Name": "Tags.team", "Operator": "Equals", "Value": "blue"}]})
    assert (len(reply["Results"]), reply["TotalHits"]["Value"]) == (PAGE, 1000)


@pytest.mark.benchmark(group="100,000 experiments: a 100-item page")
def test_list_experiments(benchmark: Any, experiments: SageMakerExperimentsMock) -> None:
    client = experiments.client()
    reply = benchmark(client.list_experiments, SortBy="Name", MaxResults=PAGE)
    assert len(reply["ExperimentSummaries"]) == PAGE
