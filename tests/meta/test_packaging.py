"""What the installed distribution declares: under tox this is the built wheel, as users get it."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import re
import sys
from pathlib import Path

import pytest

import pytest_sm_experiments

DIST = importlib.metadata.distribution("pytest-sm-experiments")
ROOT = Path(__file__).resolve().parents[2]


def test_pytest11_entry_point_names_the_plugin():
    points = [ep for ep in DIST.entry_points if ep.group == "pytest11"]
    assert [(ep.name, ep.value) for ep in points] == [
        ("sm_experiments", "pytest_sm_experiments.plugin")]


def test_runtime_dependencies_have_lower_bounds_and_no_caps():
    runtime = [req for req in DIST.requires or [] if "extra ==" not in req]
    names = {re.split(r"[<>=!~ ;\[]", req, maxsplit=1)[0].lower(): req for req in runtime}
    assert set(names) == {"botocore", "pytest", "wrapt"}
    for req in names.values():
        assert ">=" in req, req
        assert "<" not in req, req
        assert "==" not in req, req


def test_classifiers_and_version():
    classifiers = DIST.metadata.get_all("Classifier") or []
    assert "Framework :: Pytest" in classifiers
    assert "Typing :: Typed" in classifiers
    assert DIST.version == pytest_sm_experiments.__version__


def test_py_typed_is_shipped():
    assert importlib.resources.files("pytest_sm_experiments").joinpath("py.typed").is_file()
    files = DIST.files
    if files is not None and any(f.name == "plugin.py" for f in files):
        # A wheel install lists its files: py.typed must be one of them.
        assert any(str(f).replace("\\", "/") == "pytest_sm_experiments/py.typed"
                   for f in files)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib is new in 3.11")
def test_version_has_one_source():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "pytest_sm_experiments._version.__version__"}


def test_importing_the_package_or_loading_the_plugin_imports_no_botocore():
    # A suite that never makes a client pays nothing for the plugin: botocore (about 100 ms to
    # import) comes in only with the first client or request.
    import subprocess

    # colorsys: a module imported after the plugin, as the test session imports many.
    code = ("import sys, pytest_sm_experiments, pytest_sm_experiments.plugin, colorsys; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
