"""The examples of README.md and of every docs page run: each ```python block is a test file run
by pytester.

Rules the pages follow (and this module enforces, so later edits stay tested):
- every ```python (or ```py) block is a complete pytest test file defining at least one test;
  it must pass, with exactly as many passing tests as it defines;
- an ```ini block is the pytest config of the next ```python block in the same section;
- a block that imports a package which is not installed (aiobotocore, say) is skipped;
- the options and quota tables list exactly the options and quotas the code defines.
Other fences (```console, ```json, ...) are not run; every fence must name its language.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

import boto3  # noqa: F401
import pytest

import pytest_sm_experiments.inprocess.hook  # noqa: F401
from pytest_sm_experiments.options import OPTION_NAMES, QUOTAS

# In-process pytester runs drop the modules imported during a run; importing these here keeps
# one copy of botocore (and its handler table, which holds the router) for every run.
if importlib.util.find_spec("aiobotocore") is not None:
    import aiobotocore.session  # noqa: F401
# The same for the SDK examples' imports: the SDK and moto patch and cache module-level state
# (importlib.metadata among it) that must outlive one in-process run.
for _name in ("moto", "sklearn.metrics", "sagemaker.core.experiments.run"):
    with contextlib.suppress(ImportError):
        importlib.import_module(_name)

ROOT = Path(__file__).resolve().parents[2]
#: Every page whose examples run: the README and the docs site's pages.
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FIXTURES_PAGE = ROOT / "docs" / "guide" / "fixtures.md"
QUOTAS_PAGE = ROOT / "docs" / "guide" / "quotas.md"
PYTHON_LANGS = {"python", "py", "python3"}
_FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)")
_HEADING = re.compile(r"^(#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    lang: str
    code: str
    line: int
    section: str
    config: str | None = None
    page: str = "README.md"

    @property
    def id(self) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", self.section.lower()).strip("-")
        return f"{self.page}:L{self.line}-{slug}"


def parse(text: str, page: str = "README.md") -> list[Block]:
    """Fenced blocks with their section; an ini block is attached to the next python block."""
    blocks: list[Block] = []
    section = ""
    pending_ini: str | None = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        heading = _HEADING.match(line)
        fence = _FENCE.match(line)
        if heading:
            section = heading["title"]
            if pending_ini is not None:
                raise AssertionError(f"the ini block before '{section}' configures no python "
                                     "block: follow it with one in the same section")
        elif fence:
            marker, start = fence["fence"], index
            body: list[str] = []
            index += 1
            while index < len(lines) and not lines[index].strip().startswith(marker):
                body.append(lines[index])
                index += 1
            if index == len(lines):
                raise AssertionError(f"{page} line {start + 1}: unclosed code fence")
            lang = fence["lang"].lower()
            code = "\n".join(body) + "\n"
            if lang == "ini":
                pending_ini = code
            elif lang in PYTHON_LANGS:
                blocks.append(Block(lang, code, start + 1, section, pending_ini, page))
                pending_ini = None
            else:
                blocks.append(Block(lang, code, start + 1, section, page=page))
        index += 1
    if pending_ini is not None:
        raise AssertionError(f"the last ini block in {page} configures no python block")
    return blocks


BLOCKS = [block for page in PAGES for block in parse(
    page.read_text(encoding="utf-8"), str(page.relative_to(ROOT)))]
PYTHON_BLOCKS = [block for block in BLOCKS if block.lang in PYTHON_LANGS]


def count_tests(tree: ast.Module) -> int:
    """Test functions pytest collects from a module: ``test*`` functions, ``test*`` methods of
    ``Test*`` classes and of ``unittest.TestCase`` subclasses."""
    count = 0
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(
                "test"):
            count += 1
        elif isinstance(node, ast.ClassDef) and (node.name.startswith("Test") or any(
                ast.unparse(base).endswith("TestCase") for base in node.bases)):
            count += sum(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and item.name.startswith("test") for item in node.body)
    return count


def missing_imports(tree: ast.Module) -> list[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return sorted(name for name in names if importlib.util.find_spec(name) is None)


def test_pages_have_examples():
    # Guards the parser: a rewrite that hid the examples from it would fail here.
    assert len(PYTHON_BLOCKS) >= 20
    assert any(block.page == "README.md" for block in PYTHON_BLOCKS)
    # Python that this module would not run: interactive sessions, or a fence without a language.
    unchecked = [f"{block.page}:{block.line}" for block in BLOCKS
                 if block.lang in {"", "pycon", "ipython"}]
    assert not unchecked, (f"{unchecked}: give every fence a language; write "
                           "Python as ```python test files so that they are run")


@pytest.mark.parametrize("block", PYTHON_BLOCKS, ids=[block.id for block in PYTHON_BLOCKS])
def test_python_example_passes(block: Block, pytester: pytest.Pytester):
    tree = ast.parse(block.code, filename=f"{block.page}:{block.line}")
    expected = count_tests(tree)
    assert expected, (f"{block.page} line {block.line}: a python example must be a pytest test "
                      "file with at least one test function")
    missing = missing_imports(tree)
    if missing:
        pytest.skip(f"needs {', '.join(missing)}")
    config = block.config or "[pytest]\n"
    if (importlib.util.find_spec("pytest_asyncio") is not None
            and "asyncio_default_fixture_loop_scope" not in config):
        # pytest-asyncio warns in any run that leaves this unset (the async page's ini sets it,
        # as users must); the warning is an error below, so an example that needs it says so.
        config += "asyncio_default_fixture_loop_scope = function\n"
    pytester.makefile(".ini", pytest=config)
    pytester.makepyfile(**{f"test_example_line_{block.line}": block.code})
    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider",
                                "-W", "error::DeprecationWarning")
    result.assert_outcomes(passed=expected)


def _table(page: Path, section: str | None = None) -> list[list[str]]:
    """The rows (cells stripped of backticks) of the page's first table (in ``## section``)."""
    body = page.read_text(encoding="utf-8")
    if section is not None:
        body = body.split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip().strip("`") for cell in row.strip("|").split("|")]
            for row in rows[2:]]


def test_options_table_lists_every_option():
    rows = _table(FIXTURES_PAGE, "Options: marker, ini file, decorator")
    assert [row[0] for row in rows] == list(OPTION_NAMES)
    for row in rows:
        assert f"sm_experiments_{row[0]}" in row[4]


def test_quota_table_matches_defaults():
    rows = _table(QUOTAS_PAGE)
    assert {row[0]: int(row[1]) for row in rows} == {
        key: quota.default for key, quota in QUOTAS.items()}
