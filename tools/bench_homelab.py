"""The homelab ratio of `make bench`: generating N jobspecs in one process against
python-hcl2's own parse of the same files.

Both sides are measured the same way, in the same processes:

- each side is one pass over every file: `generate` of each file, or
  `hcl2.parses(text, discard_comments=True)` of the same bytes: python-hcl2's
  parse into its own tree (Lark's parse, then python-hcl2's rule objects);
- the generator parses each file once with python-hcl2's Lark parser
  (`hcl2.api.parses_to_tree`) and builds python-hcl2's rule objects only for the
  attributes that are not literals (`generator/hcl/loader.py`), so the row also
  prints, for reference, generation against that bare Lark parse;
- `--processes` fresh worker processes, one after the other; each imports the
  generator, warms both sides up once (Lark's parser, Jinja's templates), then
  runs `--rounds` pairs of passes, alternating which side goes first, with a
  `gc.collect()` before every pass;
- a pass is timed in CPU seconds of the worker (`time.process_time`), so time
  spent waiting for a core shared with other work does not count;
- a pair's two passes run back to back, so they share the machine's state: the
  figure is the median of the per-pair ratios, printed with their spread.

`--instructions` counts instructions instead, with `valgrind --tool=callgrind`:
one worker per side, only the measured pass collected (bracketed by
`sys.call_tracing`), so the figure does not depend on the machine's load (the
same pass counts about 1% apart between invocations: environment and argv move
memory around). On a shared machine the CPU-seconds pairs spread widely (cache
and core contention); the instruction ratio is the figure to hold the target to.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TARGET = 1.5
GENERATE, PARSE = "generate", "parse"


@dataclass(frozen=True)
class Sides:
    """What a worker runs: one pass of each side over the same files."""

    parse: Callable[[], None]
    generate: Callable[[], None]
    lark_parse: Callable[[], None]
    parses_per_file: float


def _sides(files: Sequence[Path]) -> Sides:
    import hcl2
    from hcl2.api import parses_to_tree
    from hcl2.parser import parser

    from generator.diagnostics import InputError
    from generator.pipeline import generate
    from generator.service_spec import ServiceSpec
    from generator.settings import Settings

    texts = [path.read_text(encoding="utf-8") for path in files]
    real_parses = hcl2.parses

    def parse_all() -> None:
        for text in texts:
            real_parses(text, discard_comments=True)

    def lark_parse_all() -> None:
        for text in texts:
            parses_to_tree(text)

    def generate_all() -> None:
        for path in files:
            with contextlib.suppress(InputError):
                generate("svc", path, Settings(), ServiceSpec())

    parses = 0
    lark = parser()
    real_lark_parse = lark.parse

    def counting_parse(text: str, *arguments: Any, **options: Any) -> Any:
        nonlocal parses
        parses += 1
        return real_lark_parse(text, *arguments, **options)

    parse_all()  # builds the Lark parser once, as generation would
    lark.parse = counting_parse  # type: ignore[method-assign,assignment]
    try:
        generate_all()  # warms up the rest: templates, schemas, caches
    finally:
        del lark.parse  # the class's method again
    per_file = parses / len(files) if files else 0.0
    return Sides(parse_all, generate_all, lark_parse_all, per_file)


def _timed(action: Callable[[], None]) -> float:
    gc.collect()
    start = time.process_time()
    action()
    return time.process_time() - start


def worker_seconds(files: Sequence[Path], rounds: int) -> dict[str, Any]:
    """One worker's pairs of passes and its bare Lark passes:
    {"pairs": [[generate, parse], ...], "lark": [seconds, ...], "parses_per_file"}."""
    sides = _sides(files)
    pairs = []
    lark = []
    for index in range(rounds):
        if index % 2:
            parse = _timed(sides.parse)
            generation = _timed(sides.generate)
        else:
            generation = _timed(sides.generate)
            parse = _timed(sides.parse)
        pairs.append([generation, parse])
        lark.append(_timed(sides.lark_parse))
    return {"pairs": pairs, "lark": lark, "parses_per_file": sides.parses_per_file}


def _worker_command(files_dir: Path, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "tools.bench_homelab", "--worker", str(files_dir), *arguments]


def _environment() -> dict[str, str]:
    root = str(Path(__file__).resolve().parents[1])
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": root + (os.pathsep + path if path else "")}


@dataclass(frozen=True)
class Measurement:
    ratios: list[float]  # generate / parse of every pair, every process
    generation: list[float]
    parse: list[float]
    lark: list[float]
    parses_per_file: float
    processes: int
    rounds: int

    def ratio(self) -> float:
        return statistics.median(self.ratios)


def measure(files_dir: Path, processes: int, rounds: int) -> Measurement:
    ratios: list[float] = []
    generation: list[float] = []
    parse: list[float] = []
    lark: list[float] = []
    per_file = 0.0
    for _ in range(processes):
        command = _worker_command(files_dir, "--rounds", str(rounds))
        done = subprocess.run(
            command, capture_output=True, text=True, check=True, env=_environment()
        )
        result = json.loads(done.stdout)
        per_file = max(per_file, result["parses_per_file"])
        lark.extend(result["lark"])
        for generation_seconds, parse_seconds in result["pairs"]:
            generation.append(generation_seconds)
            parse.append(parse_seconds)
            ratios.append(generation_seconds / parse_seconds)
    return Measurement(ratios, generation, parse, lark, per_file, processes, rounds)


def describe(files: int, measurement: Measurement) -> list[str]:
    """The ratio row of `make bench` and the line saying how it was taken."""
    ratio = measurement.ratio()
    verdict = "holds" if ratio <= TARGET else "over"
    quartiles = statistics.quantiles(measurement.ratios, n=4) if len(measurement.ratios) > 1 else []
    spread = f"pairs {min(measurement.ratios):.2f}-{max(measurement.ratios):.2f}x" + (
        f", middle half {quartiles[0]:.2f}-{quartiles[2]:.2f}x" if quartiles else ""
    )
    name = f"homelab, {files} jobspecs: generate / hcl2 parse"
    return [
        f"{name:<44} {ratio:8.2f} x  target {TARGET:6.2f} x  {ratio / TARGET:5.2f}x {verdict}"
        f"  ({statistics.median(measurement.generation) * 1000:.0f} ms vs"
        f" {statistics.median(measurement.parse) * 1000:.0f} ms;"
        f" {measurement.parses_per_file:.2f} python-hcl2 parses per file)",
        f"  median of {len(measurement.ratios)} back-to-back pairs"
        f" ({measurement.processes} fresh processes x {measurement.rounds}, warm, order"
        f" alternating, CPU seconds, gc.collect() before each pass); {spread}",
        f"  for reference: python-hcl2's bare Lark parse (parses_to_tree, no rule objects)"
        f" {statistics.median(measurement.lark) * 1000:.0f} ms;"
        f" generate / that {statistics.median(measurement.generation) / statistics.median(measurement.lark):.2f}x",
    ]


# ---- instruction counts -------------------------------------------------------------------

_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)")


def counted_worker(files: Sequence[Path], side: str) -> None:
    """Under callgrind: warm up uninstrumented, then collect exactly one pass of `side`."""
    sides = _sides(files)
    action = sides.generate if side == GENERATE else sides.parse
    gc.collect()
    subprocess.run(
        ["callgrind_control", "--instr=on", str(os.getpid())], capture_output=True, check=True
    )
    sys.call_tracing(action, ())  # --toggle-collect brackets this call


def _count_command(files_dir: Path, side: str, out_dir: str) -> list[str]:
    return [
        "valgrind",
        "--tool=callgrind",
        f"--callgrind-out-file={out_dir}/callgrind.{side}.out",
        "--instr-atstart=no",
        "--collect-atstart=no",
        "--toggle-collect=sys_call_tracing",
        *_worker_command(files_dir, "--count", side),
    ]


def instructions(files_dir: Path) -> dict[str, int]:
    """Side → instructions of its measured pass; both sides' workers run side by side."""
    environment = {**_environment(), "PYTHONHASHSEED": "0"}
    counts = {}
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as temporary:
        running = {
            side: subprocess.Popen(
                _count_command(files_dir, side, temporary),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                env=environment,
            )
            for side in (GENERATE, PARSE)
        }
        for side, process in running.items():
            _, stderr = process.communicate()
            found = _COLLECTED.search(stderr)
            if process.returncode != 0 or found is None:
                raise RuntimeError(f"callgrind failed ({process.returncode}): {stderr[-400:]}")
            counts[side] = int(found.group(1).replace(",", ""))
    return counts


