"""A SageMaker Python SDK ``Session`` bound to the mock: what the ``sm_session`` fixture gives.

Building a ``Session`` is slow (a boto3 session, five clients and an S3 resource, the SDK's
config schema: BENCHMARKS.md, "The SageMaker SDK"), so one is built per region and handed to
every test, as ``sm_client`` is: its clients hold no state and the router answers each call
from the mock that runs at the time. What the ``Session`` itself caches per account (the
default bucket's name) is forgotten before each test.

The SDK is the one installed: v3 (``sagemaker-core``'s ``sagemaker.core``) if present, else
v2 (``sagemaker`` < 3). The ``Session`` loads the user's SDK config as any ``Session`` does
(the defaults files and ``SAGEMAKER_*_CONFIG_OVERRIDE``, read when the region's session is
first built); the fixture adds none of its own: the boundary silences the SDKs' telemetry
while a mock runs, and a config of the fixture's own made every ``Run`` validate it against
the SDK's JSON schema (BENCHMARKS.md).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

from .credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY
from .errors import MockUsageError

#: Where each SDK generation keeps its ``Session`` class, newest first.
SESSION_CLASSES = (
    ("sagemaker.core.helper.session_helper", "Session"),  # v3: sagemaker-core 2.x
    ("sagemaker.session", "Session"),  # v2: sagemaker < 3
)


def session_class() -> type:
    """The installed SDK's ``Session`` class; MockUsageError when no SDK is installed."""
    for module_name, class_name in SESSION_CLASSES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found: type = getattr(module, class_name)
        return found
    raise MockUsageError(
        "the sm_session fixture needs the SageMaker Python SDK: pip install sagemaker-core "
        "(v3, sagemaker.core) or 'sagemaker<3' (v2)")


def build_session(region: str) -> Any:
    """A new SDK ``Session`` in ``region`` with fake credentials and the user's SDK config."""
    import boto3

    boto_session = boto3.Session(region_name=region, aws_access_key_id=FAKE_ACCESS_KEY,
                                 aws_secret_access_key=FAKE_SECRET_KEY)
    return session_class()(boto_session=boto_session)


def shared_session(cache: dict[Any, Any], region: str) -> Any:
    """The cached ``Session`` of ``region``, its per-account state forgotten.

    A botocore session copies botocore's builtin handlers when it is built, and moto puts its
    hook there when it is imported: moto (if installed) is imported first, so a test that
    starts ``mock_aws`` after taking the fixture has its S3 calls answered by moto. The cache
    is keyed by the number of builtin handlers too, for other libraries that add one later.
    """
    import botocore.handlers  # deferred: the plugin imports this module at start-up

    if "moto" not in sys.modules and importlib.util.find_spec("moto") is not None:
        importlib.import_module("moto")
    key = (region, len(botocore.handlers.BUILTIN_HANDLERS))
    session = cache.get(key)
    if session is None:
        session = cache[key] = build_session(region)
    # The default bucket's name holds the account id, and the bucket lives in the S3 of one
    # test (moto's): every test resolves it again.
    session._default_bucket = None
    session._default_bucket_set_by_sdk = False
    return session
