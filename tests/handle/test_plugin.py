"""The pytest wiring, run in isolated pytest sessions through `pytester`."""

from __future__ import annotations

import subprocess
import sys

import boto3  # noqa: F401
import pytest

import pytest_sm_experiments.inprocess.hook  # noqa: F401

# In-process pytester runs drop the modules they imported when they end. Importing botocore and
# the router here keeps one copy of each for every run, as in a real pytest process.



@pytest.fixture(autouse=True)
def _quiet_inner_runs(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner sessions: no asyncio plugin (it warns about its unset ini option) and fixed order."""
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:asyncio -p no:randomly")


USES_CLIENT = """
import boto3, pytest
from botocore.exceptions import ClientError
"""


def test_fixture_yields_running_mock_and_stops_it(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_CLIENT + """
        seen = []

        def test_one(sm_experiments, sm_client):
            seen.append(sm_experiments)
            assert sm_experiments.running
            sm_client.create_experiment(ExperimentName="A")
            assert list(sm_experiments.experiments) == ["A"]

        def test_two(sm_experiments, sm_client):
            assert not seen[0].running
            assert len(sm_experiments.experiments) == 0   # fresh state
            sm_client.create_experiment(ExperimentName="A")  # no duplicate across tests
    """.replace("\n        ", "\n"))
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_sm_client_is_shared_between_tests(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        clients = []

        def test_a(sm_client):
            clients.append(sm_client)

        def test_b(sm_client):
            assert sm_client is clients[0]
            assert sm_client.meta.region_name == "us-east-1"
    """)
    pytester.runpytest("-p", "no:randomly").assert_outcomes(passed=2)


def test_marker_alone_activates_and_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_CLIENT + """
pytestmark = pytest.mark.sm_experiments(region="eu-west-1", account_id="111122223333",
                                        quotas={"experiments": 5, "trials": 7})

@pytest.mark.sm_experiments(region="ap-south-1", quotas={"experiments": 1})
def test_closest_wins():
    client = boto3.client("sagemaker", region_name="ap-south-1")
    arn = client.create_experiment(ExperimentName="X")["ExperimentArn"]
    assert arn == "arn:aws:sagemaker:ap-south-1:111122223333:experiment/x"
    with pytest.raises(client.exceptions.ResourceLimitExceeded):
        client.create_experiment(ExperimentName="Y")

def test_module_marker(sm_experiments):
    assert sm_experiments.options.region == "eu-west-1"
    assert sm_experiments.options.quotas["experiments"] == 5
    assert sm_experiments.options.quotas["trials"] == 7
""")
    pytester.runpytest().assert_outcomes(passed=2)


def test_misspelt_marker_option_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        @pytest.mark.sm_experiments(regoin="eu-west-1")
        def test_x():
            pass
    """)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes()
    result.stderr.fnmatch_lines([
        "*::test_x: unknown sm_experiments option(s) 'regoin'; valid options are: account_id, "
        "region, quotas, arn_case*"])


def test_ini_options_set_suite_defaults(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        sm_experiments_region = eu-central-1
        sm_experiments_account_id = 999988887777
        sm_experiments_quotas = experiments=1, trials_per_experiment=3
        sm_experiments_arn_case = preserve
    """)
    pytester.makepyfile(USES_CLIENT + """
def test_defaults(sm_experiments, sm_client):
    arn = sm_client.create_experiment(ExperimentName="MixedCase")["ExperimentArn"]
    assert arn == "arn:aws:sagemaker:eu-central-1:999988887777:experiment/MixedCase"
    assert sm_experiments.options.quotas["trials_per_experiment"] == 3
    with pytest.raises(sm_client.exceptions.ResourceLimitExceeded):
        sm_client.create_experiment(ExperimentName="Second")

@pytest.mark.sm_experiments(region="us-west-2")
def test_marker_overrides_ini(sm_experiments):
    assert sm_experiments.options.region == "us-west-2"
    assert sm_experiments.options.account_id == "999988887777"
""")
    pytester.runpytest().assert_outcomes(passed=2)


