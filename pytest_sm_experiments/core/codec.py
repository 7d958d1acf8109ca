"""The wire, both ways: request bodies in, response bodies out, per protocol.

SageMaker speaks JSON 1.1, sagemaker-metrics rest-json and STS the query protocol. Decoding and
encoding live together because both are keyed by the same protocol table.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from ..errors import AWSError, ValidationError


def _escape(text: str) -> str:
    """XML character data: ``&``, ``<`` and ``>`` escaped. ``xml.sax.saxutils.escape`` does the
    same but imports ``urllib.request``, which every start-up would then pay for."""
    return html.escape(text, quote=False)


PROTOCOLS: Mapping[str, str] = {
    "sagemaker": "json",
    "sagemaker-metrics": "rest-json",
    "sts": "query",
}

_CONTENT_TYPES = {
    "json": "application/x-amz-json-1.1",
    "rest-json": "application/json",
    "query": "text/xml",
}
_STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(f"cannot encode {type(value).__name__}")


# ASCII output: a lone surrogate (valid in a JSON string, and botocore sends one if the caller's
# str holds it) cannot be encoded as UTF-8, but its \uXXXX escape round-trips through botocore.
# CHOICE: such a string is stored and echoed back (what AWS does with one is not public).
_encode_json = json.JSONEncoder(separators=(",", ":"), default=_default).encode
_decode_json = json.JSONDecoder().decode


def decode(protocol: str, body: bytes | str | None) -> dict[str, Any]:
    """The request parameters; a body AWS could not read is a ValidationException."""
    if not body:
        return {}
    if protocol == "query":
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        return dict(parse_qsl(text, keep_blank_values=True))
    try:
        # botocore sends UTF-8: decoding it here skips json.loads' encoding detection.
        params = _decode_json(body.decode()) if isinstance(body, bytes) else json.loads(body)
    except ValueError:
        try:  # anything else (a BOM, UTF-16/32, encoded surrogates) as json.loads reads it
            params = json.loads(body)
        except ValueError:
            raise ValidationError("Request body could not be parsed as JSON.") from None
    if not isinstance(params, dict):
        raise ValidationError("Request body must be a JSON object.")
    if b"null" in body if isinstance(body, bytes) else "null" in body:
        _drop_null_members(params)
    return params


def _drop_null_members(params: dict[str, Any]) -> None:
    """Forget every object member whose value is JSON ``null``, at any depth.

    CONFIRMED for structures: a JSON 1.1 server treats a null structure member as absent
    (Smithy's protocol test ``AwsJson11ServersDontDeserializeNullStructureValues``; the
    rest-json one says the same). CHOICE: a null map value is dropped too (the served
    operations' maps are dense). A null list item stays, and validation answers it. botocore
    never sends null, so only a body that has the word in it is walked.
    """
    stack: list[Any] = [params]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key in [key for key, item in value.items() if item is None]:
                del value[key]
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def encode_success(protocol: str, operation: str, result: Mapping[str, Any],
                   request_id: str) -> tuple[int, dict[str, str], bytes]:
    headers = {"x-amzn-RequestId": request_id, "Content-Type": _CONTENT_TYPES[protocol]}
    if protocol == "query":
        fields = "".join(f"<{key}>{_escape(str(value))}</{key}>" for key, value in result.items())
        body = (
            f'<{operation}Response xmlns="{_STS_NAMESPACE}"><{operation}Result>{fields}'
            f"</{operation}Result><ResponseMetadata><RequestId>{request_id}</RequestId>"
            f"</ResponseMetadata></{operation}Response>"
        )
        return 200, headers, body.encode()
    return 200, headers, _encode_json(result).encode()


def encode_error(protocol: str, error: AWSError,
                 request_id: str) -> tuple[int, dict[str, str], bytes]:
    headers = {
        "x-amzn-RequestId": request_id,
        "x-amzn-ErrorType": error.code,
        "Content-Type": _CONTENT_TYPES[protocol],
    }
    if protocol == "query":
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{_escape(error.code)}</Code>"
            f"<Message>{_escape(error.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return error.status, headers, body.encode()
    return error.status, headers, _encode_json(
        {"__type": error.code, "Message": error.message}).encode()


def to_json(value: Any) -> bytes:
    """``value`` as compact JSON, timestamps as epoch seconds (as the JSON protocols send them)."""
    return _encode_json(value).encode()
