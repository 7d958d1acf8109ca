"""The only module that touches botocore internals (and the one that imports botocore).

Everything version-sensitive lives here: loading service models, registering the hook in
``botocore.handlers.BUILTIN_HANDLERS`` and on existing clients, guarding the transport, signing
with other credentials, and building the response objects botocore (or aiobotocore) parses.
Nothing imports this module while pytest loads the plugin (``plugin.py`` defers the package to
the first use of a mock), so a suite that never uses botocore never imports it.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from types import FrameType
from typing import Any, cast

import botocore
import botocore.configprovider
import botocore.endpoint
import botocore.handlers
import botocore.httpsession
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials as BotocoreCredentials
from botocore.exceptions import UnknownRegionError, UnknownServiceError
from botocore.loaders import create_loader
from botocore.model import OperationModel, ServiceModel
from botocore.regions import EndpointResolver
from botocore.signers import RequestSigner

from .credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN

UNSIGNED = botocore.UNSIGNED

_UNIQUE_ID = "pytest-sm-experiments-router"
#: Modules whose frames can be the event emitter that calls the hook.
_EMITTERS = ("botocore.", "aiobotocore.")

Handler = Callable[..., Any]

@cache
def service_model(service_name: str) -> ServiceModel:
    """The botocore service model, loaded once per process (it is immutable)."""
    loader = create_loader()
    data = loader.load_service_model(service_name, "service-2")
    return ServiceModel(data, service_name=service_name)


def known_service_model(service_name: str) -> ServiceModel | None:
    """The service model of a name botocore knows (``boto3.client()``'s names), else None."""
    try:
        return service_model(service_name)
    except UnknownServiceError:
        return None


def operation_model(service_name: str, operation: str) -> OperationModel:
    return service_model(service_name).operation_model(operation)


def install_builtin_handlers(handlers_by_event: Mapping[str, Handler]) -> None:
    """Put the router into every botocore Session created from now on (idempotent).

    botocore copies BUILTIN_HANDLERS into each new Session; registering first means the mock
    answers before any other before-send hook (moto's included) for the operations it serves.
    """
    handlers = botocore.handlers.BUILTIN_HANDLERS
    # Every mock start calls this: first check that the specs found last time are still where
    # they were (identity, a few list reads) before searching the whole list.
    if _installed and all(index < len(handlers) and handlers[index] is spec
                          for index, spec in _installed):
        return
    first = botocore.handlers.REGISTER_FIRST
    found: list[tuple[int, tuple[str, Handler, Any]]] = []
    for event, handler in handlers_by_event.items():
        spec = (event, handler, first)
        if spec not in handlers:
            handlers.append(spec)
        index = handlers.index(spec)
        found.append((index, handlers[index]))
    _installed[:] = found


#: Where :func:`install_builtin_handlers` last found or put each of its specs.
_installed: list[tuple[int, tuple[str, Handler, Any]]] = []


def attach(client: Any, handlers_by_event: Mapping[str, Handler]) -> None:
    """Register the router on a client whose Session predates :func:`install_builtin_handlers`."""
    events = client.meta.events
    for event, handler in handlers_by_event.items():
        events.register_first(event, handler, unique_id=f"{_UNIQUE_ID}-{event}")


#: botocore service id (hyphenated, as in event names: ``cloudwatch-logs``, ``sfn``) -> the name
#: ``boto3.client()`` takes (``logs``, ``stepfunctions``), for every client that made a call while
#: a mock ran: what a refusal advises and ``allow_network`` accepts. (Mapping every service id
#: would load every model botocore has, seconds of work.)
CLIENT_NAMES: dict[str, str] = {}

#: Put on a client once :func:`ensure_attached` has looked at it.
_ATTACHED_MARK = "__pytest_sm_experiments_attached__"


def ensure_attached(client: Any, handlers_by_event: Mapping[str, Handler]) -> None:
    """Attach the router to ``client`` unless its Session already gave it the router (once per
    client: the answer is kept on the client)."""
    state = vars(client)
    if state.get(_ATTACHED_MARK):
        return
    model = client.meta.service_model
    CLIENT_NAMES[model.service_id.hyphenize()] = model.service_name
    event, handler = next(iter(handlers_by_event.items()))
    emitter = client.meta.events
    trie = getattr(getattr(emitter, "_emitter", emitter), "_handlers", None)
    present = trie is not None and handler in trie.prefix_search(f"{event}.sagemaker.Search")
    if not present:
        attach(client, handlers_by_event)
    state[_ATTACHED_MARK] = True


#: ``before_call(client)``: called before every API call of every client.
ClientGuard = Callable[[Any], None]


def install_client_guard(before_call: ClientGuard) -> None:
    """Wrap ``BaseClient._make_api_call`` (botocore's, and aiobotocore's once it is imported) so
    that ``before_call`` sees every client before its call, whenever its Session was made
    (idempotent)."""
    import botocore.client

    _wrap_call(botocore.client.BaseClient, before_call, aio=False)
    cls = getattr(sys.modules.get("aiobotocore.client"), "AioBaseClient", None)
    if cls is not None:
        _wrap_call(cls, before_call, aio=True)


def _wrap_call(cls: type, before_call: ClientGuard, aio: bool) -> None:
    original = cls.__dict__.get("_make_api_call")
    if original is None or getattr(original, _GUARD_MARK, False):
        return
    call: Any
    if aio:
        async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            before_call(self)
            return await original(self, *args, **kwargs)
    else:
        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            before_call(self)
            return original(self, *args, **kwargs)
    setattr(call, _GUARD_MARK, True)
    call.__wrapped__ = original
    setattr(cls, "_make_api_call", call)  # noqa: B010 (mypy: a method assigned on a class)


#: ``hermetic()``: True when credentials must not be resolved from anything but the environment.
CredentialsGuard = Callable[[], bool]


def install_credentials_guard(hermetic: CredentialsGuard) -> None:
    """Wrap ``CredentialResolver.load_credentials`` (and aiobotocore's once imported): while
    ``hermetic()``, only the environment provider is asked (a mock puts fake credentials
    there), and the mock's fake credentials stand in when it has none. No profile's
    ``credential_process``, SSO cache, role assumption or metadata service is consulted."""
    import botocore.credentials

    _wrap_resolver(botocore.credentials.CredentialResolver, hermetic, aio=False)
    cls = getattr(sys.modules.get("aiobotocore.credentials"), "AioCredentialResolver", None)
    if cls is not None:
        _wrap_resolver(cls, hermetic, aio=True)


def _wrap_resolver(cls: type, hermetic: CredentialsGuard, aio: bool) -> None:
    original = cls.__dict__.get("load_credentials")
    if original is None or getattr(original, _GUARD_MARK, False):
        return
    load: Any
    if aio:
        async def load(self: Any) -> Any:
            if not hermetic():
                return await original(self)
            for provider in self.providers:
                if provider.METHOD == "env":
                    found = await provider.load()
                    if found is not None:
                        return found
            return fake_credentials(True)
    else:
        def load(self: Any) -> Any:
            if not hermetic():
                return original(self)
            for provider in self.providers:
                if provider.METHOD == "env":
                    found = provider.load()
                    if found is not None:
                        return found
            return fake_credentials(False)
    setattr(load, _GUARD_MARK, True)
    load.__wrapped__ = original
    setattr(cls, "load_credentials", load)  # noqa: B010 (mypy: a method assigned on a class)


# -- the transport: the last step before bytes leave -------------------------------------------

#: ``guard(endpoint, request, aio)``: a response to use instead of sending, None to send, or
#: raise to refuse.
TransportGuard = Callable[[Any, Any, bool], Any]
_GUARD_MARK = "__pytest_sm_experiments_guard__"


def install_transport_guard(guard: TransportGuard) -> None:
    """Wrap ``Endpoint._send`` (botocore's, and aiobotocore's once it is imported) so that
    ``guard`` sees every request about to be sent, from any client, hooked or not (idempotent:
    each class is wrapped once)."""
    _wrap_send(botocore.endpoint.Endpoint, guard, aio=False)
    # getattr: a post-import hook may run while another aiobotocore module is half imported.
    cls = getattr(sys.modules.get("aiobotocore.endpoint"), "AioEndpoint", None)
    if cls is not None:
        _wrap_send(cls, guard, aio=True)


def _wrap_send(cls: type, guard: TransportGuard, aio: bool) -> None:
    original = cls.__dict__.get("_send")
    if original is None or getattr(original, _GUARD_MARK, False):
        return
    send: Any
    if aio:
        async def send(self: Any, request: Any) -> Any:
            response = guard(self, request, True)
            if response is not None:
                return response
            return await original(self, request)
    else:
        def send(self: Any, request: Any) -> Any:
            response = guard(self, request, False)
            if response is not None:
                return response
            return original(self, request)
    setattr(send, _GUARD_MARK, True)
    send.__wrapped__ = original
    setattr(cls, "_send", send)  # noqa: B010 (mypy: a method assigned on a class)


def install_proxy_bypass(direct: Callable[[str], bool]) -> None:
    """Wrap botocore's ``ProxyConfiguration.proxy_url_for`` (aiobotocore's sessions use the same
    class) so that a request to a URL ``direct`` accepts never goes through a proxy, whatever
    ``HTTP_PROXY``/``HTTPS_PROXY`` said when its client was made (idempotent)."""
    cls = botocore.httpsession.ProxyConfiguration
    original = cls.__dict__["proxy_url_for"]
    if getattr(original, _GUARD_MARK, False):
        return

    def proxy_url_for(self: Any, url: str) -> Any:
        return None if direct(url) else original(self, url)

    setattr(proxy_url_for, _GUARD_MARK, True)
    proxy_url_for.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(cls, "proxy_url_for", proxy_url_for)  # noqa: B010 (mypy: a method on a class)


def install_endpoint_filter(ignored: Callable[[str], bool]) -> None:
    """Make clients of this process ignore a global ``AWS_ENDPOINT_URL`` that ``ignored``
    accepts (one a running mock set for its child processes), as if it were unset: botocore's
    ``ConfiguredEndpointProvider`` reads it (idempotent; nothing happens on a botocore without
    that provider)."""
    cls = getattr(botocore.configprovider, "ConfiguredEndpointProvider", None)
    original = getattr(cls, "_get_endpoint_url_environment_global", None)
    if cls is None or original is None or getattr(original, _GUARD_MARK, False):
        return

    def environment_global(self: Any) -> Any:
        found = original(self)
        return None if isinstance(found, str) and ignored(found) else found

    setattr(environment_global, _GUARD_MARK, True)
    environment_global.__wrapped__ = original  # type: ignore[attr-defined]
    setattr(cls, "_get_endpoint_url_environment_global", environment_global)  # noqa: B010


@cache
def _endpoint_resolver() -> EndpointResolver:
    return EndpointResolver(create_loader().load_data("endpoints"))


def partition_of(region: str) -> str:
    """The partition of ``region`` (``aws-us-gov`` for ``us-gov-west-1``): CONFIRMED from
    botocore's endpoints data, the table its clients resolve their endpoints with. CHOICE: a
    region no partition claims is in ``aws``, as botocore then resolves its endpoint there."""
    try:
        return _endpoint_resolver().get_partition_for_region(region)
    except UnknownRegionError:
        return "aws"


def aws_url(service_name: str, region: str) -> str:
    """The service's AWS endpoint in ``region`` (``https://api.sagemaker.eu-west-1.amazonaws.com``),
    as the endpoint prefix in its model names it."""
    prefix = service_model(service_name).endpoint_prefix
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://{prefix}.{region}.{domain}"


def endpoint_prefix(endpoint: Any) -> str:
    """The endpoint prefix of a botocore (or aiobotocore) Endpoint: ``s3``, ``api.sagemaker``."""
    prefix: str = endpoint._endpoint_prefix
    return prefix


# -- signing -------------------------------------------------------------------------------------

def _supports_request_credentials() -> bool:
    """botocore from 1.34.5x on signs with ``request.context['signing']['request_credentials']``
    when set; older botocore has no way to change one request's credentials."""
    return "request_credentials" in inspect.signature(RequestSigner.get_auth_instance).parameters


PER_REQUEST_CREDENTIALS = _supports_request_credentials()


@cache
def fake_credentials(aio: bool) -> Any:
    """The mock's fake credentials as botocore's (or aiobotocore's) credentials object."""
    if aio:
        from aiobotocore.credentials import AioCredentials

        return AioCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN,
                              method="pytest-sm-experiments")
    return BotocoreCredentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN,
                       method="pytest-sm-experiments")


