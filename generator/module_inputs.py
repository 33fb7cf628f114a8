"""Jobspec variables without a value, after evaluation: where the generator needed them.

They reach the model as markers inside strings (`generator.hcl.unknowns`). A marker
the renderer writes as `${var.x}` is a use Terraform resolves. One that ends up in
an error message, or anywhere else in the output (a name, a number, the Traefik
snippet), is a use the generator itself had to decide: exit 2 naming the variable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from generator.diagnostics import Diagnostic, InputError
from generator.hcl.evaluate import ModuleInput, missing_variable
from generator.hcl.unknowns import NONCE, NeedsValue, shown, stray_markers
from generator.k8s_plan import ModulePlan
from generator.translate.context import Context


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


def drop_unused_inputs(
    plan: ModulePlan, files: dict[str, str], inputs: list[ModuleInput], ctx: Context
) -> bool:
    """A jobspec variable only dropped settings used is no input: Terraform would demand it."""
    written = "\n".join(text for name, text in files.items() if name != "variables.tf")
    unused = {
        item.tf_name: item
        for item in inputs
        if not re.search(rf"\bvar\.{re.escape(item.tf_name)}(?![\w-])", written)
    }
    for item in unused.values():
        ctx.dropped(
            f'variable "{item.name}" is used only by settings the module does not carry:'
            " not a module input",
            item.line,
            f"variable[{item.name}]",
        )
    plan.variables = [v for v in plan.variables if v.name not in unused]
    return bool(unused)


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
            if shown(diagnostic.message) != diagnostic.message
            or shown(diagnostic.path or "") != (diagnostic.path or "")
            else diagnostic
        )
        for diagnostic in diagnostics
    ]


def _line(names: tuple[str, ...], inputs: list[ModuleInput]) -> int | None:
    lines = {item.name: item.line for item in inputs}
    return next((lines[name] for name in names if name in lines), None)
