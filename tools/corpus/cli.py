"""`python -m tools.corpus`: the corpus run, as a table or one JSON object.

Exit 0 when every file gave a valid module or a well-formed input error;
1 on any traceback (crash or hang), invalid module, input error without a
code or reason, or a failure of validation itself; 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import generator
from tools.corpus.runner import DEFAULT_TIMEOUT, run_corpus
from tools.validation.locate import SHARED_ENV


def default_shared() -> Path:
    configured = os.environ.get(SHARED_ENV)
    if configured:
        return Path(configured)
    return Path(generator.__file__).resolve().parents[1].parent / "shared"


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive number")
    return number


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.corpus",
        description="Generate a module from every jobspec of <shared>/corpus in worker "
        "processes, validate all modules, and print what happened.",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=None,
        help=f"the shared directory (default: ${SHARED_ENV}, else <repo>/../shared)",
    )
    parser.add_argument(
        "--out", type=Path, help="keep the modules here (default: a temporary directory)"
    )
    parser.add_argument(
        "--jobs", type=positive_int, default=os.cpu_count() or 1, help="worker processes"
    )
    parser.add_argument("--limit", type=positive_int, help="only the first N files")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds per file before it counts as a hang (default: %(default)s)",
    )
    parser.add_argument("--report", choices=["text", "json"], default="text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    shared = arguments.shared or default_shared()
    if not (shared / "corpus").is_dir():
        print(f"corpus: {shared / 'corpus'}: no such directory", file=sys.stderr)
        return 2

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    summary = run_corpus(
        shared,
        out=arguments.out,
        jobs=arguments.jobs,
        limit=arguments.limit,
        timeout=arguments.timeout,
        progress=progress,
    )
    if arguments.report == "json":
        print(json.dumps(summary.to_json(), indent=2))
    else:
        print("\n".join(summary.text_lines()))
    return summary.exit_code
