"""Search over experiments, trials and trial components: grammar, types, sort, paging, errors."""

from __future__ import annotations

import statistics
from datetime import datetime, timezone

import pytest
from botocore.exceptions import ClientError

from pytest_sm_experiments.errors import UnsupportedOperationError

TC = "ExperimentTrialComponent"


def names(response, key="TrialComponent", field="TrialComponentName"):
    return [result[key][field] for result in response["Results"]]


def search_tc(client, *filters, operator=None, **kwargs):
    expression = {"Filters": list(filters)}
    if operator:
        expression["Operator"] = operator
    return names(client.search(Resource=TC, SearchExpression=expression, **kwargs))


def error_of(call, *args, **kwargs):
    with pytest.raises(ClientError) as raised:
        call(*args, **kwargs)
    return raised.value.response["Error"]


@pytest.fixture
def lab(sm_client, sm_experiments):
    """Two experiments, three trials, four components with parameters, metrics and tags."""
    c = sm_client
    c.create_experiment(ExperimentName="churn", Tags=[{"Key": "team", "Value": "risk"}])
    c.create_experiment(ExperimentName="fraud", DisplayName="Fraud-Detection")
    c.create_trial(TrialName="churn-a", ExperimentName="churn")
    c.create_trial(TrialName="churn-b", ExperimentName="churn")
    c.create_trial(TrialName="fraud-a", ExperimentName="fraud")
    specs = {
        "xgb-1": ({"lr": {"NumberValue": 0.1}, "algo": {"StringValue": "xgboost"}},
                  "Completed", [("churn-a",)], [0.9, 0.5, 0.3]),
        "xgb-2": ({"lr": {"NumberValue": 0.01}, "algo": {"StringValue": "xgboost"}},
                  "Failed", [("churn-b",), ("fraud-a",)], [0.8, 0.7]),
        "mlp-1": ({"lr": {"StringValue": "auto"}, "algo": {"StringValue": "mlp"}},
                  "InProgress", [("fraud-a",)], None),
        "lone": ({}, None, [], None),
    }
    metrics = sm_experiments.client(service="sagemaker-metrics")
    now = datetime.now(timezone.utc)
    for name, (parameters, status, trials, losses) in specs.items():
        kwargs = {"TrialComponentName": name, "Parameters": parameters,
                  "Tags": [{"Key": "owner", "Value": name.split("-")[0]}]}
        if status:
            kwargs["Status"] = {"PrimaryStatus": status}
        c.create_trial_component(**kwargs)
        for (trial,) in trials:
            c.associate_trial_component(TrialComponentName=name, TrialName=trial)
        if losses:
            metrics.batch_put_metrics(TrialComponentName=name, MetricData=[
                {"MetricName": "loss", "Value": v, "Timestamp": now, "Step": i}
                for i, v in enumerate(losses)])
    return c


# -- records ------------------------------------------------------------------------------------

def test_component_record_carries_parents_tags_parameters_metrics(lab):
    response = lab.search(Resource=TC, SearchExpression={
        "Filters": [{"Name": "TrialComponentName", "Value": "xgb-2"}]})
    assert response["TotalHits"] == {"Value": 1, "Relation": "EqualTo"}
    (result,) = response["Results"]
    assert list(result) == ["TrialComponent"]
    record = result["TrialComponent"]
    assert record["Parents"] == [{"TrialName": "churn-b", "ExperimentName": "churn"},
                                 {"TrialName": "fraud-a", "ExperimentName": "fraud"}]
    assert record["Tags"] == [{"Key": "owner", "Value": "xgb"}]
    assert record["Parameters"] == {"lr": {"NumberValue": 0.01},
                                    "algo": {"StringValue": "xgboost"}}
    assert record["Status"] == {"PrimaryStatus": "Failed"}
    (loss,) = record["Metrics"]
    assert (loss["MetricName"], loss["Count"], loss["Min"], loss["Max"]) == ("loss", 2, 0.7, 0.8)
    assert "NextToken" not in response


def test_component_record_has_empty_maps_and_no_parents(lab):
    (result,) = lab.search(Resource=TC, SearchExpression={
        "Filters": [{"Name": "TrialComponentName", "Value": "lone"}]})["Results"]
    record = result["TrialComponent"]
    assert record["Parameters"] == {}
    assert record["InputArtifacts"] == {}
    assert record["OutputArtifacts"] == {}
    assert record["Parents"] == []
    assert "Metrics" not in record
    assert "Status" not in record


def test_trial_and_experiment_records(lab):
    (trial,) = lab.search(Resource="ExperimentTrial", SearchExpression={
        "Filters": [{"Name": "TrialName", "Value": "fraud-a"}]})["Results"]
    summaries = trial["Trial"]["TrialComponentSummaries"]
    assert [s["TrialComponentName"] for s in summaries] == ["xgb-2", "mlp-1"]
    assert summaries[0]["TrialComponentArn"].endswith(":experiment-trial-component/xgb-2")
    assert trial["Trial"]["ExperimentName"] == "fraud"
    assert trial["Trial"]["Tags"] == []
    (experiment,) = lab.search(Resource="Experiment", SearchExpression={
        "Filters": [{"Name": "Tags.team", "Value": "risk"}]})["Results"]
    assert experiment["Experiment"]["ExperimentName"] == "churn"
    assert experiment["Experiment"]["Tags"] == [{"Key": "team", "Value": "risk"}]


def test_no_expression_returns_everything_newest_modified_first(lab):
    response = lab.search(Resource="Experiment")
    assert names(response, "Experiment", "ExperimentName") == ["fraud", "churn"]
    lab.update_experiment(ExperimentName="churn", Description="touched")
    response = lab.search(Resource="Experiment")
    assert names(response, "Experiment", "ExperimentName") == ["churn", "fraud"]


# -- operators and types ------------------------------------------------------------------------

