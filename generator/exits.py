"""Exit codes and the one-line error contract shared by `gen-module` and `regen`.

Every failure of the input or the environment is one line on stderr and exit 2; an
exception nobody expected is `internal error`, exit 3, its traceback only with `--debug`.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import click

from generator.errors import InputError

EXIT_WRITTEN, EXIT_STRICT, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130
ENV_VAR_PREFIX = "NOMAD_VAR_"


def fail(line: str, code: int = EXIT_INPUT) -> NoReturn:
    click.echo(line, err=True)
    sys.exit(code)


@contextmanager
def too_deep(file: str) -> Iterator[None]:
    """Input that exhausts the stack or memory is an input error of `file`."""
    try:
        yield
    except RecursionError:
        raise InputError(
            file, None, "too-deep", "nested deeper than the generator follows"
        ) from None
    except MemoryError:
        raise InputError(file, None, "too-large", "more than the generator can hold") from None


def text_problem(value: str) -> str | None:
    """Why `value` (from argv or the environment) cannot be used as text, if it cannot."""
    if "\0" in value:
        return "holds a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(value[error.start])
        # Undecodable bytes from argv or the environment arrive as U+DC80..U+DCFF.
        what = f"byte {code - 0xDC00:#04x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        return f"not UTF-8 text ({what} at character {error.start + 1})"
    return None


def check_variables(cli_vars: Mapping[str, str], env: Mapping[str, str]) -> None:
    """Every --var and NOMAD_VAR_* name and value is text that can reach a module."""
    sources: list[tuple[str, Iterable[tuple[str, str]]]] = [("--var", cli_vars.items())]
    sources.append(
        ("environment", ((k, v) for k, v in env.items() if k.startswith(ENV_VAR_PREFIX)))
    )
    for where, items in sources:
        for name, value in items:
            problem = text_problem(name) or text_problem(value)
            if problem is not None:
                shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
                raise InputError(where, None, "invalid-argument", f"{shown}: {problem}")


def _tolerant_streams() -> None:
    """Text that is not UTF-8 (a file name from argv) is escaped on output, not fatal."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


class OneLineCommand(click.Command):
    """A click command whose usage errors are one line (exit 2) and whose bugs exit 3."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        argv = list(sys.argv[1:] if args is None else args)
        _tolerant_streams()
        name = prog_name or self.name or "gen-module"
        try:
            code = super().main(argv, name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as error:
            reason = " ".join(error.format_message().split())
            fail(f"{name}: invalid-argument: {reason}")
        except click.Abort:
            fail(f"{name}: interrupted", EXIT_INTERRUPTED)
        except InputError as error:
            fail(error.one_line())
        except (RecursionError, MemoryError) as error:
            fail(f"{name}: too-deep: {type(error).__name__}")
        except Exception as error:  # the last resort: never a bare traceback
            what = " ".join(f"{type(error).__name__}: {error}".split())
            if "--debug" in argv:
                traceback.print_exc(file=sys.stderr)
                fail(f"{name}: internal error: {what}", EXIT_INTERNAL)
            hint = "run again with --debug for the traceback, and report it"
            fail(f"{name}: internal error: {what} ({hint})", EXIT_INTERNAL)
        sys.exit(code if isinstance(code, int) else EXIT_WRITTEN)
