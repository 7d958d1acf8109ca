"""Helpers shared by the operations: tag rules, what every create does, not-found errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from ...errors import ResourceNotFound, ValidationError
from ...models import ResourceType
from ..backend import Collection, Context, R

Params = Mapping[str, Any]
Response = dict[str, Any]

RESERVED_TAG_PREFIX = "aws:"

#: ``CreatedBy``/``LastModifiedBy`` of every record the mock holds. INFERRED: real responses
#: carry them (the SageMaker SDK v2 drops CreatedBy from DescribeTrialComponent's answer,
#: trial_component.py ``_boto_ignore``), and a UserContext only has members for Studio user
#: profiles (and IAM identities for model packages and projects), none of which a plain API
#: caller has: an empty structure, as moto answers too.
USER_CONTEXT: Mapping[str, Any] = MappingProxyType({})

#: What AWS's messages call each resource type.
TYPE_NAMES: Mapping[ResourceType, str] = {
    "experiment": "Experiment",
    "experiment-trial": "Trial",
    "experiment-trial-component": "TrialComponent",
    "context": "Context",
    "action": "Action",
}


def check_tag_key(key: str) -> None:
    """AWS reserves the ``aws:`` prefix, in any letter case (CONFIRMED wording, DeleteTags)."""
    if key.lower().startswith(RESERVED_TAG_PREFIX):
        raise ValidationError(
            f"System prefix '{RESERVED_TAG_PREFIX}' reserved for AWS usage in tag key: {key}")


def tag_dict(tags: list[Mapping[str, str]] | None) -> dict[str, str]:
    """Apply AWS's tag rules beyond the model: reserved prefix and duplicate keys."""
    result: dict[str, str] = {}
    for tag in tags or ():
        key = tag["Key"]
        check_tag_key(key)
        if key in result:
            raise ValidationError("Duplicate tag key")
        result[key] = tag["Value"]
    return result


def new_record(ctx: Context, collection: Collection[Any], resource_type: ResourceType,
               name: str, params: Params) -> dict[str, Any]:
    """What every create checks and sets: AWS's tag rules, a name not taken in any letter case,
    the per-resource tag quota; then the fields every new record has."""
    tags = tag_dict(params.get("Tags"))
    if name in collection:
        raise already_exists(resource_type, name)
    ctx.check_quota("tags_per_resource", len(tags))
    return {
        "name": name,
        "arn": ctx.arn(resource_type, name),
        "display_name": params.get("DisplayName") or name,
        "tags": tags,
        "creation_time": ctx.now,
        "last_modified_time": ctx.now,
        "seq": ctx.seq,
    }


def tag_list(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


def update(ctx: Context, collection: Collection[Any], record: Any, **changes: Any) -> None:
    """Store ``record`` (a frozen record) with ``changes`` and a new LastModifiedTime."""
    collection.replace(replace(record, **changes, last_modified_time=ctx.now))


def not_found(ctx: Context, resource_type: ResourceType, name: str) -> ResourceNotFound:
    """``<Type> '<arn>' does not exist.`` (INFERRED wording)."""
    return ResourceNotFound(
        f"{TYPE_NAMES[resource_type]} '{ctx.arn(resource_type, name)}' does not exist.")


def already_exists(resource_type: ResourceType, name: str) -> ValidationError:
    """``<Type> with name (<name>) already exists.``: the SageMaker SDK matches 'already exists'."""
    return ValidationError(f"{TYPE_NAMES[resource_type]} with name ({name}) already exists.")


def require(ctx: Context, collection: Collection[R], resource_type: ResourceType,
            name: str) -> R:
    """The record named ``name`` (any letter case) or AWS's ResourceNotFound."""
    record = collection.get(name)
    if record is None:
        raise not_found(ctx, resource_type, name)
    return record


def timestamp(value: float) -> datetime:
    return datetime.fromtimestamp(value, timezone.utc)
