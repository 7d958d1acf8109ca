"""While any mock is active, the process is hermetic: no real credential, no shell setting.

* Every ``AWS_*`` variable of the shell is removed (region, profile, endpoint URLs, config
  files, FIPS/dual-stack, retry and SDK settings, ...) except ``AWS_CA_BUNDLE``; fake
  credentials, empty config and credentials files and a disabled instance-metadata service are
  set, and the region of the innermost running mock fills ``AWS_DEFAULT_REGION`` and
  ``AWS_REGION``.  A mock may add variables of its own (``enter(region, extra)``).
* Process-wide caches of sessions that hold credentials read before the mock started are
  emptied: ``boto3.DEFAULT_SESSION`` and the SageMaker SDKs' client caches.

Standard library only: the caches are reached through ``sys.modules``, never imported. The
patch is reference-counted, so nested and overlapping mocks (started and stopped in any order)
restore everything exactly once, when the last one stops.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Mapping
from typing import Any

from ..credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, FAKE_SESSION_TOKEN

_SET = {
    "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY,
    "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_KEY,
    "AWS_SESSION_TOKEN": FAKE_SESSION_TOKEN,
    # No instance-metadata (IMDS) lookup: it is the one network call client creation can make.
    "AWS_EC2_METADATA_DISABLED": "true",
    # No shared config or credentials file: a real profile must never be read.
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_CONFIG_FILE": os.devnull,
}
_REGION_VARS = ("AWS_DEFAULT_REGION", "AWS_REGION")
# CHOICE: the CA bundle stays: it changes no answer a mock gives, and a service named in
# allow_network may need it to reach AWS through a TLS-inspecting proxy.
_KEEP = frozenset({"AWS_CA_BUNDLE"})

#: Caches held in an attribute: (module, owner inside the module or "", attribute, value while
#: a mock runs).  The SDKs build sessions (with the credentials of that moment) lazily and keep
#: them for the life of the process.
_ATTRIBUTE_CACHES: tuple[tuple[str, str, str, Any], ...] = (
    # boto3.client()/resource() create it on first use and reuse it (moto resets it too); see
    # _keep_default for what a mock puts there instead.
    ("boto3", "", "DEFAULT_SESSION", None),
    # SageMaker SDK v3: JumpStart's default session, built on first use.
    ("sagemaker.core.jumpstart.constants", "_LazyJumpStartSagemakerSession", "_resolved", False),
    ("sagemaker.core.jumpstart.constants", "_LazyJumpStartSagemakerSession", "_session", None),
)
#: Caches held in a dict, emptied while a mock runs: the SDKs' process-wide SageMakerClient
#: (v3's per-arguments cache, v2's sagemaker-core singleton) and their CloudWatch Logs client.
_DICT_CACHES: tuple[tuple[str, str, str], ...] = (
    ("sagemaker.core.utils.utils", "_ClientCacheMeta", "_instances"),
    ("sagemaker.core.utils.utils", "SingletonMeta", "_instances"),
    ("sagemaker_core.main.utils", "SingletonMeta", "_instances"),
)


class Entry:
    """One running mock's wishes: its region and the variables it adds (innermost wins)."""

    __slots__ = ("extra", "region")

    def __init__(self, region: str, extra: Mapping[str, str]) -> None:
        self.region = region
        self.extra = dict(extra)


_lock = threading.Lock()
_entries: list[Entry] = []
#: The value each variable we changed had before the first mock started (None: unset).
_saved: dict[str, str | None] = {}
_saved_attributes: list[tuple[Any, str, Any]] = []
_saved_dicts: list[tuple[dict[Any, Any], dict[Any, Any]]] = []
#: The default boto3 session the last mock left, when nothing in it came from a test's own
#: choices (see _pristine); the next mock starts with it.
_hermetic_default: Any = None


def enter(region: str, extra: Mapping[str, str] | None = None) -> Entry:
    """Make the process hermetic for one more running mock; returns the token :func:`leave`
    takes.  ``region`` (and ``extra``) apply while this is the innermost running mock."""
    entry = Entry(region, extra or {})
    with _lock:
        if not _entries:
            _patch()
        else:
            # Innermost wins: what the previous innermost mock added and this one does not
            # (a mock that serves other processes, inside one that does not) goes.
            for key in _entries[-1].extra.keys() - entry.extra.keys():
                _set(key, _baseline(key))
        _entries.append(entry)
        _apply(entry)
    return entry


def leave(entry: Entry) -> None:
    """Undo :func:`enter` for ``entry``: the next innermost mock's wishes apply, and everything
    is restored once the last running mock has stopped."""
    with _lock:
        for index in range(len(_entries) - 1, -1, -1):
            if _entries[index] is entry:
                break
        else:
            return
        innermost = index == len(_entries) - 1
        del _entries[index]
        if not _entries:
            _restore(entry)
        elif innermost:
            top = _entries[-1]
            for key in entry.extra.keys() - top.extra.keys():
                _set(key, _baseline(key))
            _apply(top)


