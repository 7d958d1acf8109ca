"""Experiment tracking code as teams write it: the code under test in these examples.

`start` gets or creates an experiment the way the SageMaker Python SDK does: create it, and when
AWS answers ``ValidationException ... already exists``, describe the existing one instead.
"""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError


def start(client: Any, name: str, tags: dict[str, str] | None = None,
          description: str | None = None) -> dict[str, Any]:
    """Create experiment ``name`` (or load it if it exists); return its description."""
    kwargs: dict[str, Any] = {"ExperimentName": name}
    if tags:
        kwargs["Tags"] = [{"Key": key, "Value": value} for key, value in tags.items()]
    if description:
        kwargs["Description"] = description
    try:
        client.create_experiment(**kwargs)
    except ClientError as error:
        err = error.response["Error"]
        if err["Code"] != "ValidationException" or "already exists" not in err["Message"]:
            raise
    return client.describe_experiment(ExperimentName=name)  # type: ignore[no-any-return]


def start_with_retry(client: Any, name: str, attempts: int = 3) -> dict[str, Any]:
    """Like :func:`start`, but rides out a full account quota by retrying later."""
    for attempt in range(attempts):
        try:
            return start(client, name)
        except client.exceptions.ResourceLimitExceeded:
            if attempt == attempts - 1:
                raise
            time.sleep(0)
    raise AssertionError("unreachable")