def test_text_operators(lab):
    assert search_tc(lab, {"Name": "DisplayName", "Operator": "Contains", "Value": "xgb"}) == [
        "xgb-2", "xgb-1"]
    assert search_tc(lab, {"Name": "TrialComponentName", "Operator": "In",
                           "Value": "lone, mlp-1,nope"}) == ["lone", "mlp-1"]
    assert search_tc(lab, {"Name": "Status.PrimaryStatus", "Operator": "NotEquals",
                           "Value": "Failed"}) == ["lone", "mlp-1", "xgb-1"]
    assert search_tc(lab, {"Name": "Status.PrimaryStatus", "Operator": "NotExists"}) == ["lone"]
    assert search_tc(lab, {"Name": "TrialComponentName", "Value": "XGB-1"}) == []


def test_multi_valued_parents(lab):
    assert search_tc(lab, {"Name": "Parents.ExperimentName", "Value": "fraud"}) == [
        "mlp-1", "xgb-2"]
    assert search_tc(lab, {"Name": "Parents.TrialName", "Operator": "NotEquals",
                           "Value": "fraud-a"}) == ["lone", "xgb-1"]
    assert search_tc(lab, {"Name": "Parents.TrialName", "Operator": "Exists"}) == [
        "mlp-1", "xgb-2", "xgb-1"]


def test_metrics_compare_numerically(lab):
    assert search_tc(lab, {"Name": "Metrics.loss.Min", "Operator": "LessThan",
                           "Value": "0.5"}) == ["xgb-1"]
    assert search_tc(lab, {"Name": "Metrics.loss.Count", "Operator": "GreaterThanOrEqualTo",
                           "Value": "2"}) == ["xgb-2", "xgb-1"]
    assert search_tc(lab, {"Name": "Metrics.loss.Last", "Value": "0.7"}) == ["xgb-2"]
    # The bare metric name means its Last value (CHOICE).
    assert search_tc(lab, {"Name": "Metrics.loss", "Operator": "LessThanOrEqualTo",
                           "Value": "3e-1"}) == ["xgb-1"]


def test_parameters_compare_like_with_like(lab):
    assert search_tc(lab, {"Name": "Parameters.lr", "Operator": "GreaterThan",
                           "Value": "0.05"}) == ["xgb-1"]
    assert search_tc(lab, {"Name": "Parameters.lr", "Value": "auto"}) == ["mlp-1"]
    assert search_tc(lab, {"Name": "Parameters.lr", "Value": "0.010"}) == ["xgb-2"]
    assert search_tc(lab, {"Name": "Parameters.algo", "Operator": "Contains",
                           "Value": "boost"}) == ["xgb-2", "xgb-1"]
    assert search_tc(lab, {"Name": "Parameters.lr.NumberValue", "Operator": "Exists"}) == [
        "xgb-2", "xgb-1"]


def test_timestamps_iso_8601_and_epoch(sm_client):
    sm_client.create_experiment(ExperimentName="old")
    sm_client.create_experiment(ExperimentName="new")
    first = sm_client.describe_experiment(ExperimentName="old")["CreationTime"]
    second = sm_client.describe_experiment(ExperimentName="new")["CreationTime"]
    middle = first + (second - first) / 2
    for value in (middle.astimezone(timezone.utc).isoformat(),
                  middle.astimezone(timezone.utc).replace(tzinfo=None).isoformat(),
                  middle.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
                  repr(middle.timestamp())):
        response = sm_client.search(Resource="Experiment", SearchExpression={
            "Filters": [{"Name": "CreationTime", "Operator": "GreaterThan", "Value": value}]})
        assert names(response, "Experiment", "ExperimentName") == ["new"], value


def test_tags(lab):
    assert search_tc(lab, {"Name": "Tags.owner", "Value": "mlp"}) == ["mlp-1"]
    assert search_tc(lab, {"Name": "Tags.missing", "Operator": "Exists"}) == []


# -- boolean structure --------------------------------------------------------------------------

def test_or_and_sub_expressions(lab):
    assert search_tc(lab, {"Name": "TrialComponentName", "Value": "lone"},
                     {"Name": "Parameters.lr", "Value": "auto"}, operator="Or") == [
        "lone", "mlp-1"]
    response = lab.search(Resource=TC, SearchExpression={
        "Filters": [{"Name": "Tags.owner", "Value": "xgb"}],
        "SubExpressions": [{"Operator": "Or", "SubExpressions": [
            {"Filters": [{"Name": "Status.PrimaryStatus", "Value": "Failed"}]},
            {"Filters": [{"Name": "Metrics.loss.Max", "Operator": "GreaterThan",
                          "Value": "100"}]},
        ]}],
    })
    assert names(response) == ["xgb-2"]


def test_nested_filters_need_one_element_matching_all(lab):
    def nested(trial, experiment):
        return lab.search(Resource=TC, SearchExpression={"NestedFilters": [{
            "NestedPropertyName": "Parents",
            "Filters": [{"Name": "Parents.TrialName", "Value": trial},
                        {"Name": "Parents.ExperimentName", "Value": experiment}]}]})

    assert names(nested("fraud-a", "fraud")) == ["mlp-1", "xgb-2"]
    # xgb-2 has a parent churn-b (experiment churn) and a parent fraud-a (experiment fraud):
    # plain filters match it, a nested filter does not.
    assert names(nested("churn-b", "fraud")) == []
    assert search_tc(lab, {"Name": "Parents.TrialName", "Value": "churn-b"},
                     {"Name": "Parents.ExperimentName", "Value": "fraud"}) == ["xgb-2"]
    response = lab.search(Resource=TC, SearchExpression={"NestedFilters": [{
        "NestedPropertyName": "Metrics",
        "Filters": [{"Name": "Metrics.MetricName", "Value": "loss"},
                    {"Name": "Metrics.Min", "Operator": "GreaterThan", "Value": "0.6"}]}]})
    assert names(response) == ["xgb-2"]


# -- sorting and paging -------------------------------------------------------------------------

