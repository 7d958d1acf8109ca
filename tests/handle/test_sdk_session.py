"""The ``sm_session`` fixture without a SageMaker SDK installed: a clear usage error."""

from __future__ import annotations

import sys
import types

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


# -- Which SDK generation: the first of SESSION_CLASSES that imports ------------------------

def _sdk_module(monkeypatch, name: str) -> type:
    """A stand-in SDK module ``name`` with a ``Session`` class; returns the class."""
    module = types.ModuleType(name)
    session = type("Session", (), {})
    module.Session = session  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, name, module)
    return session


def test_without_v3_the_v2_session_is_used(monkeypatch):
    v2_session = _sdk_module(monkeypatch, "stand_in_sdk_v2.session")
    monkeypatch.setattr(sdk_session, "SESSION_CLASSES", (
        ("no_such_sdk_v3.helper.session_helper", "Session"),
        ("stand_in_sdk_v2.session", "Session")))
    assert sdk_session.session_class() is v2_session


def test_with_both_generations_the_first_listed_is_used(monkeypatch):
    v3_session = _sdk_module(monkeypatch, "stand_in_sdk_v3.session_helper")
    _sdk_module(monkeypatch, "stand_in_sdk_v2.session")
    monkeypatch.setattr(sdk_session, "SESSION_CLASSES", (
        ("stand_in_sdk_v3.session_helper", "Session"), ("stand_in_sdk_v2.session", "Session")))
    assert sdk_session.session_class() is v3_session
