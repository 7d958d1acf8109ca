"""Listing and paging for the List* operations: sort, CreatedAfter/CreatedBefore, NextToken.

Pages are read from the backend's sorted indexes (``Collection.by_name`` / ``by_time``), so a
page costs O(log n + page size) whatever the collection size.  A NextToken carries a cursor on
the sort key plus the record's unique ``seq`` (never an offset), so paging resumes at the right
place when records are created or deleted between pages.

Tokens are opaque and unforgeable: the cursor is encrypted with a keystream and authenticated
with an HMAC under the secret of the (account, region) state of one mock, and bound to the
operation and to the parameters that shape the listing (filters, sort, created range).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import operator
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...errors import ValidationError
from ..backend import Collection, Context, R, SortedIndex, TimeEntry, name_key
from ._common import Params, timestamp

#: botocore's default page size for these operations is AWS's: 10 (CONFIRMED, docs).
DEFAULT_MAX_RESULTS = 10
_NONCE = 8
_MAC = 16


def invalid_token(reason: str) -> ValidationError:
    """CHOICE: AWS's wording for a bad NextToken is not public; the mock says what is wrong."""
    return ValidationError(f"Invalid NextToken: {reason}")


@dataclass(frozen=True, slots=True)
class Page:
    """One List request's paging parameters, with the token already verified."""

    operation: str
    fingerprint: str
    by_name: bool
    descending: bool
    created_after: datetime | None
    created_before: datetime | None
    max_results: int
    #: Name sort: ``[name_key]``; CreationTime sort: ``[iso creation time, seq]``
    cursor: list[Any] | None


def page_request(ctx: Context, operation: str, params: Params, members: tuple[str, ...] = (),
                 default_max: int = DEFAULT_MAX_RESULTS) -> Page:
    """Read SortBy/SortOrder/Created*/MaxResults/NextToken (defaults: CreationTime, Descending).

    A NextToken is bound to the operation and to everything that shapes its list: the sort, the
    created range and the request ``members`` that filter it (names compare in any letter case).
    """
    by_name = params.get("SortBy") == "Name"
    descending = params.get("SortOrder", "Descending") == "Descending"
    after = params.get("CreatedAfter")
    before = params.get("CreatedBefore")
    shape = [by_name, descending, after, before, [
        name_key(value) if isinstance(value, str) else value
        for value in (params.get(member) for member in members)]]
    fingerprint = hashlib.sha256(json.dumps(shape).encode()).hexdigest()
    cursor = None
    token = params.get("NextToken")
    if token:  # CHOICE: an empty NextToken is the same as none (the model allows length 0).
        cursor = _open_token(ctx, token, operation, fingerprint)
    return Page(
        operation=operation,
        fingerprint=fingerprint,
        by_name=by_name,
        descending=descending,
        created_after=timestamp(after) if after is not None else None,
        created_before=timestamp(before) if before is not None else None,
        max_results=params.get("MaxResults", default_max),
        cursor=cursor,
    )


def list_page(ctx: Context, page: Page, collection: Collection[R],
              candidates: Iterable[R] | None = None) -> tuple[list[R], str | None]:
    """The records of one page and the NextToken of the next (None on the last page).

    ``candidates`` restricts the listing to a filtered subset (ListTrials by experiment...);
    those are small, so they are sorted per request into a throw-away index.
    """
    if candidates is None:
        names, times = collection.by_name, collection.by_time
    else:
        chosen = list(candidates)
        names = SortedIndex.from_sorted(sorted(name_key(r.name) for r in chosen))
        times = SortedIndex.from_sorted(sorted(
            (r.creation_time, r.seq, name_key(r.name)) for r in chosen))
    keys = _name_keys(page, names) if page.by_name else _time_keys(page, times)
    # CHOICE: CreatedAfter/CreatedBefore are strict bounds ("created after the specified time").
    after, before = page.created_after, page.created_before
    records: list[R] = []
    wanted = page.max_results + 1  # one more than a page tells whether a next page exists
    for key in keys:
        record = collection.get_by_key(key)
        created = record.creation_time
        if (after is not None and created <= after) or (
                before is not None and created >= before):
            continue
        records.append(record)
        if len(records) == wanted:
            break
    if len(records) < wanted:
        return records, None
    del records[page.max_results:]
    last = records[-1]
    cursor: list[Any] = (
        [name_key(last.name)] if page.by_name
        else [last.creation_time.isoformat(), last.seq])
    return records, _seal_token(ctx, page.operation, page.fingerprint, cursor)


