"""AWS error types the mock answers with, and the exceptions it raises for misuse.

Leaf module: standard library only. An :class:`AWSError` is never seen by users as a Python
exception; a front door renders it as the HTTP 400 JSON body AWS sends, and botocore raises its
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


class StoppedMockError(RequestRefusedError):
    """A call from a thread whose mock has stopped: a background thread a test started and
    left running. It is never answered by another (later) mock, and nothing is sent."""

    def __init__(self, service: str, operation: str, thread: str, mock: str) -> None:
        self.thread = thread
        self.mock = mock
        super().__init__(
            service, operation,
            f"pytest-sm-experiments refused {service}:{operation} from thread {thread}: the "
            f"thread belongs to {mock}, which has stopped. A call is answered only by the mock "
            f"its thread belongs to (the one running when the thread, or the task it runs, was "
            f"started), never by another test's mock; nothing was sent. Join the thread before "
            f"its mock stops (the end of the test), or start a mock in the thread.",
        )


class UnownedThreadError(RequestRefusedError):
    """A SageMaker Experiments call from a thread that belongs to no mock while mocks run in
    other threads: which mock should answer cannot be known, so none does."""

    def __init__(self, service: str, operation: str, thread: str, running: list[str]) -> None:
        self.thread = thread
        super().__init__(
            service, operation,
            f"pytest-sm-experiments refused {service}:{operation} from thread {thread}: the "
            f"thread belongs to no mock (it was started before any mock ran, or by a thread "
            f"that had none), while other threads run {'; '.join(running)}. A call is answered "
            f"only by the mock of its own thread, or of the thread that started it or submitted "
            f"its task; nothing was sent. Start the thread (or submit the task) while the mock "
            f"runs, or start a mock in the thread.",
        )


_SUBPROCESSES_HINT = (
    "Start the mock with subprocesses=True (@pytest.mark.sm_experiments(subprocesses=True), "
    "mock_sm_experiments(subprocesses=True) or the ini option "
    "sm_experiments_subprocesses = true): calls from child processes, forked ones included, "
    "then reach the parent's mock."
)


class ForkedProcessError(MockUsageError):
    """A call in a process forked from one that runs a mock, which does not serve other processes.

    The child holds a private copy of the parent's mock: answering from it would diverge
    silently (the parent's journal and state would never see the call), so it is refused.
    """

    def __init__(self, pid: int, parent_pid: int, service: str, operation: str) -> None:
        self.pid = pid
        self.parent_pid = parent_pid
        super().__init__(
            f"pytest-sm-experiments: this process (pid {pid}) was forked from pid {parent_pid} "
            f"while a SageMaker Experiments mock ran there; {service}:{operation} was not "
            f"answered from this process's private copy of the mock (the parent would never see "
            f"it) and nothing was sent. {_SUBPROCESSES_HINT}"
        )


class MockUnreachableError(MockUsageError):
    """A forked child could not reach its parent's mock (the parent stopped it, or exited)."""

    def __init__(self, parent_pid: int, url: str, service: str, operation: str,
                 reason: str) -> None:
        self.parent_pid = parent_pid
        self.url = url
        super().__init__(
            f"pytest-sm-experiments: {service}:{operation} from this forked process could not "
            f"reach the mock of pid {parent_pid} at {url} ({reason}); was the mock stopped "
            f"before its child processes finished?"
        )
