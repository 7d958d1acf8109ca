"""What child processes inherit from a mock that serves them: where it listens, and its keys.

botocore (and the other AWS SDKs and the AWS CLI) read a service's endpoint from
``AWS_ENDPOINT_URL_<SERVICE ID>``, so a child started while such a mock runs sends its
SageMaker, SageMaker Metrics and STS requests to the mock's loopback endpoint, signed with the
mock's credentials, whatever program it is. The variables are ``environment.enter``'s
``extra`` of the mock, so they follow the innermost running mock: one that does not serve other
processes shows them none.

``multiprocessing``'s forkserver is the exception: its children inherit the environment of the
fork server, which was started once, perhaps before this mock. So when the variables change, a
running fork server is stopped; the next forkserver child starts a fresh one that sees them.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from urllib.parse import urlsplit

from .. import _botocore
from ..core.operations import OPERATIONS
from ..core.service import RUNNING, EndpointAccess

#: botocore's (and the other SDKs') endpoint for every service without a variable of its own.
GLOBAL_ENDPOINT = "AWS_ENDPOINT_URL"
#: What a mock that does not serve other processes sets as ``AWS_ENDPOINT_URL``: not a URL, so a
#: child's SDK refuses to make a client at all, with this text (botocore: "Invalid endpoint:
#: ..."), and nothing is sent with the mock's fake keys to AWS.
SEALED = ("pytest-sm-experiments: this process was started by a test whose mock does not "
          "serve other processes, so its AWS calls are refused and nothing is sent; start the "
          "mock with subprocesses=True to serve them")

#: Set to nothing while a mock serves other processes: it would make children ignore the
#: endpoint variables.
_IGNORE_ENDPOINTS = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"


@cache
def endpoint_variables() -> tuple[str, ...]:
    """``AWS_ENDPOINT_URL_<ID>`` of each served service (ID: its botocore service id in upper
    case, spaces as underscores), from botocore's models."""
    names = {"AWS_ENDPOINT_URL_" + _botocore.service_model(service).service_id.upper()
             .replace(" ", "_").replace("-", "_") for service, _ in OPERATIONS}
    return tuple(sorted(names))


def variables(endpoint: EndpointAccess | None, region: str | None = None,
              for_children: bool = True) -> dict[str, str | None]:
    """The environment a child needs to reach ``endpoint`` (``{}`` for none).

    ``region``, when given, is the region for children as both AWS_DEFAULT_REGION (botocore,
    the AWS CLI) and AWS_REGION (the JavaScript and Java SDKs read only this one).
    ``for_children``: with ``AWS_ENDPOINT_URL`` (every other AWS service: the endpoint answers
    a child's request as the test's process would, see ``others``) and ``NO_PROXY``/
    ``no_proxy`` naming the endpoint's host, merged into this process's. A standalone server's
    banner leaves them out: its users' shells have lists and services of their own.
    """
    if endpoint is None:
        return {}
    found: dict[str, str | None] = dict.fromkeys(endpoint_variables(), endpoint.url)
    if region is not None:
        found["AWS_DEFAULT_REGION"] = found["AWS_REGION"] = region
    if for_children:
        found[GLOBAL_ENDPOINT] = endpoint.url
        found.update(no_proxy(endpoint.url))
    credentials = endpoint.credentials
    found["AWS_ACCESS_KEY_ID"] = credentials.access_key
    found["AWS_SECRET_ACCESS_KEY"] = credentials.secret_key
    found["AWS_SESSION_TOKEN"] = credentials.token
    found[_IGNORE_ENDPOINTS] = None
    return found


#: Both spellings: curl, requests and urllib read either, Go and the JavaScript SDK one each.
_NO_PROXY = ("NO_PROXY", "no_proxy")


def no_proxy(url: str) -> dict[str, str]:
    """``NO_PROXY``/``no_proxy`` as they are now, with the host of ``url`` added (merged: the
    hosts the user listed stay), so that a child's requests to the endpoint never go to a proxy
    (a corporate ``HTTP_PROXY`` would take loopback traffic off the machine)."""
    host = urlsplit(url).hostname or ""
    found: dict[str, str] = {}
    for name in _NO_PROXY:
        listed = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
        found[name] = ",".join(listed if host in listed else [*listed, host])
    return found


def extra(endpoint: EndpointAccess) -> dict[str, str]:
    """What a running mock adds to the environment (``environment.enter``'s ``extra``): the
    variables of :func:`variables` that have a value (the environment patch already removed
    the shell's ``AWS_*`` variables, and sets the region)."""
    return {key: value for key, value in variables(endpoint).items() if value is not None}


def sealed() -> dict[str, str]:
    """What a mock that does not serve other processes adds to the environment: children's
    AWS calls fail at once, in the child, naming the option (see :data:`SEALED`)."""
    return {GLOBAL_ENDPOINT: SEALED}


def set_by_a_mock(value: str) -> bool:
    """True for an ``AWS_ENDPOINT_URL`` a running mock of this process set for its children:
    the test's own process ignores it (its requests are answered in-process, and its clients
    keep their AWS endpoints)."""
    return value == SEALED or any(
        service.endpoint is not None and service.endpoint.url == value for service in RUNNING)


_FORK_SERVER_MODULE = "multiprocessing.forkserver"


def snapshot() -> tuple[str | None, ...] | None:
    """What a fork server's children would inherit of the endpoint now; None when this process
    cannot have started a fork server (its module was never imported), which costs nothing."""
    if _FORK_SERVER_MODULE not in sys.modules:
        return None
    environ = os.environ
    return (environ.get("AWS_SECRET_ACCESS_KEY"),
            *(environ.get(name) for name in endpoint_variables()))


def refresh(before: tuple[str | None, ...] | None) -> None:
    """After a mock started or stopped: stop a running fork server if what its children would
    inherit changed since ``before`` (:func:`snapshot`); the next forkserver child starts a
    fresh one."""
    if before is not None and snapshot() != before:
        _stop_fork_server()


def _stop_fork_server() -> None:
    """Stop ``multiprocessing``'s fork server if this process started one (its children would
    inherit an outdated environment); it restarts on the next forkserver child."""
    module = sys.modules.get(_FORK_SERVER_MODULE)
    server = getattr(module, "_forkserver", None)
    # Standard-library internals: ForkServer._stop() (3.8+) is what its own tests use.
    stop = getattr(server, "_stop", None)
    if stop is not None and getattr(server, "_forkserver_pid", None) is not None:
        stop()
