"""`gen-module`: one Nomad jobspec → one reviewed Terraform module."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.errors import InputError
from generator.exits import (
    EXIT_INPUT,
    EXIT_STRICT,
    OneLineCommand,
    check_variables,
    too_deep,
)
from generator.pattern_choice import PatternChoice

if TYPE_CHECKING:
    from generator.pipeline import Generation
    from generator.service_spec import ServiceSpec
    from generator.settings import Settings
    from generator.writer import Explain, Written

# `--help` and usage errors never reach a command body: each body imports the pipeline
# (pydantic, jinja2, python-hcl2) itself, so they stay fast.


def resolve_jobspec(
    service: str, jobspec: Path | None, specs_dir: Path
) -> tuple[Path, ServiceSpec]:
    from generator.service_spec import find_service_spec

    spec_path, spec = find_service_spec(specs_dir, service)
    if jobspec is not None:
        return jobspec, spec
    if spec.jobspec:
        base = spec_path.parent if spec_path else specs_dir
        return base / spec.jobspec, spec
    return specs_dir / f"{service}.nomad.hcl", spec


def _parse_vars(values: tuple[str, ...]) -> dict[str, str]:
    parsed = {}
    for value in values:
        key, sep, rest = value.partition("=")
        if not sep or not key:
            shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
            raise InputError("--var", None, "invalid-argument", f"{shown!r} is not KEY=VALUE")
        parsed[key] = rest
    return parsed


def load_settings_guarded(path: Path | None) -> Settings:
    from generator.settings import DEFAULT_SETTINGS_PATH, load_settings

    with too_deep(str(path or DEFAULT_SETTINGS_PATH)):
        return load_settings(path)


def print_text(generation: Generation, written: Written, quiet: bool = False) -> None:
    from generator.diagnostics import Severity

    c = generation.classification
    click.echo(f"{generation.service}: pattern {c.pattern.value} ({generation.jobspec})")
    for reason in c.reasons:
        click.echo(f"  because {reason}")
    hidden = 0
    for diagnostic in generation.diagnostics:
        if quiet and diagnostic.severity is Severity.INFO:
            hidden += 1
            continue
        click.echo(f"  {diagnostic.one_line()}")
    if hidden:
        click.echo(f"  ({hidden} info diagnostics not shown: drop --quiet, or use --report json)")
    for note in generation.notes:
        click.echo(f"  note: {note}")
    for overridden in generation.overridden:
        click.echo(f"  overridden: {overridden.one_line()}")
    for note in written.notes:
        click.echo(f"  note: {note}")
    for path in written.files:
        click.echo(f"  wrote {path}")
    for name in written.kept:
        click.echo(f"  kept {name} (not written by the generator; --force)")
    for name in written.overwritten:
        click.echo(f"  overwrote {name}, edited by hand (--force)")


def report_json(generation: Generation, written: Written) -> dict:
    return {
        "service": generation.service,
        "jobspec": generation.jobspec,
        "pattern": generation.classification.pattern.value,
        "pattern_reasons": generation.classification.reasons,
        "written": [str(p) for p in written.files],
        "kept": written.kept,
        "overridden": [dataclasses.asdict(o) for o in generation.overridden],
        "overwritten": written.overwritten,
        "diagnostics": [
            d.model_dump(mode="json", exclude_none=True) for d in generation.diagnostics
        ],
    }


HELP = {"help_option_names": ["-h", "--help"]}


def hand_edit_explainer() -> Explain:
    """The overrides that would express a hand edit (the writer's refusal shows them)."""
    from generator.overrides.suggest import suggest_override

    return suggest_override


def echo_error(error: InputError) -> None:
    """The one-line error on stderr, then its hints (a hand-edit refusal has some)."""
    click.echo(error.one_line(), err=True)
    for hint in getattr(error, "hints", ()):
        click.echo(hint, err=True)


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def echo_diffs(diffs: list[str]) -> None:
    for diff in diffs:
        click.echo(diff, nl=False)


def _valid_service_name(_ctx: click.Context, _param: click.Parameter, service: str) -> str:
    from generator.translate.names import service_name_problem

    problem = service_name_problem(service)
    if problem is not None:
        raise InputError("gen-module", None, "invalid-name", problem)
    return service


@click.command("gen-module", cls=OneLineCommand, context_settings=HELP)
@click.argument("service", callback=_valid_service_name)
@click.option("--jobspec", type=click.Path(path_type=Path), help="Nomad jobspec to read.")
@click.option(
    "--pattern",
    type=click.Choice([p.value for p in PatternChoice], case_sensitive=False),
    default="auto",
    show_default=True,
    help="Migration pattern; auto classifies the job.",
)
@click.option("--settings", "settings_path", type=click.Path(path_type=Path), help="Settings YAML.")
@click.option(
    "--specs",
    "specs_dir",
    type=click.Path(path_type=Path),
    default=Path("specs"),
    show_default=True,
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("modules-k8s"),
    show_default=True,
)
@click.option("--report", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="Exit 1 when any setting is not fully mapped.")
@click.option("-q", "--quiet", is_flag=True, help="Text report: leave out info diagnostics.")
@click.option("--var", "variables", multiple=True, help="HCL2 jobspec variable, KEY=VALUE.")
@click.option("--var-file", "var_files", multiple=True, type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a module folder that holds files the generator did not write (kept),"
    " or generated files edited by hand (overwritten).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print the diff and exit 1 when the module differs from what"
    " the generator writes.",
)
@click.option("--diff", is_flag=True, help="Write nothing; print the diff (exit 0).")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(
    service: str,
    jobspec: Path | None,
    pattern: str,
    settings_path: Path | None,
    specs_dir: Path,
    out_dir: Path,
    report: str,
    strict: bool,
    quiet: bool,
    variables: tuple[str, ...],
    var_files: tuple[Path, ...],
    force: bool,
    check: bool,
    diff: bool,
    debug: bool,
) -> None:
    """Generate modules-k8s/SERVICE from a Nomad jobspec."""
    from generator.pipeline import generate
    from generator.strict import unaccepted
    from generator.writer import Written, module_diff, write_module

    try:
        cli_vars = _parse_vars(variables)
        check_variables(cli_vars, os.environ)
        settings = load_settings_guarded(settings_path)
        path, spec = resolve_jobspec(service, jobspec, specs_dir)
        choice = PatternChoice(pattern.upper() if pattern.lower() != "auto" else "auto")
        with too_deep(str(path)):
            generation = generate(
                service,
                path,
                settings,
                spec,
                choice,
                cli_vars,
                list(var_files),
                specs_dir=specs_dir,
            )
        if check or diff:
            diffs = module_diff(out_dir / service, generation.files)
            written = Written(files=[])
        else:
            written = write_module(
                out_dir / service, generation.files, force, hand_edit_explainer()
            )
    except InputError as error:
        echo_error(error)
        if report == "json":
            click.echo(
                json.dumps(
                    {"service": service, "error": error.as_diagnostic().model_dump(mode="json")}
                )
            )
        sys.exit(EXIT_INPUT)
    if check or diff:
        _review(service, out_dir, diffs, check, report, generation, written)
        return
    if report == "json":
        click.echo(json.dumps(report_json(generation, written), indent=2))
    else:
        print_text(generation, written, quiet)
    remaining = unaccepted(generation.diagnostics, settings.accept) if strict else []
    if remaining:
        click.echo(
            f"{service}: --strict: {len(remaining)} diagnostics are neither mapped nor accepted"
            " (settings `accept:` takes codes or paths such as connect.sidecar_service):",
            err=True,
        )
        for diagnostic in remaining:
            click.echo(f"  {diagnostic.one_line()}", err=True)
        sys.exit(EXIT_STRICT)


def _review(
    service: str,
    out_dir: Path,
    diffs: list[str],
    check: bool,
    report: str,
    generation: Generation,
    written: Written,
) -> None:
    """`--check`/`--diff`: the diff on stdout (in the JSON report, `diff`), a summary on
    stderr; `--check` exits 1 when anything differs."""
    if report == "json":
        data = report_json(generation, written)
        data["diff"] = "".join(diffs)
        click.echo(json.dumps(data, indent=2))
    else:
        echo_diffs(diffs)
    target = out_dir / service
    if diffs:
        click.echo(
            f"{target}: {count(len(diffs), 'file')} differ from what the generator writes", err=True
        )
        if check:
            sys.exit(EXIT_STRICT)
    else:
        click.echo(f"{target}: up to date", err=True)