def test_bad_ini_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        sm_experiments_quotas = experiments=lots
    """)
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid sm_experiments ini option*experiments=lots*"])


def test_unused_injected_error_errors_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_forgets(sm_experiments):
            sm_experiments.inject_error("CreateExperiment", "ThrottlingException")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*injected error(s) never used: CreateExperiment -> ThrottlingException. Remove them, or "
        "make the code under test call the operation.*",
        "*sm_experiments: recorded calls (teardown)*",
        "*No calls were recorded.*"])


def test_failing_test_report_shows_recorded_calls(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_fails(sm_experiments, sm_client):
            sm_client.create_experiment(ExperimentName="Shown-In-Report")
            sm_experiments.assert_called("DescribeExperiment")
    """)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*expected a call matching DescribeExperiment(), none found*",
        "*sm_experiments: recorded calls (call)*",
        "*1. CreateExperiment(ExperimentName='Shown-In-Report') -> ok*",
    ])


def test_plugin_can_be_disabled(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_no_fixture(sm_experiments):
            pass
    """)
    result = pytester.runpytest("-p", "no:sm_experiments")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'sm_experiments' not found*"])


@pytest.mark.slow
def test_module_level_client_is_mocked(pytester: pytest.Pytester) -> None:
    """A client a test module creates at import time is created before any mock starts."""
    pytester.makepyfile("""
        import boto3
        CLIENT = boto3.client("sagemaker", region_name="us-east-1",
                              aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")

        def test_uses_module_client(sm_experiments):
            CLIENT.create_experiment(ExperimentName="Imported")
            assert "imported" in sm_experiments.experiments
    """)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_marker_is_registered(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.sm_experiments(**options)*"])


@pytest.mark.slow
def test_client_created_by_conftest_at_import_is_mocked(pytester: pytest.Pytester) -> None:
    """conftest files are imported before pytest_configure: the router must already be there."""
    pytester.makeconftest("""
        import boto3
        CONFTEST_CLIENT = boto3.client("sagemaker", region_name="us-east-1",
                                       aws_access_key_id="AKIAEXAMPLE", aws_secret_access_key="x")
    """)
    pytester.makepyfile("""
        from conftest import CONFTEST_CLIENT

        def test_uses_conftest_client(sm_experiments):
            CONFTEST_CLIENT.create_experiment(ExperimentName="FromConftest")
            assert "fromconftest" in sm_experiments.experiments
    """)
    pytester.runpytest_subprocess().assert_outcomes(passed=1)


def test_marker_starts_the_mock_before_the_tests_own_fixtures(pytester: pytest.Pytester) -> None:
    """A fixture of a marked test may already make calls: the mock is running by then."""
    pytester.makepyfile(USES_CLIENT + """
@pytest.fixture
def seeded():
    client = boto3.client("sagemaker", region_name="us-east-1")
    client.create_experiment(ExperimentName="From-Fixture")
    return client

@pytest.mark.sm_experiments(account_id="111122223333")
def test_marked(seeded):
    described = seeded.describe_experiment(ExperimentName="from-fixture")
    assert described["ExperimentArn"] == (
        "arn:aws:sagemaker:us-east-1:111122223333:experiment/from-fixture")

@pytest.mark.sm_experiments
class TestMarkedClass:
    def test_method(self, seeded):
        assert seeded.list_experiments()["ExperimentSummaries"][0]["ExperimentName"] == (
            "From-Fixture")

def test_unmarked_gets_no_mock():
    from pytest_sm_experiments import active_mock
    assert active_mock() is None
""")
    pytester.runpytest().assert_outcomes(passed=3)


def test_partly_used_injected_error_is_not_reported(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        import pytest

        def test_uses_one_of_two(sm_experiments, sm_client):
            injected = sm_experiments.inject_error("CreateExperiment", "InternalFailure",
                                                   times=2)
            with pytest.raises(sm_client.exceptions.ClientError):
                sm_client.create_experiment(ExperimentName="a")
            assert (injected.used, injected.remaining) == (1, 1)
            assert sm_experiments.unused_injected_errors == []
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "never used" not in result.stdout.str()


@pytest.mark.slow
def test_the_installing_loader_is_the_real_loader_otherwise() -> None:
    """botocore.session's loader is wrapped to install the hook after the module runs; every
    other question (``get_source``, used by ``inspect`` and tracebacks) goes to the real one."""
    code = (
        "import inspect, sys\n"
        "import pytest_sm_experiments\n"
        "assert 'botocore' not in sys.modules\n"
        "import botocore.session\n"
        "loader = botocore.session.__spec__.loader\n"
        "assert 'def get_session' in loader.get_source('botocore.session')\n"
        "assert loader.is_package('botocore.session') is False\n"
        "assert 'class Session' in inspect.getsource(botocore.session)\n"
        "import botocore.handlers\n"
        "print(any(getattr(spec[1], '__module__', '').endswith('inprocess.hook')\n"
        "          for spec in botocore.handlers.BUILTIN_HANDLERS))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "True"


def test_every_unused_injected_error_is_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        def test_forgets_two(sm_experiments, sm_client):
            sm_experiments.inject_error("CreateExperiment", "ThrottlingException")
            sm_experiments.inject_error("DeleteExperiment", "InternalFailure")
            sm_experiments.inject_error("ListExperiments", "InternalFailure")
            try:
                sm_client.list_experiments()
            except sm_client.exceptions.ClientError:
                pass
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines([
        "*injected error(s) never used: CreateExperiment -> ThrottlingException; "
        "DeleteExperiment -> InternalFailure. Remove them*"])


# A fresh process, as pytest starts one: the plugin loads before botocore is imported, then a
# conftest or a test module makes a client at import time, holding a real-looking key.
_CLIENT_BEFORE_ANY_MOCK = """
import sys

import pytest_sm_experiments.plugin

assert "botocore" not in sys.modules
import botocore.auth
import botocore.session

signed_with = []
original = botocore.auth.SigV4Auth.add_auth


def spy(self, request):
    signed_with.append(self.credentials.access_key)
    return original(self, request)


botocore.auth.SigV4Auth.add_auth = spy
early = botocore.session.get_session().create_client(
    "sagemaker", region_name="us-east-1", aws_access_key_id="AKIAREALKEY0000000000",
    aws_secret_access_key="real")
from pytest_sm_experiments import mock_sm_experiments

with mock_sm_experiments() as mock:
    early.create_experiment(ExperimentName="early")
    print([call.operation for call in mock.calls], signed_with)
"""


@pytest.mark.slow
def test_a_client_made_before_any_mock_is_served_unsigned():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _CLIENT_BEFORE_ANY_MOCK], capture_output=True,
                          text=True, timeout=120, check=False)
    assert (done.returncode, done.stdout) == (0, "['CreateExperiment'] []\n"), done.stderr


def test_help_and_markers_list_the_options(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines([  # pytest wraps the help text
        "  sm_experiments_account_id (string):",
        "*default AWS account id of sm_experiments mocks (12*",
        "  sm_experiments_region (string):",
        "*default region of sm_experiments mocks",
    ])
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines([
        "@pytest.mark.sm_experiments(**options): run the test under a SageMaker Experiments "
        "mock; options: account_id, region, quotas, arn_case, allow_network, subprocesses"])


def test_ini_values_on_a_continuation_line_and_the_subprocesses_option(
        pytester: pytest.Pytester) -> None:
    pytester.makeini("""
        [pytest]
        sm_experiments_region =
            eu-west-3
        sm_experiments_subprocesses = yes
    """)
    pytester.makepyfile("""
def test_defaults(sm_experiments):
    assert sm_experiments.options.region == "eu-west-3"
    assert sm_experiments.options.subprocesses is True
    assert sm_experiments.endpoint_url.startswith("http://127.0.0.1:")
""")
    pytester.runpytest().assert_outcomes(passed=1)


def test_subprocesses_ini_off_and_misspelt(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsm_experiments_subprocesses = off\n")
    pytester.makepyfile("""
def test_off(sm_experiments):
    assert sm_experiments.options.subprocesses is False
    assert sm_experiments.endpoint_url is None
""")
    pytester.runpytest().assert_outcomes(passed=1)
    pytester.makeini("[pytest]\nsm_experiments_subprocesses = sometimes\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid sm_experiments ini option*sometimes*"])


def test_marker_errors_name_the_options(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

@pytest.mark.sm_experiments("eu-west-1")
def test_positional(sm_experiments):
    pass

@pytest.mark.sm_experiments(region={"experiments": 2})
def test_region_as_a_dict(sm_experiments):
    pass
""")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.assert_outcomes()
    result.stderr.fnmatch_lines([
        "ERROR: invalid @pytest.mark.sm_experiments options:",
        "  *::test_positional: @pytest.mark.sm_experiments takes keyword options only "
        "(account_id, region, quotas, arn_case, allow_network, subprocesses), got positional "
        "('eu-west-1',)",
        "  *::test_region_as_a_dict: region must look like 'us-east-1', got {'experiments': 2}",
    ])


def test_bad_ini_values_stop_the_run_naming_the_option(pytester: pytest.Pytester) -> None:
    # The case: a service botocore does not know, beside one it does.
    pytester.makeini("[pytest]\nsm_experiments_allow_network = s3, nosuchservice\n")
    pytester.makepyfile("def test_a(sm_experiments):\n    pass\n")
    result = pytester.runpytest("-p", "no:asyncio")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "ERROR: invalid sm_experiments ini option sm_experiments_allow_network = "
        "'s3, nosuchservice': allow_network: 'nosuchservice' is not a service botocore knows*"])


