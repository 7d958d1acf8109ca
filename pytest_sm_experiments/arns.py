"""Amazon Resource Names: the one place they are built and taken apart.

``arn:<partition>:<service>:<region>:<account>:<resource type>/<resource id>``

Leaf module: standard library only.
"""

from __future__ import annotations

import re
from typing import NamedTuple

#: A region's name, as it appears in ARNs and in a signature's credential scope.
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account_id: str
    resource_type: str
    resource_id: str


def build(partition: str, service: str, region: str, account_id: str, resource: str) -> str:
    """``resource`` is ``<type>/<id>`` (or whatever the service puts after the account)."""
    return f"arn:{partition}:{service}:{region}:{account_id}:{resource}"


def parse(text: str) -> Arn | None:
    """The parts of an ARN whose resource is ``<type>/<id>``; None for anything else."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    resource_type, _, resource_id = parts[5].partition("/")
    if not resource_id:
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], resource_type, resource_id)


def name_of(name_or_arn: str) -> str:
    """A member that takes a name or an ARN (``ExperimentEntityNameOrArn``): the name."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn.rpartition("/")[2]
    return name_or_arn
