"""What a host name or URL is: on this machine's loopback interface, or one of AWS's.

Leaf module: standard library only.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

#: Host suffixes of AWS endpoints (commercial, China, dual-stack and the newer api.aws).
AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".amazonwebservices.com.cn")


def is_loopback(url: str) -> bool:
    """True for an endpoint on this machine's loopback interface (``localhost``, 127.0.0.0/8,
    ``::1``): a request there never leaves the machine."""
    host = urlsplit(url).hostname
    return host is not None and is_loopback_host(host)


def is_loopback_host(host: str) -> bool:
    """True for a host name or address on the loopback interface (no brackets around IPv6)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_aws_host(host: str) -> bool:
    return host.endswith(AWS_HOST_SUFFIXES)