def describe_instructions(files: int, files_dir: Path) -> list[str]:
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        return ["homelab instructions: valgrind not installed, skipped"]
    try:
        counts = instructions(files_dir)
    except (OSError, RuntimeError) as error:
        return [f"homelab instructions: {error}"]
    ratio = counts[GENERATE] / counts[PARSE]
    verdict = "holds" if ratio <= TARGET else "over"
    name = f"homelab, {files} jobspecs: instructions"
    return [
        f"{name:<44} {ratio:8.2f} x  target {TARGET:6.2f} x  {ratio / TARGET:5.2f}x {verdict}"
        f"  ({counts[GENERATE] / 1e9:.2f} G vs {counts[PARSE] / 1e9:.2f} G instructions)",
        "  callgrind instruction counts of one warm pass per side, PYTHONHASHSEED=0"
        " (the same whatever the load; about 1% apart between invocations)",
    ]


def homelab_files(files_dir: Path) -> list[Path]:
    return sorted(files_dir.glob("*.nomad.hcl"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench_homelab",
        description="Generate the homelab's jobspecs against python-hcl2's parse of them.",
    )
    parser.add_argument("files_dir", type=Path, nargs="?", help="folder of *.nomad.hcl")
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="also count instructions")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--count", choices=(GENERATE, PARSE), help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.worker is not None:
        files = homelab_files(arguments.worker)
        if arguments.count:
            counted_worker(files, arguments.count)
        else:
            print(json.dumps(worker_seconds(files, arguments.rounds)))
        return 0
    if arguments.files_dir is None:
        from tools.corpus.cli import default_shared

        arguments.files_dir = default_shared() / "corpus" / "cluster-state"
    count = len(homelab_files(arguments.files_dir))
    lines = describe(count, measure(arguments.files_dir, arguments.processes, arguments.rounds))
    if arguments.instructions:
        lines.extend(describe_instructions(count, arguments.files_dir))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
