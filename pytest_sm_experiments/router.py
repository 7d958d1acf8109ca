"""The botocore front door: a dormant ``before-send`` / ``choose-signer`` hook.

It holds no data. With no mock running each hook is a single check; with one running, the hook
finds the route of the event and the request's region and lets the innermost running service
(``service.RUNNING``) answer, then hands botocore a response to parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _botocore
from .service import RUNNING, Route, route

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse

_EVENT_PREFIX_LENGTH = len("before-send.")
_event_routes: dict[str, Route] = {}
_url_regions: dict[str, str | None] = {}


def before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    """``before-send.<service>`` handler: answer from the innermost running mock, if any."""
    if not RUNNING:
        return None
    service = RUNNING[-1]
    found = event_route(event_name)
    region = (_botocore.request_region(request) or region_from_url(request.url)
              or service.options.region)
    status, headers, body = service.handle(found, request.body, region)
    response = _botocore.make_response(request.url, status, headers, body,
                                       _botocore.is_aio_request(request))
    _botocore.mark_answered(request)
    return response


def choose_signer(**_: Any) -> Any:
    """``choose-signer.<service>`` handler: requests the mock answers are never signed."""
    return _botocore.UNSIGNED if RUNNING else None


def install() -> None:
    """Put the dormant router into every botocore Session created from now on."""
    _botocore.install_builtin_handlers(before_send, choose_signer)


def attach(client: Any) -> Any:
    """Route an existing client (created before the plugin loaded) through the mock."""
    _botocore.attach(client, before_send, choose_signer)
    return client


def event_route(event_name: str) -> Route:
    """The route of ``before-send.<service>.<Operation>``; unserved operations raise."""
    found = _event_routes.get(event_name)
    if found is None:
        service, _, operation = event_name[_EVENT_PREFIX_LENGTH:].partition(".")
        found = _event_routes[event_name] = route(service, operation)
    return found


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
