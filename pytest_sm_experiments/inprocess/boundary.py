"""The boundary: what happens to a request this mock does not answer, while any mock runs.

One rule for every botocore request, from any client and any session:

1. This mock serves the operation: it answers, unsigned (``router.before_send``).
2. Another in-process mock answers it: moto's ``mock_aws``, whose before-send stubber runs after
   the router (or, for a client created before moto was imported, is asked by the transport
   guard here; aiobotocore clients are asked here too, since moto answers them in a form
   aiobotocore cannot read).
3. Its service is named in ``allow_network``: it is sent, signed as the client signs.
   A job-creating call moto answers (CreateTrainingJob, CreateProcessingJob,
   CreateTransformJob) goes through the running service on its way (``Service.job_call``):
   SageMaker makes records of its own for a job with an ``ExperimentConfig``.
4. Its endpoint is on this machine's loopback interface (a moto server, LocalStack): it is sent;
   nothing leaves the machine.
5. Anything else is refused at the transport, before any byte is sent, with an error that names
   the service, the operation and how to serve it.

Signing comes before all of this (botocore signs, then emits before-send), so it has its own
rule: a request of a service not named in ``allow_network`` is signed with the mock's fake
credentials, whatever the client holds (a client made before the mock started holds real ones),
except an access key moto handed out (moto picks the account by it).

The same rule covers HTTP requests made with ``requests`` to AWS hosts (``http_guard.py``: the
SageMaker SDKs' telemetry).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from .. import _botocore, _moto
from ..core.operations import jobs, supported
from ..core.service import RUNNING, Service, process_id
from ..credentials import FAKE_ACCESS_KEY
from ..errors import MockUsageError, RequestRefusedError, UnsupportedOperationError
from ..hosts import AWS_HOST_SUFFIXES, is_aws_host, is_loopback
from ..options import MockOptions
from .ownership import current, idle

#: Attribute put on a prepared request the hook saw but did not answer: (service id, operation).
ROUTE_TAG = "pytest_sm_experiments_route"
#: The services this package mocks (some of their operations): refusals list what is served.
OWN_SERVICES = frozenset({"sagemaker", "sagemaker-metrics"})


#: A region's name as it appears in a host: ``us-east-1``, ``cn-north-1``, ``us-gov-west-1``.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")


@dataclass(frozen=True, slots=True)
class Allowed:
    """The services of ``allow_network``, as each layer names them."""

    names: frozenset[str]
    #: botocore service ids, hyphenated as in event names (``s3``, ``cloudwatch-logs``).
    service_ids: frozenset[str]
    #: Endpoint prefixes (``s3``, ``api.sagemaker``, ``logs``): what a transport knows.
    endpoint_prefixes: frozenset[str]

    def __contains__(self, service: object) -> bool:
        """A request the hook saw, by its botocore service id: exactly the services named
        (``docdb`` shares RDS's endpoint prefix, and allows DocumentDB's requests only)."""
        return service in self.service_ids

    def prefix_allowed(self, service: str) -> bool:
        """A request only the transport saw, by its endpoint prefix (all it knows)."""
        return service in self.service_ids or service in self.endpoint_prefixes

    def allows_host(self, host: str) -> bool:
        """An AWS host of a named service's own endpoints: its endpoint prefix, then at most a
        region (``fips``/``dualstack`` before it), then AWS's domain; a virtual-hosted S3
        bucket before the prefix. ``sagemaker`` does not allow ``api.ecr...`` nor any other
        ``*.api.aws`` host."""
        host = host.lower()
        for suffix in AWS_HOST_SUFFIXES:
            if host.endswith(suffix):
                host = host[:-len(suffix)]
                break
        labels = host.split(".")
        if labels and _REGION.fullmatch(labels[-1]):
            labels.pop()
        if labels and labels[-1] in ("fips", "dualstack"):
            labels.pop()
        return any(labels[-len(wanted):] == wanted
                   for wanted in (prefix.split(".") for prefix in self.endpoint_prefixes))


NOTHING = Allowed(frozenset(), frozenset(), frozenset())


@cache
def resolve(names: frozenset[str]) -> Allowed:
    """``allow_network`` as service ids and endpoint prefixes; an unknown name is misuse."""
    if not names:
        return NOTHING
    service_ids: set[str] = set()
    prefixes: set[str] = set()
    for name in sorted(names):
        # A botocore service id (what a refusal may print) is accepted for the client name of
        # any client seen in a mock.
        model = _botocore.known_service_model(_botocore.CLIENT_NAMES.get(name, name))
        if model is None:
            raise MockUsageError(
                f"allow_network: {name!r} is not a service botocore knows; use the name you "
                f"give boto3.client(), e.g. 's3', 'sts', 'logs', 'sagemaker-runtime'"
            )
        service_ids.add(model.service_id.hyphenize())
        prefixes.add(model.endpoint_prefix)
    return Allowed(frozenset(names), frozenset(service_ids), frozenset(prefixes))


def prepare(options: MockOptions) -> None:
    """Check a mock's options before it starts (``allow_network`` names real services)."""
    resolve(options.allow_network)