def page_of(ctx: Context, page: Page, items: list[Any],
            key: Callable[[Any], str]) -> tuple[list[Any], str | None]:
    """Page a small in-memory list (ListTags, Search) in its given order; the cursor is the last
    item's key and position.

    If the cursor's item was removed between pages, paging resumes at its position: the item
    after it moved up into its place.
    """
    start = 0
    if page.cursor is not None:
        last_key, position = page.cursor
        keys = [key(item) for item in items]
        start = keys.index(last_key) + 1 if last_key in keys else min(position, len(items))
    chunk = items[start:start + page.max_results]
    if start + page.max_results >= len(items):
        return chunk, None
    return chunk, _seal_token(ctx, page.operation, page.fingerprint,
                              [key(chunk[-1]), start + len(chunk) - 1])


def _name_keys(page: Page, index: SortedIndex[str]) -> Iterator[str]:
    # CHOICE: SortBy=Name orders names case-insensitively, as names are unique that way.
    last = None if page.cursor is None else page.cursor[0]
    return index.descending(last) if page.descending else index.ascending(last)


def _time_keys(page: Page, index: SortedIndex[TimeEntry]) -> Iterator[str]:
    """Keys in creation order, starting at the later of the cursor and the created range."""
    after, before = page.created_after, page.created_before
    position: tuple[Any, ...] | None = None
    if page.cursor is not None:
        created, seq = datetime.fromisoformat(page.cursor[0]), page.cursor[1]
        # Ascending resumes at the first entry after (created, seq); descending before it.
        position = (created, seq + 1) if not page.descending else (created, seq)
    if page.descending:
        if before is not None and (position is None or (before,) < position):
            position = (before,)
        entries = index.descending(position)
        for entry in entries:
            if after is not None and entry[0] <= after:
                return
            yield entry[2]
    else:
        if after is not None and (position is None or (after, math.inf) > position):
            position = (after, math.inf)
        entries = index.ascending(position)
        for entry in entries:
            if before is not None and entry[0] >= before:
                return
            yield entry[2]


def seal(ctx: Context, page: Page, cursor: list[Any]) -> str:
    """The NextToken that resumes ``page``'s request after ``cursor`` (JSON, kept sealed)."""
    return _seal_token(ctx, page.operation, page.fingerprint, cursor)


# -- tokens ---------------------------------------------------------------------------------

def _xor(data: bytes, secret: bytes, nonce: bytes) -> bytes:
    """Encrypt or decrypt ``data`` with a keystream drawn from the secret and a nonce."""
    stream = hashlib.shake_256(secret + nonce).digest(len(data))
    return bytes(map(operator.xor, data, stream))


def _seal_token(ctx: Context, operation: str, fingerprint: str, cursor: list[Any]) -> str:
    secret = ctx.state.token_secret
    plain = json.dumps([operation, fingerprint, cursor]).encode()
    nonce = secrets.token_bytes(_NONCE)
    sealed = _xor(plain, secret, nonce)
    mac = hmac.new(secret, nonce + sealed, hashlib.sha256).digest()[:_MAC]
    return base64.urlsafe_b64encode(nonce + sealed + mac).decode()


def _open_token(ctx: Context, token: str, operation: str, fingerprint: str) -> list[Any]:
    secret = ctx.state.token_secret
    try:
        raw = base64.urlsafe_b64decode(token)
        if len(raw) <= _NONCE + _MAC:
            raise ValueError
    except ValueError:  # binascii.Error too
        raise invalid_token("the token is malformed.") from None
    nonce, sealed, mac = raw[:_NONCE], raw[_NONCE:-_MAC], raw[-_MAC:]
    expected = hmac.new(secret, nonce + sealed, hashlib.sha256).digest()[:_MAC]
    if not hmac.compare_digest(mac, expected):
        raise invalid_token("the token was modified, or was not issued by this account and "
                            "region (or was issued before the mock was reset).")
    token_operation, token_fingerprint, cursor = json.loads(_xor(sealed, secret, nonce))
    if token_operation != operation:
        raise invalid_token(f"the token was issued by {token_operation}, not {operation}.")
    if token_fingerprint != fingerprint:
        raise invalid_token(f"the token was issued for a {operation} request with other "
                            "filters or sort parameters; repeat the request with the same "
                            "parameters to get the next page.")
    return list(cursor)


def with_token(response: dict[str, Any], token: str | None) -> dict[str, Any]:
    """A page's response, with ``NextToken`` when there is a next page (none on the last)."""
    if token is not None:
        response["NextToken"] = token
    return response
