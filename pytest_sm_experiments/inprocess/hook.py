"""The botocore hook: dormant ``choose-signer`` / ``before-sign`` / ``before-send`` handlers
for every service, and a guard on the transport.

It holds no data. With no mock running each handler is a single check; with one running, a
request for an operation the mock serves is answered by the mock that owns the calling thread
(``ownership.py``), unsigned, and every other request follows the boundary's rule
(``boundary.py``): another in-process mock answers it, or it is allowed out on purpose, or the
transport guard refuses it before any byte is sent. So does a ``Search`` of a resource the mock
does not hold (TrainingJob, Pipeline...) while moto runs beside it.

In a process forked while a mock ran, the service's copy is marked (``Service.forked_from``):
the call goes to the parent's endpoint (``server.forwarding``) when the mock serves other
processes, and is refused otherwise. It is never answered from the child's copy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import wrapt

from .. import _botocore, _moto
from ..core.operations import served
from ..core.service import Reply, Route, Service, delegated, process_id, route
from ..errors import ForkedProcessError
from ..options import MockOptions
from ..server import children, forwarding
from . import boundary, http_guard, ownership

#: event name -> (service id, operation, route if this mock serves it)
_events: dict[str, tuple[str, str, Route | None]] = {}
_url_regions: dict[str, str | None] = {}


def _event(event_name: str) -> tuple[str, str, Route | None]:
    """``<event>.<service id>.<Operation>`` -> what it names, looked up once per event name."""
    found = _events.get(event_name)
    if found is None:
        _, _, rest = event_name.partition(".")
        service_id, _, operation = rest.partition(".")
        found = _events[event_name] = (
            service_id, operation,
            route(service_id, operation) if served(service_id, operation) else None)
    return found


def before_send(request: Any, event_name: str, **_: Any) -> Any:
    """``before-send``: answer from the thread's mock, if it serves the operation."""
    if ownership.idle():
        return None
    if len(sys.modules) != _modules_seen:
        ensure_guards()
    service_id, operation, found = _event(event_name)
    if request.url == _botocore.ANSWERED_URL:  # answered already (the hook registered twice)
        return None
    service = ownership.answering(found.service_name if found is not None else service_id,
                                 operation, found is not None)
    if service is None or found is None or (_moto.active() and delegated(found, request.body)):
        # Not served, or served for another service's resources (Search of a TrainingJob):
        # the boundary's rule, so moto answers it when it runs.
        return boundary.unanswered(request, service_id, operation)
    region = (_botocore.request_region(request) or region_from_url(request.url)
              or service.options.region)
    if service.forked_from is None:
        status, headers, body = service.handle(found, request.body, region, process_id())
    else:
        status, headers, body = _answer_in_parent(service, found, request.body, region)
    response = _botocore.make_response(request.url, status, headers, body,
                                       _botocore.is_aio_request(request))
    _botocore.mark_answered(request)
    return response


def _answer_in_parent(service: Service, found: Route, body: bytes | str | None,
                      region: str) -> Reply:
    """A forked copy of ``service`` asks the original, over its endpoint, or refuses."""
    parent = service.forked_from
    assert parent is not None
    endpoint = service.endpoint
    if endpoint is None:
        raise ForkedProcessError(process_id(), parent, found.service_name, found.operation)
    return forwarding.forward(endpoint, parent, found, body, region)


def choose_signer(event_name: str, signature_version: Any = None, **_: Any) -> Any:
    """``choose-signer``: requests the mock answers are never signed."""
    if ownership.idle():
        return None
    service_id, _operation, found = _event(event_name)
    if found is not None:
        return _botocore.UNSIGNED
    return boundary.signature(service_id, signature_version)


def before_sign(event_name: str, request: Any = None, signature_version: Any = None,
                request_signer: Any = None, **_: Any) -> None:
    """``before-sign``: no real credential signs a request while a mock runs (see boundary)."""
    if (ownership.idle() or signature_version is _botocore.UNSIGNED
            or request_signer is None):
        return
    service_id, _operation, found = _event(event_name)
    if found is None:
        boundary.sign(request, request_signer, service_id)


HANDLERS: dict[str, Callable[..., Any]] = {
    "choose-signer": choose_signer, "before-sign": before_sign, "before-send": before_send}


def install() -> None:
    """Put the dormant hook into every botocore Session created from now on, the guard on
    botocore's transport, and the guards on clients made before (their Session predates the
    hook: they get it at their first call while a mock runs) and on credential resolution."""
    _botocore.install_builtin_handlers(HANDLERS)
    _botocore.install_transport_guard(boundary.at_transport)
    _botocore.install_client_guard(before_call)
    _botocore.install_credentials_guard(boundary.hermetic)
    _botocore.install_proxy_bypass(boundary.direct)
    _botocore.install_endpoint_filter(children.set_by_a_mock)


def before_call(client: Any) -> None:
    """Before every API call: a client whose Session was made before the hook was put into
    botocore (before this package was imported) gets it now, while a mock concerns the call,
    so it is routed, and signed, as every other client."""
    if not ownership.idle():
        _botocore.ensure_attached(client, HANDLERS)


_modules_seen = 0


def ensure_guards() -> None:
    """Guard what was imported since the last look (aiobotocore's transport, clients and
    credentials, ``requests``, the SDKs' telemetry): called at every mock start, right after
    any of those modules is imported (post-import hooks, registered at the first mock start),
    and when a module was imported while a mock runs."""
    global _modules_seen
    _modules_seen = len(sys.modules)
    _botocore.install_transport_guard(boundary.at_transport)
    _botocore.install_client_guard(before_call)
    _botocore.install_credentials_guard(boundary.hermetic)
    http_guard.install()


#: Modules to guard as soon as they are imported: ``requests`` first imported inside a running
#: mock must not send anything before the next botocore call would have guarded it.
GUARDED_MODULES = ("requests.sessions", "aiobotocore.endpoint", "aiobotocore.client",
                   "aiobotocore.credentials",
                   *(module for module, _ in http_guard.TELEMETRY_SENDERS))
_watching: list[bool] = []


def _guard_imported(_module: Any) -> None:
    ensure_guards()


def prepare(options: MockOptions) -> None:
    """Before a mock starts: check its options against botocore, and guard what is imported
    (and, from now on, what will be)."""
    boundary.prepare(options)
    ownership.install()
    if not _watching:
        _watching.append(True)
        for module in GUARDED_MODULES:
            wrapt.register_post_import_hook(_guard_imported, module)
    ensure_guards()


def attach(client: Any) -> Any:
    """Route an existing client (created before the plugin loaded) through the mock."""
    _botocore.attach(client, HANDLERS)
    return client


def region_from_url(url: str) -> str | None:
    """``https://api.sagemaker.eu-west-1.amazonaws.com/`` -> ``eu-west-1`` (None if unknown)."""
    try:
        return _url_regions[url]
    except KeyError:
        pass
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    labels = host.split(".")
    region = None
    if "amazonaws" in labels:
        index = labels.index("amazonaws")
        if index >= 2 and "-" in labels[index - 1]:
            region = labels[index - 1]
    if len(_url_regions) < 1024:
        _url_regions[url] = region
    return region
