"""Start-up and overhead figures for `make bench`, printed as ratios to what they are held to.

- `gen-module --help`, a fresh process, against 0.15 s;
- the seed homelab's jobspecs generated in one process, against python-hcl2's own
  parse of the same files (1.5x), with the number of python-hcl2 parses per file;
- `make regen` with nothing changed, a fresh process, against 0.5 s.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import contextlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

HELP_TARGET = 0.15
HOMELAB_TARGET = 1.5
REGEN_TARGET = 0.5


def _best_seconds(action: Callable[[], object], repeat: int) -> float:
    """The fastest of `repeat` runs: the figure least disturbed by other load (as `timeit`)."""
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


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


def homelab_seconds(files: Sequence[Path], repeat: int) -> tuple[float, float, float]:
    """(generation, python-hcl2 parse, python-hcl2 parses per file), both warm, in process,
    each the best of `repeat` runs so the ratio compares like with like."""
    import hcl2

    from generator.diagnostics import InputError
    from generator.pipeline import generate
    from generator.service_spec import ServiceSpec
    from generator.settings import Settings

    texts = [path.read_text(encoding="utf-8") for path in files]
    parses = 0
    real_parses = hcl2.parses

    def counting_parses(text: str, *, discard_comments: bool = False) -> Any:
        nonlocal parses
        parses += 1
        return real_parses(text, discard_comments=discard_comments)

    def parse_all() -> None:
        for text in texts:
            real_parses(text, discard_comments=True)

    def generate_all() -> None:
        for path in files:
            with contextlib.suppress(InputError):
                generate("svc", path, Settings(), ServiceSpec())

    parse_all()  # builds the Lark parser once, as generation would
    parse = _best_seconds(parse_all, repeat)
    hcl2.parses = counting_parses
    try:
        generate_all()
        per_file = parses / len(files) if files else 0.0
        generation = _best_seconds(generate_all, repeat)
    finally:
        hcl2.parses = real_parses
    return generation, parse, per_file


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


def report(repo: Path, homelab_dir: Path | None, repeat: int) -> list[str]:
    lines = ["== start-up and overhead (ratio = measured / target; ≤ 1.00 holds) =="]
    lines.append(_row("gen-module --help (fresh process)", help_seconds(repeat), HELP_TARGET))
    if homelab_dir is not None and homelab_dir.is_dir():
        files = sorted(homelab_dir.glob("*.nomad.hcl"))
        generation, parse, per_file = homelab_seconds(files, repeat)
        factor = generation / parse if parse else float("nan")
        lines.append(
            f"{'homelab, ' + str(len(files)) + ' jobspecs: generate / hcl2 parse':<44} "
            f"{factor:8.2f} x  target {HOMELAB_TARGET:6.2f} x  {factor / HOMELAB_TARGET:5.2f}x "
            f"{'holds' if factor <= HOMELAB_TARGET else 'over'}"
            f"  ({generation * 1000:.0f} ms vs {parse * 1000:.0f} ms;"
            f" {per_file:.2f} python-hcl2 parses per file)"
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
