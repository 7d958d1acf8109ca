"""Helpers shared by the operations: tag rules, not-found errors, API shapes of records."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from ..backend import Collection, Context, R
from ..errors import ResourceNotFound, ValidationError
from ..models import ResourceKind

Params = Mapping[str, Any]
Response = dict[str, Any]

RESERVED_TAG_PREFIX = "aws:"

#: ``CreatedBy``/``LastModifiedBy`` of every record the mock holds. INFERRED: real responses
#: carry them (the SageMaker SDK v2 drops CreatedBy from DescribeTrialComponent's answer,
#: trial_component.py ``_boto_ignore``), and a UserContext only has members for Studio user
#: profiles (and IAM identities for model packages and projects), none of which a plain API
#: caller has: an empty structure, as moto answers too.
USER_CONTEXT: Mapping[str, Any] = MappingProxyType({})

#: What a resource kind is called in AWS's messages.
TYPE_NAMES: Mapping[ResourceKind, str] = {
    "experiment": "Experiment",
    "experiment-trial": "Trial",
    "experiment-trial-component": "TrialComponent",
}


def tag_dict(tags: list[Mapping[str, str]] | None) -> dict[str, str]:
    """Apply AWS's tag rules beyond the model: reserved prefix and duplicate keys."""
    result: dict[str, str] = {}
    if not tags:
        return result
    for tag in tags:
        key = tag["Key"]
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            raise ValidationError(
                f"System prefix '{RESERVED_TAG_PREFIX}' reserved for AWS usage in tag key: {key}"
            )
        if key in result:
            raise ValidationError("Duplicate tag key")
        result[key] = tag["Value"]
    return result


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def not_found(ctx: Context, kind: ResourceKind, name: str) -> ResourceNotFound:
    """``<Type> '<arn>' does not exist.`` (INFERRED wording)."""
    return ResourceNotFound(f"{TYPE_NAMES[kind]} '{ctx.arn(kind, name)}' does not exist.")


def already_exists(kind: ResourceKind, name: str) -> ValidationError:
    """``<Type> with name (<name>) already exists.``: the SageMaker SDK matches 'already exists'."""
    return ValidationError(f"{TYPE_NAMES[kind]} with name ({name}) already exists.")


def require(ctx: Context, collection: Collection[R], kind: ResourceKind, name: str) -> R:
    """The record named ``name`` (any letter case) or AWS's ResourceNotFound."""
    record = collection.get(name)
    if record is None:
        raise not_found(ctx, kind, name)
    return record


def strip_arn(name_or_arn: str) -> str:
    """``ExperimentEntityNameOrArn`` members accept an ARN: keep the name part."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn.rpartition("/")[2]
    return name_or_arn


def timestamp(value: float) -> datetime:
    from datetime import timezone

    return datetime.fromtimestamp(value, timezone.utc)
