"""The docs' "Supported operations" table is the code's operation table, no more, no less; the
Fidelity notes name code that exists."""

from __future__ import annotations

import re
from pathlib import Path

from pytest_sm_experiments.core.operations import OPERATIONS

DOCS = Path(__file__).resolve().parents[2] / "docs"
ROW = re.compile(r"^\| `(?P<service>[a-z-]+)` \| `(?P<operation>[A-Za-z]+)` \|", re.MULTILINE)


#: What the notes cite outside the package: the standard library, botocore's and moto's files.
_OUTSIDE = {"os", "data/endpoints", "moto/core/models", "moto/core/botocore_stubber",
            "_boto_ignore"}  # the SDK v2's name


def _page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_supported_operations_table_matches_the_operation_table():
    rows = [(m["service"], m["operation"]) for m in ROW.finditer(_page("operations.md"))]
    assert len(rows) == len(set(rows)), "an operation is listed twice"
    assert sorted(rows) == sorted(OPERATIONS)


def test_every_fidelity_note_points_at_code_that_exists():
    """Each `module.function` the notes name is real, so the notes cannot rot silently."""
    import importlib

    notes = _page("fidelity.md")
    named = set(re.findall(r"`((?:operations/)?[a-z_]+(?:\.py)?(?:\.[A-Za-z_]+)?)`", notes))
    checked = 0
    for ref in sorted(named):
        module_part, _, attr = ref.removesuffix(".py").partition(".")
        module_part = module_part.replace("/", ".")
        module = None
        for prefix in ("pytest_sm_experiments.", "pytest_sm_experiments.core.",
                           "pytest_sm_experiments.inprocess.", "pytest_sm_experiments.server.",
                           "pytest_sm_experiments.core.operations."):
            try:
                module = importlib.import_module(prefix + module_part)
                break
            except ModuleNotFoundError:
                continue
        if module is None:
            # Only references outside the package may fail to resolve (`os.devnull`).
            assert not ("." in ref or "/" in ref) or ref.split(".")[0] in _OUTSIDE, (
                f"docs/fidelity.md names {ref}: no such module")
            continue
        checked += 1
        if attr:
            assert hasattr(module, attr), f"docs/fidelity.md names {ref}, which does not exist"
    assert checked >= 15
