"""Who may use the endpoint: SigV4 signatures checked (and made) with botocore's own signer.

The endpoint answers only requests signed with its credentials. The signature is not
re-implemented here: the request as received is rebuilt from the headers it signed and
botocore's ``SigV4Auth`` computes the signature it should carry, which is compared in constant
time. Forked children sign what they forward with the same signer.

"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotocoreCredentials

from ..arns import REGION
from ..credentials import Credentials
from ..errors import AWSError
from .routing import Headers

# The Authorization header of a SigV4 request:
#   AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/<service>/aws4_request,
#   SignedHeaders=<a;b;c>, Signature=<64 hex digits>
_ALGORITHM = "AWS4-HMAC-SHA256"
_PART = re.compile(r"\s*(Credential|SignedHeaders|Signature)=([^,\s]*)\s*")
_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_HEX_SIGNATURE = re.compile(r"[0-9a-f]{64}")

# CONFIRMED wording (public error samples of AWS services); the codes differ by protocol:
# JSON services name them like exceptions, query services (STS) do not.
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. Check your "
    "AWS Secret Access Key and signing method. Consult the service documentation for details."
)
_UNKNOWN_KEY = "The security token included in the request is invalid."
_MISSING = ("The request must contain either a valid (registered) AWS access key ID or X.509 "
            "certificate.")
_CODES: Mapping[bool, Mapping[str, str]] = {
    False: {"missing": "MissingAuthenticationTokenException",
            "incomplete": "IncompleteSignatureException",
            "unknown_key": "UnrecognizedClientException",
            "signature": "InvalidSignatureException",
            "expired": "InvalidSignatureException"},
    True: {"missing": "MissingAuthenticationToken",
           "incomplete": "IncompleteSignature",
           "unknown_key": "InvalidClientTokenId",
           "signature": "SignatureDoesNotMatch",
           "expired": "SignatureDoesNotMatch"},
}


#: CONFIRMED: AWS accepts a signing time up to 15 minutes either side of its clock (the SigV4
#: documentation; the messages below quote "- 15 min." / "+ 5 min." windows as services set them).
SKEW = timedelta(minutes=15)
_STAMP = "%Y%m%dT%H%M%SZ"

#: The endpoint keys of the mocks of this package: AKIA, then SMX, the port of the endpoint the
#: key was made for (5 digits), and 8 random characters (20 in all, as AWS's). A key names its
#: endpoint, so any endpoint can tell a client of a stopped mock what happened.
_MINTED = re.compile(r"AKIASMX([0-9]{5})[A-Z2-7]{8}")


def mint(port: int) -> str:
    """A fresh access key for the endpoint listening on ``port``."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return f"AKIASMX{port:05d}" + "".join(secrets.choice(alphabet) for _ in range(8))


def minted_for(access_key: str) -> int | None:
    """The port of the endpoint ``access_key`` was made for, if :func:`mint` made it."""
    match = _MINTED.fullmatch(access_key)
    return int(match[1]) if match else None


def scope(headers: Headers) -> tuple[str, str] | None:
    """The region and service a request is signed for (its Authorization's credential scope),
    or None when it has no readable one (``verify`` then says what is wrong)."""
    authorization = headers.get("Authorization") or ""
    found = re.search(r"Credential=[^/,\s]*/[0-9]{8}/([^/,\s]+)/([^/,\s]+)/aws4_request",
                      authorization)
    return (found[1], found[2]) if found else None


def access_key(headers: Headers) -> str | None:
    """The access key a request says it is signed with, or None."""
    found = re.search(r"Credential=([^/,\s]+)/", headers.get("Authorization") or "")
    return found[1] if found else None


class SignatureError(AWSError):
    """The request is not signed with the endpoint's credentials: AWS's 403 (400 if malformed)."""

    status = 403


