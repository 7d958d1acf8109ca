"""The README's compatibility table says what tox's `oldest` and `newest` environments install:
each "oldest tested" is a pin (or the Python) of `oldest`/`oldest-async`, each lower bound the
metadata declares is that pin, and `newest` runs the newest Python the classifiers name."""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _table() -> dict[str, list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    body = text.split("\n## Compatibility\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")][2:]
    cells = [[cell.strip().strip("`") for cell in row.strip("|").split("|")] for row in rows]
    return {row[0]: row[1:] for row in cells}


def _tox(section: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(ROOT / "tox.ini")
    return parser[f"testenv:{section}"]


def _pins(section: str) -> dict[str, str]:
    lines = _tox(section)["deps"].split()
    return dict(line.split("==") for line in lines if "==" in line)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in 3.11")
def test_oldest_pins_are_the_metadatas_lower_bounds_and_the_tables():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = {}
    for requirement in project["dependencies"] + project["optional-dependencies"]["test"] + (
            project["optional-dependencies"]["async"]):
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^]]*\])?>=([0-9.]+)", requirement)
        assert match, requirement
        declared[match[1].lower()] = match[2]
    pins = {**_pins("oldest"), **_pins("oldest-async")}
    table = _table()
    for row, (oldest, _newest, _by) in table.items():
        names = [name.strip() for name in row.split("/")]
        if row == "Python":
            assert _tox("oldest")["base_python"] == f"python{oldest}"
            assert project["requires-python"] == f">={oldest}"
            continue
        if row.startswith("SageMaker SDK"):
            continue  # tested by the suite's environments, not pinned
        for name in names:
            pin = pins[name]
            # The table may shorten a pin (moto 5.0 for 5.0.0); the metadata's bound is the pin.
            assert pin.startswith(oldest), (name, pin, oldest)
            assert pin.removesuffix(".0").startswith(declared[name].removesuffix(".0")), (
                name, pin, declared[name])


def test_newest_runs_the_newest_python_the_classifiers_name():
    table = _table()
    newest_python = table["Python"][1]
    assert _tox("newest")["base_python"] == f"python{newest_python}"
    import importlib.metadata

    classifiers = importlib.metadata.distribution("pytest-sm-experiments").metadata.get_all(
        "Classifier") or []
    versions = [c.rsplit(" ", 1)[1] for c in classifiers
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions[0] == table["Python"][0]
    assert versions[-1] == newest_python
