"""Jobspec variables without a value, after evaluation: where the generator needed them.

They reach the model as markers inside strings (`generator.hcl.unknowns`). A marker
the renderer writes as `${var.x}` is a use Terraform resolves. One that ends up in
an error message, or anywhere else in the output (a name, a number, the Traefik
snippet), is a use the generator itself had to decide: exit 2 naming the variable.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from generator.diagnostics import Diagnostic, InputError
from generator.hcl.evaluate import ModuleInput, missing_variable
from generator.hcl.unknowns import NONCE, NeedsValue, shown, stray_markers


@contextmanager
def known_values(file: str, inputs: list[ModuleInput]) -> Iterator[None]:
    """An InputError about a value only Terraform knows becomes `missing-variable`."""
    try:
        yield
    except NeedsValue as need:
        line = _line(need.variables, inputs)
        raise missing_variable(file, line, need.variables, "", need.use) from None
    except InputError as error:
        if error.code == "missing-variable" or NONCE not in error.message:
            raise
        names = stray_markers(error.message)
        raise InputError(
            error.file,
            error.line if error.line else _line(names, inputs),
            "missing-variable",
            f'variable "{names[0]}" decides a value the generator must read'
            f" ({error.code}: {shown(error.message)}); pass --var {names[0]}=VALUE",
        ) from None


def check_no_stray_unknowns(files: dict[str, str], file: str, inputs: list[ModuleInput]) -> None:
    """Every marker in the output must have become `${var.x}`: else the value decided a name."""
    for name, text in files.items():
        names = stray_markers(text)
        if names:
            raise InputError(
                file,
                _line(names, inputs),
                "missing-variable",
                f'variable "{names[0]}" decides a name or setting the generator writes into'
                f" {name}; pass --var {names[0]}=VALUE",
            )


def shown_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics with each marker written as the `${var.x}` it stands for."""
    return [
        (
            diagnostic.model_copy(
                update={
                    "message": shown(diagnostic.message),
                    "path": shown(diagnostic.path) if diagnostic.path else diagnostic.path,
                }
            )
            if NONCE in diagnostic.message or NONCE in (diagnostic.path or "")
            else diagnostic
        )
        for diagnostic in diagnostics
    ]


def _line(names: tuple[str, ...], inputs: list[ModuleInput]) -> int | None:
    lines = {item.name: item.line for item in inputs}
    return next((lines[name] for name in names if name in lines), None)
