"""`make regen` / `make check`: every `specs/<service>.yaml` → `modules-k8s/<service>/`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator.cli import resolve_jobspec
from generator.diagnostics import InputError
from generator.pipeline import generate
from generator.settings import load_settings
from generator.writer import differences, write_module

SETTINGS_FILE = "settings.yaml"


def service_specs(specs_dir: Path) -> list[str]:
    return sorted(p.stem for p in specs_dir.glob("*.yaml") if p.name != SETTINGS_FILE)


@click.command()
@click.option("--specs", "specs_dir", type=click.Path(path_type=Path), default=Path("specs"))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("modules-k8s"))
@click.option("--check", is_flag=True, help="Only compare; exit 1 when anything differs.")
def main(specs_dir: Path, out_dir: Path, check: bool) -> None:
    settings = load_settings(specs_dir / SETTINGS_FILE)
    problems: list[str] = []
    services = service_specs(specs_dir)
    for service in services:
        try:
            jobspec, spec = resolve_jobspec(service, None, specs_dir)
            generation = generate(service, jobspec, settings, spec)
        except InputError as error:
            click.echo(error.one_line(), err=True)
            sys.exit(2)
        if check:
            problems.extend(differences(out_dir / service, generation.files))
        else:
            write_module(out_dir / service, generation.files)
            click.echo(
                f"{service}: pattern {generation.classification.pattern.value}, "
                f"{len(generation.files)} files, {len(generation.diagnostics)} diagnostics"
            )
    stale = (
        sorted(p.name for p in out_dir.iterdir() if p.is_dir() and p.name not in services)
        if out_dir.is_dir()
        else []
    )
    problems.extend(f"{out_dir / name}: no spec in {specs_dir} generates it" for name in stale)
    if check:
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            click.echo("make check: generated modules are stale; run `make regen`", err=True)
            sys.exit(1)
        click.echo(f"make check: {len(services)} modules up to date")


if __name__ == "__main__":
    main()
