"""What the installed botocore can do, found out here rather than read from the package under
test (a test's expectation must not come from the code it checks)."""

from __future__ import annotations

import inspect

from botocore.signers import RequestSigner

#: botocore (from 1.34.5x on) signs one request with other credentials when asked to.
PER_REQUEST_CREDENTIALS = (
    "request_credentials" in inspect.signature(RequestSigner.get_auth_instance).parameters)
