"""AddTags, ListTags and DeleteTags on experiments, trials, trial components and the lineage
artifacts, contexts and actions (by ARN)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ...errors import ValidationError
from ..backend import Collection, Context
from ._common import Params, Response, check_tag_key, tag_dict, tag_list
from .paging import page_of, page_request, with_token

#: CHOICE: ListTags's MaxResults has a model minimum of 50 and no documented default; 50.
LIST_TAGS_DEFAULT_MAX = 50


def _collection(ctx: Context, resource_type: str) -> Collection[Any] | None:
    state = ctx.state
    collections: dict[str, Collection[Any]] = {
        "experiment": state.experiments,
        "experiment-trial": state.trials,
        "experiment-trial-component": state.trial_components,
        "artifact": state.artifacts,
        "context": state.contexts,
        "action": state.actions,
    }
    return collections.get(resource_type)


def resolve(ctx: Context, arn: str) -> tuple[Collection[Any], Any]:
    """The collection and record an ARN names (case-insensitively), in this account and region.

    INFERRED: SageMaker answers AddTags/ListTags on a resource that does not exist (or no longer
    does) with a ValidationException (aws/amazon-sagemaker-feedback#108). CHOICE: the text.
    """
    found = ctx.local(arn)
    if found is not None:
        resource_type, name = found
        collection = _collection(ctx, resource_type)
        if collection is not None:
            record = collection.get(name)
            if record is not None:
                return collection, record
    raise ValidationError(f"Resource {arn} does not exist.")


def add_tags(ctx: Context, params: Params) -> Response:
    collection, record = resolve(ctx, params["ResourceArn"])
    added = tag_dict(params["Tags"])
    merged = {**record.tags, **added}  # an existing key takes the new value (CONFIRMED, docs)
    # CHOICE: past 50 tags AddTags answers ResourceLimitExceeded like the creates do (the model
    # lists no error for AddTags).
    ctx.check_quota("tags_per_resource", len(merged))
    collection.replace(replace(record, tags=merged))
    # CHOICE: the response lists the tags of the request (AWS's docs only say "the tags").
    return {"Tags": tag_list(added)}


def list_tags(ctx: Context, params: Params) -> Response:
    arn: str = params["ResourceArn"]
    page = page_request(ctx, "ListTags", params, ("ResourceArn",),
                        default_max=LIST_TAGS_DEFAULT_MAX)
    _, record = resolve(ctx, arn)
    # CHOICE: tags are listed in the order their keys were first added.
    tags, token = page_of(ctx, page, tag_list(record.tags), key=lambda tag: tag["Key"])
    return with_token({"Tags": tags}, token)


def delete_tags(ctx: Context, params: Params) -> Response:
    collection, record = resolve(ctx, params["ResourceArn"])
    keys: list[str] = params["TagKeys"]
    for key in keys:
        check_tag_key(key)
    # Keys the resource does not have are ignored (CHOICE: AWS's answer is not public).
    doomed = set(keys)
    remaining = {key: value for key, value in record.tags.items() if key not in doomed}
    if len(remaining) != len(record.tags):
        collection.replace(replace(record, tags=remaining))
    return {}
