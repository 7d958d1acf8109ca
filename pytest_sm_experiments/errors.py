"""AWS error types the mock answers with, and the exceptions it raises for misuse.

Leaf module: standard library only. An :class:`AWSError` is never seen by users as a Python
exception; the router renders it as the HTTP 400 JSON body AWS sends, and botocore raises its
own ``ClientError`` (or the modeled subclass) from that, exactly as it would for AWS.
"""

from __future__ import annotations


class AWSError(Exception):
    """An error the service answers with: ``code``, HTTP ``status`` and ``message``."""

    code: str = "InternalFailure"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class ValidationError(AWSError):
    """``ValidationException``: not modeled by SageMaker, so botocore raises a plain ClientError."""

    code = "ValidationException"


class ResourceNotFound(AWSError):
    code = "ResourceNotFound"


class ResourceLimitExceeded(AWSError):
    code = "ResourceLimitExceeded"


def validation_message(failures: list[str]) -> str:
    """AWS's summary line: ``1 validation error detected: a; b`` (plural from two on)."""
    count = len(failures)
    noun = "error" if count == 1 else "errors"
    return f"{count} validation {noun} detected: " + "; ".join(failures)


def quota_message(quota_name: str, limit: int, unit: str, requested_total: int) -> str:
    """AWS's ``ResourceLimitExceeded`` wording.

    The only verbatim sample (aws/amazon-sagemaker-examples#3396, CreateTrial) reports a current
    utilization of 0 and a request delta of the total the request would reach (301 for a limit
    of 300); the mock reproduces that shape for every quota so text matching against AWS holds.
    """
    return (
        f"The account-level service limit '{quota_name}' is {limit} {unit}, with current "
        f"utilization of 0 {unit} and a request delta of {requested_total} {unit}. "
        "Please contact AWS support to request an increase for this limit."
    )


class MockUsageError(Exception):
    """The mock was used wrongly (bad option, stop without start, ...): a bug in the test."""


class RequestRefusedError(MockUsageError):
    """A request no running mock answered, refused before any byte was sent.

    While a mock runs, every botocore request is answered by this mock, by another in-process
    mock (moto's ``mock_aws``), or refused with this error, unless its service was named in
    ``allow_network``. ``service`` and ``operation`` name the request as botocore does (the
    service id, e.g. ``s3``, and the API's operation name, e.g. ``PutObject``).
    """

    def __init__(self, service: str, operation: str, message: str) -> None:
        self.service = service
        self.operation = operation
        super().__init__(message)


class UnsupportedOperationError(RequestRefusedError):
    """A SageMaker operation the mock does not serve, that no other mock answered either.

    Raised instead of sending anything: a mocked test must never reach AWS.
    """

    def __init__(self, service: str, operation: str, supported: list[str],
                 advice: str = "") -> None:
        super().__init__(
            service, operation,
            f"pytest-sm-experiments does not serve {service}:{operation}; nothing was sent to AWS. "
            f"{advice}Supported operations: {', '.join(supported)}",
        )
