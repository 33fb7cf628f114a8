"""Canonical layout for generated HCL: what `terraform fmt` would write.

Templates only have to get each line's content right; this pass fixes the
indentation from bracket depth, aligns the `=` of consecutive single-line
attributes (the rule of hclwrite's formatter; heredoc bodies do not break a run), drops trailing spaces and
squeezes blank lines. Heredoc bodies are left byte-for-byte as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import regex

_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_]*)$")
_OPENERS = "{[("
_CLOSERS = "}])"
# The characters `_scan` acts on, in code and in a quoted string: others are jumped over.
_CODE_SPECIAL = re.compile(r'["{}\[\]()=#]')
_STRING_SPECIAL = re.compile(r'[\\"$%]')


@dataclass(frozen=True)
class _Line:
    text: str
    depth_change: int
    leading_closers: int
    assign_at: int | None
    heredoc_marker: str | None
    heredoc_indented: bool = False


@lru_cache(maxsize=8192)  # generated modules repeat many lines (`}`, `name = var.name`)
def _scan(line: str) -> _Line:
    """Bracket balance of a line, ignoring brackets inside quoted strings."""
    depth = 0
    leading_closers = 0
    seen_code = False
    assign_at: int | None = None
    first_equal_seen = False
    net_after_equal = 0
    i = 0
    stack: list[str] = []
    while i < len(line):
        if stack and stack[-1] == '"':
            special = _STRING_SPECIAL.search(line, i)
            if special is None:
                break
            i = special.start()
            char = line[i]
            if char == "\\":
                i += 2
                continue
            if line.startswith("${", i) or line.startswith("%{", i):
                if i > 0 and line[i - 1] == char:
                    i += 2
                    continue
                stack.append("{")
                i += 2
                continue
            if char == '"':
                stack.pop()
            i += 1
            continue
        if seen_code:  # nothing but the special characters changes the state any more
            special = _CODE_SPECIAL.search(line, i)
            if special is None:
                break
            i = special.start()
        char = line[i]
        if char == '"':
            stack.append('"')
            seen_code = True
        elif char in _OPENERS:
            stack.append(char)
            depth += 1
            seen_code = True
            if first_equal_seen:
                net_after_equal += 1
        elif char in _CLOSERS:
            if stack and stack[-1] in _OPENERS:
                stack.pop()
            if stack and stack[-1] == '"' and char == "}":
                pass
            else:
                depth -= 1
                if first_equal_seen:
                    net_after_equal -= 1
                if not seen_code:
                    leading_closers += 1
        elif char == "=" and not stack and not first_equal_seen and seen_code:
            nxt = line[i + 1 : i + 2]
            prev = line[i - 1 : i]
            if (nxt not in "=>" or nxt == "") and prev not in "!<>=":
                first_equal_seen = True
                assign_at = i
        elif char == "#" and not stack:
            break
        elif not char.isspace():
            seen_code = True
        i += 1
    stripped = line.rstrip()
    heredoc = _HEREDOC.search(stripped)
    marker = heredoc.group(2) if heredoc and not stack else None
    indented = bool(heredoc and heredoc.group(1))
    if first_equal_seen and net_after_equal != 0:
        assign_at = None
    return _Line(line.strip(), depth, leading_closers, assign_at, marker, indented)


def format_hcl(text: str) -> str:
    output: list[str] = []
    indents: list[int] = []
    heredoc_end: str | None = None
    heredoc_body: list[str] = []
    heredoc_indent = 0
    assign_run: list[tuple[int, _Line]] = []

    def close_run() -> None:
        if len(assign_run) > 1:
            _align(output, assign_run)
        assign_run.clear()

    for raw in text.split("\n"):
        if heredoc_end is not None:
            if raw.strip() == heredoc_end:
                output.extend(_shift_heredoc(heredoc_body, heredoc_indent))
                output.append(("  " * heredoc_indent if heredoc_indent >= 0 else "") + raw.strip())
                heredoc_end = None
                heredoc_body = []
            else:
                heredoc_body.append(raw)
            continue
        scanned = _scan(raw.strip())
        if not scanned.text:
            if assign_run:
                close_run()
            if output and output[-1] != "" and not output[-1].endswith(("{", "[", "(")):
                output.append("")
            continue
        if scanned.leading_closers and output and output[-1] == "":
            output.pop()
        change = scanned.depth_change
        indent = _indent_level(indents, change) if change else len(indents)
        output.append("  " * indent + scanned.text)
        if scanned.assign_at is not None:
            assign_run.append((len(output) - 1, scanned))
        elif assign_run:
            close_run()
        if scanned.heredoc_marker:
            heredoc_end = scanned.heredoc_marker
            heredoc_indent = indent if scanned.heredoc_indented else -1
    close_run()
    while output and output[-1] == "":
        output.pop()
    return "\n".join(output) + "\n"


def _indent_level(indents: list[int], net_brackets: int) -> int:
    """hclwrite's rule: a line that opens brackets adds one level, however many."""
    if net_brackets > 0:
        level = len(indents)
        indents.append(net_brackets)
        return level
    closed = -net_brackets
    while closed > 0 and indents:
        if closed >= indents[-1]:
            closed -= indents.pop()
        else:
            indents[-1] -= closed
            closed = 0
    return len(indents)


def _shift_heredoc(body: list[str], indent: int) -> list[str]:
    """Indent a `<<-` body one level below its opener; `<<` bodies stay as they are."""
    if indent < 0:
        return body
    text_lines = [line for line in body if line.strip()]
    if not text_lines:
        return ["" for _ in body]
    current = min(len(line) - len(line.lstrip(" ")) for line in text_lines)
    pad = "  " * (indent + 1)
    return [pad + line[current:] if line.strip() else "" for line in body]


def _align(lines: list[str], run: list[tuple[int, _Line]]) -> None:
    parts = []
    for index, scanned in run:
        line = lines[index]
        assert scanned.assign_at is not None
        indent = line[: len(line) - len(line.lstrip())]
        key = scanned.text[: scanned.assign_at].rstrip()
        rest = scanned.text[scanned.assign_at + 1 :].lstrip()
        parts.append((index, indent, key, rest))
    width = max(_columns(key) for _, _, key, _ in parts)
    for index, indent, key, rest in parts:
        padding = " " * (width - _columns(key))
        lines[index] = f"{indent}{key}{padding} = {rest}".rstrip()


_GRAPHEME = regex.compile(r"\X")


def _columns(text: str) -> int:
    """Columns as hclwrite counts them: grapheme clusters (Tokens.Columns, go-textseg)."""
    return len(text) if text.isascii() else len(_GRAPHEME.findall(text))
