"""Pathological jobspecs (issue 11): each one is built in a folder, then run through `gen-module`.

`python -m tools.bench_hostile` runs each in its own process and prints seconds
and peak memory; tests assert what each one comes to (a module or a refusal).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

JOB = """job "hostile" {{
  group "g" {{
    task "t" {{
      driver = "docker"
      config {{
        image = "nginx:1.27"
      }}
      env {{
        X = {value}
      }}
    }}
  }}
}}
"""


def job_with(value: str, before: str = "") -> str:
    """A minimal jobspec whose only env value is the HCL expression `value`."""
    return before + JOB.format(value=value)


def _blank_lines(folder: Path) -> str:
    return "\n" * 200_000 + job_with('"x"')


def _big_heredoc(folder: Path) -> str:
    body = ("a" * 99 + "\n") * 500_000
    return job_with(f"<<EOT\n{body}EOT")


def _heredoc_at_limit(folder: Path) -> str:
    body = ("a" * 99 + "\n") * 10_000
    return job_with(f"<<EOT\n{body}EOT")


def _many_attributes(folder: Path) -> str:
    entries = "".join(f"  l{index} = {index}\n" for index in range(60_000))
    return job_with("local.l0", "locals {\n" + entries + "}\n")


def _deep_nesting(folder: Path) -> str:
    return job_with("[" * 10_000 + "]" * 10_000)


def _deep_parens(folder: Path) -> str:
    return job_with("(" * 5_000 + "1" + ")" * 5_000)


def _billion_laughs(folder: Path) -> str:
    lines = ["a: &a [" + ",".join(["'lol'"] * 9) + "]"]
    for level in range(1, 9):
        name, prev = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    yaml_text = "\\n".join(lines)
    return job_with(f'jsonencode(yamldecode("{yaml_text}"))')


def _setproduct(folder: Path) -> str:
    return job_with("length(setproduct(range(1000), range(1000), range(1000)))")


def _string_doubling(folder: Path) -> str:
    entries = ['  s0 = "xx"'] + [
        f'  s{index} = "${{local.s{index - 1}}}${{local.s{index - 1}}}"' for index in range(1, 41)
    ]
    return job_with("local.s40", "locals {\n" + "\n".join(entries) + "\n}\n")


def _list_doubling(folder: Path) -> str:
    entries = ['  l0 = ["x"]'] + [
        f"  l{index} = [local.l{index - 1}, local.l{index - 1}]" for index in range(1, 61)
    ]
    return job_with("jsonencode(local.l60)", "locals {\n" + "\n".join(entries) + "\n}\n")


def _nested_for(folder: Path) -> str:
    return job_with(
        "length(flatten([for a in range(1024) : [for b in range(1024) : "
        "[for c in range(1024) : c]]]))"
    )


def _dev_zero(folder: Path) -> str:
    return job_with('file("/dev/zero")')


def _fifo(folder: Path) -> str:
    fifo = folder / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    return job_with('file("pipe")')


def _regex_backtracking(folder: Path) -> str:
    return job_with('regex_replace("' + "a" * 40 + '!", "^(a|aa|a?a|aa?|(a|a)+)*(b|bb)+$", "")')


def _cidrsubnet(folder: Path) -> str:
    return job_with('cidrsubnet("::/0", 120, 1329227995784915872903807060280344575)')


def _format_width(folder: Path) -> str:
    return job_with('format("%999999999d", 1)')


def _escaped_file(folder: Path) -> str:
    return job_with('"$${file(\\"/etc/hostname\\")}"')


@dataclass(frozen=True)
class Hostile:
    name: str
    build: Callable[[Path], str]
    what: str


HOSTILE: tuple[Hostile, ...] = (
    Hostile("blank-lines", _blank_lines, "200,000 blank lines before the job"),
    Hostile("heredoc-50mb", _big_heredoc, "a 50 MB heredoc env value"),
    Hostile("heredoc-1mb", _heredoc_at_limit, "a 1 MB heredoc env value (within the limit)"),
    Hostile("many-locals", _many_attributes, "60,000 locals"),
    Hostile("deep-brackets", _deep_nesting, "a list nested 10,000 deep"),
    Hostile("deep-parens", _deep_parens, "an expression in 5,000 parentheses"),
    Hostile("yaml-laughs", _billion_laughs, "yamldecode of a billion-laughs document"),
    Hostile("setproduct", _setproduct, "setproduct of three 1,000-element sets"),
    Hostile("string-doubling", _string_doubling, "40 locals, each its predecessor twice"),
    Hostile("list-doubling", _list_doubling, "60 locals, each a list of its predecessor twice"),
    Hostile("nested-for", _nested_for, "three nested for expressions over range(1024)"),
    Hostile("file-dev-zero", _dev_zero, 'file("/dev/zero")'),
    Hostile("file-fifo", _fifo, "file() of a FIFO nobody writes to"),
    Hostile("regex-backtrack", _regex_backtracking, "regex_replace with a backtracking pattern"),
    Hostile("cidrsubnet-huge", _cidrsubnet, "cidrsubnet with a 2^120 network number"),
    Hostile("format-width", _format_width, 'format("%999999999d", 1)'),
    Hostile("escaped-file", _escaped_file, '"$${file(...)}": literal text, never read'),
)


def write_hostile(item: Hostile, folder: Path) -> Path:
    """Write `item`'s jobspec into `folder` (which it may also furnish); return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.nomad.hcl"
    path.write_text(item.build(folder), encoding="utf-8")
    return path
