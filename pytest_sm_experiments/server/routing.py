"""Requests over HTTP, per protocol: which operation a request asks for, and how to ask for one.

Everything comes from botocore's service models of the served operations
(``operations.OPERATIONS``): JSON 1.1 services are addressed by ``X-Amz-Target:
<targetPrefix>.<Operation>``, rest-json services by the operation's HTTP method and request URI,
query services (STS) by the ``Action`` form field. The same tables build the requests a forked
child forwards to its parent's endpoint, so both directions agree by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple, Protocol

from .. import _botocore
from ..core.codec import PROTOCOLS, decode
from ..core.operations import OPERATIONS, served, supported
from ..errors import AWSError, UnsupportedOperationError

_FORM = "application/x-www-form-urlencoded"
#: The media type each protocol's requests carry (parameters such as charset are ignored).
CONTENT_TYPES: Mapping[str, str] = {
    "json": "application/x-amz-json-1.1",
    "rest-json": "application/json",
    "query": _FORM,
}


class Headers(Protocol):
    """Request headers looked up by name in any letter case (``email.message.Message``)."""

    def get(self, name: str, failobj: None = None) -> str | None: ...
    def __contains__(self, name: str) -> bool: ...


class HeaderMap(dict[str, str]):
    """Headers keyed by lower-case name, looked up in any letter case (the first value of a
    repeated header). Built once per request: ``email.message.Message`` scans every header on
    each lookup, and a signature check looks up every signed one."""

    __slots__ = ()

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        super().__init__()
        for name, value in items:
            self.setdefault(name.lower(), value)

    def get(self, name: str, failobj: None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), failobj)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())


class Target(NamedTuple):
    """What a request asks for: a protocol, the service that speaks it, and the operation
    (None when the request names no operation the mock serves; ``asked`` says what it named)."""

    protocol: str
    service_name: str
    operation: str | None
    asked: str


@dataclass(frozen=True)
class _Tables:
    json_prefixes: Mapping[str, str]          # targetPrefix -> service
    rest_paths: Mapping[tuple[str, str], tuple[str, str]]  # (method, path) -> (service, op)
    by_protocol: Mapping[str, str]            # protocol -> its (first) served service
    signing_names: Mapping[str, str]          # service -> SigV4 signing name


@cache
def _tables() -> _Tables:
    json_prefixes: dict[str, str] = {}
    rest_paths: dict[tuple[str, str], tuple[str, str]] = {}
    by_protocol: dict[str, str] = {}
    signing_names: dict[str, str] = {}
    for service_name, operation in sorted(OPERATIONS):
        model = _botocore.service_model(service_name)
        protocol = PROTOCOLS[service_name]
        by_protocol.setdefault(protocol, service_name)
        signing_names[service_name] = model.signing_name
        if protocol == "json":
            json_prefixes[model.metadata["targetPrefix"]] = service_name
        elif protocol == "rest-json":
            http = model.operation_model(operation).http
            rest_paths[(http["method"], http["requestUri"])] = (service_name, operation)
    return _Tables(json_prefixes, rest_paths, by_protocol, signing_names)


def signing_name(service_name: str) -> str:
    """The service name requests to ``service`` are signed for (``sagemaker`` for both
    SageMaker services, ``sts`` for STS)."""
    return _tables().signing_names[service_name]


def signing_names() -> frozenset[str]:
    """The names requests to the served services are signed for (``sagemaker``, ``sts``)."""
    return frozenset(_tables().signing_names.values())


def media_type(value: str | None) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return (value or "").partition(";")[0].strip().lower()


def protocol_of(headers: Headers) -> str:
    """``X-Amz-Target`` means JSON 1.1, a form body the query protocol, anything else
    rest-json (known from the headers alone, so any error can be shaped for the protocol)."""
    if "X-Amz-Target" in headers:
        return "json"
    if media_type(headers.get("Content-Type")) == _FORM:
        return "query"
    return "rest-json"


def target_of(protocol: str, method: str, path: str, headers: Headers, body: bytes) -> Target:
    """The service and operation a request of ``protocol`` asks for: JSON 1.1 by
    ``X-Amz-Target``, the query protocol by its ``Action`` field, rest-json by method and
    path."""
    tables = _tables()
    if protocol == "json":
        amz_target = headers.get("X-Amz-Target") or ""
        prefix, _, operation = amz_target.partition(".")
        service_name = tables.json_prefixes.get(prefix)
        if service_name is None:
            return Target("json", tables.by_protocol["json"], None, amz_target)
        return Target("json", service_name, _served(service_name, operation), amz_target)
    if protocol == "query":
        service_name = tables.by_protocol["query"]
        action = decode("query", body).get("Action") or ""
        return Target("query", service_name, _served(service_name, action), action)
    found: tuple[str, str | None] = tables.rest_paths.get(
        (method, path.partition("?")[0]), (tables.by_protocol["rest-json"], None))
    return Target("rest-json", found[0], found[1], f"{method} {path}")


def _served(service_name: str, operation: str) -> str | None:
    return operation if served(service_name, operation) else None


def unknown_operation(target: Target) -> AWSError:
    """The error for a request that names no operation the mock serves."""
    model = _botocore.service_model(target.service_name)
    # A JSON 1.1 target names an operation only after its service's own prefix.
    name = (target.asked.removeprefix(f"{model.metadata['targetPrefix']}.")
            if target.protocol == "json" else target.asked)
    if name in model.operation_names:
        # A real operation of the service that the mock does not serve: say so, and what is.
        message = str(UnsupportedOperationError(target.service_name, name, supported()))
    else:
        message = f"The mock does not know the operation {target.asked!r}."
    if target.protocol == "query":
        if not target.asked:
            # CONFIRMED: the code and status (AWS's Common Errors); the message is the mock's.
            return AWSError("The request has no Action.", code="MissingAction", status=400)
        # INFERRED: the query protocol's name for an unknown Action (AWS's Common Errors).
        return AWSError(message, code="InvalidAction", status=400)
    # CHOICE: 404 for a rest-json path that matches no operation, 400 for an unknown target.
    status = 404 if target.protocol == "rest-json" else 400
    return AWSError(message, code="UnknownOperationException", status=status)


def check(target: Target, method: str, headers: Headers, body: bytes) -> None:
    """Refuse, as AWS would, a request that names no served operation, is not POSTed (JSON
    1.1 and query requests), or whose body is not of its protocol's media type."""
    if target.operation is None:
        raise unknown_operation(target)
    if target.protocol != "rest-json" and method != "POST":
        # CHOICE: the code and status (both protocols are POST only).
        raise AWSError(f"{target.protocol} requests are sent with POST, not {method}.",
                       code="MethodNotAllowed", status=405)
    check_content_type(target.protocol, headers, body)