def sign_with(request: Any, request_signer: Any, credentials_for: Callable[[bool], Any]) -> None:
    """Make botocore sign ``request`` with ``credentials_for(aio)`` instead of the client's."""
    aio = inspect.iscoroutinefunction(type(request_signer).get_auth_instance)
    request.context.setdefault("signing", {})["request_credentials"] = credentials_for(aio)


def static_access_key(request_signer: Any) -> str | None:
    """The access key of a client whose credentials are static (given in code, or resolved
    once), read without refreshing anything; None for refreshable credentials or none."""
    credentials = getattr(request_signer, "_credentials", None)
    if credentials is None:
        return None
    key: str | None = vars(credentials).get("access_key")  # refreshable: a property instead
    return key


@cache
def shared_session() -> Any:
    """One botocore Session for the clients the mock hands out: creating a session and loading
    models is the expensive part of client creation, so tests share it."""
    # Imported here, not at the top: botocore.session's first import is what installs the hook
    # (``autoinstall``), which imports this module.
    import botocore.session

    return botocore.session.Session()


def shared_client(service_name: str, region: str, **kwargs: Any) -> Any:
    """A client with fake credentials (so no credential chain runs) from the shared session."""
    kwargs.setdefault("aws_access_key_id", FAKE_ACCESS_KEY)
    kwargs.setdefault("aws_secret_access_key", FAKE_SECRET_KEY)
    return shared_session().create_client(service_name, region_name=region, **kwargs)


