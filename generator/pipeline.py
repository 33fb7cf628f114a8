"""parse → model → classify → translate → render, with every finding collected."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from generator.classify import Classification, Pattern, classify
from generator.diagnostics import Diagnostic, DiagnosticSink, InputError
from generator.hcl import parse_hcl
from generator.hcl.detect import detect_unsupported_syntax
from generator.hcl.evaluate import evaluate_jobspec
from generator.implicit_groups import wrap_job_level_tasks
from generator.ledger import ledger_diagnostics
from generator.model_builder import build_job
from generator.module_inputs import (
    check_no_stray_unknowns,
    drop_unused_inputs,
    known_values,
    shown_diagnostics,
)
from generator.render.module import render_module
from generator.service_spec import PatternChoice, ServiceSpec
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.module import translate_job


def read_jobspec(path: Path, display: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(display, None, "unreadable", "file not found") from None
    except UnicodeDecodeError as error:
        raise InputError(display, None, "unreadable", f"not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise InputError(display, None, "unreadable", error.strerror or str(error)) from None


@dataclass
class Generation:
    service: str
    jobspec: str
    classification: Classification
    files: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# The steps of `generate`, in order; each runs inside `stage(name)`.
STAGES = (
    "read",
    "detect",
    "parse",
    "evaluate",
    "wrap",
    "ledger",
    "model",
    "classify",
    "translate",
    "render",
)


def _untimed(_stage: str) -> AbstractContextManager[None]:
    return nullcontext()


def generate(
    service: str,
    jobspec: Path,
    settings: Settings,
    spec: ServiceSpec,
    pattern: PatternChoice = PatternChoice.AUTO,
    cli_vars: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    stage: Callable[[str], AbstractContextManager[None]] = _untimed,
) -> Generation:
    """Everything one module needs, in memory; raises `InputError` on bad input.

    `stage(name)` wraps each step (`make bench` times them).
    """
    display = str(jobspec)
    with stage("read"):
        text = read_jobspec(jobspec, display)
    with stage("detect"):
        unsupported = detect_unsupported_syntax(text, display)
    if unsupported is not None:
        raise unsupported
    with stage("parse"):
        tree = parse_hcl(text, display)
    with stage("evaluate"):
        evaluation = evaluate_jobspec(
            tree,
            cli_vars or {},
            var_files or [],
            base_dir=jobspec.parent,
            defaults_as_inputs=settings.jobspec_variables == "module",
        )
    sink = DiagnosticSink()
    sink.extend(evaluation.diagnostics)
    with stage("wrap"):
        root = wrap_job_level_tasks(evaluation.root)
    with stage("ledger"):
        sink.extend(ledger_diagnostics(root))
    with stage("model"), known_values(display, evaluation.inputs):
        job = build_job(root)
    choice = pattern if pattern is not PatternChoice.AUTO else spec.pattern
    override = None if choice is PatternChoice.AUTO else Pattern(choice.value)
    with stage("classify"):
        classification = classify(job, override)
    ctx = Context(settings=settings, sink=sink, file=display, job_name=job.name)
    ctx.jobspec_inputs = evaluation.inputs
    with stage("translate"), known_values(display, evaluation.inputs):
        plan = translate_job(job, classification, spec, service, jobspec.parent, ctx)
    with stage("render"), known_values(display, evaluation.inputs):
        files = render_module(plan)
        check_no_stray_unknowns(files, display, evaluation.inputs)
        if drop_unused_inputs(plan, files, evaluation.inputs, ctx):
            files = render_module(plan)
    return Generation(service, display, classification, files, shown_diagnostics(sink), ctx.notes)
