"""pytest plugin for the mutation runs (tools/mutation.py loads it): likely killers first.

mutmut runs each mutant against the tests that cover its module and stops at the first failure
(``-x``), so the order decides how long a killed mutant takes. Tests that already killed a
mutant of the same function, then of the same module, then any mutant, run first; the rest run
quickest first (durations from mutmut's stats run, ``mutmut-stats.json``). Kills are appended
to ``mutation-kills.log`` in the directory mutmut runs pytest in (one line per kill; the
parallel workers append whole lines).

After a session the heap is frozen (``gc.freeze``): mutmut forks every mutant's process from a
server that has collected the tests, and a child's garbage collections would otherwise walk
everything the server imported.
"""

from __future__ import annotations

import gc
import json
import os
from collections import Counter
from pathlib import Path

import pytest

_KILLS = Path("mutation-kills.log")


def _mutant() -> str:
    name = os.environ.get("MUTANT_UNDER_TEST", "")
    return name if "__mutmut_" in name else ""


def _function(mutant: str) -> str:
    return mutant.rpartition("__mutmut_")[0]


def _module(mutant: str) -> str:
    return _function(mutant).rpartition(".")[0]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    stats = Path("mutmut-stats.json")
    durations: dict[str, float] = (
        json.loads(stats.read_text()).get("duration_by_test", {}) if stats.is_file() else {})
    by_function: Counter[str] = Counter()
    by_module: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    mutant = _mutant()
    if mutant and _KILLS.is_file():
        for line in _KILLS.read_text().splitlines():
            killed, _, nodeid = line.partition("\t")
            anywhere[nodeid] += 1
            if _module(killed) == _module(mutant):
                by_module[nodeid] += 1
                if _function(killed) == _function(mutant):
                    by_function[nodeid] += 1
    items.sort(key=lambda item: (-by_function[item.nodeid], -by_module[item.nodeid],
                                 -anywhere[item.nodeid],
                                 durations.get(item.nodeid, float("inf"))))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    mutant = _mutant()
    if mutant and report.failed:
        with _KILLS.open("a") as log:
            log.write(f"{mutant}\t{report.nodeid}\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    gc.freeze()