def _aio_config_type() -> type | None:
    return getattr(sys.modules.get("aiobotocore.config"), "AioConfig", None)


def _called_from_coroutine() -> bool:
    """True when the event emitter that called the hook is a coroutine.

    The emitter is the nearest botocore or aiobotocore frame up the stack: whatever sits between
    it and the hook (this package, a wrapper around the hook) is skipped.
    """
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and not frame.f_globals.get("__name__", "").startswith(_EMITTERS):
        frame = frame.f_back
    return frame is not None and bool(frame.f_code.co_flags & inspect.CO_COROUTINE)


def is_aio_request(request: Any) -> bool:
    """True when the request comes from an aiobotocore client.

    Recent botocore puts the request context (with the client's config, an ``AioConfig`` for
    aiobotocore clients) on prepared requests; older botocore (1.34 among them) does not, and
    then the sign is who emitted ``before-send``: aiobotocore's emitter is a coroutine,
    botocore's is not.
    """
    aio_config = _aio_config_type()
    if aio_config is None:
        return False
    context = getattr(request, "context", None)
    if context and "client_config" in context:
        return isinstance(context["client_config"], aio_config)
    return _called_from_coroutine()


class InMemoryBody:
    """A body already in memory, read in parts: the part of urllib3's response that botocore's
    ``StreamingBody`` reads (streaming outputs such as S3 GetObject read it)."""

    __slots__ = ("_data", "_position")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    def read(self, amt: int | None = None, **_: Any) -> bytes:
        start = self._position
        end = len(self._data) if amt is None or amt < 0 else start + amt
        self._position = min(end, len(self._data))
        return self._data[start:self._position]

    def stream(self, amt: int = 1024, **_: Any) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk

    def at_eof(self) -> bool:
        return self._position >= len(self._data)

    def close(self) -> None:
        """Nothing to release: the body is in memory."""


