"""While any mock is active, botocore can read no real credentials and reach no metadata service.

Leaf module: standard library only.  The patch is reference-counted, so nested and overlapping
mocks (started and stopped in any order) restore the environment exactly once, when the last one
stops.
"""

from __future__ import annotations

import atexit
import os
import tempfile
import threading
from functools import cache

#: Obviously fake credentials: they identify a mocked request in any log.
FAKE_ACCESS_KEY = "AKIAMOCKSMEXPERIMENTS"
FAKE_SECRET_KEY = "pytest-sm-experiments-fake-secret-key"
FAKE_SESSION_TOKEN = "pytest-sm-experiments-fake-session-token"

_SET = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
    "AWS_SESSION_TOKEN": FAKE_SESSION_TOKEN,
    # No instance-metadata (IMDS) lookup: it is the one network call client creation can make.
    "AWS_EC2_METADATA_DISABLED": "true",
    # No shared config or credentials file: a real profile must never be read.
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}
_UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
)
_REGION_VARS = ("AWS_DEFAULT_REGION", "AWS_REGION")
# The SageMaker Python SDK sends telemetry with `requests` (no botocore hook can answer it) unless
# its config opts out; a user's own override file is respected.
_SDK_CONFIG_VAR = "SAGEMAKER_USER_CONFIG_OVERRIDE"
_SDK_CONFIG = (
    "# Written by pytest-sm-experiments: the SageMaker SDK must not send telemetry from a test.\n"
    "SchemaVersion: '1.0'\nSageMaker:\n  PythonSDK:\n    Modules:\n      TelemetryOptOut: true\n"
)
_KEYS = (*_SET, *_UNSET, *_REGION_VARS, _SDK_CONFIG_VAR)
_KEY_SET = frozenset(_KEYS)

_lock = threading.Lock()
_depth = 0
_saved: dict[str, str | None] = {}


def enter(region: str) -> None:
    """Patch the environment (first entry only); ``region`` fills AWS_DEFAULT_REGION if unset."""
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        environ = os.environ
        # One pass over the names rather than a lookup per key (most are absent, and a missing
        # key costs os.environ an exception): BENCHMARKS.md, "Hot spots removed".
        present = _KEY_SET.intersection(environ)
        _saved.clear()
        for key in _KEYS:
            _saved[key] = environ.get(key) if key in present else None
        # Every write is a putenv(): touch only what differs (start/stop runs once per test).
        for key, value in _SET.items():
            if _saved[key] != value:
                environ[key] = value
        for key in _UNSET:
            if _saved[key] is not None:
                del environ[key]
        if not _saved["AWS_DEFAULT_REGION"] and not _saved["AWS_REGION"]:
            environ["AWS_DEFAULT_REGION"] = region
        if not _saved[_SDK_CONFIG_VAR]:
            environ[_SDK_CONFIG_VAR] = _sdk_config_file()


@cache
def _sdk_config_file() -> str:
    """A SageMaker SDK config that opts out of telemetry, written once per process."""
    handle, path = tempfile.mkstemp(prefix="pytest-sm-experiments-", suffix=".yaml")
    with os.fdopen(handle, "w") as file:
        file.write(_SDK_CONFIG)
    atexit.register(os.unlink, path)
    return path


def leave() -> None:
    """Undo :func:`enter` once the last active mock has stopped."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth:
            return
        environ = os.environ
        present = _KEY_SET.intersection(environ)
        for key, value in _saved.items():
            if (environ.get(key) if key in present else None) == value:
                continue
            if value is None:
                # del in a try, not pop() (it reads the value first) or contextlib.suppress:
                # the cheapest delete (BENCHMARKS.md, "Hot spots removed").
                try:  # noqa: SIM105
                    del environ[key]
                except KeyError:  # removed meanwhile by another thread
                    pass
            else:
                environ[key] = value
        _saved.clear()
