"""`python -m tools.bench`: time each generation stage over specs/ and the corpus."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import generator
from generator.cli import resolve_jobspec
from generator.diagnostics import InputError
from generator.pipeline import STAGES, generate
from generator.regen import SETTINGS_FILE, service_specs
from generator.service_spec import ServiceSpec
from generator.settings import Settings, load_settings
from tools.corpus.cli import default_shared, positive_int
from tools.corpus.collect import collect_corpus

REPO = Path(generator.__file__).resolve().parents[1]
MODULE, INPUT_ERROR, CRASH = "module", "input error", "crash"


@dataclass(frozen=True)
class BenchInput:
    """One jobspec and what `generate` would be given for it."""

    label: str
    service: str
    jobspec: Path
    settings: Settings
    spec: ServiceSpec


@dataclass
class FileRun:
    label: str
    outcome: str
    seconds: float
    stages: dict[str, float]
    crash: str = ""


@dataclass
class SetRun:
    """One pass over an input set."""

    files: list[FileRun] = field(default_factory=list)

    def stage_seconds(self, stage: str) -> float:
        return sum(run.stages.get(stage, 0.0) for run in self.files)

    def seconds(self) -> float:
        return sum(run.seconds for run in self.files)


class StageClock:
    """Seconds per stage; a stage that raises still counts up to the raise."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start


def crash_text(error: Exception) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(error).__name__}: {error}{where}"


def run_file(item: BenchInput) -> FileRun:
    clock = StageClock()
    outcome, crash = MODULE, ""
    start = time.perf_counter()
    try:
        generate(item.service, item.jobspec, item.settings, item.spec, stage=clock.stage)
    except InputError:
        outcome = INPUT_ERROR
    except Exception as error:
        outcome, crash = CRASH, crash_text(error)
    seconds = time.perf_counter() - start
    return FileRun(item.label, outcome, seconds, clock.seconds, crash)


def run_set(inputs: Sequence[BenchInput]) -> SetRun:
    return SetRun([run_file(item) for item in inputs])


def spec_inputs(specs_dir: Path) -> list[BenchInput]:
    """Every `specs/<service>.yaml` but settings.yaml, as `make regen` generates it."""
    settings = load_settings(specs_dir / SETTINGS_FILE)
    inputs = []
    for service in service_specs(specs_dir):
        jobspec, spec = resolve_jobspec(service, None, specs_dir)
        item = BenchInput(f"{service}.yaml", service, jobspec, settings, spec)
        inputs.append(item)
    return inputs


def corpus_inputs(corpus_dir: Path, limit: int | None) -> list[BenchInput]:
    """Every corpus file, with default settings and an empty service spec (as `make corpus`)."""
    corpus = collect_corpus(corpus_dir, limit)
    return [
        BenchInput(f.relative, f.service, corpus.root / f.relative, Settings(), ServiceSpec())
        for f in corpus.files
    ]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:10.1f}"


def report(name: str, runs: Sequence[SetRun]) -> list[str]:
    """The table of one input set: median and best over `runs`, then the set's figures."""
    total = statistics.median(run.seconds() for run in runs)
    lines = [
        f"== {name} ({len(runs)} repeat{'s' if len(runs) != 1 else ''}) ==",
        f"{'stage':<10} {'median ms':>10} {'best ms':>10} {'share':>7}",
    ]
    for stage in STAGES:
        per_run = [run.stage_seconds(stage) for run in runs]
        median = statistics.median(per_run)
        share = 100 * median / total if total else 0.0
        lines.append(f"{stage:<10} {_ms(median)} {_ms(min(per_run))} {share:6.1f}%")
    best = min(run.seconds() for run in runs)
    lines.append(f"{'total':<10} {_ms(total)} {_ms(best)} {100.0 if total else 0.0:6.1f}%")
    lines.extend(_figures(runs, total))
    return lines


def _figures(runs: Sequence[SetRun], total: float) -> list[str]:
    first = runs[0].files
    count = len(first)
    outcomes = [run.outcome for run in first]
    rate = f"{count / total:.1f}" if total else "n/a"
    lines = [
        f"files {count}, modules generated {outcomes.count(MODULE)}, "
        f"input errors {outcomes.count(INPUT_ERROR)}, crashes {len(crashes(runs))}, "
        f"files/second {rate}",
    ]
    per_file = [
        (statistics.median(run.files[i].seconds for run in runs), first[i].label)
        for i in range(count)
    ]
    slowest = sorted(per_file, reverse=True)[:3]
    lines.append("slowest: " + ", ".join(f"{label} {s * 1000:.1f} ms" for s, label in slowest))
    lines.extend(f"crash: {label}: {text}" for label, text in crashes(runs).items())
    return lines


def crashes(runs: Sequence[SetRun]) -> dict[str, str]:
    """File label → what it raised, for every file that crashed in any repeat."""
    found: dict[str, str] = {}
    for run in runs:
        for file in run.files:
            if file.outcome == CRASH:
                found.setdefault(file.label, file.crash)
    return found


def bench_set(name: str, inputs: Sequence[BenchInput], repeat: int) -> tuple[list[str], bool]:
    """The report of one input set and whether anything crashed."""
    if not inputs:
        return [f"== {name}: no input files =="], False
    runs = [run_set(inputs) for _ in range(repeat)]
    return report(name, runs), bool(crashes(runs))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tools.bench",
        description="Time each generation stage, in process, over specs/ and the shared "
        "corpus; no module is written or validated. Prints figures, asserts nothing.",
    )
    parser.add_argument(
        "--shared",
        type=Path,
        default=None,
        help="the shared directory (default: $NOMAD_K8S_GEN_SHARED, else <repo>/../shared)",
    )
    parser.add_argument("--repeat", type=positive_int, default=3, help="passes over each set")
    parser.add_argument("--limit", type=positive_int, help="only the first N corpus files")
    parser.add_argument("--no-corpus", action="store_true", help="only specs/")
    parser.add_argument(
        "--no-startup", action="store_true", help="skip the start-up and overhead ratios"
    )
    parser.add_argument(
        "--no-instructions",
        action="store_true",
        help="skip the homelab ratio in instructions (callgrind, a few minutes)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """0; 1 when any file crashed (raised other than `InputError`); 2 on a bad spec."""
    arguments = _parser().parse_args(argv)
    specs_dir = REPO / "specs"
    try:
        sets = [(f"specs ({specs_dir})", spec_inputs(specs_dir))]
    except InputError as error:
        print(f"bench: {error.one_line()}", file=sys.stderr)
        return 2
    if not arguments.no_corpus:
        corpus_dir = (arguments.shared or default_shared()) / "corpus"
        if corpus_dir.is_dir():
            sets.append((f"corpus ({corpus_dir})", corpus_inputs(corpus_dir, arguments.limit)))
        else:
            print(f"corpus: {corpus_dir}: no such directory, skipped\n")
    crashed = False
    if not arguments.no_startup:
        from tools import bench_startup

        homelab = (arguments.shared or default_shared()) / "corpus" / "cluster-state"
        lines = bench_startup.report(
            REPO, homelab, arguments.repeat, instructions=not arguments.no_instructions
        )
        print("\n".join(lines), end="\n\n", flush=True)
    for name, inputs in sets:
        lines, set_crashed = bench_set(name, inputs, arguments.repeat)
        crashed = crashed or set_crashed
        print("\n".join(lines), end="\n\n", flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