def test_sort_by_any_property_missing_values_last(lab):
    def sort(by, order):
        return names(lab.search(Resource=TC, SortBy=by, SortOrder=order))

    assert sort("TrialComponentName", "Ascending") == ["lone", "mlp-1", "xgb-1", "xgb-2"]
    assert sort("Metrics.loss.Min", "Ascending") == ["xgb-1", "xgb-2", "mlp-1", "lone"]
    assert sort("Metrics.loss.Min", "Descending") == ["xgb-2", "xgb-1", "lone", "mlp-1"]
    assert sort("CreationTime", "Ascending") == ["xgb-1", "xgb-2", "mlp-1", "lone"]


def test_paging_walks_every_hit_once(sm_client):
    for index in range(23):
        sm_client.create_experiment(ExperimentName=f"exp-{index:02d}")
    seen = []
    token = None
    pages = 0
    while True:
        kwargs = {"NextToken": token} if token else {}
        response = sm_client.search(Resource="Experiment", SortBy="ExperimentName",
                                    SortOrder="Ascending", MaxResults=10, **kwargs)
        assert response["TotalHits"]["Value"] == 23
        seen += names(response, "Experiment", "ExperimentName")
        pages += 1
        token = response.get("NextToken")
        if not token:
            break
    assert pages == 3
    assert seen == [f"exp-{index:02d}" for index in range(23)]
    # The default page size is 10 (CHOICE) and botocore's paginator follows the tokens.
    assert len(sm_client.search(Resource="Experiment")["Results"]) == 10
    paginator = sm_client.get_paginator("search")
    pages_seen = [len(page["Results"]) for page in paginator.paginate(
        Resource="Experiment", PaginationConfig={"PageSize": 7})]
    assert pages_seen == [7, 7, 7, 2]


def test_token_is_bound_to_the_request(sm_client, sm_experiments):
    for index in range(3):
        sm_client.create_experiment(ExperimentName=f"exp-{index}")
    token = sm_client.search(Resource="Experiment", MaxResults=1)["NextToken"]
    other = error_of(sm_client.search, Resource="Experiment", SortOrder="Ascending",
                     MaxResults=1, NextToken=token)
    assert other["Code"] == "ValidationException"
    assert "NextToken" in other["Message"]
    forged = error_of(sm_client.search, Resource="Experiment", MaxResults=1,
                      NextToken=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert forged["Code"] == "ValidationException"
    assert sm_experiments.calls[-1].error_code == "ValidationException"


def test_cross_account_finds_nothing(lab):
    response = lab.search(Resource=TC, CrossAccountFilterOption="CrossAccount")
    assert response["Results"] == []
    assert response["TotalHits"]["Value"] == 0


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("search_filter", "fragment"), [
    ({"Name": "Colour", "Value": "x"}, "Unknown property name: Colour"),
    ({"Name": "TrialComponentName", "Operator": "GreaterThan", "Value": "a"},
     "Operator GreaterThan is not supported for text property 'TrialComponentName'"),
    ({"Name": "Metrics.loss.Max", "Operator": "Contains", "Value": "1"},
     "Operator Contains is not supported for numeric property 'Metrics.loss.Max'"),
    ({"Name": "CreationTime", "Operator": "In", "Value": "x"},
     "Operator In is not supported for timestamp property 'CreationTime'"),
    ({"Name": "Metrics.loss.Max", "Operator": "LessThan", "Value": "ten"},
     "Value 'ten' for property 'Metrics.loss.Max' is not a valid number"),
    ({"Name": "LastModifiedTime", "Operator": "LessThan", "Value": "yesterday"},
     "Value 'yesterday' for property 'LastModifiedTime' is not a valid timestamp"),
    ({"Name": "Parameters.lr", "Operator": "LessThan", "Value": "low"},
     "Value 'low' for property 'Parameters.lr' is not a valid number"),
    ({"Name": "Status.PrimaryStatus", "Operator": "Exists", "Value": "x"},
     "Operator Exists takes no Value"),
    ({"Name": "Status.PrimaryStatus"}, "needs a Value"),
])
def test_bad_filters_are_validation_exceptions(sm_client, sm_experiments, search_filter,
                                               fragment):
    error = error_of(sm_client.search, Resource=TC,
                     SearchExpression={"Filters": [search_filter]})
    assert error["Code"] == "ValidationException"
    assert fragment in error["Message"]
    assert sm_experiments.calls.one("Search").error_code == "ValidationException"


def test_at_most_fifty_clauses(sm_client):
    def leaf(index):
        return {"Name": "TrialComponentName", "Value": f"n{index}"}

    # 2 SubExpressions x (1 + 20 filters) + 8 filters = 50 clauses: accepted.
    fifty = {"Filters": [leaf(i) for i in range(8)], "Operator": "Or",
             "SubExpressions": [{"Filters": [leaf(i) for i in range(20)]} for _ in range(2)]}
    assert sm_client.search(Resource=TC, SearchExpression=fifty)["Results"] == []
    fifty["Filters"].append(leaf(99))
    error = error_of(sm_client.search, Resource=TC, SearchExpression=fifty)
    assert error["Code"] == "ValidationException"
    assert "at most 50" in error["Message"]
    assert "this one has 51" in error["Message"]


def test_more_than_twenty_filters_fail_model_validation(sm_experiments):
    from botocore.config import Config

    client = sm_experiments.client(config=Config(parameter_validation=False))
    error = error_of(client.search, Resource=TC, SearchExpression={"Filters": [
        {"Name": "TrialComponentName", "Value": f"n{i}"} for i in range(21)]})
    assert error["Message"] == (
        "1 validation error detected: Value '[" + ", ".join(
            f"{{'Name': 'TrialComponentName', 'Value': 'n{i}'}}" for i in range(21))
        + "]' at 'searchExpression.filters' failed to satisfy constraint: Member must have "
        "length less than or equal to 20")


