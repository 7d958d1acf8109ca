"""tools/mutation.py maps every module of the package to test files that exist, so a new module
cannot be left out of mutation testing."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool():
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_every_module_has_test_files():
    tool = _tool()
    modules = sorted(p.relative_to(ROOT / "pytest_sm_experiments").as_posix()
                     for p in (ROOT / "pytest_sm_experiments").rglob("*.py"))
    assert "router.py" in modules
    assert [m for m in modules if m not in tool.MODULE_TESTS and m not in tool.NOT_MUTATED] == []
    assert [m for m in tool.MODULE_TESTS if m not in modules] == []


def test_mapped_test_files_exist():
    tool = _tool()
    missing = sorted({test for tests in tool.MODULE_TESTS.values() for test in tests
                      if not (ROOT / test).is_file()})
    assert missing == []


def test_named_mutants_and_checked_kills_still_apply():
    """Each hand-written mutant's text, and each checked kill's line, is still in the code
    (else ``--named`` would report it unkilled), and each named test exists."""
    tool = _tool()
    package = ROOT / "pytest_sm_experiments"
    for mutant in tool.NAMED_MUTANTS:
        for module, old, _new in mutant.edits:
            assert (package / module).read_text(encoding="utf-8").count(old) == 1, old
    for kill in tool.CHECKED_KILLS:
        text = (package / kill.module).read_text(encoding="utf-8")
        function = kill.function.rpartition(".")[2]
        assert kill.removed in text[text.index(f"def {function}("):], kill
        path, _, name = kill.test.partition("::")
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), kill.test


def test_once_per_process_functions_and_their_tests_exist():
    tool = _tool()
    package = ROOT / "pytest_sm_experiments"
    for (module, function), tests in tool.ONCE_PER_PROCESS.items():
        assert f"def {function.rpartition('.')[2]}(" in (package / module).read_text(
            encoding="utf-8"), function
        for test in tests:
            path, _, name = test.partition("::")
            assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), test
