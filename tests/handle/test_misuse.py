"""Misuse gets a clear MockUsageError whose message names the problem (never a stray
TypeError/KeyError from deep inside, never a silently ignored option)."""

from __future__ import annotations

import pytest

from pytest_sm_experiments import (
    MockUsageError,
    SageMakerExperimentsMock,
    UnsupportedOperationError,
    mock_sm_experiments,
)

# -- options ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "named"), [
    ({"quotas": {"experiments": -1}}, "quota 'experiments' must be a non-negative int, got -1"),
    ({"quotas": {"experiments": "5"}}, "quota 'experiments' must be a non-negative int, got '5'"),
    ({"quotas": {"experiments": True}}, "quota 'experiments' must be a non-negative int"),
    ({"quotas": {"experiments": 2.5}}, "got 2.5"),
    ({"quotas": {"experimentz": 5}}, "unknown quota 'experimentz'; known quotas are: "),
    ({"quotas": [("experiments", 5)]}, "quotas must be a mapping"),
    ({"region": "US-EAST-1"}, "region must look like 'us-east-1', got 'US-EAST-1'"),
    ({"region": ""}, "region must look like"),
    ({"account_id": "12345"}, "account_id must be a string of 12 digits, got '12345'"),
    ({"account_id": "1234567890123"}, "account_id must be a string of 12 digits, got "
                                      "'1234567890123'"),
    ({"account_id": "12345678901"}, "got '12345678901'"),
    ({"account_id": "12345678901a"}, "got '12345678901a'"),
    ({"account_id": "123456789012\n"}, "got '123456789012\\n'"),
    ({"region": "us-east-1\n"}, "region must look like 'us-east-1', got 'us-east-1\\n'"),
    ({"region": "useast-1"}, "got 'useast-1'"),
    ({"account_id": 123456789012}, "account_id must be a string of 12 digits"),
    ({"arn_case": "upper"}, "arn_case must be 'lower' or 'preserve', got 'upper'"),
])
def test_bad_option_values_are_named(options, named):
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(**options)
    assert named in str(raised.value)
    with pytest.raises(MockUsageError):
        SageMakerExperimentsMock(**options)


def test_unknown_option_is_named_with_the_valid_ones():
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(regoin="eu-west-1")
    message = str(raised.value)
    assert "'regoin'" in message
    assert "region" in message.split("valid options are:")[1]