def test_a_marker_naming_an_unknown_service_stops_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
import pytest

@pytest.mark.sm_experiments(allow_network=["s4"])
def test_a():
    pass
""")
    result = pytester.runpytest("-p", "no:asyncio")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*::test_a: allow_network: 's4' is not a service botocore*"])


def test_bad_marker_options_under_xdist_error_each_test(pytester: pytest.Pytester) -> None:
    # xdist's workers collect, its controller does not: the test errors at setup, named.
    pytest.importorskip("xdist")
    pytester.makepyfile("""
import pytest

@pytest.mark.sm_experiments(region="nowhere")
def test_a():
    pass
""")
    result = pytester.runpytest_subprocess("-p", "no:asyncio", "-n", "2")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*MockUsageError: region must look like 'us-east-1', got "
                                 "'nowhere'*"])


def test_pyproject_strings_keep_spaces_that_the_plugin_strips(pytester: pytest.Pytester) -> None:
    # TOML strings keep their spaces (ini files are stripped by their parser).
    pytester.makepyprojecttoml("""
        [tool.pytest.ini_options]
        sm_experiments_region = " eu-west-3 "
    """)
    pytester.makepyfile("""
def test_defaults(sm_experiments):
    assert sm_experiments.options.region == "eu-west-3"
""")
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.skipif(int(pytest.__version__.split(".")[0]) >= 10,
                    reason="pytest 10 refuses non-string values of string-typed ini options")
def test_a_pyproject_list_passes_through(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("""
        [tool.pytest.ini_options]
        sm_experiments_allow_network = ["s3", "cloudwatch"]
    """)
    pytester.makepyfile("""
def test_defaults(sm_experiments):
    assert sm_experiments.options.allow_network == {"s3", "cloudwatch"}
""")
    pytester.runpytest("-W", "ignore::DeprecationWarning").assert_outcomes(passed=1)
