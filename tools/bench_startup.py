"""Start-up and overhead figures for `make bench`, printed as ratios to what they are held to.

- `gen-module --help`, a fresh process, against 0.15 s;
- the seed homelab's jobspecs generated in one process, against python-hcl2's own
  parse of the same files (1.5x), with the number of python-hcl2 parses per file
  (`tools/bench_homelab.py` says how both sides are measured);
- `make regen` with nothing changed, a fresh process, against 0.5 s.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tools import bench_homelab

HELP_TARGET = 0.15
REGEN_TARGET = 0.5


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def _command(*args: str) -> list[str]:
    script = Path(sys.executable).parent / args[0]
    if script.exists():
        return [str(script), *args[1:]]
    return [sys.executable, "-m", f"generator.{args[0].replace('-', '_')}", *args[1:]]


def help_seconds(repeat: int) -> float:
    command = [sys.executable, "-c", "from generator.cli import main; main()", "--help"]
    return _median_seconds(lambda: subprocess.run(command, capture_output=True, check=True), repeat)


def regen_noop_seconds(repo: Path, repeat: int) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-regen-") as temporary:
        out = Path(temporary) / "modules-k8s"
        shutil.copytree(repo / "modules-k8s", out)
        command = [
            sys.executable,
            "-m",
            "generator.regen",
            "--specs",
            str(repo / "specs"),
            "--out",
            str(out),
        ]
        subprocess.run(command, capture_output=True, check=True)  # settles anything stale
        return _median_seconds(
            lambda: subprocess.run(command, capture_output=True, check=True), repeat
        )


def _row(name: str, seconds: float, target: float, unit: str = "s") -> str:
    ratio = seconds / target if target else float("nan")
    verdict = "holds" if ratio <= 1 else "over"
    return f"{name:<44} {seconds:8.3f} {unit:<2} target {target:6.2f} {unit:<2} {ratio:5.2f}x {verdict}"


def report(
    repo: Path,
    homelab_dir: Path | None,
    repeat: int,
    processes: int = 3,
    instructions: bool = False,
) -> list[str]:
    lines = ["== start-up and overhead (ratio = measured / target; ≤ 1.00 holds) =="]
    lines.append(_row("gen-module --help (fresh process)", help_seconds(repeat), HELP_TARGET))
    if homelab_dir is not None and homelab_dir.is_dir():
        lines.extend(
            bench_homelab.describe(
                len(bench_homelab.homelab_files(homelab_dir)),
                bench_homelab.measure(homelab_dir, processes, max(repeat, 2)),
            )
        )
        if instructions:
            lines.extend(
                bench_homelab.describe_instructions(
                    len(bench_homelab.homelab_files(homelab_dir)), homelab_dir
                )
            )
    else:
        lines.append(f"homelab: {homelab_dir}: no such directory, skipped")
    lines.append(
        _row(
            "make regen, nothing changed (fresh process)",
            regen_noop_seconds(repo, repeat),
            REGEN_TARGET,
        )
    )
    return lines
