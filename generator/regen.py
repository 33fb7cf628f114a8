"""`make regen` / `make check`: every `specs/<service>.yaml` → `modules-k8s/<service>/`.

Installed as `nomad-k8s-regen` (the pre-commit hook runs `nomad-k8s-regen --check`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator import regen_cache
from generator.cli import (
    count,
    echo_diffs,
    echo_error,
    hand_edit_explainer,
    load_settings_guarded,
    resolve_jobspec,
)
from generator.errors import InputError
from generator.exits import EXIT_INPUT, OneLineCommand, check_variables, too_deep

if TYPE_CHECKING:
    from generator.pipeline import Generation
    from generator.writer import Explain

SETTINGS_FILE = "settings.yaml"


def service_specs(specs_dir: Path) -> list[str]:
    return sorted(p.stem for p in specs_dir.glob("*.yaml") if p.name != SETTINGS_FILE)


def module_folders(out_dir: Path) -> list[str]:
    """Module folders in `out_dir`; hidden ones are the writer's (staging, `.old`)."""
    if not out_dir.is_dir():
        return []
    return sorted(p.name for p in out_dir.iterdir() if p.is_dir() and not p.name.startswith("."))


@click.command("nomad-k8s-regen", cls=OneLineCommand)
@click.option("--specs", "specs_dir", type=click.Path(path_type=Path), default=Path("specs"))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("modules-k8s"))
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; print the diffs and exit 1 when a module differs from what the"
    " generator writes.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Keep files the generator did not write; overwrite generated files edited by hand.",
)
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
def main(specs_dir: Path, out_dir: Path, check: bool, force: bool, debug: bool) -> None:
    """Regenerate every module of OUT from the specs of SPECS (or, with --check, compare)."""
    try:
        _regen(specs_dir, out_dir, check, force)
    except InputError as error:
        echo_error(error)
        sys.exit(EXIT_INPUT)


def _regen(specs_dir: Path, out_dir: Path, check: bool, force: bool) -> None:
    check_variables({}, os.environ)
    if check:
        _generate_all(specs_dir, out_dir, check, force)
        return
    key = regen_cache.inputs_key(specs_dir, os.environ)
    if not force and regen_cache.is_fresh(out_dir, key):
        click.echo(f"regen: nothing changed since the last regen of {out_dir}")
        return
    # Imported here: a regen with nothing changed needs none of the pipeline.
    from generator.hcl.functions import recording_file_access

    regen_cache.forget(out_dir)
    with recording_file_access() as accessed:
        jobspecs, noted = _generate_all(specs_dir, out_dir, check, force)
    if key is not None and not noted and out_dir.is_dir():  # notes are told on every run
        regen_cache.remember(out_dir, key, jobspecs, accessed)


def _generate_all(
    specs_dir: Path, out_dir: Path, check: bool, force: bool
) -> tuple[list[Path], bool]:
    """The jobspecs read, and whether the writer had anything to say."""
    from generator.pipeline import generate
    from generator.writer import module_diff, write_module

    settings = load_settings_guarded(specs_dir / SETTINGS_FILE)
    explain = hand_edit_explainer()
    diffs: list[str] = []
    problems: list[str] = []
    services = service_specs(specs_dir)
    jobspecs = []
    noted = False
    generations = []
    for service in services:
        jobspec, spec = resolve_jobspec(service, None, specs_dir)
        jobspecs.append(jobspec)
        with too_deep(str(jobspec)):
            generations.append(generate(service, jobspec, settings, spec, specs_dir=specs_dir))
    if check:
        for generation in generations:
            found = module_diff(out_dir / generation.service, generation.files)
            diffs.extend(found)
            if found:
                problems.append(
                    f"{out_dir / generation.service}: {count(len(found), 'file')} differ from"
                    " what the generator writes"
                )
    elif not force:
        _refuse_hand_edits(out_dir, generations, explain)
    for generation in [] if check else generations:
        written = write_module(out_dir / generation.service, generation.files, force, explain)
        click.echo(
            f"{generation.service}: pattern {generation.classification.pattern.value}, "
            f"{len(generation.files)} files, {len(generation.diagnostics)} diagnostics"
        )
        noted = noted or bool(written.notes or written.kept)
        for note in written.notes:
            click.echo(f"  note: {note}")
        for name in written.kept:
            click.echo(f"  kept {name} (not written by the generator; --force)")
        for name in written.overwritten:
            click.echo(f"  overwrote {name}, edited by hand (--force)")
    stale = [name for name in module_folders(out_dir) if name not in services]
    problems.extend(f"{out_dir / name}: no spec in {specs_dir} generates it" for name in stale)
    if check:
        echo_diffs(diffs)
        for problem in problems:
            click.echo(problem, err=True)
        if problems:
            click.echo("make check: generated modules are stale; run `make regen`", err=True)
            sys.exit(1)
        click.echo(f"make check: {len(services)} modules up to date")
    return jobspecs, noted


def _refuse_hand_edits(
    out_dir: Path, generations: list[Generation], explain: Explain | None
) -> None:
    """Before any module is written: refuse when any of them holds a hand edit."""
    from generator.writer import HandEdit, hand_edit_refusal, hand_edited

    edits: list[HandEdit] = []
    for generation in generations:
        target = out_dir / generation.service
        encoded = {name: text.encode("utf-8") for name, text in generation.files.items()}
        edits.extend(
            HandEdit(target / name, f"{generation.service}/{name}", generation.files.get(name))
            for name in hand_edited(target, encoded)
        )
    if edits:
        raise hand_edit_refusal(out_dir, edits, explain)


if __name__ == "__main__":
    main()
