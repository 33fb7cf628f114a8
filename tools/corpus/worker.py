"""What one worker process does with one corpus file: generate, write, report.

Runs in a forked `ProcessPoolExecutor` worker whose working directory is the
corpus root, so every `file:line` the generator reports is relative to it.
A file gets `timeout` seconds (SIGALRM raises `FileTimeout` with the Python
stack of the hang); `faulthandler` is the backstop when the alarm cannot
fire (a loop in C code): it dumps the stack into `<scratch>/<index>.dump` and
ends the process, and the parent blames that file.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import signal
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from generator.diagnostics import InputError
from generator.pipeline import generate
from generator.service_spec import PatternChoice, ServiceSpec
from generator.settings import Settings
from generator.writer import write_module
from tools.corpus.collect import CorpusFile
from tools.corpus.summary import DiagnosticRecord, FileResult, Outcome

HARD_GRACE = 15.0  # seconds after the soft timeout before faulthandler ends the process
MEMORY_LIMIT = 4 * 1024**3  # address space of a worker: a runaway file gets MemoryError


class FileTimeout(BaseException):
    """The per-file time limit ran out (not an `Exception`: generator code must not catch it)."""


@dataclass(frozen=True)
class Task:
    index: int
    file: CorpusFile
    out_dir: str  # absolute
    scratch: str  # absolute; pid and dump files
    timeout: float


def init_worker(corpus_root: str) -> None:
    """Worker start: corpus-relative paths, quiet stdout, no Ctrl-C, bounded memory."""
    os.chdir(corpus_root)
    os.dup2(2, 1)  # whatever the generator prints must not mix into a JSON report
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = MEMORY_LIMIT if hard == resource.RLIM_INFINITY else min(MEMORY_LIMIT, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        pass


def pid_file(scratch: str, index: int) -> Path:
    return Path(scratch) / f"{index}.pid"


def dump_file(scratch: str, index: int) -> Path:
    return Path(scratch) / f"{index}.dump"


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise FileTimeout


def run_one(task: Task) -> FileResult:
    start = time.perf_counter()
    pid_file(task.scratch, task.index).write_text(str(os.getpid()), encoding="utf-8")
    dump = dump_file(task.scratch, task.index)
    with dump.open("w", encoding="utf-8") as stream:
        faulthandler.enable(file=stream)
        faulthandler.dump_traceback_later(task.timeout + HARD_GRACE, exit=True, file=stream)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, task.timeout)
        try:
            result = _generate(task)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            faulthandler.cancel_dump_traceback_later()
            faulthandler.disable()
    dump.unlink(missing_ok=True)
    pid_file(task.scratch, task.index).unlink(missing_ok=True)
    result.seconds = time.perf_counter() - start
    return result


def _base(task: Task, outcome: Outcome) -> FileResult:
    file = task.file
    return FileResult(
        file=file.relative,
        collection=file.collection,
        service=file.service,
        outcome=outcome,
        manifest_hcl2=file.manifest_hcl2,
    )


def traceback_result(task: Task, text: str, hang: bool = False) -> FileResult:
    result = _base(task, Outcome.TRACEBACK)
    result.traceback = text
    result.hang = hang
    return result


def _generate(task: Task) -> FileResult:
    file = task.file
    try:
        generation = generate(
            file.service, Path(file.relative), Settings(), ServiceSpec(), PatternChoice.AUTO
        )
    except InputError as error:
        return _input_error(task, error)
    except FileTimeout:
        return traceback_result(task, _hang_text(task), hang=True)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return traceback_result(task, traceback.format_exc())
    try:
        write_module(Path(task.out_dir) / file.module_dir, generation.files)
    except InputError as error:  # text the module cannot hold (a lone surrogate escape)
        return _input_error(task, error)
    except FileTimeout:
        return traceback_result(task, _hang_text(task), hang=True)
    except KeyboardInterrupt:
        raise
    except BaseException:
        return traceback_result(task, "while writing the module:\n" + traceback.format_exc())
    result = _base(task, Outcome.MODULE)
    result.module_dir = file.module_dir
    result.pattern = generation.classification.pattern.value
    result.diagnostics = [
        DiagnosticRecord(d.severity.value, d.code, d.one_line()) for d in generation.diagnostics
    ]
    return result


def _input_error(task: Task, error: InputError) -> FileResult:
    result = _base(task, Outcome.INPUT_ERROR)
    result.error_code = error.code
    result.error_line = error.line
    result.error_message = error.message
    try:
        result.error_one_line = error.one_line()
    except Exception:  # the contract check reports it
        result.error_one_line = None
    return result


def _hang_text(task: Task) -> str:
    stack = traceback.format_exc()
    return f"{stack}hang: no result within {task.timeout:.0f}s (the stack above is where it was)"
