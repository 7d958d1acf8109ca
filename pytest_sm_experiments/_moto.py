"""The only module that touches moto: is ``mock_aws`` running, ask its stubber, did it hand out
a key, and its answers as the response objects botocore and aiobotocore read (moto is never
imported here: a process that has not imported it has no moto running).

moto 5 puts one ``BotocoreStubber`` into ``botocore.handlers.BUILTIN_HANDLERS`` when
``moto.core.models`` is first imported and switches it on (``enabled``) while any ``mock_aws``
runs (``moto/core/models.py``: ``_enable_patching`` / ``_disable_patching``).  Clients whose
botocore Session was created before that import do not carry the stubber, so moto alone would
let their requests through; the boundary asks the stubber itself for them.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from . import _botocore

_MODELS = "moto.core.models"


def stubber() -> Any | None:
    """moto's before-send stubber while a ``mock_aws`` runs, else None."""
    module = sys.modules.get(_MODELS)
    if module is None:
        return None
    found = getattr(module, "botocore_stubber", None)
    return found if getattr(found, "enabled", False) else None


def active() -> bool:
    """True while a moto ``mock_aws`` runs in this process."""
    return stubber() is not None


def answer(request: Any) -> tuple[int, dict[str, Any], bytes] | None:
    """moto's answer to a botocore prepared request, or None when moto does not serve it (a
    host outside AWS, or a service moto's own config passes through)."""
    found = stubber()
    if found is None:
        return None
    reply = found.process_request(request)
    if reply is None:
        return None
    status, headers, body = reply
    if isinstance(body, str):
        body = body.encode("utf-8")
    return int(status), dict(headers), bytes(body or b"")


#: A SageMaker job's ARN resource type -> where moto's SageMaker backend keeps such jobs.
_JOB_COLLECTIONS = {"training-job": "training_jobs", "processing-job": "processing_jobs",
                    "transform-job": "transform_jobs"}


def job(arn: str) -> dict[str, Any] | None:
    """moto's description of the SageMaker job ``arn`` (what its Describe*Job answers), or None
    when moto does not hold it (or keeps jobs some other way)."""
    module = sys.modules.get("moto.sagemaker.models")
    parts = arn.split(":", 5)
    if module is None or len(parts) != 6:
        return None
    resource_type, _, name = parts[5].partition("/")
    collection = _JOB_COLLECTIONS.get(resource_type)
    if collection is None:
        return None
    try:
        backend = module.sagemaker_backends[parts[4]][parts[3]]
        found = getattr(backend, collection).get(name)
        described = found.response_object if found is not None else None
    except (AttributeError, KeyError, TypeError):  # another moto layout: nothing to read
        return None
    return dict(described) if isinstance(described, dict) else None


def find_job(name: str) -> str | None:
    """The ARN of the job ``name`` moto holds (any account, region or kind), or None."""
    module = sys.modules.get("moto.sagemaker.models")
    if module is None:
        return None
    try:
        for regions in module.sagemaker_backends.values():
            for backend in regions.values():
                for collection in _JOB_COLLECTIONS.values():
                    found = getattr(backend, collection, {}).get(name)
                    if found is not None:
                        return str(found.arn)
    except (AttributeError, KeyError, TypeError):
        return None
    return None


def issued(access_key: str) -> bool:
    """True when moto handed out ``access_key`` (IAM CreateAccessKey, STS AssumeRole): moto picks
    the account of a request by its key (``moto.iam.models.get_account_id_from``), so such keys
    must reach it unchanged."""
    module = sys.modules.get("moto.iam.models")
    if module is None:
        return False
    try:
        backends = list(module.iam_backends.items())
        partitions = module.PARTITION_NAMES
        return any(access_key in account[partition].access_keys
                   for _, account in backends for partition in partitions)
    except (AttributeError, KeyError, TypeError):  # another moto layout: treat as not moto's
        return False


def response(request: Any, aio: bool) -> Any:
    """moto's answer to ``request`` as botocore's (or aiobotocore's) response object, or None."""
    reply = answer(request)
    if reply is None:
        return None
    return as_response(request, reply, aio)


def as_response(request: Any, reply: tuple[int, dict[str, Any], bytes], aio: bool) -> Any:
    """A reply to ``request`` as the response object its client reads (an aiobotocore request
    is then marked answered: see ``_botocore.mark_answered``)."""
    status, headers, body = reply
    url = request.url
    if not aio:
        return _botocore.streaming_response(url, status, headers, body)
    found = _botocore.make_response(url, status, headers, body, aio=True)
    _botocore.mark_answered(request)
    return found


async def read_body(request: Any) -> None:
    """Read an aiobotocore request's body into memory: aiobotocore awaits what a before-send
    handler returns, and moto reads request bodies synchronously."""
    body = request.body
    read = getattr(body, "read", None)
    if read is not None and inspect.iscoroutinefunction(read):
        request.body = await read()


async def aio_response(request: Any) -> Any:
    """moto's answer to an aiobotocore request (its body read first)."""
    await read_body(request)
    return response(request, aio=True)
