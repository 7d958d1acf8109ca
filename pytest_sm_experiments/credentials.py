"""The mock's credentials: the fake ones every mock signs with and puts in the environment, and
the shape of an endpoint's own (its access key, secret and session token).

Leaf module: standard library only.
"""

from __future__ import annotations

from typing import NamedTuple

#: Obviously fake credentials: they identify a mocked request in any log.
FAKE_ACCESS_KEY = "AKIAMOCKSMEXPERIMENTS"
FAKE_SECRET_KEY = "pytest-sm-experiments-fake-secret-key"
FAKE_SESSION_TOKEN = "pytest-sm-experiments-fake-session-token"


class Credentials(NamedTuple):
    """An access key, its secret and the session token clients may send (None: no token)."""

    access_key: str
    secret_key: str
    token: str | None = None
