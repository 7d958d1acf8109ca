"""List* sorting, filters and paging (NextToken, botocore paginators), as users see them."""

from __future__ import annotations

import base64

import pytest
from botocore.exceptions import ClientError


def experiment_names(page):
    return [item["ExperimentName"] for item in page["ExperimentSummaries"]]


def create_experiments(client, names):
    for name in names:
        client.create_experiment(ExperimentName=name)


# -- sorting --------------------------------------------------------------------------------

def test_default_is_creation_time_descending_for_every_list(sm_client):
    create_experiments(sm_client, ["b", "a", "c"])
    assert experiment_names(sm_client.list_experiments()) == ["c", "a", "b"]
    for name in ("T-b", "T-a", "T-c"):
        sm_client.create_trial(TrialName=name, ExperimentName="a")
        sm_client.create_trial_component(TrialComponentName=name.replace("T", "C"))
    trials = sm_client.list_trials()["TrialSummaries"]
    assert [t["TrialName"] for t in trials] == ["T-c", "T-a", "T-b"]
    components = sm_client.list_trial_components()["TrialComponentSummaries"]
    assert [c["TrialComponentName"] for c in components] == ["C-c", "C-a", "C-b"]


@pytest.mark.parametrize(("sort_by", "order", "expected"), [
    ("Name", "Ascending", ["a-1", "B-2", "c-3"]),
    ("Name", "Descending", ["c-3", "B-2", "a-1"]),
    ("CreationTime", "Ascending", ["c-3", "a-1", "B-2"]),
    ("CreationTime", "Descending", ["B-2", "a-1", "c-3"]),
])
def test_sort_by_and_order(sm_client, sort_by, order, expected):
    create_experiments(sm_client, ["c-3", "a-1", "B-2"])
    response = sm_client.list_experiments(SortBy=sort_by, SortOrder=order)
    assert experiment_names(response) == expected


def test_sort_by_name_ignores_letter_case_like_the_names_do(sm_client):
    sm_client.create_experiment(ExperimentName="Zed")
    sm_client.create_trial(TrialName="beta", ExperimentName="Zed")
    sm_client.create_trial(TrialName="Alpha", ExperimentName="Zed")
    sm_client.create_trial(TrialName="Gamma", ExperimentName="Zed")
    trials = sm_client.list_trials(SortBy="Name", SortOrder="Ascending")["TrialSummaries"]
    assert [t["TrialName"] for t in trials] == ["Alpha", "beta", "Gamma"]


# -- MaxResults and the default page ----------------------------------------------------------

def test_default_page_is_ten_with_a_token(sm_client):
    create_experiments(sm_client, [f"e{i:02d}" for i in range(12)])
    first = sm_client.list_experiments()
    assert len(first["ExperimentSummaries"]) == 10
    second = sm_client.list_experiments(NextToken=first["NextToken"])
    assert experiment_names(second) == ["e01", "e00"]
    assert "NextToken" not in second


def test_exact_fit_has_no_token(sm_client):
    create_experiments(sm_client, ["a", "b"])
    assert "NextToken" not in sm_client.list_experiments(MaxResults=2)


def test_max_results_of_100_is_the_documented_maximum(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_trial(TrialName="Run", ExperimentName="Exp")
    sm_client.create_trial_component(TrialComponentName="Step")
    assert experiment_names(sm_client.list_experiments(MaxResults=100)) == ["Exp"]
    assert len(sm_client.list_trials(MaxResults=100)["TrialSummaries"]) == 1
    assert len(sm_client.list_trial_components(MaxResults=100)["TrialComponentSummaries"]) == 1
    assert len(sm_client.search(Resource="Experiment", MaxResults=100)["Results"]) == 1


def test_max_results_above_100_is_refused(sm_client):
    with pytest.raises(ClientError) as raised:
        sm_client.list_trial_components(MaxResults=101)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "1 validation error detected: Value '101' at 'maxResults' failed to satisfy "
                   "constraint: Member must have value less than or equal to 100"}


# -- paginators, with changes between pages -------------------------------------------------

def test_paginator_walks_every_experiment_once(sm_client):
    names = [f"exp-{i:03d}" for i in range(25)]
    create_experiments(sm_client, names)
    pages = list(sm_client.get_paginator("list_experiments").paginate(
        SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 7}))
    assert [len(page["ExperimentSummaries"]) for page in pages] == [7, 7, 7, 4]
    assert [name for page in pages for name in experiment_names(page)] == names