def _error(query: bool, kind: str, message: str) -> SignatureError:
    # CONFIRMED (AWS's Common Errors): IncompleteSignature is a 400, the others 403; an
    # expired signature is a 400 from JSON services (see _check_time), a 403 from STS.
    status = 400 if kind == "incomplete" or (kind == "expired" and not query) else 403
    return SignatureError(message, code=_CODES[query][kind], status=status)


def verify(method: str, target: str, headers: Headers, body: bytes,
           credentials: Credentials, signing_name: str, query: bool = False,
           now: datetime | None = None) -> str:
    """Check the SigV4 signature of a request received as ``method target`` (path and query
    string as sent) with ``headers`` and ``body``; raise :class:`SignatureError` as AWS would.
    Returns the region the request was signed for.

    ``headers`` look names up in any letter case (the server's ``email.message.Message``).
    ``query``: shape the error codes as a query-protocol service (STS) names them.
    ``now``: the endpoint's clock (the current time unless a test gives one).
    """
    authorization = headers.get("Authorization")
    if not authorization:
        raise _error(query, "missing", _MISSING)
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != _ALGORITHM:
        raise _error(query, "incomplete",
                     f"Unsupported AWS 'algorithm': {algorithm!r}; only {_ALGORITHM} is accepted.")
    parts: dict[str, str] = {}
    for item in rest.split(","):
        match = _PART.fullmatch(item)
        if match is None:
            raise _error(query, "incomplete",
                         f"'{item.strip()}' not a valid key=value pair (missing equal-sign) in "
                         f"Authorization header: '{authorization}'.")
        parts[match[1]] = match[2]
    for name in ("Credential", "SignedHeaders", "Signature"):
        if not parts.get(name):
            raise _error(query, "incomplete",
                         f"Authorization header requires '{name}' parameter. "
                         f"Authorization={authorization}")
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise _error(query, "incomplete",
                     f"Credential must have exactly 5 slash-delimited elements, e.g. "
                     f"keyid/date/region/service/term, got '{parts['Credential']}'")
    access_key, scope_date, region, service, _term = scope
    if not hmac.compare_digest(access_key.encode(), credentials.access_key.encode()):
        raise _error(query, "unknown_key", _unknown_key(access_key, credentials))
    token = headers.get("X-Amz-Security-Token")
    if (token is None) != (credentials.token is None) or (
            token is not None and credentials.token is not None
            and not hmac.compare_digest(token.encode(), credentials.token.encode())):
        # CONFIRMED: temporary credentials are refused without their session token, with the
        # message of an unknown key (UnrecognizedClientException / InvalidClientTokenId).
        raise _error(query, "unknown_key", _UNKNOWN_KEY)
    timestamp = headers.get("X-Amz-Date")
    if timestamp is None:
        raise _error(query, "incomplete", "Authorization header requires existence of either a "
                                          "'X-Amz-Date' or a 'Date' header.")
    if not _DATE.fullmatch(timestamp):
        raise _error(query, "incomplete", f"X-Amz-Date must be in the ISO8601 Long Format "
                                          f"(yyyyMMdd'T'HHmmss'Z'), got '{timestamp}'")
    if scope_date != timestamp[:8]:
        raise _error(query, "signature", f"Date in Credential scope does not match YYYYMMDD "
                                         f"from ISO-8601 version of date from HTTP: "
                                         f"'{scope_date}' != '{timestamp[:8]}', from "
                                         f"'{timestamp}'.")
    _check_time(query, timestamp, now)
    if not REGION.fullmatch(region):
        raise _error(query, "signature",
                     f"Credential should be scoped to a valid region, not '{region}'. ")
    if service != signing_name:
        raise _error(query, "signature",
                     f"Credential should be scoped to correct service: '{signing_name}'. ")
    sent = headers.get("X-Amz-Content-SHA256")
    if sent is not None and not hmac.compare_digest(
            sent.encode(), hashlib.sha256(body).hexdigest().encode()):
        raise _error(query, "signature", _BAD_SIGNATURE)
    signed_names = parts["SignedHeaders"].split(";")
    signed = [(name, headers.get(name)) for name in signed_names]
    if any(value is None for _, value in signed):
        raise _error(query, "signature", _BAD_SIGNATURE)
    expected = _signature(method, target, signed, body, timestamp, region, service, credentials)
    provided = parts["Signature"]
    if not (_HEX_SIGNATURE.fullmatch(provided)
            and hmac.compare_digest(provided.encode(), expected.encode())):
        raise _error(query, "signature", _BAD_SIGNATURE)
    return region