def test_contains_limit(sm_client):
    two_free = [{"Name": "DisplayName", "Operator": "Contains", "Value": "a"},
                {"Name": "Tags.owner", "Operator": "Contains", "Value": "b"}]
    assert sm_client.search(Resource=TC, SearchExpression={"Filters": two_free})[
        "Results"] == []
    two_limited = {"Filters": [{"Name": "Status.Message", "Operator": "Contains", "Value": "a"}],
                   "SubExpressions": [{"Filters": [
                       {"Name": "Parameters.algo", "Operator": "Contains", "Value": "b"}]}]}
    error = error_of(sm_client.search, Resource=TC, SearchExpression=two_limited)
    assert error == {"Code": "ValidationException",
                     "Message": "'CONTAINS' operator usage limit of 1 exceeded."}


def test_empty_expression_and_bad_nested_names(sm_client):
    error = error_of(sm_client.search, Resource="Experiment", SearchExpression={})
    assert "at least one subexpression, filter, or nested filter" in error["Message"]
    error = error_of(sm_client.search, Resource="Experiment", SearchExpression={
        "NestedFilters": [{"NestedPropertyName": "Parents",
                           "Filters": [{"Name": "Parents.TrialName", "Value": "x"}]}]})
    assert "'Parents' is not a nested property of Search resource Experiment" in (
        error["Message"])
    error = error_of(sm_client.search, Resource=TC, SearchExpression={
        "NestedFilters": [{"NestedPropertyName": "Parents",
                           "Filters": [{"Name": "TrialName", "Value": "x"}]}]})
    assert "'TrialName' is not a property of nested property 'Parents'" in error["Message"]


def test_bad_sort_by(sm_client):
    error = error_of(sm_client.search, Resource=TC, SortBy="Colour")
    assert error["Message"] == "Unknown property name: Colour"
    error = error_of(sm_client.search, Resource=TC, SortBy="Parents.TrialName")
    assert "cannot be sorted on" in error["Message"]


def test_other_resources_fail_loudly(sm_client):
    with pytest.raises(UnsupportedOperationError, match=r"Search\(Resource=TrainingJob\)"):
        sm_client.search(Resource="TrainingJob")


def test_null_members_are_members_not_sent(sm_client, sm_experiments):
    import json

    from botocore.awsrequest import AWSPreparedRequest

    from pytest_sm_experiments.inprocess import hook

    sm_client.create_experiment(ExperimentName="a")
    body = json.dumps({"Resource": "Experiment", "SortBy": None, "SortOrder": None,
                       "MaxResults": None, "NextToken": None,
                       "SearchExpression": {"Filters": [{"Name": "ExperimentName",
                                                         "Operator": None, "Value": "a"}],
                                            "Operator": None}}).encode()
    request = AWSPreparedRequest("POST", "https://api.sagemaker.us-east-1.amazonaws.com/", {},
                                 body, False)
    response = hook.before_send(request=request, event_name="before-send.sagemaker.Search")
    assert response.status_code == 200
    results = json.loads(response.content)["Results"]
    assert [r["Experiment"]["ExperimentName"] for r in results] == ["a"]
    assert sm_experiments.calls[-1].succeeded


def test_tag_equals_follows_tag_changes(sm_client, sm_experiments):
    """Search by tag answers from an index: it must follow AddTags, DeleteTags and deletes."""
    arns = {name: sm_client.create_experiment(
        ExperimentName=name, Tags=[{"Key": "team", "Value": team}])["ExperimentArn"]
        for name, team in (("A", "blue"), ("B", "red"), ("C", "blue"))}

    def blue(operator="And"):
        response = sm_client.search(Resource="Experiment", SearchExpression={
            "Filters": [{"Name": "Tags.team", "Operator": "Equals", "Value": "blue"}],
            "Operator": operator})
        return sorted(r["Experiment"]["ExperimentName"] for r in response["Results"])

    assert blue() == ["A", "C"]
    sm_client.add_tags(ResourceArn=arns["B"], Tags=[{"Key": "team", "Value": "blue"}])
    sm_client.add_tags(ResourceArn=arns["A"], Tags=[{"Key": "team", "Value": "green"}])
    assert blue() == ["B", "C"]
    sm_client.delete_tags(ResourceArn=arns["C"], TagKeys=["team"])
    assert blue() == ["B"]
    sm_client.delete_experiment(ExperimentName="b")
    assert blue() == []
    sm_client.create_experiment(ExperimentName="B", Tags=[{"Key": "team", "Value": "blue"}])
    assert blue() == blue("Or") == ["B"]
    assert sm_client.search(Resource="Experiment", SearchExpression={"Filters": [
        {"Name": "Tags.team", "Operator": "Equals", "Value": "Blue"}]})["Results"] == []


def test_deleted_tag_is_not_found_when_its_value_is_another_tags_key(sm_client):
    """Tags {team: owner, owner: owner}; deleting ``team`` leaves ``owner: owner``, whose key is
    the deleted tag's value: the experiment no longer answers ``Tags.team = owner``."""
    arn = sm_client.create_experiment(ExperimentName="tagged", Tags=[
        {"Key": "team", "Value": "owner"}, {"Key": "owner", "Value": "owner"}])["ExperimentArn"]
    sm_client.delete_tags(ResourceArn=arn, TagKeys=["team"])

    def found(key):
        return [r["Experiment"]["ExperimentName"] for r in sm_client.search(
            Resource="Experiment", SearchExpression={"Filters": [
                {"Name": f"Tags.{key}", "Operator": "Equals", "Value": "owner"}]})["Results"]]

    assert found("team") == []
    assert found("owner") == ["tagged"]