def test_paginator_build_full_result(sm_client):
    create_experiments(sm_client, [f"exp-{i:03d}" for i in range(15)])
    result = sm_client.get_paginator("list_experiments").paginate(
        PaginationConfig={"PageSize": 4, "MaxItems": 9}).build_full_result()
    assert experiment_names(result) == [f"exp-{i:03d}" for i in range(14, 5, -1)]
    rest = sm_client.get_paginator("list_experiments").paginate(
        PaginationConfig={"PageSize": 4, "StartingToken": result["NextToken"]}
    ).build_full_result()
    assert experiment_names(rest) == [f"exp-{i:03d}" for i in range(5, -1, -1)]


def test_name_order_resumes_after_the_cursor_when_it_is_deleted(sm_client):
    create_experiments(sm_client, list("abcdefghij"))
    pages = iter(sm_client.get_paginator("list_experiments").paginate(
        SortBy="Name", SortOrder="Ascending", PaginationConfig={"PageSize": 3}))
    assert experiment_names(next(pages)) == ["a", "b", "c"]
    sm_client.delete_experiment(ExperimentName="c")  # the cursor itself
    sm_client.delete_experiment(ExperimentName="d")  # not yet seen
    create_experiments(sm_client, ["bb", "zz"])  # one behind the cursor, one ahead
    rest = [name for page in pages for name in experiment_names(page)]
    assert rest == ["e", "f", "g", "h", "i", "j", "zz"]


def test_name_order_descending_with_changes(sm_client):
    create_experiments(sm_client, list("abcdefg"))
    pages = iter(sm_client.get_paginator("list_experiments").paginate(
        SortBy="Name", SortOrder="Descending", PaginationConfig={"PageSize": 2}))
    assert experiment_names(next(pages)) == ["g", "f"]
    sm_client.delete_experiment(ExperimentName="f")
    create_experiments(sm_client, ["ee", "h"])
    rest = [name for page in pages for name in experiment_names(page)]
    assert rest == ["ee", "e", "d", "c", "b", "a"]


def test_creation_order_descending_with_changes(sm_client):
    create_experiments(sm_client, [f"e{i}" for i in range(1, 9)])
    pages = iter(sm_client.get_paginator("list_experiments").paginate(
        PaginationConfig={"PageSize": 3}))
    assert experiment_names(next(pages)) == ["e8", "e7", "e6"]
    sm_client.delete_experiment(ExperimentName="e6")
    sm_client.delete_experiment(ExperimentName="e5")
    create_experiments(sm_client, ["e9"])  # newer than the cursor: behind us
    rest = [name for page in pages for name in experiment_names(page)]
    assert rest == ["e4", "e3", "e2", "e1"]


def test_creation_order_ascending_sees_new_items_at_the_end(sm_client):
    create_experiments(sm_client, [f"e{i}" for i in range(1, 6)])
    pages = iter(sm_client.get_paginator("list_experiments").paginate(
        SortOrder="Ascending", PaginationConfig={"PageSize": 2}))
    assert experiment_names(next(pages)) == ["e1", "e2"]
    sm_client.delete_experiment(ExperimentName="e2")
    create_experiments(sm_client, ["e6"])
    rest = [name for page in pages for name in experiment_names(page)]
    assert rest == ["e3", "e4", "e5", "e6"]


def test_a_name_recreated_behind_the_cursor_is_not_repeated(sm_client):
    create_experiments(sm_client, ["a", "b", "c", "d"])
    pages = iter(sm_client.get_paginator("list_experiments").paginate(
        SortOrder="Ascending", PaginationConfig={"PageSize": 2}))
    assert experiment_names(next(pages)) == ["a", "b"]
    sm_client.delete_experiment(ExperimentName="a")
    create_experiments(sm_client, ["A"])  # new creation time: after the cursor
    rest = [name for page in pages for name in experiment_names(page)]
    assert rest == ["c", "d", "A"]