def allowed() -> Allowed:
    """The ``allow_network`` of the mock that owns the calling thread (the innermost it runs:
    it answers, so its rules apply); nothing for a thread that belongs to no running mock."""
    service = current()
    return resolve(service.options.allow_network) if service is not None else NOTHING


# -- signing -------------------------------------------------------------------------------------

def hermetic() -> bool:
    """True when credentials must come from the environment the mock set (fake ones) and
    nowhere else: a mock concerns this thread and its allow_network names no service."""
    return not idle() and not allowed().names


def signature(service_id: str, signature_version: Any) -> Any:
    """choose-signer for a request this mock does not answer: None keeps botocore's choice.

    A bearer token (CodeCatalyst, ...) is a credential the fake ones cannot replace, so such a
    request goes unsigned; so does every request on botocore too old to change one request's
    credentials (see ``_botocore.PER_REQUEST_CREDENTIALS``).
    """
    if service_id in allowed():
        return None
    if signature_version == "bearer" or not _botocore.PER_REQUEST_CREDENTIALS:
        return _botocore.UNSIGNED
    return None


def sign(request: Any, request_signer: Any, service_id: str) -> None:
    """before-sign: a request of a service not named in allow_network is signed with the
    mock's fake credentials, unless the client's key is one moto handed out."""
    if not _botocore.PER_REQUEST_CREDENTIALS or service_id in allowed():
        return
    key = _botocore.static_access_key(request_signer)
    if key == FAKE_ACCESS_KEY or (key is not None and _moto.active() and _moto.issued(key)):
        return
    _botocore.sign_with(request, request_signer, _botocore.fake_credentials)


# -- sending -------------------------------------------------------------------------------------

def unanswered(request: Any, service_id: str, operation: str) -> Any:
    """before-send, for a request this mock does not serve: remember what it is (the transport
    only sees bytes), and let moto answer an aiobotocore request in a form aiobotocore reads."""
    setattr(request, ROUTE_TAG, (service_id, operation))
    _away_from_own_endpoint(request, service_id)
    if not _moto.active():
        return None
    aio = _botocore.is_aio_request(request)
    watcher = _watcher(service_id, operation)
    if watcher is not None:
        return _aio_job_call(watcher, request, operation) if aio else _job_call(
            watcher, request, operation, aio=False)
    return _moto.aio_response(request) if aio else None


def _watcher(service_id: str, operation: str) -> Service | None:
    """The service that watches this call (a job-creating call, while a mock of this process
    runs), or None. A process forked while a mock ran leaves it to moto alone: the parent would
    never see the records."""
    service = current()
    if (service is None or service.forked_from is not None
            or not jobs.watched(_service_name(service_id), operation)):
        return None
    return service


def _service_name(service_id: str) -> str:
    """A botocore service id or endpoint prefix (``api.sagemaker``, ``metrics.sagemaker``: what
    a transport knows) as the service's name (``sagemaker``, ``sagemaker-metrics``)."""
    for name in OWN_SERVICES:
        if service_id == _botocore.service_model(name).endpoint_prefix:
            return name
    return service_id


def _job_call(service: Service, request: Any, operation: str, aio: bool) -> Any:
    """moto answers a job-creating call through the service (``Service.job_call``)."""
    region = _botocore.request_region(request) or service.options.region
    reply = service.job_call(operation, request.body, region, process_id(),
                             lambda: _moto.answer(request))
    if reply is None:
        return None
    found = _moto.as_response(request, reply, aio)
    _botocore.mark_answered(request)  # moto's own before-send handler must not answer it again
    return found


async def _aio_job_call(service: Service, request: Any, operation: str) -> Any:
    await _moto.read_body(request)
    return _job_call(service, request, operation, aio=True)


def _away_from_own_endpoint(request: Any, service_id: str) -> None:
    """A request for an operation no mock here serves, addressed to a running mock's own
    endpoint, goes to the service's AWS host instead.

    With ``subprocesses=True`` the mock puts its endpoint into the environment for children, so
    clients the test's process creates meanwhile are addressed to it too. The requests the mock
    serves never leave the process; for the others, the AWS host is what moto recognises (moto
    answers by host name), and what the transport guard refuses with the boundary's own message
    when nothing answers it.
    """
    url = request.url
    for service in RUNNING:
        endpoint = service.endpoint
        if endpoint is not None and url.startswith(endpoint.url):
            region = _botocore.request_region(request) or service.options.region
            request.url = _botocore.aws_url(service_id, region) + url[len(endpoint.url):]
            return