def _patch() -> None:
    environ = os.environ
    _saved.clear()
    # One pass over the names: a lookup per candidate would cost os.environ an exception each.
    for key in [key for key in environ if key[:4] == "AWS_" and key not in _KEEP]:
        _saved[key] = environ[key]
        del environ[key]
    for key, value in _SET.items():
        _saved.setdefault(key, None)
        environ[key] = value
    for key in _REGION_VARS:
        _saved.setdefault(key, None)
    _saved_attributes.clear()
    _saved_dicts.clear()
    modules = sys.modules
    for module_name, owner_path, attribute, value in _ATTRIBUTE_CACHES:
        owner = _owner(modules.get(module_name), owner_path)
        if owner is not None and hasattr(owner, attribute):
            _saved_attributes.append((owner, attribute, getattr(owner, attribute)))
            if module_name == "boto3" and _hermetic_default is not None:
                value = _hermetic_default
            setattr(owner, attribute, value)
    for module_name, owner_path, attribute in _DICT_CACHES:
        cache = getattr(_owner(modules.get(module_name), owner_path), attribute, None)
        if isinstance(cache, dict):
            _saved_dicts.append((cache, dict(cache)))
            cache.clear()


def _restore(last: Entry) -> None:
    _keep_default()
    for key, value in _saved.items():
        # Only what still holds the mock's value is put back: a variable changed under the mock
        # (moto's mock_aws, started before it and stopped first, puts back what it found) is
        # no longer the mock's to restore.
        if os.environ.get(key) == _shown(last, key):
            _set(key, value)
    _saved.clear()
    restored = {(id(owner), attribute) for owner, attribute, _ in _saved_attributes}
    for owner, attribute, saved_value in _saved_attributes:
        setattr(owner, attribute, saved_value)
    restored_dicts = {id(cache) for cache, _ in _saved_dicts}
    for cache, saved_items in _saved_dicts:
        cache.clear()
        cache.update(saved_items)
    _saved_attributes.clear()
    _saved_dicts.clear()
    # A cache whose module was first imported while a mock ran holds what the mock's fake
    # environment gave it: start it afresh, as the process would have.
    modules = sys.modules
    for module_name, owner_path, attribute, value in _ATTRIBUTE_CACHES:
        owner = _owner(modules.get(module_name), owner_path)
        if (owner is not None and (id(owner), attribute) not in restored
                and hasattr(owner, attribute)):
            setattr(owner, attribute, value)
    for module_name, owner_path, attribute in _DICT_CACHES:
        found = getattr(_owner(modules.get(module_name), owner_path), attribute, None)
        if isinstance(found, dict) and id(found) not in restored_dicts:
            found.clear()


def _keep_default() -> None:
    """CHOICE: the default boto3 session code made while a mock ran is kept for the next mock
    (creating one loads botocore's data again: about 0.2 s a test, as with moto) when it holds
    nothing of a test's own: no region, profile or credentials given to it, only the mock's
    fake credentials.  Its region is read from the environment at each use, so the next mock's
    region applies."""
    global _hermetic_default
    boto3 = sys.modules.get("boto3")
    session = getattr(boto3, "DEFAULT_SESSION", None)
    before = [value for owner, _, value in _saved_attributes if owner is boto3]
    if session is not None and (not before or session is not before[0]) and _pristine(session):
        _hermetic_default = session
    else:
        _hermetic_default = None


def _pristine(session: Any) -> bool:
    core = getattr(session, "_session", None)
    if core is None or getattr(core, "_session_instance_vars", True):
        return False
    credentials = getattr(core, "_credentials", None)
    return credentials is None or vars(credentials).get("access_key") == FAKE_ACCESS_KEY


def _owner(module: Any, path: str) -> Any:
    if module is None or not path:
        return module
    return getattr(module, path, None)


def _apply(entry: Entry) -> None:
    for key in _REGION_VARS:
        _set(key, entry.region)
    for key, value in entry.extra.items():
        if key not in _saved:
            _saved[key] = os.environ.get(key)
        _set(key, value)


def _shown(entry: Entry, key: str) -> str | None:
    """What ``key`` holds while ``entry`` is the innermost running mock."""
    if key in entry.extra:
        return entry.extra[key]
    if key in _REGION_VARS:
        return entry.region
    return _baseline(key)


def _baseline(key: str) -> str | None:
    """What ``key`` holds while a mock runs and no mock has asked for anything."""
    if key in _SET:
        return _SET[key]
    if key[:4] == "AWS_" and key not in _KEEP:
        return None
    return _saved.get(key)


def _set(key: str, value: str | None) -> None:
    """Every write is a putenv(): touch only what differs."""
    environ = os.environ
    current = environ.get(key)
    if current == value:
        return
    if value is None:
        del environ[key]
    else:
        environ[key] = value
