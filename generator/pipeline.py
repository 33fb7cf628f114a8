"""parse → model → classify → translate → render, with every finding collected."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.additions import (
    origin_of,
    read_additions,
    with_additions,
    with_headers,
    without_workloads,
)
from generator.classify import Classification, Pattern, classify
from generator.diagnostics import Diagnostic, DiagnosticSink, InputError
from generator.hcl import parse_hcl
from generator.hcl.detect import detect_unsupported_syntax
from generator.hcl.evaluate import evaluate_jobspec
from generator.hcl.limits import MAX_INPUT_BYTES
from generator.hcl.unknowns import shown
from generator.implicit_groups import wrap_job_level_tasks
from generator.ledger import ledger_diagnostics
from generator.model_builder import build_job
from generator.module_inputs import (
    check_no_stray_unknowns,
    drop_unused_inputs,
    known_values,
    shown_diagnostics,
)
from generator.overrides import (
    Overridden,
    apply_overrides,
    drop_orphaned_variables,
    module_interface,
    spec_overrides,
)
from generator.render.module import render_module, render_readme
from generator.render.readme import ReadmeSource, shown_path
from generator.service_spec import PatternChoice, ServiceSpec
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.module import translate_job


def read_jobspec(path: Path, display: str) -> str:
    """The jobspec's text; read bounded, so `/dev/zero` or a huge file is one error."""
    try:
        with open(path, "rb") as stream:
            raw = stream.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(display, None, "unreadable", "file not found") from None
    except IsADirectoryError:
        raise InputError(display, None, "unreadable", "a folder, not a file") from None
    except OSError as error:
        raise InputError(display, None, "unreadable", error.strerror or str(error)) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(
            display,
            None,
            "input-too-large",
            f"over {MAX_INPUT_BYTES:,} bytes: jobspecs and var files are limited to"
            f" {MAX_INPUT_BYTES:,} bytes",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(display, line, "unreadable", f"not UTF-8 text ({error.reason})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode reads it


@dataclass
class Generation:
    service: str
    jobspec: str
    classification: Classification
    files: dict[str, str]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    overridden: list[Overridden] = field(default_factory=list)


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
    module_source: str = "",
    specs_dir: Path | None = None,
) -> Generation:
    """Everything one module needs, in memory; raises `InputError` on bad input.

    `stage(name)` wraps each step (`make bench` times them). `module_source` is the
    root module's `source` for this module, shown in its README
    (default `./modules-k8s/<service>`). `specs_dir` holds the spec, which the headers
    name, and the hand-written additions `specs_dir/<service>/*.tf`.
    """
    display = str(jobspec)
    with stage("read"):
        text = read_jobspec(jobspec, display)
    with stage("detect"):
        unsupported = detect_unsupported_syntax(text, display)
    if unsupported is not None:
        raise unsupported
    with stage("parse"):  # detect_unsupported_syntax has checked the input limits
        tree = parse_hcl(text, display, source_checked=True)
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
    # Reasons are read by people: a module input reads as the `${var.x}` it stands for.
    classification.reasons[:] = [shown(reason) for reason in classification.reasons]
    ctx = Context(settings, sink, display, job.name, evaluation.inputs)
    with stage("translate"), known_values(display, evaluation.inputs):
        plan = translate_job(job, classification, spec, service, jobspec.parent, ctx)

    def readme_source() -> ReadmeSource:
        return ReadmeSource(
            jobspec=shown_path(display),
            job_name=job.name,
            pattern=classification.pattern.value,
            reasons=list(classification.reasons),
            diagnostics=[
                d.model_copy(update={"file": shown_path(d.file)}) for d in shown_diagnostics(sink)
            ],
            module_source=module_source,
        )

    with stage("render"), known_values(display, evaluation.inputs):
        files = render_module(plan)
        check_no_stray_unknowns(files, display, evaluation.inputs)
        if drop_unused_inputs(plan, files, evaluation.inputs, ctx):
            files = render_module(plan)
    origin = origin_of(display, plan.service, specs_dir)
    added = read_additions(plan, settings, origin, specs_dir)
    # The spec's overrides edit the rendered main.tf, secrets.tf, outputs.tf and variables.tf.
    overridden: list[Overridden] = []
    overrides = spec_overrides(spec)
    if overrides is not None:
        applied = apply_overrides(files, overrides, [a.content for a in added.values()])
        added = without_workloads(added, applied.deleted)
        drop_orphaned_variables(files, applied, [a.content for a in added.values()], overrides)
        files, overridden = applied.files, applied.overridden
        sink.extend(applied.diagnostics)
    files = with_additions(files, plan, added)
    with known_values(display, evaluation.inputs):
        source = readme_source()
        if overridden or added:  # the module's interface is what its final files declare
            inputs, outputs = module_interface(files)
            source = replace(
                source,
                inputs=inputs,
                outputs=outputs,
                overridden=[o.one_line() for o in overridden],
                additions=[(name, a.shown) for name, a in sorted(added.items())],
            )
        files["README.md"] = render_readme(plan, source)
    files = with_headers(files, origin, added)
    return Generation(
        service, display, classification, files, shown_diagnostics(sink), ctx.notes, overridden
    )
