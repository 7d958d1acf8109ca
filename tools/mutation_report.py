"""MUTATION.md's table from mutmut's last run, and the survivors' diffs (not committed).

    mutmut run [mutant-name glob ...]     # configured in pyproject.toml's [tool.mutmut]
    python tools/mutation_report.py       # after it, from the repository root

Each module the run tested gets its row in MUTATION.md (rows of modules it did not test stay);
every surviving mutant's diff goes to mutation-survivors.md, for a test to kill it or a
``# pragma: no mutate (why)`` on its line if it is equivalent.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS, SURVIVORS = ROOT / "MUTATION.md", ROOT / "mutation-survivors.md"
BEGIN, END = "<!-- table: tools/mutation_report.py -->", "<!-- end of table -->"
HEADER = ("| module | mutants | killed | timeout | survived | no tests | killed % | "
          "equivalent (pragmas) | run on |\n|---|---:|---:|---:|---:|---:|---:|---:|---|")


def _mutmut(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def _module(mutant: str) -> str:
    """``pytest_sm_experiments.core.validation.x_check__mutmut_3`` -> ``core/validation.py``."""
    dotted = re.split(r"\.x(?:_|\u01c1)", mutant, maxsplit=1)[0]
    return "/".join(dotted.split(".")[1:]) + ".py"


def main() -> None:
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    survivors: dict[str, list[str]] = defaultdict(list)
    for line in _mutmut("results", "--all", "true").splitlines():
        name, _, status = line.strip().rpartition(": ")
        if "__mutmut_" not in name or status == "not checked":
            continue
        statuses[_module(name)][status] += 1
        if status == "survived":
            survivors[_module(name)].append(name)
    today = date.today().isoformat()
    rows = {}
    for module, counts in statuses.items():
        total = sum(counts.values())
        pragmas = (ROOT / "pytest_sm_experiments" / module).read_text().count(
            "# pragma: no mutate")
        rows[module] = (f"| `{module}` | {total} | {counts['killed']} | {counts['timeout']} | "
                        f"{counts['survived']} | {counts['no tests']} | "
                        f"{100 * (counts['killed'] + counts['timeout']) / total:.1f} | "
                        f"{pragmas} | {today} |")
    text = RESULTS.read_text()
    head, _, rest = text.partition(BEGIN)
    table, _, tail = rest.partition(END)
    for row in table.strip().splitlines()[2:]:
        rows.setdefault(row.split("`")[1], row)
    RESULTS.write_text(f"{head}{BEGIN}\n{HEADER}\n" + "\n".join(rows[m] for m in sorted(rows))
                       + f"\n{END}{tail}")
    diffs = [f"## `{name}`\n\n```diff\n{_mutmut('show', name).strip()}\n```\n"
             for module in sorted(survivors) for name in survivors[module]]
    SURVIVORS.write_text("# Surviving mutants of the last run\n\n" + "\n".join(diffs))
    print(f"{sum(map(len, survivors.values()))} survivor(s); diffs in {SURVIVORS.name}")


if __name__ == "__main__":
    main()