def test_unknown_marker_option_is_named(pytester):
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sm_experiments(regoin="eu-west-1")
        def test_typo(sm_experiments):
            pass

        @pytest.mark.sm_experiments("eu-west-1")
        def test_positional():
            pass

        @pytest.mark.sm_experiments(quotas={"experiments": "ten"})
        def test_bad_quota():
            pass
    """)
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:asyncio")
    # The run stops before any test runs, with one usage error naming each test and option.
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes()
    result.stderr.fnmatch_lines([
        "ERROR: invalid @pytest.mark.sm_experiments options:",
        "*test_unknown_marker_option_is_named.py::test_typo: unknown sm_experiments option(s) "
        "'regoin'; valid options are: *",
        "*::test_positional: @pytest.mark.sm_experiments takes keyword options only*",
        "*::test_bad_quota: quota 'experiments' must be a non-negative int, got 'ten'*",
    ])


def test_bad_ini_quota_is_a_usage_error_naming_it(pytester):
    pytester.makeini("[pytest]\nsm_experiments_quotas = experiments=lots\n")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("-p", "no:asyncio")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid sm_experiments ini option*experiments=lots*"])


@pytest.mark.parametrize("account_id", ["not-an-account", "1234567890123"])
def test_bad_account_in_use_account_is_named(sm_experiments, account_id):
    with pytest.raises(MockUsageError, match="account_id must be a string of 12 digits"), \
            sm_experiments.use_account(account_id):
        pass
    assert sm_experiments.account_id == "123456789012"


@pytest.mark.parametrize("quotas", [{"experiments": 0}, {"trials": 0, "tags_per_resource": 0},
                                    {"components_per_trial": 10**9}])
def test_any_non_negative_quota_is_accepted(quotas):
    options = SageMakerExperimentsMock(quotas=quotas).options
    assert {key: options.quotas[key] for key in quotas} == quotas
    assert options.quotas["trials_per_experiment"] == 300


# -- decorator and lifecycle -------------------------------------------------------------------

@pytest.mark.parametrize("target", [42, "test_name", None.__class__()])
def test_decorating_a_non_callable_is_named(target):
    with pytest.raises(MockUsageError, match="can decorate a function, an async function or a "
                                             "class, not"):
        SageMakerExperimentsMock()(target)


def test_bare_decorator_with_options_is_refused():
    with pytest.raises(MockUsageError, match="pass options as keywords"):
        mock_sm_experiments(lambda: None, region="eu-west-1")


def test_stopping_a_mock_that_is_not_running_is_named():
    mock = SageMakerExperimentsMock()
    with pytest.raises(MockUsageError, match="stop\\(\\) called on a SageMakerExperimentsMock "
                                             "that is not running"):
        mock.stop()
    mock.start()
    mock.stop()
    with pytest.raises(MockUsageError, match="not running"):
        mock.stop()


def test_stopping_inside_the_with_block_is_named_at_exit():
    with pytest.raises(MockUsageError, match="not running"), \
            mock_sm_experiments() as mock:
        mock.stop()
    assert not mock.running


# -- fault injection ---------------------------------------------------------------------------

@pytest.mark.parametrize(("arguments", "named"), [
    ({"code": 42}, "code must be an AWS error code string, got 42"),
    ({"code": ""}, "code must be an AWS error code string, got ''"),
    ({"code": None}, "code must be an AWS error code string, got None"),
    ({"message": 5}, "message must be a string or None, got 5"),
    ({"times": 0}, "times must be a positive int, got 0"),
    ({"times": True}, "times must be a positive int, got True"),
    ({"http_status": 200}, "http_status must be an int from 400 to 599, got 200"),
    ({"http_status": "500"}, "http_status must be an int from 400 to 599, got '500'"),
])
def test_bad_inject_error_arguments_are_named(sm_experiments, arguments, named):
    call = {"operation": "CreateExperiment", "code": "ThrottlingException", **arguments}
    with pytest.raises(MockUsageError) as raised:
        sm_experiments.inject_error(**call)
    assert named in str(raised.value)
    assert sm_experiments.unused_injected_errors == []


@pytest.mark.parametrize("operation", ["", 5, "CreateExperimentt", "create_experiment"])
def test_inject_error_for_an_operation_the_mock_cannot_answer_is_named(sm_experiments, operation):
    # An injected error for an operation that is never served could never be used: a typo.
    with pytest.raises(MockUsageError) as raised:
        sm_experiments.inject_error(operation, "ThrottlingException")
    assert repr(operation) in str(raised.value)
    assert sm_experiments.unused_injected_errors == []


def test_unsupported_operation_names_itself(sm_experiments, sm_client):
    with pytest.raises(UnsupportedOperationError) as raised:
        sm_client.list_training_jobs()
    assert "sagemaker:ListTrainingJobs" in str(raised.value)
    assert "nothing was sent to AWS" in str(raised.value)
    assert isinstance(raised.value, MockUsageError)
    assert len(sm_experiments.calls) == 0


def test_several_unknown_options_are_all_named():
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(regoin="eu-west-1", acount_id="1")
    assert str(raised.value) == (
        "unknown sm_experiments option(s) 'acount_id', 'regoin'; valid options are: "
        "account_id, region, quotas, arn_case, allow_network, subprocesses")


def test_unknown_quota_lists_every_known_quota():
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(quotas={"experimentz": 5})
    assert str(raised.value) == (
        "unknown quota 'experimentz'; known quotas are: experiments, trials, trial_components, "
        "trials_per_experiment, components_per_trial, tags_per_resource, "
        "parameters_per_trial_component, artifacts_per_trial_component")


@pytest.mark.parametrize(("value", "services"), [
    ("s3, sts", {"s3", "sts"}), ("s3,sts", {"s3", "sts"}), ("s3 sts", {"s3", "sts"}),
    (["s3"], {"s3"}), (("sagemaker-runtime",), {"sagemaker-runtime"}), ("", set()),
])
def test_allow_network_takes_names_or_one_string(value, services):
    assert mock_sm_experiments(allow_network=value).options.allow_network == services


def test_options_set_elsewhere_are_kept_when_others_change():
    base = mock_sm_experiments(allow_network=["s3"], arn_case="preserve").options
    changed = SageMakerExperimentsMock(options=base, region="eu-west-1").options
    assert (changed.region, changed.allow_network, changed.arn_case) == (
        "eu-west-1", frozenset({"s3"}), "preserve")


@pytest.mark.parametrize(("value", "message"), [
    (5, "allow_network must be a list of service names such as ['s3'], got 5"),
    ({"s3": True}, "allow_network must be a list of service names such as ['s3'], "
                   "got {'s3': True}"),
    (["S3!"], "allow_network takes boto3 client names such as 's3' or 'sagemaker-runtime', "
              "got 'S3!'"),
    ([5], "allow_network takes boto3 client names such as 's3' or 'sagemaker-runtime', got 5"),
])
def test_bad_allow_network_is_named(value, message):
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(allow_network=value)
    assert str(raised.value) == message


@pytest.mark.parametrize(("ini", "quotas"), [
    ("experiments=1\n    trials_per_experiment=3", {"experiments": 1, "trials_per_experiment": 3}),
    ("experiments=1,, trials_per_experiment=3,", {"experiments": 1, "trials_per_experiment": 3}),
    ("experiments = 2 , trials=4", {"experiments": 2, "trials": 4}),
])
def test_ini_quotas_on_lines_or_separated_by_commas(pytester, ini, quotas):
    pytester.makeini(f"[pytest]\nsm_experiments_quotas = {ini}\n")
    pytester.makepyfile(f"""
        def test_quotas(sm_experiments):
            assert {{key: sm_experiments.options.quotas[key] for key in {sorted(quotas)!r}}} == (
                {quotas!r})
    """)
    pytester.runpytest("-p", "no:asyncio", "-p", "no:randomly").assert_outcomes(passed=1)


def test_ini_quota_with_two_equals_signs_is_named(pytester):
    pytester.makeini("[pytest]\nsm_experiments_quotas = experiments=5=6\n")
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("-p", "no:asyncio")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*invalid sm_experiments ini option sm_experiments_quotas = 'experiments=5=6': quota "
         "'experiments=5=6' must be written name=number*"])


# -- the subprocesses option and boolean ini flags --------------------------------------------

@pytest.mark.parametrize("value", ["yes", 1, None])
def test_subprocesses_must_be_a_boolean(value):
    with pytest.raises(MockUsageError) as raised:
        mock_sm_experiments(subprocesses=value)
    assert str(raised.value) == f"subprocesses must be True or False, got {value!r}"


def test_subprocesses_given_to_the_constructor_is_kept_and_others_keep_it():
    with SageMakerExperimentsMock(subprocesses=True, region="eu-west-1") as mock:
        assert mock.options.subprocesses is True
        assert mock.endpoint_url is not None
        assert mock.endpoint_url.startswith("http://127.0.0.1:")
    assert SageMakerExperimentsMock().options.subprocesses is False


@pytest.mark.parametrize(("text", "expected"), [
    ("true", True), (" Yes ", True), ("ON", True), ("1", True),
    ("false", False), ("No", False), ("off", False), ("0", False)])
def test_an_ini_flag_is_read_in_any_letter_case(text, expected):
    from pytest_sm_experiments.options import parse_bool

    assert parse_bool(text) is expected


def test_an_ini_flag_that_is_no_boolean_is_named():
    from pytest_sm_experiments.options import parse_bool

    with pytest.raises(MockUsageError) as raised:
        parse_bool("maybe")
    assert str(raised.value) == "'maybe' is not a boolean: write true or false"


def test_client_takes_the_service_first_as_boto3_does(sm_experiments):
    metrics = sm_experiments.client("sagemaker-metrics")
    assert (metrics.meta.service_model.service_name, metrics.meta.region_name) == (
        "sagemaker-metrics", "us-east-1")
    west = sm_experiments.client("sts", region="eu-west-1")
    assert (west.meta.service_model.service_name, west.meta.region_name) == ("sts", "eu-west-1")
    assert sm_experiments.client().meta.service_model.service_name == "sagemaker"
    # A region where the service goes is refused, not taken as a service called "eu-west-1".
    with pytest.raises(MockUsageError, match=r"client\(\) takes the service first"):
        sm_experiments.client("eu-west-1")