def test_paginators_for_trials_components_with_filters(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_experiment(ExperimentName="Other")
    for i in range(5):
        sm_client.create_trial(TrialName=f"t{i}", ExperimentName="Exp")
        sm_client.create_trial(TrialName=f"o{i}", ExperimentName="Other")
        sm_client.create_trial_component(TrialComponentName=f"c{i}")
        sm_client.associate_trial_component(TrialComponentName=f"c{i}", TrialName="t0")
    trials = sm_client.get_paginator("list_trials").paginate(
        ExperimentName="EXP", SortBy="Name", SortOrder="Ascending",
        PaginationConfig={"PageSize": 2}).build_full_result()
    assert [t["TrialName"] for t in trials["TrialSummaries"]] == [f"t{i}" for i in range(5)]
    pages = list(sm_client.get_paginator("list_trial_components").paginate(
        TrialName="t0", PaginationConfig={"PageSize": 2}))
    assert [len(p["TrialComponentSummaries"]) for p in pages] == [2, 2, 1]
    assert [c["TrialComponentName"] for p in pages for c in p["TrialComponentSummaries"]] == [
        f"c{i}" for i in range(4, -1, -1)]


# -- CreatedAfter / CreatedBefore -----------------------------------------------------------

@pytest.mark.parametrize("sort_by", ["Name", "CreationTime"])
def test_created_after_and_before_are_strict(sm_client, sm_experiments, sort_by):
    create_experiments(sm_client, [f"e{i}" for i in range(1, 9)])
    after = sm_experiments.experiments["e2"].creation_time
    before = sm_experiments.experiments["e7"].creation_time
    result = sm_client.get_paginator("list_experiments").paginate(
        CreatedAfter=after, CreatedBefore=before, SortBy=sort_by, SortOrder="Ascending",
        PaginationConfig={"PageSize": 2}).build_full_result()
    assert experiment_names(result) == ["e3", "e4", "e5", "e6"]
    newest = sm_client.list_experiments(CreatedAfter=after, SortBy=sort_by, MaxResults=2)
    assert experiment_names(newest) == ["e8", "e7"]
    oldest = sm_client.list_experiments(CreatedBefore=before, SortBy=sort_by,
                                        SortOrder="Descending")
    assert experiment_names(oldest) == ["e6", "e5", "e4", "e3", "e2", "e1"]


def test_created_range_applies_to_filtered_lists(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="Exp")
    for i in range(4):
        sm_client.create_trial(TrialName=f"t{i}", ExperimentName="Exp")
    after = sm_experiments.trials["t1"].creation_time
    trials = sm_client.list_trials(ExperimentName="Exp", CreatedAfter=after)["TrialSummaries"]
    assert [t["TrialName"] for t in trials] == ["t3", "t2"]


# -- filters --------------------------------------------------------------------------------

def test_list_trials_filters(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_experiment(ExperimentName="Other")
    sm_client.create_trial(TrialName="in-exp", ExperimentName="Exp")
    sm_client.create_trial(TrialName="in-exp-2", ExperimentName="Exp")
    sm_client.create_trial(TrialName="in-other", ExperimentName="Other")
    sm_client.create_trial_component(TrialComponentName="Comp")
    for trial in ("in-exp", "in-other"):
        sm_client.associate_trial_component(TrialComponentName="Comp", TrialName=trial)

    def listed(**kwargs):
        return sorted(t["TrialName"] for t in sm_client.list_trials(**kwargs)["TrialSummaries"])

    assert listed(ExperimentName="exp") == ["in-exp", "in-exp-2"]
    assert listed(TrialComponentName="COMP") == ["in-exp", "in-other"]
    assert listed(ExperimentName="Exp", TrialComponentName="Comp") == ["in-exp"]
    assert listed() == ["in-exp", "in-exp-2", "in-other"]


@pytest.mark.parametrize(("operation", "kwargs", "message"), [
    ("list_trials", {"ExperimentName": "Ghost"}, "Experiment '{p}experiment/ghost'"),
    ("list_trials", {"TrialComponentName": "Ghost"},
     "TrialComponent '{p}experiment-trial-component/ghost'"),
    ("list_trial_components", {"ExperimentName": "Ghost"}, "Experiment '{p}experiment/ghost'"),
    ("list_trial_components", {"TrialName": "Ghost"}, "Trial '{p}experiment-trial/ghost'"),
])
def test_missing_filter_resource_is_resource_not_found(sm_client, operation, kwargs, message):
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        getattr(sm_client, operation)(**kwargs)
    assert raised.value.response["Error"]["Message"] == message.format(
        p="arn:aws:sagemaker:us-east-1:123456789012:") + " does not exist."


def test_list_trials_of_an_experiment_by_a_missing_component_names_the_component(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.list_trials(ExperimentName="Exp", TrialComponentName="Ghost")
    assert raised.value.response["Error"]["Message"] == (
        "TrialComponent 'arn:aws:sagemaker:us-east-1:123456789012:"
        "experiment-trial-component/ghost' does not exist.")
    # Both missing: the experiment is named first.
    with pytest.raises(sm_client.exceptions.ResourceNotFound) as raised:
        sm_client.list_trials(ExperimentName="Nope", TrialComponentName="Ghost")
    assert raised.value.response["Error"]["Message"] == (
        "Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/nope' does not exist.")


def test_list_trial_components_filters_exclude_each_other(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_trial(TrialName="Run", ExperimentName="Exp")
    with pytest.raises(ClientError) as raised:
        sm_client.list_trial_components(ExperimentName="Exp", TrialName="Run")
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Only one of ExperimentName, TrialName or SourceArn can be specified; got "
                   "ExperimentName and TrialName."}


def test_list_trial_components_by_source_arn_finds_none(sm_client):
    sm_client.create_trial_component(TrialComponentName="Comp")
    response = sm_client.list_trial_components(
        SourceArn="arn:aws:sagemaker:us-east-1:123456789012:training-job/job")
    assert response["TrialComponentSummaries"] == []


def test_component_summary_members(sm_client):
    sm_client.create_trial_component(TrialComponentName="Comp", DisplayName="Shown",
                                     Status={"PrimaryStatus": "Completed"})
    summary = sm_client.list_trial_components()["TrialComponentSummaries"][0]
    assert set(summary) == {"TrialComponentName", "TrialComponentArn", "DisplayName", "Status",
                            "CreationTime", "LastModifiedTime", "CreatedBy", "LastModifiedBy"}
    assert summary["Status"] == {"PrimaryStatus": "Completed"}


# -- tokens ---------------------------------------------------------------------------------

@pytest.fixture
def token(sm_client):
    create_experiments(sm_client, ["a", "b", "c"])
    return sm_client.list_experiments(MaxResults=1)["NextToken"]


def test_token_is_opaque(token):
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert b'"b"' not in raw
    assert b"ListExperiments" not in raw


def test_token_of_another_operation_is_refused(sm_client, token):
    sm_client.create_trial(TrialName="t", ExperimentName="a")
    with pytest.raises(ClientError) as raised:
        sm_client.list_trials(NextToken=token)
    assert raised.value.response["Error"] == {
        "Code": "ValidationException",
        "Message": "Invalid NextToken: the token was issued by ListExperiments, not ListTrials."}


@pytest.mark.parametrize("kwargs", [
    {"SortOrder": "Ascending"}, {"SortBy": "Name"}, {"CreatedAfter": 0},
    {"CreatedBefore": 4102444800},
])
def test_token_with_other_parameters_is_refused(sm_client, token, kwargs):
    with pytest.raises(ClientError) as raised:
        sm_client.list_experiments(NextToken=token, **kwargs)
    assert raised.value.response["Error"]["Message"] == (
        "Invalid NextToken: the token was issued for a ListExperiments request with other "
        "filters or sort parameters; repeat the request with the same parameters to get the "
        "next page.")


@pytest.mark.parametrize(("first", "then"), [
    ({"ExperimentName": "Exp"}, {"TrialName": "Exp-0"}),
    ({"TrialName": "Exp-0"}, {"TrialName": "Exp-1"}),
    ({"TrialName": "Exp-0"}, {}),
])
def test_component_token_is_bound_to_its_filter(sm_client, first, then):
    sm_client.create_experiment(ExperimentName="Exp")
    for i in range(2):
        sm_client.create_trial(TrialName=f"Exp-{i}", ExperimentName="Exp")
        for j in range(2):
            sm_client.create_trial_component(TrialComponentName=f"c{i}{j}")
            sm_client.associate_trial_component(TrialComponentName=f"c{i}{j}",
                                                TrialName=f"Exp-{i}")
    issued = sm_client.list_trial_components(MaxResults=1, **first)["NextToken"]
    with pytest.raises(ClientError) as raised:
        sm_client.list_trial_components(NextToken=issued, **then)
    assert raised.value.response["Error"]["Message"].startswith(
        "Invalid NextToken: the token was issued for a ListTrialComponents request with other "
        "filters")


def test_token_for_another_filter_value_is_refused(sm_client):
    for name in ("Exp", "Other"):
        sm_client.create_experiment(ExperimentName=name)
        for i in range(2):
            sm_client.create_trial(TrialName=f"{name}-{i}", ExperimentName=name)
    issued = sm_client.list_trials(ExperimentName="exp", MaxResults=1)["NextToken"]
    # The same filter in another letter case is the same request...
    assert sm_client.list_trials(ExperimentName="EXP", NextToken=issued)["TrialSummaries"]
    with pytest.raises(ClientError) as raised:  # ...another experiment is not.
        sm_client.list_trials(ExperimentName="Other", NextToken=issued)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_changing_max_results_between_pages_is_allowed(sm_client, token):
    assert experiment_names(sm_client.list_experiments(NextToken=token, MaxResults=5)) == [
        "b", "a"]


TAMPERED = "Invalid NextToken: the token was modified, or was not issued by this account and " \
           "region (or was issued before the mock was reset)."


def test_tampered_token_is_refused(sm_client, token):
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    with pytest.raises(ClientError) as raised:
        sm_client.list_experiments(NextToken=flipped)
    assert raised.value.response["Error"] == {"Code": "ValidationException",
                                              "Message": TAMPERED}


MALFORMED = "Invalid NextToken: the token is malformed."


@pytest.mark.parametrize(("forged", "message"), [
    ("abc", MALFORMED), ("not base64 at all!", MALFORMED), ("e30", MALFORMED),
    ("A" * 32, MALFORMED),  # 24 bytes: a nonce and a MAC, nothing sealed
    ("A" * 36, TAMPERED), ("x" * 200, TAMPERED),
])
def test_forged_token_is_refused(sm_client, forged, message):
    with pytest.raises(ClientError) as raised:
        sm_client.list_experiments(NextToken=forged)
    assert raised.value.response["Error"] == {"Code": "ValidationException", "Message": message}


def test_token_from_before_a_reset_is_refused(sm_client, sm_experiments, token):
    sm_experiments.reset()
    create_experiments(sm_client, ["a", "b", "c"])
    with pytest.raises(ClientError) as raised:
        sm_client.list_experiments(NextToken=token)
    assert raised.value.response["Error"]["Message"] == TAMPERED


def test_token_from_another_region_is_refused(sm_client, sm_experiments, token):
    other = sm_experiments.client(region="eu-west-1")
    create_experiments(other, ["a", "b"])
    with pytest.raises(ClientError) as raised:
        other.list_experiments(NextToken=token)
    assert raised.value.response["Error"]["Message"] == TAMPERED


def test_empty_token_starts_at_the_beginning(sm_client, token):
    assert experiment_names(sm_client.list_experiments(NextToken="")) == ["c", "b", "a"]


@pytest.mark.parametrize(("order", "expected"), [
    ("Ascending", ["e0", "e1", "e2", "e3", "e4"]), ("Descending", ["e4", "e3", "e2", "e1", "e0"])])
def test_records_created_at_the_same_instant_page_in_creation_order(sm_client, monkeypatch,
                                                                    order, expected):
    # Under load several creates can share a clock reading: paging must neither skip nor repeat.
    from datetime import datetime, timezone

    instant = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    monkeypatch.setattr("pytest_sm_experiments.core.service.utcnow", lambda: instant)
    create_experiments(sm_client, [f"e{i}" for i in range(5)])
    result = sm_client.get_paginator("list_experiments").paginate(
        SortOrder=order, PaginationConfig={"PageSize": 2}).build_full_result()
    assert experiment_names(result) == expected


@pytest.mark.sm_experiments(quotas={"experiments": 5000})
def test_lists_of_thousands_page_in_order_through_deletes(sm_client, sm_experiments):
    # More records than one block of the sorted indexes holds: pages cross blocks, and
    # deleting records empties and merges them.
    names = [f"e{i:04d}" for i in range(1300)]
    with sm_experiments.unrecorded():
        create_experiments(sm_client, names)
        for name in names[100:700]:
            sm_client.delete_experiment(ExperimentName=name)
    kept = names[:100] + names[700:]
    for sort_by, order, expected in (("Name", "Ascending", kept),
                                     ("Name", "Descending", kept[::-1]),
                                     ("CreationTime", "Ascending", kept),
                                     ("CreationTime", "Descending", kept[::-1])):
        pages = list(sm_client.get_paginator("list_experiments").paginate(
            SortBy=sort_by, SortOrder=order, PaginationConfig={"PageSize": 100}))
        assert [name for page in pages for name in experiment_names(page)] == expected, (
            sort_by, order)


def test_token_for_another_trial_component_filter_is_refused(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    for component in ("c1", "c2"):
        sm_client.create_trial_component(TrialComponentName=component)
    for i in range(2):
        sm_client.create_trial(TrialName=f"t{i}", ExperimentName="Exp")
        for component in ("c1", "c2"):
            sm_client.associate_trial_component(TrialComponentName=component, TrialName=f"t{i}")
    issued = sm_client.list_trials(TrialComponentName="c1", MaxResults=1)["NextToken"]
    assert sm_client.list_trials(TrialComponentName="C1", NextToken=issued)["TrialSummaries"]
    with pytest.raises(ClientError) as raised:
        sm_client.list_trials(TrialComponentName="c2", NextToken=issued)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


# -- order across the sorted index's blocks; trials of a component in none --

def _walk(sm_client, page_size, **params):
    names = []
    for page in sm_client.get_paginator("list_experiments").paginate(
            **params, PaginationConfig={"PageSize": page_size}):
        names += experiment_names(page)
    return names


@pytest.mark.sm_experiments(quotas={"experiments": 5000})
def test_pages_stay_in_order_when_names_land_inside_full_index_blocks(sm_client, sm_experiments):
    # 1025 names fill more than one block of the sorted indexes (512 per half); names that sort
    # next to a block's last name, and 513 names sorting before all of them, then split a block
    # that is not the last one. Every page, in every order, must still be in order.
    created = [f"b{i:04d}" for i in range(1025)]
    created += ["b0510x", "b0512x", "b1023x"]
    created += [f"a{i:04d}" for i in range(513)]
    with sm_experiments.unrecorded():
        create_experiments(sm_client, created)
        for name in ("b1024", "b0511"):  # the last name of a block each
            sm_client.delete_experiment(ExperimentName=name)
    kept = [name for name in created if name not in ("b1024", "b0511")]
    by_name = sorted(kept)  # every name is lower-case ASCII: plain string order
    assert by_name[510:514] == ["a0510", "a0511", "a0512", "b0000"]
    assert by_name[1021:1026] == ["b0508", "b0509", "b0510", "b0510x", "b0512"]
    assert by_name[-3:] == ["b1022", "b1023", "b1023x"]
    for page_size in (100, 37):
        assert _walk(sm_client, page_size, SortBy="Name", SortOrder="Ascending") == by_name
        assert _walk(sm_client, page_size, SortBy="Name", SortOrder="Descending") == by_name[::-1]
        assert _walk(sm_client, page_size, SortBy="CreationTime",
                     SortOrder="Ascending") == kept
        assert _walk(sm_client, page_size, SortBy="CreationTime",
                     SortOrder="Descending") == kept[::-1]
    first = sm_client.list_experiments(SortBy="Name", SortOrder="Descending", MaxResults=1)
    second = sm_client.list_experiments(SortBy="Name", SortOrder="Descending", MaxResults=1,
                                        NextToken=first["NextToken"])
    assert experiment_names(first) + experiment_names(second) == ["b1023x", "b1023"]
    # A created range past every record: the whole list, newest first.
    assert _walk(sm_client, 100, SortOrder="Descending",
                 CreatedBefore="2200-01-01T00:00:00Z") == kept[::-1]


def test_trials_of_a_component_in_no_trial_are_none(sm_client):
    sm_client.create_experiment(ExperimentName="Exp")
    sm_client.create_trial(TrialName="T", ExperimentName="Exp")
    sm_client.create_trial_component(TrialComponentName="Loose")
    sm_client.create_trial_component(TrialComponentName="Left")
    sm_client.associate_trial_component(TrialComponentName="Left", TrialName="T")
    sm_client.disassociate_trial_component(TrialComponentName="Left", TrialName="T")
    for component in ("Loose", "LEFT"):
        assert sm_client.list_trials(TrialComponentName=component)["TrialSummaries"] == []
        assert sm_client.list_trials(ExperimentName="exp",
                                     TrialComponentName=component)["TrialSummaries"] == []
