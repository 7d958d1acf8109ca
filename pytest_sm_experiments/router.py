"""The hook: decode -> validate -> operate -> encode -> record, for the innermost active mock.

The router is the one process-level object.  It holds no data: ``ACTIVE`` is the stack of
running mocks (innermost last), and with none running each hook is a single check.
"""

from __future__ import annotations

import itertools
import uuid
from typing import TYPE_CHECKING, Any

from . import _botocore
from .backend import Context
from .errors import AWSError, UnsupportedOperationError, ValidationError
from .models import utcnow
from .recorder import RecordedCall
from .validation import Validator
from .wire import PROTOCOLS, decode, encode_error, encode_success

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse

    from .mock import SageMakerExperimentsMock

#: Running mocks, innermost last.  Shared by all threads: code under test may start its own.
ACTIVE: list[SageMakerExperimentsMock] = []

_BEFORE_SEND = len("before-send.")
_validators: dict[tuple[str, str], Validator] = {}
_url_regions: dict[str, str | None] = {}

# CHOICE: request ids are UUID-shaped and unique in the process, not each a fresh random UUID:
# a random (version 4) UUID's first four groups, then a counter as the last group.  A fresh
# uuid4() per call cost more than the rest of the encoding.
_REQUEST_ID_PREFIX = str(uuid.uuid4())[:24]
_request_numbers = itertools.count(1)


class _Route:
    """What serving one operation needs, looked up once per event name."""

    __slots__ = ("handler", "operation", "protocol", "service", "validate")

    def __init__(self, service: str, operation: str, handler: Any, protocol: str,
                 validate: Validator) -> None:
        self.service = service
        self.operation = operation
        self.handler = handler
        self.protocol = protocol
        self.validate = validate


_routes: dict[str, _Route] = {}


def before_send(request: Any, event_name: str, **_: Any) -> AWSResponse | None:
    """``before-send.<service>`` handler: answer from the innermost active mock, if any."""
    if not ACTIVE:
        return None
    return serve(ACTIVE[-1], request, event_name)


def choose_signer(**_: Any) -> Any:
    """``choose-signer.<service>`` handler: requests the mock answers are never signed."""
    return _botocore.UNSIGNED if ACTIVE else None


def install() -> None:
    """Put the dormant router into every botocore Session created from now on."""
    _botocore.install_builtin_handlers(before_send, choose_signer)


def attach(client: Any) -> Any:
    """Route an existing client (created before the plugin loaded) through the mock."""
    _botocore.attach(client, before_send, choose_signer)
    return client


def validator(service: str, operation: str) -> Validator:
    found = _validators.get((service, operation))
    if found is None:
        shape = None
        if PROTOCOLS[service] != "query":
            shape = _botocore.operation_model(service, operation).input_shape
        found = _validators[(service, operation)] = Validator(service, shape)
    return found


def route(event_name: str) -> _Route:
    """The route of ``before-send.<service>.<Operation>``; unserved operations raise."""
    found = _routes.get(event_name)
    if found is None:
        # Imported on the first request, not at install(): the plugin installs the router when
        # a test module imports botocore, and a suite that never starts a mock skips the cost.
        from .operations import OPERATIONS, supported

        service, _, operation = event_name[_BEFORE_SEND:].partition(".")
        handler = OPERATIONS.get((service, operation))
        if handler is None:
            raise UnsupportedOperationError(service, operation, supported())
        found = _routes[event_name] = _Route(service, operation, handler, PROTOCOLS[service],
                                             validator(service, operation))
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


def _too_deep() -> AWSError:
    """CHOICE: a body nested deeper than Python can parse or walk (about 1,000 levels: AWS's
    JSON parsers cap nesting too, at a depth that is not public) is a ValidationException."""
    return ValidationError("Request body is nested too deeply.")


def serve(mock: SageMakerExperimentsMock, request: Any, event_name: str) -> AWSResponse:
    found = route(event_name)
    service, operation, protocol = found.service, found.operation, found.protocol
    region = (_botocore.request_region(request) or region_from_url(request.url)
              or mock.options.region)
    account_id = mock.account_id
    request_id = f"{_REQUEST_ID_PREFIX}{next(_request_numbers):012x}"
    params: dict[str, Any] = {}
    try:
        params = decode(protocol, request.body)
        if mock._injected:
            mock._take_injected_error(operation)
        found.validate(params)
        with mock.lock:
            backend = mock.backend
            ctx = Context(state=backend.state(account_id, region), options=mock.options,
                          region=region, account_id=account_id, now=utcnow(),
                          seq=backend.next_seq())
            result = found.handler(ctx, params)
        status, headers, body = encode_success(protocol, operation, result, request_id)
        call = RecordedCall(operation, params, result, None, None, region, account_id,
                            service, request_id)
    except (AWSError, RecursionError) as raised:
        error = raised if isinstance(raised, AWSError) else _too_deep()
        status, headers, body = encode_error(protocol, error, request_id)
        call = RecordedCall(operation, params, None, error.code, error.message, region,
                            account_id, service, request_id)
    mock._record(call)
    response = _botocore.make_response(request.url, status, headers, body,
                                       _botocore.is_aio_request(request))
    _botocore.mark_answered(request)
    return response
