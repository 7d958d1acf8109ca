"""Requests the mock does not serve, from processes it serves: answered as the test's own
process would answer them.

A child of a mock with ``subprocesses=True`` sends every AWS request to the endpoint
(``AWS_ENDPOINT_URL``, see ``children``). What the mock serves it answers; anything else is
what the test's process would leave to moto: while moto's ``mock_aws`` runs in that process, the
request is handed to moto's stubber there (addressed to the service's AWS host, which is what
moto answers by); otherwise it is refused, in the protocol of the service it was for, and
never sent anywhere. A job-creating call moto answers goes through ``Service.job_call`` on its
way (SageMaker makes records of its own for a job with an ``ExperimentConfig``), and a
``Search`` of a resource the mock does not hold goes to moto, as in the test's process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from botocore.awsrequest import AWSRequest

from .. import _botocore, _moto
from ..core.codec import encode_error
from ..core.operations import jobs
from ..core.service import Reply, Route, Service, delegated, request_id
from ..errors import AWSError
from .routing import Target

#: How a refusal reads: (service, operation, url) -> the message (the test's process gives its
#: boundary's own words; a standalone server its own).
Refusal = Callable[[str, str, str], str]

#: Services whose errors are XML documents of their own shapes (not the query protocol's).
_REST_XML = frozenset({"s3", "s3-outposts", "cloudfront", "route53"})
_EC2 = frozenset({"ec2"})


def standalone_refusal(service: str, operation: str, url: str) -> str:
    """A standalone server's refusal: it serves SageMaker Experiments and nothing else."""
    return (f"pytest-sm-experiments serves SageMaker Experiments only; {service}:{operation} "
            f"was not sent anywhere.")


def aws_url(target: Target, signing_name: str, region: str, path: str) -> str:
    """The AWS URL the request would have gone to: what moto recognises a service by.

    A served service's own endpoint prefix (``api.sagemaker``); for any other, its signing
    name (``s3``, ``logs``, ``monitoring``, ``dynamodb``: INFERRED, the endpoint prefix of most
    services is their signing name).
    """
    if target.service_name and signing_name in ("sagemaker", "sts"):
        base = _botocore.aws_url(target.service_name, region)
    else:
        domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        base = f"https://{signing_name}.{region}.{domain}"
    return base + path


def operation_name(target: Target) -> str:
    """The operation a request names (``CreateTrainingJob``), or its method and path."""
    if target.protocol == "json":
        return target.asked.rpartition(".")[2]
    return target.asked


def ask_moto(method: str, url: str, headers: Iterable[tuple[str, str]], body: bytes
             ) -> Reply | None:
    """moto's answer to the request (None: moto does not run, or does not answer it)."""
    if not _moto.active():
        return None
    host = url.split("/", 3)[2]
    kept = {name: value for name, value in headers
            if name.lower() not in ("host", "content-length", "connection")}
    kept["Host"] = host
    request: Any = AWSRequest(method=method, url=url, data=body, headers=kept).prepare()
    try:
        return _moto.answer(request)
    except Exception as error:  # moto's own failure: an AWS-shaped 500, not a dropped socket
        return encode_error("json", AWSError(
            f"moto's mock_aws failed to answer this request: {type(error).__name__}: {error}",
            code="InternalFailure", status=500), request_id())


def answer(service: Service, target: Target, signing_name: str, method: str, path: str,
           headers: Iterable[tuple[str, str]], body: bytes, region: str, pid: int | None,
           refusal: Refusal) -> Reply:
    """The reply to a request for an operation the mock does not serve."""
    url = aws_url(target, signing_name, region, path)
    operation = operation_name(target)
    listed = list(headers)

    def ask() -> Reply | None:
        return ask_moto(method, url, listed, body)

    reply: Reply | None
    if target.service_name == jobs.SERVICE and signing_name == "sagemaker" and jobs.watched(
            jobs.SERVICE, operation) and _moto.active():
        reply = service.job_call(operation, body, region, pid, ask)
    else:
        reply = ask()
    if reply is not None:
        return reply
    error = AWSError(refusal(signing_name, operation, url), code="RequestRefused", status=400)
    return refuse(target.protocol, signing_name, error)


def delegated_search(route: Route, method: str, path: str, target: Target,
                     headers: Iterable[tuple[str, str]], body: bytes, region: str
                     ) -> Reply | None:
    """moto's answer to a ``Search`` of a resource the mock does not hold, or None (the
    service then refuses it, as it does in the test's process without moto)."""
    if not delegated(route, body):
        return None
    return ask_moto(method, aws_url(target, "sagemaker", region, path), headers, body)


def refuse(protocol: str, signing_name: str, error: AWSError) -> Reply:
    """``error`` in the shape the service's SDK parses: S3's and EC2's XML, else the request's
    protocol (JSON 1.1, rest-json, query)."""
    rid = request_id()
    if signing_name in _REST_XML or signing_name in _EC2:
        code, message = _xml(error.code), _xml(error.message)
        if signing_name in _EC2:
            text = (f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>"
                    f"</Error></Errors><RequestID>{rid}</RequestID></Response>")
        else:
            text = (f"<Error><Code>{code}</Code><Message>{message}</Message>"
                    f"<RequestId>{rid}</RequestId></Error>")
        return error.status, {"Content-Type": "application/xml", "x-amz-request-id": rid,
                              "x-amzn-RequestId": rid}, text.encode()
    return encode_error(protocol, error, rid)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
