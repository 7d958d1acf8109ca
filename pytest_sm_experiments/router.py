"""The botocore front door: dormant ``choose-signer`` / ``before-sign`` / ``before-send`` hooks
for every service, and a guard on the transport.

It holds no data. With no mock running each hook is a single check; with one running, a request
for an operation the mock serves is answered by the innermost running service
(``service.RUNNING``), unsigned, and every other request follows the boundary's rule
(``boundary.py``): another in-process mock answers it, or it is allowed out on purpose, or the
transport guard refuses it before any byte is sent.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import _botocore, boundary, http_guard
from .options import MockOptions
from .service import RUNNING, Route, process_id, route, served

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse

#: event name -> (service id, operation, route if this mock serves it)
_events: dict[str, tuple[str, str, Route | None]] = {}
_url_regions: dict[str, str | None] = {}


def _event(event_name: str) -> tuple[str, str, Route | None]:
    """``<event>.<service id>.<Operation>`` -> what it names, looked up once per event name."""
    found = _events.get(event_name)
    if found is None:
        _, _, rest = event_name.partition(".")
        service, _, operation = rest.partition(".")
        found = _events[event_name] = (
            service, operation, route(service, operation) if served(service, operation) else None)
    return found


def before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    """``before-send``: answer from the innermost running mock, if it serves the operation."""
    if not RUNNING:
        return None
    if len(sys.modules) != _modules_seen:
        ensure_guards()
    service_id, operation, found = _event(event_name)
    if request.url == _botocore.ANSWERED_URL:  # answered already (the router registered twice)
        return None
    if found is None:
        answered: AWSResponse | None = boundary.unanswered(request, service_id, operation)
        return answered
    service = RUNNING[-1]
    region = (_botocore.request_region(request) or region_from_url(request.url)
              or service.options.region)
    status, headers, body = service.handle(found, request.body, region, process_id())
    response = _botocore.make_response(request.url, status, headers, body,
                                       _botocore.is_aio_request(request))
    _botocore.mark_answered(request)
    return response


def choose_signer(event_name: str, signature_version: Any = None, **_: Any) -> Any:
    """``choose-signer``: requests the mock answers are never signed."""
    if not RUNNING:
        return None
    service_id, _operation, found = _event(event_name)
    if found is not None:
        return _botocore.UNSIGNED
    return boundary.signature(service_id, signature_version)


def before_sign(event_name: str, request: Any = None, signature_version: Any = None,
                request_signer: Any = None, **_: Any) -> None:
    """``before-sign``: no real credential signs a request while a mock runs (see boundary)."""
    if not RUNNING or signature_version is _botocore.UNSIGNED or request_signer is None:
        return
    service_id, _operation, found = _event(event_name)
    if found is None:
        boundary.sign(request, request_signer, service_id)


HANDLERS: dict[str, Callable[..., Any]] = {
    "choose-signer": choose_signer, "before-sign": before_sign, "before-send": before_send}


def install() -> None:
    """Put the dormant router into every botocore Session created from now on, and the guard
    on botocore's transport."""
    _botocore.install_builtin_handlers(HANDLERS)
    _botocore.install_transport_guard(boundary.at_transport)


_modules_seen = 0


def ensure_guards() -> None:
    """Guard what was imported since the last look (aiobotocore's transport, ``requests``, the
    SDKs' telemetry): called at every mock start and when a module was imported while a mock
    runs, so nothing imported mid-test can send before it is guarded."""
    global _modules_seen
    _modules_seen = len(sys.modules)
    _botocore.install_transport_guard(boundary.at_transport)
    http_guard.install()


def prepare(options: MockOptions) -> None:
    """Before a mock starts: check its options against botocore, and guard what is imported."""
    boundary.prepare(options)
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
