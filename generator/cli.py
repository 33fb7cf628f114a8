"""`gen-module`: one Nomad jobspec → one reviewed Terraform module."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from generator.diagnostics import InputError, Severity
from generator.pipeline import Generation, generate
from generator.service_spec import PatternChoice, find_service_spec
from generator.settings import load_settings
from generator.strict import unaccepted
from generator.translate.names import service_name_problem
from generator.writer import write_module

EXIT_WRITTEN, EXIT_STRICT, EXIT_INPUT = 0, 1, 2


def resolve_jobspec(service: str, jobspec: Path | None, specs_dir: Path) -> tuple[Path, object]:
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
            raise click.BadParameter(f"{value!r} is not KEY=VALUE", param_hint="--var")
        parsed[key] = rest
    return parsed


def print_text(generation: Generation, written: list[Path], quiet: bool = False) -> None:
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
    for path in written:
        click.echo(f"  wrote {path}")


def report_json(generation: Generation, written: list[Path]) -> dict:
    return {
        "service": generation.service,
        "jobspec": generation.jobspec,
        "pattern": generation.classification.pattern.value,
        "pattern_reasons": generation.classification.reasons,
        "written": [str(p) for p in written],
        "diagnostics": [
            d.model_dump(mode="json", exclude_none=True) for d in generation.diagnostics
        ],
    }


def _valid_service_name(_ctx: click.Context, _param: click.Parameter, service: str) -> str:
    problem = service_name_problem(service)
    if problem is not None:
        raise click.BadParameter(problem)
    return service


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
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
) -> None:
    """Generate modules-k8s/SERVICE from a Nomad jobspec."""
    try:
        settings = load_settings(settings_path)
        path, spec = resolve_jobspec(service, jobspec, specs_dir)
        choice = PatternChoice(pattern.upper() if pattern.lower() != "auto" else "auto")
        generation = generate(
            service, path, settings, spec, choice, _parse_vars(variables), list(var_files)
        )
    except InputError as error:
        click.echo(error.one_line(), err=True)
        if report == "json":
            click.echo(
                json.dumps(
                    {"service": service, "error": error.as_diagnostic().model_dump(mode="json")}
                )
            )
        sys.exit(EXIT_INPUT)
    written = write_module(out_dir / service, generation.files)
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
