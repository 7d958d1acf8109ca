"""CI runs exactly the README's command lines (a green CI must mean the README works): the
full-suite line of the first block, then the SDK v2 line the README documents right after it."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _console_blocks(readme: str) -> list[list[str]]:
    return [part.split("```", 1)[0].strip().splitlines()
            for part in readme.split("```console\n")[1:]]


def test_ci_runs_the_readme_test_lines():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first, second = _console_blocks(readme)[:2]
    assert len(first) == 2
    assert first[0].endswith("-m pytest examples")
    # The second environment: the SDK tests against SageMaker SDK v2.
    assert len(second) == 1
    assert '".[test,sdk2]"' in second[0]
    assert second[0].endswith("-m pytest tests/sdk")
    ci_lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines()
                if line and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert ci_lines == [first[1], second[0]]
