"""Every corpus file through the generator in worker processes, then one validation call.

At most `jobs` files are in flight at a time, so when a worker process dies
(a crash in C code, `faulthandler` ending a hang, the OOM killer) the files it
may have been running are known: the one whose dump file names it is blamed,
and the others run again; without a dump each suspect runs again alone.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tools.corpus import worker
from tools.corpus.collect import collect_corpus
from tools.corpus.summary import RUNTIME_FINDINGS_FAIL, FileResult, Outcome, Summary, Timings
from tools.corpus.worker import (
    Task,
    dump_file,
    init_worker,
    pid_file,
    run_one,
    traceback_result,
)
from tools.validation import Check, validate_directories
from tools.validation.locate import SHARED_ENV, SchemaPlan, plan_schemas

DEFAULT_TIMEOUT = 60.0
WATCHDOG_GRACE = 30.0  # after faulthandler's deadline, the parent kills the worker itself
POLL_SECONDS = 1.0
PROGRESS_EVERY = 50

Progress = Callable[[str], None]


def run_corpus(
    shared: Path,
    *,
    out: Path | None = None,
    jobs: int | None = None,
    limit: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Summary:
    """Generate and validate every file of `<shared>/corpus`; `out=None` uses a temporary dir."""
    say = progress or (lambda message: None)
    jobs = max(1, jobs or os.cpu_count() or 1)
    started = time.perf_counter()
    corpus = collect_corpus(shared / "corpus", limit)
    timings = Timings(collect=time.perf_counter() - started, jobs=jobs)
    keep = out is not None
    out_dir = out.resolve() if out is not None else Path(tempfile.mkdtemp(prefix="nomad-corpus-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="nomad-corpus-scratch-"))
    try:
        say(f"corpus: generating {len(corpus.files)} files with {jobs} worker processes")
        step = time.perf_counter()
        tasks = [
            Task(i, file, str(out_dir), str(scratch), timeout)
            for i, file in enumerate(corpus.files)
        ]
        results = generate_all(tasks, corpus.root, jobs, say)
        timings.generate = time.perf_counter() - step
        summary = Summary(str(corpus.root), str(out_dir) if keep else None, results, timings)
        summary.notes.extend(corpus.notes)
        summary.notes.extend(_manifest_notes(results))
        written = sum(1 for r in results if r.outcome is Outcome.MODULE)
        say(f"corpus: generated in {timings.generate:.1f}s; validating {written} modules")
        step = time.perf_counter()
        validate_results(summary, out_dir, _schema_plan(shared))
        timings.validate = time.perf_counter() - step
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if not keep:
            shutil.rmtree(out_dir, ignore_errors=True)
    timings.total = time.perf_counter() - started
    return summary


def generate_all(
    tasks: list[Task], corpus_root: Path, jobs: int, progress: Progress | None = None
) -> list[FileResult]:
    """One result per task, in task order, whatever the workers do."""
    results: dict[int, FileResult] = {}
    queue = deque(tasks)
    counter = _Counter(len(tasks), progress)
    while queue:
        suspects = _run_pool(queue, corpus_root, jobs, results, counter)
        if not suspects:
            continue
        blamed = [task for task in suspects if _dump_text(task)]
        for task in blamed:
            results[task.index] = _crash_result(task)
            counter.tick()
        innocent = [task for task in suspects if task not in blamed]
        if blamed:
            queue.extendleft(reversed(innocent))
            continue
        for task in innocent:  # no dump names the culprit: each runs again alone
            if _run_pool(deque([task]), corpus_root, 1, results, counter):
                results[task.index] = _crash_result(task)
                counter.tick()
    return [results[task.index] for task in tasks]


class _Counter:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.total, self.done, self.progress = total, 0, progress

    def tick(self) -> None:
        self.done += 1
        if self.progress and (self.done % PROGRESS_EVERY == 0 or self.done == self.total):
            self.progress(f"corpus: {self.done}/{self.total} files")


def _run_pool(
    queue: deque[Task],
    corpus_root: Path,
    jobs: int,
    results: dict[int, FileResult],
    counter: _Counter,
) -> list[Task]:
    """Run tasks from `queue` until it is empty or the pool breaks; the tasks it broke on."""
    suspects: list[Task] = []
    pool = ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=init_worker,
        initargs=(str(corpus_root.resolve()),),
    )
    inflight: dict[Future[FileResult], tuple[Task, float]] = {}
    broken = False
    try:
        while inflight or (queue and not broken):
            while queue and not broken and len(inflight) < jobs:
                task = queue.popleft()
                try:
                    inflight[pool.submit(run_one, task)] = (task, time.monotonic())
                except BrokenProcessPool:
                    queue.appendleft(task)
                    broken = True
            if not inflight:
                break
            done, _ = wait(inflight, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                task, _ = inflight.pop(future)
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    suspects.append(task)
                    broken = True
                    continue
                if error is None:
                    results[task.index] = future.result()
                else:  # e.g. a result that cannot be pickled
                    text = "".join(traceback.format_exception(error))
                    results[task.index] = traceback_result(task, text)
                counter.tick()
            _watchdog(inflight.values())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return suspects


def _watchdog(inflight: Iterable[tuple[Task, float]]) -> None:
    """Kill a worker that outlived faulthandler's deadline (it could not even dump)."""
    children = {child.pid for child in multiprocessing.active_children()}
    now = time.monotonic()
    for task, started in inflight:
        if now - started < task.timeout + worker.HARD_GRACE + WATCHDOG_GRACE:
            continue
        try:
            pid = int(pid_file(task.scratch, task.index).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if pid not in children:
            continue
        with dump_file(task.scratch, task.index).open("a", encoding="utf-8") as stream:
            stream.write(f"killed by the corpus runner after {now - started:.0f}s\n")
        os.kill(pid, signal.SIGKILL)


def _dump_text(task: Task) -> str:
    try:
        return dump_file(task.scratch, task.index).read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _crash_result(task: Task) -> FileResult:
    dump = _dump_text(task)
    hang = dump.startswith("Timeout") or "killed by the corpus runner" in dump
    if hang:
        last = "hang: the worker was ended (no result in time; the stack above is where it was)"
    else:
        last = "the worker process died (a crash in C code, os._exit or the OOM killer)"
    text = f"{dump}\n{last}" if dump else last
    return traceback_result(task, text, hang=hang)


def _schema_plan(shared: Path) -> SchemaPlan | None:
    """The schemas of `shared` when it has them, else validation's own default."""
    if (shared / "schemas" / "terraform").is_dir():
        return plan_schemas({**os.environ, SHARED_ENV: str(shared)})
    return None


def validate_results(summary: Summary, out_dir: Path, plan: SchemaPlan | None) -> None:
    """Validate every written module in one call; mark each result valid or not."""
    written = [r for r in summary.results if r.outcome is Outcome.MODULE and r.module_dir]
    directories = [out_dir / str(r.module_dir) for r in written]
    try:
        report = validate_directories(directories, plan=plan)
    except Exception:
        summary.validation_error = traceback.format_exc()
        return
    summary.skipped_checks = {str(check): why for check, why in report.skipped.items()}
    summary.notes.extend(report.notes)
    by_check: dict[str, float] = {}
    for result, module in zip(written, report.modules, strict=True):
        failing = [
            f for f in module.errors if RUNTIME_FINDINGS_FAIL or f.check is not Check.RUNTIME
        ]
        result.valid = not failing
        result.findings = [
            f"{_relative(finding.file, out_dir)}{f':{finding.line}' if finding.line else ''}: "
            f"{finding.check.value}: {f'{finding.rule}: ' if finding.rule else ''}"
            f"{finding.message}"
            for finding in module.errors
        ]
        result.finding_kinds = [finding.kind() for finding in module.errors]
        for name, seconds in module.timings.items():
            by_check[name] = by_check.get(name, 0.0) + seconds
    summary.timings.validation_by_check = by_check


def _relative(file: str, out_dir: Path) -> str:
    relative = os.path.relpath(os.path.abspath(file), out_dir)
    return file if relative.startswith("..") else relative


def _manifest_notes(results: list[FileResult]) -> list[str]:
    """Where the manifest's python-hcl2 column and this run disagree."""
    disagree = [
        r
        for r in results
        if r.manifest_hcl2 in ("ok", "fails") and (r.manifest_hcl2 == "ok") == r.refused_unparsed
    ]
    if not disagree:
        return []
    shown = ", ".join(
        f"{r.file} (manifest {r.manifest_hcl2}, here {r.error_code or r.outcome.value})"
        for r in disagree[:5]
    )
    more = f" and {len(disagree) - 5} more" if len(disagree) > 5 else ""
    return [f"{len(disagree)} files parse differently from the manifest's column: {shown}{more}"]
