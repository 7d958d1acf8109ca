"""The botocore hook goes into botocore as soon as botocore is imported.

botocore copies its built-in handlers into each new Session, so the hook must be among them
before the first Session is made: clients that conftest files and test modules create at
import time then carry it too. Importing the hook costs most of this package and botocore
itself, so it waits for the import of ``botocore.session``: a one-shot ``sys.meta_path``
finder installs it once that module has executed. That is a wrapt post-import hook without
importing wrapt (and, with wrapt 2.x, asyncio) at start-up.

Both the pytest plugin (at plugin load) and the package (at import, for code outside pytest)
call :func:`watch`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any

_HOOKED = "botocore.session"


def install_hook() -> None:
    """Put the hook into botocore now (it imports botocore)."""
    # The one deferred import of the package's own code: see the module's docstring.
    from .inprocess import hook

    hook.install()


class _InstallAfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: wraps the loader of ``botocore.session``, once."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> ModuleSpec | None:
        if fullname != _HOOKED:
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _InstallingLoader(spec.loader)
        return spec


class _InstallingLoader(importlib.abc.Loader):
    """Delegates to the real loader; installs the hook after the module has executed."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)  # type: ignore[no-any-return]

    def exec_module(self, module: ModuleType) -> None:
        self._loader.exec_module(module)
        install_hook()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)


def watch() -> None:
    """Install the hook now if botocore is imported already, else when it is (idempotent)."""
    if _HOOKED in sys.modules:
        install_hook()
    elif not any(isinstance(finder, _InstallAfterImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _InstallAfterImport())
