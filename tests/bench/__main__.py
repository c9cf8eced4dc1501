"""`make bench` runs this: `python -m tests.bench [--quick] [--json]` (a development tool, not part of the product)."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from bot.settings import Settings
from tests.bench.core import run_bench


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description="Svartid, oppstart, indeks og minne.")
    parser.add_argument("--quick", action="store_true", help="hopp over 100 000-bitars syntetisk korpus")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    settings = Settings.from_env()
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    report = run_bench(settings, quick=args.quick)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
