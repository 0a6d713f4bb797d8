"""make bench: each figure next to a baseline measured in the same run, as a ratio.

Every module ``bench/bench_*.py`` defines ``run(report: Report, quick: bool)``.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from pathlib import Path

from bench.report import Report


def main() -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("only", nargs="*", help="run only these bench modules (e.g. sealing)")
    args = parser.parse_args()
    report = Report()
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    for name in names:
        if args.only and name.removeprefix("bench_") not in args.only:
            continue
        print(f"\n== {name.removeprefix('bench_')} ==", flush=True)
        importlib.import_module(f"bench.{name}").run(report, args.quick)
    report.print_summary()
    return 0 if report.all_met() else 1


if __name__ == "__main__":
    sys.exit(main())
