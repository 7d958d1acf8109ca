"""The ``sm_session`` fixture without a SageMaker SDK installed: a clear usage error."""

from __future__ import annotations

from pytest_sm_experiments import sdk_session


def test_without_an_sdk_the_fixture_says_what_to_install(pytester, monkeypatch):
    monkeypatch.setattr(sdk_session, "SESSION_CLASSES",
                        (("no_such_sdk_module.helper", "Session"),))
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile("""
        def test_needs_the_sdk(sm_session):
            pass
    """)
    result = pytester.runpytest_inprocess("-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*MockUsageError: the sm_session fixture needs the SageMaker Python SDK: pip install "
        "sagemaker-core (v3, sagemaker.core) or 'sagemaker<3' (v2)*"])
