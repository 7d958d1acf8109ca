"""The other way out of the process: HTTP requests made with ``requests``.

The SageMaker SDKs (v2 ``sagemaker.telemetry``, v3 ``sagemaker.core.telemetry``, v2's
``sagemaker.serve`` telemetry) send telemetry with ``requests.get`` to an S3 URL, which no
botocore hook sees, from a thread that first asks STS for the account. While a mock runs:

* the SDKs' telemetry senders do nothing, whatever the session's config says, so no telemetry
  thread starts (and its STS call does not land in the journal);
* ``requests.Session.send`` applies the boundary's rule to AWS hosts (``boundary.check_http``):
  a request there is refused unless moto runs or its service is named in allow_network.

Both are dormant wrappers put in once per process, when the module they wrap has been imported
(:func:`install`, which the router calls at every mock start and whenever a module was imported
while a mock runs).  The user's SDK config is left alone: it applies inside the mock as outside.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

from ..errors import RequestRefusedError
from .boundary import check_http
from .ownership import idle

_MARK = "__pytest_sm_experiments_guard__"
#: (module, function) of each SDK's telemetry sender: the decorators look it up at call time.
TELEMETRY_SENDERS = (
    ("sagemaker.core.telemetry.telemetry_logging", "_send_telemetry_request"),
    ("sagemaker.telemetry.telemetry_logging", "_send_telemetry_request"),
    ("sagemaker.serve.utils.telemetry_logger", "_send_telemetry"),
)


def install() -> None:
    """Wrap whatever of ``requests`` and the SDKs' telemetry is imported and not yet wrapped."""
    modules = sys.modules
    sessions = modules.get("requests.sessions")
    if sessions is not None:
        _wrap_requests(sessions.Session)
    for module_name, attribute in TELEMETRY_SENDERS:
        module = modules.get(module_name)
        if module is not None:
            _wrap_telemetry(module, attribute)


def _marked(function: Any) -> bool:
    return bool(getattr(function, _MARK, False))


def _wrap_telemetry(module: Any, attribute: str) -> None:
    original = getattr(module, attribute, None)
    if not callable(original) or _marked(original):
        return

    @functools.wraps(original)
    def quiet(*args: Any, **kwargs: Any) -> Any:
        # CHOICE: a test never emits SDK telemetry while a mock runs, opted out or not.
        if not idle():
            return None
        return original(*args, **kwargs)

    setattr(quiet, _MARK, True)
    setattr(module, attribute, quiet)


def _wrap_requests(session_class: type) -> None:
    original: Callable[..., Any] | None = session_class.__dict__.get("send")
    if original is None or _marked(original):
        return
    refused = _refused_type()

    @functools.wraps(original)
    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        if not idle():
            message = check_http(str(request.url))
            if message is not None:
                error = refused("http", str(request.url), message)
                error.request = request
                raise error
        return original(self, request, **kwargs)

    setattr(send, _MARK, True)
    setattr(session_class, "send", send)  # noqa: B010 (mypy: a method assigned on a class)


@functools.cache
def _refused_type() -> type[Any]:
    """A refusal that is also a ``requests`` ConnectionError: code that handles ``requests``
    failures (the SDKs' telemetry does) handles it like any network failure."""
    import requests

    class HTTPRequestRefusedError(RequestRefusedError, requests.exceptions.ConnectionError):
        """An HTTP request to AWS made with ``requests`` while a mock runs, refused."""

    HTTPRequestRefusedError.__module__ = __name__
    return HTTPRequestRefusedError
