"""pytest plugin for the mutation runs (tools/mutation.py loads it): the fastest tests first.

mutmut hands each mutant the tests that ran the mutated function, in no particular order, and
stops at the first failure (``-x``): running the quick tests first finds most kills sooner. The
durations come from mutmut's own stats run (``mutmut-stats.json`` in the directory it runs
pytest in); without them the order is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    stats = Path("mutmut-stats.json")
    if not stats.is_file():
        return
    durations: dict[str, float] = json.loads(stats.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))