def check_content_type(protocol: str, headers: Headers, body: bytes) -> None:
    """A body must come with its protocol's media type (parameters ignored).

    CONFIRMED for rest-json by Smithy's malformed-request protocol tests (415,
    ``UnsupportedMediaTypeException``); INFERRED for JSON 1.1 and the query protocol.
    """
    value = headers.get("Content-Type")
    sent = media_type(value)
    if sent == CONTENT_TYPES[protocol] or (not body and not sent):
        return
    raise AWSError(f"Unsupported Media Type: expected {CONTENT_TYPES[protocol]!r}, got "
                   f"{value!r}.",
                   code="UnsupportedMediaTypeException", status=415)


class Outgoing(NamedTuple):
    """How to send one operation's request over HTTP (a forked child's forwarder)."""

    method: str
    path: str
    headers: dict[str, str]


def outgoing(service_name: str, operation: str) -> Outgoing:
    """The method, path and protocol headers of a request for ``service:operation``."""
    protocol = PROTOCOLS[service_name]
    model = _botocore.service_model(service_name)
    content_type = CONTENT_TYPES[protocol]
    if protocol == "json":
        target = f"{model.metadata['targetPrefix']}.{operation}"
        return Outgoing("POST", "/", {"Content-Type": content_type, "X-Amz-Target": target})
    if protocol == "query":
        return Outgoing("POST", "/", {"Content-Type": f"{content_type}; charset=utf-8"})
    http = model.operation_model(operation).http
    return Outgoing(http["method"], http["requestUri"], {"Content-Type": content_type})