@pytest.mark.parametrize("sort_by", ["CreationTime", "LastModifiedTime"])
@pytest.mark.parametrize("sort_order", ["Ascending", "Descending"])
def test_tag_search_orders_like_the_general_path(sm_client, sort_by, sort_order):
    """One tag filter is answered from the index; adding a filter every record passes takes the
    general path. Both must give the same pages in the same order."""
    for i in range(25):
        sm_client.create_experiment(ExperimentName=f"E{i}",
                                    Tags=[{"Key": "team", "Value": "blue" if i % 3 else "red"}])
    sm_client.update_experiment(ExperimentName="E4", DisplayName="touched")
    tag = {"Name": "Tags.team", "Operator": "Equals", "Value": "blue"}
    everyone = {"Name": "ExperimentName", "Operator": "Exists"}

    def pages(filters):
        paginator = sm_client.get_paginator("search")
        return [[r["Experiment"]["ExperimentName"] for r in page["Results"]]
                for page in paginator.paginate(
                    Resource="Experiment", SortBy=sort_by, SortOrder=sort_order,
                    SearchExpression={"Filters": filters}, PaginationConfig={"PageSize": 4})]

    fast = pages([tag])
    assert fast == pages([tag, everyone])
    assert sum(len(page) for page in fast) == 16


@pytest.mark.parametrize(("stat", "value"), [
    ("Min", 1.0), ("Max", 9.0), ("Avg", 16 / 3), ("Last", 6.0), ("Count", 3.0),
    ("StdDev", statistics.stdev([9.0, 1.0, 6.0])),
])
def test_each_metric_statistic_is_searchable_by_its_own_name(sm_client, sm_experiments, stat,
                                                             value):
    # Six different numbers: a filter on one statistic that read another finds nothing.
    sm_client.create_trial_component(TrialComponentName="tc")
    sm_client.create_trial_component(TrialComponentName="other")
    now = datetime.now(timezone.utc)
    sm_experiments.client(service="sagemaker-metrics").batch_put_metrics(
        TrialComponentName="tc", MetricData=[
            {"MetricName": "loss", "Value": v, "Timestamp": now} for v in (9.0, 1.0, 6.0)])
    around = [{"Name": f"Metrics.loss.{stat}", "Operator": "GreaterThan",
               "Value": repr(value - 0.01)},
              {"Name": f"Metrics.loss.{stat}", "Operator": "LessThan",
               "Value": repr(value + 0.01)}]
    assert search_tc(sm_client, *around) == ["tc"]
    nested = sm_client.search(Resource=TC, SearchExpression={"NestedFilters": [{
        "NestedPropertyName": "Metrics",
        "Filters": [{"Name": "Metrics.MetricName", "Value": "loss"},
                    *[{**item, "Name": f"Metrics.{stat}"} for item in around]]}]})
    assert names(nested) == ["tc"]
    ordered = names(sm_client.search(Resource=TC, SortBy=f"Metrics.loss.{stat}"))
    assert ordered == ["tc", "other"]


# -- every searchable property ------------------------------------------------------------------

START = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture
def hit_and_miss(sm_client, sm_experiments):
    """Of each resource, a record "miss" created first with little in it, then "hit" with every
    searchable property set."""
    c = sm_client
    c.create_experiment(ExperimentName="miss")
    c.create_trial(TrialName="miss", ExperimentName="miss")
    c.create_trial_component(TrialComponentName="miss", Parameters={
        "p": {"StringValue": "other"}, "n": {"NumberValue": 2}})
    c.create_experiment(ExperimentName="hit", DisplayName="Hit-Shown", Description="about")
    c.create_trial(TrialName="hit", ExperimentName="hit", DisplayName="Trial-Shown",
                   MetadataProperties={"CommitId": "c1", "Repository": "r1",
                                       "GeneratedBy": "g1", "ProjectId": "p1"})
    c.create_trial_component(
        TrialComponentName="hit", DisplayName="Comp-Shown",
        Status={"PrimaryStatus": "Completed", "Message": "all good"},
        StartTime=START, EndTime=START.replace(hour=4),
        MetadataProperties={"CommitId": "c1", "Repository": "r1", "GeneratedBy": "g1",
                            "ProjectId": "p1"},
        Parameters={"p": {"StringValue": "adam"}, "n": {"NumberValue": 1}},
        InputArtifacts={"data": {"Value": "s3://b/in", "MediaType": "text/csv"}},
        OutputArtifacts={"model": {"Value": "s3://b/out", "MediaType": "application/x-tar"}})
    c.associate_trial_component(TrialComponentName="hit", TrialName="hit")
    sm_experiments.client(service="sagemaker-metrics").batch_put_metrics(
        TrialComponentName="hit", MetricData=[
            {"MetricName": "loss", "Value": 0.5, "Timestamp": datetime.now(timezone.utc),
             "Step": 0}])
    missed = {resource: c.search(Resource=resource, SearchExpression={"Filters": [
        {"Name": field, "Value": "miss"}]})["Results"][0][key]
        for resource, field, key in (("Experiment", "ExperimentName", "Experiment"),
                                     ("ExperimentTrial", "TrialName", "Trial"),
                                     (TC, "TrialComponentName", "TrialComponent"))}
    return c, missed


ARN = "arn:aws:sagemaker:us-east-1:123456789012:"