class _AioStream:
    """The part of aiohttp's ``StreamReader`` aiobotocore's streaming bodies read."""

    __slots__ = ("_body",)

    def __init__(self, data: bytes) -> None:
        self._body = InMemoryBody(data)

    async def read(self, amt: int = -1) -> bytes:
        return self._body.read(amt)

    def at_eof(self) -> bool:
        return self._body.at_eof()


class _RawHeaders:
    """The raw response aiobotocore reads: aiohttp's ``raw_headers`` pairs (older aiobotocore
    reads headers there) and ``content``, which streaming outputs (S3 GetObject) read."""

    __slots__ = ("content", "raw_headers", "url")

    def __init__(self, headers: Mapping[str, Any], body: bytes, url: str) -> None:
        self.raw_headers = tuple((str(key).encode(), str(value).encode())
                                 for key, value in headers.items())
        self.content = _AioStream(body)
        self.url = url

    def close(self) -> None:
        """Nothing to release: the body is in memory."""


def make_response(url: str, status: int, headers: Mapping[str, Any], body: bytes,
                  aio: bool) -> AWSResponse:
    """A response botocore parses as if it came off the wire (body pre-read, no socket)."""
    # Any: botocore's stubs type headers as HTTPHeaders and hide _content; both are fine here.
    response: Any
    if aio:
        from aiobotocore.awsrequest import AioAWSResponse

        response = AioAWSResponse(url, status, headers, _RawHeaders(headers, body, url))
    else:
        response = AWSResponse(url, status, headers, None)  # type: ignore[arg-type, unused-ignore]
    response._content = body
    return cast(AWSResponse, response)


def streaming_response(url: str, status: int, headers: Mapping[str, Any],
                       body: bytes) -> AWSResponse:
    """A response whose body is read from a stream, as from the wire: streaming outputs (S3
    GetObject) read it that way."""
    raw: Any = InMemoryBody(body)
    wire_headers: Any = headers
    return AWSResponse(url, status, wire_headers, raw)


#: Where an answered request points once the mock has answered it (see :func:`mark_answered`).
ANSWERED_URL = "https://answered.pytest-sm-experiments.invalid/"


def mark_answered(request: Any) -> None:
    """Point an answered request at a host that cannot exist.

    botocore's ``emit`` runs every before-send handler even after one has answered, so another
    mock registered beside this one (moto's ``mock_aws``) would also act on the request and
    could fail on it. No other handler matches this URL, and botocore builds a fresh request for
    each retry, so the original URL is never needed again.
    """
    request.url = ANSWERED_URL


def request_region(request: Any) -> str | None:
    """The region the client was created for, when botocore puts it in the request context."""
    context = getattr(request, "context", None)
    if context:
        region = context.get("client_region")
        if isinstance(region, str):
            return region
    return None