def at_transport(endpoint: Any, request: Any, aio: bool) -> Any:
    """The last step before bytes leave: a response, None to send, or a refusal."""
    if idle():
        return None
    route = getattr(request, ROUTE_TAG, None)
    if route is not None:
        service_id, operation = route
    else:  # a request the router never saw: sent through an Endpoint, not a client's call
        service_id = _service_name(_botocore.endpoint_prefix(endpoint))
        operation = _operation_of(request)
    if _moto.active():
        watcher = _watcher(service_id, operation)
        response = (_job_call(watcher, request, operation, aio) if watcher is not None
                    else _moto.response(request, aio))
        if response is not None:
            return response
    permitted = allowed()
    if (service_id in permitted if route is not None else permitted.prefix_allowed(service_id)
            ) or is_loopback(request.url):
        return None
    raise refusal(service_id, operation, request.url, seen=route is not None)


def direct(url: str) -> bool:
    """A request to ``url`` goes to it without any proxy: while a mock runs, a loopback URL
    (the mock's endpoint, a moto server) is on this machine, and a proxy from the environment
    would take the request off it."""
    return current() is not None and is_loopback(url)


def refusal(service_id: str, operation: str, url: str, seen: bool = True) -> RequestRefusedError:
    """The error for a request refused before any byte was sent."""
    host = urlsplit(url).hostname or url
    if _moto.active():
        served_by = (f"moto's mock_aws is running but did not answer it (moto answers requests "
                     f"to AWS endpoints; this one was for {host}). ")
    else:
        served_by = ("To serve it, start moto's mock_aws beside this mock (in either order); "
                     "moto answers S3, STS, CloudWatch, training jobs and most other services. ")
    opt_out = (f"To send it to AWS on purpose, name its service in allow_network "
               f"(@pytest.mark.sm_experiments(allow_network=[{client_name(service_id)!r}]): "
               f"the name boto3.client() takes). ")
    unseen = ("" if seen else
              "The mock's hook never saw this request (it reached botocore's transport without "
              "going through a client's API call): make it with a botocore or boto3 client. ")
    if service_id in OWN_SERVICES:
        return UnsupportedOperationError(service_id, operation, supported(),
                                         advice=unseen + served_by + opt_out)
    return RequestRefusedError(
        service_id, operation,
        f"pytest-sm-experiments refused {service_id}:{operation} while a mock runs; nothing was "
        f"sent to AWS. The mock serves SageMaker Experiments only. {unseen}{served_by}"
        f"{opt_out}".rstrip(),
    )


def client_name(service_id: str) -> str:
    """The name ``boto3.client()`` takes for botocore service id ``service_id``: what
    ``allow_network`` accepts (``cloudwatch-logs`` -> ``logs``, ``sfn`` -> ``stepfunctions``)."""
    # Every client that calls while a mock runs is in CLIENT_NAMES (``hook.before_call``); an
    # endpoint prefix (a request only the transport saw) is itself accepted for most services.
    return _botocore.CLIENT_NAMES.get(service_id, service_id)


def _operation_of(request: Any) -> str:
    """The operation of a request the router never saw, from what is on the wire."""
    target = request.headers.get("X-Amz-Target")
    if target:
        return str(target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        for pair in body.split("&"):
            key, _, value = pair.partition("=")
            if key == "Action":
                return value
    return f"{request.method} {urlsplit(request.url).path or '/'}"


def check_http(url: str) -> str | None:
    """The rule for an HTTP request made with ``requests`` while a mock runs: a request to an
    AWS host is refused (the message is returned) unless moto runs (its ``responses`` mock
    answers AWS hosts) or a label of the host names a service in allow_network
    (``my-bucket.s3.us-east-1.amazonaws.com`` for ``s3``)."""
    if idle() or _moto.active():
        return None
    host = (urlsplit(url).hostname or "").lower()
    if not is_aws_host(host):
        return None
    if allowed().allows_host(host):
        return None
    return (f"pytest-sm-experiments refused an HTTP request to {host} made with `requests` "
            f"while a mock runs; nothing was sent (the SageMaker SDKs send telemetry this way). "
            f"To serve AWS hosts, start moto's mock_aws; to reach AWS on purpose, name the "
            f"host's service in allow_network.")