def _unknown_key(access_key: str, credentials: Credentials) -> str:
    """AWS's message for a key it does not know, and what the mock knows about it: a key made
    for another endpoint of this package belongs to a mock that stopped (its port is now
    someone else's)."""
    port = minted_for(access_key)
    if port is None or minted_for(credentials.access_key) is None:
        return _UNKNOWN_KEY
    return (f"{_UNKNOWN_KEY} It is the key of the pytest-sm-experiments mock that listened on "
            f"port {port}, which has stopped: this endpoint is another mock's. A client made "
            f"while that mock ran keeps its endpoint and keys; make a new one.")


def _check_time(query: bool, timestamp: str, now: datetime | None) -> None:
    """A signing time more than :data:`SKEW` from the endpoint's clock is refused (a captured
    request cannot be replayed later), as AWS words it.

    CONFIRMED wording and code: "Signature expired: 20140325T143453Z is now earlier than
    20140325T143751Z (20140325T145251Z - 15 min.)", InvalidSignatureException, HTTP 400
    (aws/aws-sdk-js#254); "Signature not yet current: 20181002T170509Z is still later than
    20181002T170312Z (20181002T165812Z + 5 min.)" (aws/aws-sdk-go#2194, status 400); STS says
    the same as SignatureDoesNotMatch (aws/aws-cli#6676).
    """
    try:
        signed = datetime.strptime(timestamp, _STAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        raise _error(query, "incomplete", f"X-Amz-Date must be in the ISO8601 Long Format "
                                          f"(yyyyMMdd'T'HHmmss'Z'), got '{timestamp}'") from None
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    if signed < now - SKEW:
        raise _error(query, "expired",
                     f"Signature expired: {timestamp} is now earlier than "
                     f"{(now - SKEW).strftime(_STAMP)} ({now.strftime(_STAMP)} - 15 min.)")
    if signed > now + SKEW:
        raise _error(query, "expired",
                     f"Signature not yet current: {timestamp} is still later than "
                     f"{(now + SKEW).strftime(_STAMP)} ({now.strftime(_STAMP)} + 15 min.)")


def _signature(method: str, target: str, signed: list[tuple[str, str | None]], body: bytes,
               timestamp: str, region: str, service: str, credentials: Credentials) -> str:
    """The signature botocore's SigV4 signer gives this request (only its signed headers)."""
    # botocore reads the path and the query string from the URL; the host part is not used
    # (the Host header is among the signed ones).
    request: Any = AWSRequest(method=method, url=f"http://signed.invalid{target}",
                              data=body, headers=dict(signed))
    request.context["timestamp"] = timestamp
    signer = SigV4Auth(_botocore_credentials(credentials), service, region)
    canonical = signer.canonical_request(request)
    return str(signer.signature(signer.string_to_sign(request, canonical), request))


def _botocore_credentials(credentials: Credentials) -> Any:
    return BotocoreCredentials(credentials.access_key, credentials.secret_key,
                               credentials.token)


def sign(method: str, url: str, headers: Mapping[str, str], body: bytes, region: str,
         service: str, credentials: Credentials) -> dict[str, str]:
    """The headers of a request signed by botocore's SigV4 signer (what a client would send)."""
    request: Any = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    SigV4Auth(_botocore_credentials(credentials), service, region).add_auth(request)
    return {str(name): str(value) for name, value in request.headers.items()}