@pytest.mark.parametrize(("resource", "search_filter"), [
    ("Experiment", {"Name": "ExperimentName", "Value": "hit"}),
    ("Experiment", {"Name": "ExperimentArn", "Value": ARN + "experiment/hit"}),
    ("Experiment", {"Name": "DisplayName", "Value": "Hit-Shown"}),
    ("Experiment", {"Name": "Description", "Value": "about"}),
    ("Experiment", {"Name": "Description", "Operator": "Exists"}),
    ("ExperimentTrial", {"Name": "TrialName", "Value": "hit"}),
    ("ExperimentTrial", {"Name": "TrialArn", "Value": ARN + "experiment-trial/hit"}),
    ("ExperimentTrial", {"Name": "DisplayName", "Value": "Trial-Shown"}),
    ("ExperimentTrial", {"Name": "ExperimentName", "Value": "hit"}),
    ("ExperimentTrial", {"Name": "MetadataProperties.CommitId", "Value": "c1"}),
    ("ExperimentTrial", {"Name": "MetadataProperties.Repository", "Value": "r1"}),
    ("ExperimentTrial", {"Name": "MetadataProperties.GeneratedBy", "Value": "g1"}),
    ("ExperimentTrial", {"Name": "MetadataProperties.ProjectId", "Value": "p1"}),
    ("ExperimentTrial", {"Name": "TrialComponentSummaries.TrialComponentName", "Value": "hit"}),
    ("ExperimentTrial", {"Name": "TrialComponentSummaries.TrialComponentArn",
                         "Value": ARN + "experiment-trial-component/hit"}),
    ("ExperimentTrial", {"Name": "TrialComponentSummaries.CreationTime",
                         "Operator": "Exists"}),
    (TC, {"Name": "TrialComponentName", "Value": "hit"}),
    (TC, {"Name": "TrialComponentArn", "Value": ARN + "experiment-trial-component/hit"}),
    (TC, {"Name": "DisplayName", "Value": "Comp-Shown"}),
    (TC, {"Name": "Status.PrimaryStatus", "Value": "Completed"}),
    (TC, {"Name": "Status.Message", "Value": "all good"}),
    (TC, {"Name": "StartTime", "Value": "2026-01-02T03:04:05Z"}),
    (TC, {"Name": "EndTime", "Value": "2026-01-02T04:04:05Z"}),
    (TC, {"Name": "MetadataProperties.CommitId", "Value": "c1"}),
    (TC, {"Name": "MetadataProperties.ProjectId", "Value": "p1"}),
    (TC, {"Name": "Parents.TrialName", "Value": "hit"}),
    (TC, {"Name": "Parents.ExperimentName", "Value": "hit"}),
    (TC, {"Name": "Parameters.p", "Value": "adam"}),
    (TC, {"Name": "Parameters.p.StringValue", "Value": "adam"}),
    (TC, {"Name": "Parameters.n.NumberValue", "Operator": "LessThan", "Value": "1.5"}),
    (TC, {"Name": "Parameters.n", "Value": "1"}),
    (TC, {"Name": "InputArtifacts.data", "Value": "s3://b/in"}),
    (TC, {"Name": "InputArtifacts.data.Value", "Value": "s3://b/in"}),
    (TC, {"Name": "InputArtifacts.data.MediaType", "Value": "text/csv"}),
    (TC, {"Name": "OutputArtifacts.model", "Value": "s3://b/out"}),
    (TC, {"Name": "OutputArtifacts.model.Value", "Value": "s3://b/out"}),
    (TC, {"Name": "OutputArtifacts.model.MediaType", "Value": "application/x-tar"}),
    (TC, {"Name": "Metrics.loss.Max", "Value": "0.5"}),
    (TC, {"Name": "Metrics.loss.Count", "Value": "1"}),
])
def test_every_property_finds_its_record(hit_and_miss, resource, search_filter):
    client, _ = hit_and_miss
    key = {"Experiment": ("Experiment", "ExperimentName"),
           "ExperimentTrial": ("Trial", "TrialName"),
           TC: ("TrialComponent", "TrialComponentName")}[resource]
    response = client.search(Resource=resource, SearchExpression={"Filters": [search_filter]})
    assert names(response, *key) == ["hit"]


@pytest.mark.parametrize(("resource", "key"), [
    ("Experiment", "Experiment"), ("ExperimentTrial", "Trial"), (TC, "TrialComponent")])
@pytest.mark.parametrize("time_property", ["CreationTime", "LastModifiedTime"])
def test_times_of_every_resource_are_searchable(hit_and_miss, resource, key, time_property):
    client, missed = hit_and_miss
    after_miss = missed[resource][time_property].isoformat()
    response = client.search(Resource=resource, SearchExpression={"Filters": [
        {"Name": time_property, "Operator": "GreaterThan", "Value": after_miss}]})
    field = {"Experiment": "ExperimentName", "Trial": "TrialName",
             "TrialComponent": "TrialComponentName"}[key]
    assert names(response, key, field) == ["hit"]


def test_nested_metric_properties(hit_and_miss):
    client, _ = hit_and_miss

    def nested(*filters):
        return names(client.search(Resource=TC, SearchExpression={"NestedFilters": [{
            "NestedPropertyName": "Metrics", "Filters": list(filters)}]}))

    assert nested({"Name": "Metrics.MetricName", "Value": "loss"},
                  {"Name": "Metrics.TimeStamp", "Operator": "GreaterThan",
                   "Value": "2026-01-01T00:00:00Z"}) == ["hit"]
    assert nested({"Name": "Metrics.MetricName", "Value": "loss"},
                  {"Name": "Metrics.TimeStamp", "Operator": "LessThan",
                   "Value": "2026-01-01T00:00:00Z"}) == []
    assert nested({"Name": "Metrics.Max", "Value": "0.5"}) == ["hit"]


@pytest.mark.parametrize(("resource", "name"), [
    ("Experiment", "ExperimentName"), ("ExperimentTrial", "TrialName"),
    (TC, "TrialComponentName")])
