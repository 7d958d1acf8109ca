"""What a host name or URL is: on this machine's loopback interface, or one of AWS's.

Leaf module: the standard library and urllib3 (botocore's HTTP stack: a URL is read here the way
it will be connected to).
"""

from __future__ import annotations

import ipaddress
import socket
from functools import cache

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

#: Host suffixes of AWS endpoints (commercial, China, dual-stack and the newer api.aws).
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".amazonwebservices.com.cn")


def is_loopback(url: str) -> bool:
    """True for an endpoint on this machine's loopback interface: a request there never leaves
    the machine.

    The URL is parsed by urllib3's ``parse_url``, as botocore's HTTP stack parses it before it
    connects (``urllib.parse`` reads ``http://leak.example\\@127.0.0.1/`` as a request to
    127.0.0.1, urllib3 connects to ``leak.example``). A URL with user information or a
    backslash is never trusted: it only looks local to one of the two readers.
    """
    if "\\" in url:
        return False
    try:
        parsed = parse_url(url)
    except (LocationParseError, ValueError):
        return False
    if parsed.auth is not None or parsed.host is None:
        return False
    return is_loopback_host(parsed.host.removeprefix("[").removesuffix("]"))


def is_loopback_host(host: str) -> bool:
    """True for an address on the loopback interface (127.0.0.0/8, ``::1``; no brackets around
    IPv6), or ``localhost`` when it resolves to loopback addresses only.

    CHOICE: no other name is trusted, whatever it looks like (``evil.localhost`` may resolve
    anywhere, and asking DNS about it is already a request that leaves the machine);
    ``localhost`` is resolved (the hosts file answers it) because a machine may map it
    elsewhere.
    """
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host.lower() != "localhost":
        return False
    return _localhost_is_loopback()


@cache
def _localhost_is_loopback() -> bool:
    try:
        found = socket.getaddrinfo("localhost", None, proto=socket.IPPROTO_TCP)
    except OSError:
        return False
    return bool(found) and all(_loopback_address(entry[4][0]) for entry in found)


def _loopback_address(address: object) -> bool:
    try:
        return ipaddress.ip_address(str(address).partition("%")[0]).is_loopback
    except ValueError:
        return False


def is_aws_host(host: str) -> bool:
    return host.endswith(AWS_HOST_SUFFIXES)
