"""While any mock is active, botocore can read no real credentials and reach no metadata service.

Leaf module: standard library only.  The patch is reference-counted, so nested and overlapping
mocks (started and stopped in any order) restore the environment exactly once, when the last one
stops.
"""

from __future__ import annotations

import os
import threading

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
_KEYS = (*_SET, *_UNSET, *_REGION_VARS)

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
        _saved.clear()
        for key in _KEYS:
            _saved[key] = environ.get(key)
        environ.update(_SET)
        for key in _UNSET:
            if key in environ:
                del environ[key]
        if not environ.get("AWS_DEFAULT_REGION") and not environ.get("AWS_REGION"):
            environ["AWS_DEFAULT_REGION"] = region


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
        for key, value in _saved.items():
            if value is None:
                environ.pop(key, None)
            else:
                environ[key] = value
        _saved.clear()