def test_tags_are_searchable_as_one_nested_element_per_tag(sm_client, resource, name):
    sm_client.create_experiment(ExperimentName="e", Tags=[{"Key": "a", "Value": "1"},
                                                          {"Key": "b", "Value": "2"}])
    sm_client.create_trial(TrialName="e", ExperimentName="e",
                           Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    sm_client.create_trial_component(TrialComponentName="e", Tags=[
        {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])

    def nested(key, value):
        return sm_client.search(Resource=resource, SearchExpression={"NestedFilters": [{
            "NestedPropertyName": "Tags", "Filters": [{"Name": "Tags.Key", "Value": key},
                                                      {"Name": "Tags.Value", "Value": value}]}]})

    assert len(nested("a", "1")["Results"]) == 1
    assert len(nested("b", "2")["Results"]) == 1
    assert nested("a", "2")["Results"] == []


# -- the grammar's corners ----------------------------------------------------------------------

@pytest.mark.parametrize(("expression", "message"), [
    ({}, "A SearchExpression must specify at least one subexpression, filter, or nested filter."),
    ({"NestedFilters": [{"NestedPropertyName": "Parents", "Filters": [
        {"Name": "Parents.TrialName", "Value": "x"}]}]},
     "NestedPropertyName 'Parents' is not a nested property of Search resource Experiment; "
     "nested properties are: Tags."),
    ({"NestedFilters": [{"NestedPropertyName": "Tags", "Filters": [
        {"Name": "Tags.Colour", "Value": "x"}]}]},
     "Filter name 'Tags.Colour' is not a property of nested property 'Tags'; valid names are: "
     "Tags.Key, Tags.Value."),
    ({"Filters": [{"Name": "ExperimentName"}]},
     "Filter on 'ExperimentName' needs a Value (Operator defaults to Equals) or an Operator."),
    ({"Filters": [{"Name": "ExperimentName", "Operator": "Equals"}]},
     "Operator Equals needs a Value (filter on 'ExperimentName')."),
    ({"Filters": [{"Name": "CreationTime", "Operator": "LessThan", "Value": "soon"}]},
     "Value 'soon' for property 'CreationTime' is not a valid timestamp (ISO 8601, e.g. "
     "2024-01-31T12:00:00Z)."),
    ({"Filters": [{"Name": "Tags.", "Value": "x"}]}, "Unknown property name: Tags."),
])
def test_grammar_errors_are_worded_exactly(sm_client, expression, message):
    assert error_of(sm_client.search, Resource="Experiment", SearchExpression=expression) == {
        "Code": "ValidationException", "Message": message}


@pytest.mark.parametrize(("search_filter", "message"), [
    ({"Name": "Parameters.lr.StringValue", "Operator": "GreaterThan", "Value": "1"},
     "Operator GreaterThan is not supported for text property 'Parameters.lr.StringValue'."),
    ({"Name": "Parameters.lr.NumberValue", "Operator": "Contains", "Value": "1"},
     "Operator Contains is not supported for numeric property 'Parameters.lr.NumberValue'."),
    ({"Name": "Parameters.", "Value": "1"}, "Unknown property name: Parameters."),
])
def test_typed_parameter_properties(sm_client, search_filter, message):
    assert error_of(sm_client.search, Resource=TC, SearchExpression={
        "Filters": [search_filter]}) == {"Code": "ValidationException", "Message": message}


def test_parameter_comparisons_by_value(lab):
    assert search_tc(lab, {"Name": "Parameters.lr", "Value": "0.05"}) == []
    assert set(search_tc(lab, {"Name": "Parameters.lr", "Operator": "NotEquals",
                               "Value": "0.1"})) == {"lone", "mlp-1", "xgb-2"}
    assert search_tc(lab, {"Name": "Parameters.lr.NumberValue", "Operator": "GreaterThan",
                           "Value": "0.05"}) == ["xgb-1"]
    assert search_tc(lab, {"Name": "Parameters.lr.StringValue", "Value": "auto"}) == ["mlp-1"]


def test_a_metric_named_like_a_statistic(sm_client, sm_experiments):
    sm_client.create_trial_component(TrialComponentName="tc")
    now = datetime.now(timezone.utc)
    sm_experiments.client(service="sagemaker-metrics").batch_put_metrics(
        TrialComponentName="tc", MetricData=[
            {"MetricName": "Max", "Value": v, "Timestamp": now} for v in (5.0, 1.0)])
    # "Metrics.Max" is the metric named Max (its Last value, 1.0), not a statistic.
    assert search_tc(sm_client, {"Name": "Metrics.Max", "Value": "1"}) == ["tc"]
    assert search_tc(sm_client, {"Name": "Metrics.Max.Max", "Value": "5"}) == ["tc"]


@pytest.mark.parametrize("value", ["2026-01-02T03:04:05z", "2026-01-02T05:04:05+02:00",
                                   "2026-01-02T03:04:05", "1767323045"])
def test_a_time_in_any_spelling(sm_client, value):
    sm_client.create_trial_component(TrialComponentName="tc",
                                     StartTime=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert search_tc(sm_client, {"Name": "StartTime", "Value": value}) == ["tc"]
    assert search_tc(sm_client, {"Name": "StartTime", "Operator": "GreaterThan",
                                 "Value": value}) == []


def test_nested_filters_count_as_clauses_and_contains(sm_client):
    def leaf(index):
        return {"Name": "TrialComponentName", "Value": f"n{index}"}

    nested = {"NestedPropertyName": "Parents",
              "Filters": [{"Name": "Parents.TrialName", "Value": f"t{i}"} for i in range(20)]}
    # 20 filters + (1 nested + 20 inside) + (1 sub-expression + 8) = 50 clauses.
    fifty = {"Filters": [leaf(i) for i in range(20)], "NestedFilters": [nested],
             "SubExpressions": [{"Filters": [leaf(i) for i in range(8)]}]}
    assert sm_client.search(Resource=TC, SearchExpression=fifty)["Results"] == []
    fifty["SubExpressions"][0]["Filters"].append(leaf(99))
    error = error_of(sm_client.search, Resource=TC, SearchExpression=fifty)
    assert error["Message"].endswith("in all (recursively); this one has 51.")
    contains = {"Name": "Parents.TrialName", "Operator": "Contains", "Value": "t"}
    assert error_of(sm_client.search, Resource=TC, SearchExpression={"NestedFilters": [
        {"NestedPropertyName": "Parents", "Filters": [contains, contains]}]}) == {
        "Code": "ValidationException",
        "Message": "'CONTAINS' operator usage limit of 1 exceeded."}


def test_nested_filter_on_a_property_no_element_has(lab):
    assert names(lab.search(Resource=TC, SearchExpression={"NestedFilters": [{
        "NestedPropertyName": "Metrics",
        "Filters": [{"Name": "Metrics.SourceArn", "Value": "arn:x"}]}]})) == []
    assert names(lab.search(Resource=TC, SearchExpression={"NestedFilters": [{
        "NestedPropertyName": "Parents",
        "Filters": [{"Name": "Parents.TrialName", "Operator": "Contains",
                     "Value": "fraud"}]}]})) == ["mlp-1", "xgb-2"]


@pytest.mark.parametrize(("names_used", "limited"), [
    (("DisplayName", "DisplayName"), False), (("Tags.a", "Tags.b"), False),
    (("TrialComponentName", "InputArtifacts.x"), False),
    (("Status.Message", "DisplayName"), False), (("Status.Message", "Parameters.p"), True),
])
def test_contains_is_limited_except_on_names_tags_and_artifacts(sm_client, names_used, limited):
    expression = {"Filters": [{"Name": name, "Operator": "Contains", "Value": "x"}
                              for name in names_used]}
    if limited:
        assert error_of(sm_client.search, Resource=TC, SearchExpression=expression)[
            "Message"] == "'CONTAINS' operator usage limit of 1 exceeded."
    else:
        assert sm_client.search(Resource=TC, SearchExpression=expression)["Results"] == []


def test_order_operators_are_strict_or_not_as_named(lab):
    assert search_tc(lab, {"Name": "Metrics.loss.Min", "Operator": "LessThan",
                           "Value": "0.3"}) == []
    assert search_tc(lab, {"Name": "Metrics.loss.Min", "Operator": "LessThanOrEqualTo",
                           "Value": "0.3"}) == ["xgb-1"]
    assert search_tc(lab, {"Name": "Metrics.loss.Min", "Operator": "GreaterThan",
                           "Value": "0.7"}) == []
    assert search_tc(lab, {"Name": "Metrics.loss.Min", "Operator": "GreaterThanOrEqualTo",
                           "Value": "0.7"}) == ["xgb-2"]


def test_a_number_property_needs_a_number_even_for_equals(sm_client):
    assert error_of(sm_client.search, Resource=TC, SearchExpression={"Filters": [
        {"Name": "Metrics.loss.Max", "Value": "abc"}]}) == {
        "Code": "ValidationException",
        "Message": "Value 'abc' for property 'Metrics.loss.Max' is not a valid number."}


def test_the_nested_properties_of_a_resource_are_listed(sm_client):
    assert error_of(sm_client.search, Resource="ExperimentTrial", SearchExpression={
        "NestedFilters": [{"NestedPropertyName": "Metrics",
                           "Filters": [{"Name": "Metrics.Max", "Value": "1"}]}]})[
        "Message"].endswith("nested properties are: Tags, TrialComponentSummaries.")


@pytest.mark.parametrize("changed", [
    {"Resource": "ExperimentTrial"},
    {"SearchExpression": {"Filters": [{"Name": "DisplayName", "Operator": "Exists"}]}},
    {"SortBy": "CreationTime"},
    {"CrossAccountFilterOption": "SameAccount"},
])
def test_search_token_is_bound_to_what_shapes_the_results(sm_client, changed):
    for index in range(3):
        sm_client.create_experiment(ExperimentName=f"exp-{index}")
        sm_client.create_trial(TrialName=f"t-{index}", ExperimentName=f"exp-{index}")
    request = {"Resource": "Experiment", "SearchExpression": {"Filters": [
        {"Name": "DisplayName", "Operator": "Contains", "Value": "exp"}]}}
    token = sm_client.search(**request, MaxResults=1)["NextToken"]
    error = error_of(sm_client.search, **{**request, **changed}, NextToken=token)
    assert error["Message"].startswith(
        "Invalid NextToken: the token was issued for a Search request with other")
    assert error_of(sm_client.list_experiments, NextToken=token)["Message"] == (
        "Invalid NextToken: the token was issued by Search, not ListExperiments.")


def test_tag_search_sorted_by_another_property(sm_client):
    for name in ("b", "c", "a"):
        sm_client.create_experiment(ExperimentName=name, Tags=[{"Key": "t", "Value": "x"}])
    response = sm_client.search(Resource="Experiment", SortBy="ExperimentName",
                                SortOrder="Ascending", SearchExpression={"Filters": [
                                    {"Name": "Tags.t", "Value": "x"}]})
    assert names(response, "Experiment", "ExperimentName") == ["a", "b", "c"]


def test_trials_by_their_component_summaries_nested(lab):
    response = lab.search(Resource="ExperimentTrial", SearchExpression={"NestedFilters": [{
        "NestedPropertyName": "TrialComponentSummaries",
        "Filters": [{"Name": "TrialComponentSummaries.TrialComponentName", "Value": "mlp-1"}]}]})
    assert names(response, "Trial", "TrialName") == ["fraud-a"]


def test_an_unsupported_search_names_itself_and_what_is_served(sm_client):
    with pytest.raises(UnsupportedOperationError) as raised:
        sm_client.search(Resource="TrainingJob")
    assert (raised.value.service, raised.value.operation) == (
        "sagemaker", "Search(Resource=TrainingJob)")
    assert str(raised.value).startswith(
        "pytest-sm-experiments does not serve sagemaker:Search(Resource=TrainingJob); nothing "
        "was sent to AWS. ")
    assert str(raised.value).endswith(
        "Supported operations: Search(Resource=Experiment), Search(Resource=ExperimentTrial), "
        "Search(Resource=ExperimentTrialComponent)")


# -- sorting on a parameter of both types: numbers before strings -------------------------

def test_sort_by_a_parameter_puts_numbers_before_strings(lab):
    # A string that reads as a smaller number, and sorts first as text, still comes after
    # every number.
    lab.create_trial_component(TrialComponentName="str-1",
                               Parameters={"lr": {"StringValue": "0.001"}})

    def sort(order):
        return names(lab.search(Resource=TC, SortBy="Parameters.lr", SortOrder=order))

    assert sort("Ascending") == ["xgb-2", "xgb-1", "str-1", "mlp-1", "lone"]
    assert sort("Descending") == ["mlp-1", "str-1", "xgb-1", "xgb-2", "lone"]
