"""Recognizing inputs that are not plain HCL2 jobspecs, from their raw text.

`detect_unsupported_syntax` names what a file is when it is not a jobspec the
generator can read (a nomad-pack / levant template, a Terraform `templatefile()`
source, HCL1, a heredoc python-hcl2 cannot read, JSON, no `job` block), so the
user gets one specific line instead of a generic syntax error. It never raises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.diagnostics import InputError
from generator.hcl.limits import LimitError, check_source

_PACK_TEMPLATE = re.compile(
    r"\[\[-?\s*(?:[.$]|/\*|(?:template|var|end|if|else|range|define|with|include|block|meta"
    r"|toJson|toYaml|quote|env|default|fileContents|timeNow|consulKey|coalesce)\b(?![.\]=]))"
)
_BLOCK_HEADER = re.compile(r'^\s*([\w-]+)((?:\s+(?:"[^"\n]*"|[\w-]+))*)\s*\{')
_QUOTED_KEY = re.compile(r'^\s*"[^"\n]*"\s*=')
_ATTRIBUTE = re.compile(r"^\s*([\w-]+)\s*=")
_BARE_INTERPOLATION = re.compile(r"(?<!\$)\$\{\s*([A-Za-z_][\w-]*)\s*\}")
_FOR_NAMES = re.compile(r"\bfor\s+([A-Za-z_][\w-]*)(?:\s*,\s*([A-Za-z_][\w-]*))?\s+in\b")
_VARIABLE = re.compile(r'^[ \t]*variable[ \t]+"?([\w-]+)"?', re.MULTILINE)
_SPECIAL = re.compile(r'[#/"]')  # where a comment or a string may start
_IN_STRING = re.compile(r'[\\"$%]')  # what `_string_end` acts on in a string
_IN_INTERPOLATION = re.compile(r'["{}]')  # and in an interpolation
_BRACKET = re.compile(r"[{}\[\]]")
_HEREDOC = re.compile(r"<<(-?)(\s*)([A-Za-z_][\w-]*)[ \t]*$")

_TEMPLATE_MESSAGE = (
    "nomad-pack/levant template: render it first with nomad-pack render / levant render"
)
_GO_TEMPLATE_MESSAGE = (
    "Go template source ({{ }} in the HCL structure): render it to a jobspec first"
)


def detect_unsupported_syntax(text: str, file_name: str) -> InputError | None:
    """A one-line diagnostic for a file that is not a plain HCL2 jobspec, or None."""
    try:
        check_source(text)
    except LimitError as error:
        return InputError(file_name, error.line, error.code, error.reason)
    scan = _Scanner(text).scan()
    for check in _CHECKS:
        found = check(text, scan)
        if found is not None:
            line, code, message = found
            return InputError(file_name, line, code, message)
    return None


@dataclass
class _StringSegment:
    text: str
    line: int
    heredoc: bool


@dataclass
class _Scan:
    """The text with strings, heredoc bodies and comments blanked, and what was blanked."""

    code_lines: list[str]
    strings: list[_StringSegment] = field(default_factory=list)
    heredoc_problems: list[tuple[int, str]] = field(default_factory=list)
    _structure: list[tuple[int, str, str | None]] | None = None

    def structure(self) -> list[tuple[int, str, str | None]]:
        """`_structure`'s lines, computed once for every check."""
        if self._structure is None:
            self._structure = _structure(self.code_lines)
        return self._structure


class _Scanner:
    """A forgiving lexer: a string left open ends at its line, a heredoc at the file's end."""

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n")
        self.scan_result = _Scan([])
        self.index = 0
        self.in_comment = False

    def scan(self) -> _Scan:
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            code = self._code_line(line, self.index)
            self.scan_result.code_lines.append(code)
            heredoc = _HEREDOC.search(code)
            if heredoc:
                self._heredoc(heredoc)
        return self.scan_result

    def _code_line(self, line: str, number: int) -> str:
        output: list[str] = []
        position = 0
        while position < len(line):
            if self.in_comment:
                end = line.find("*/", position)
                self.in_comment = end < 0
                position = len(line) if end < 0 else end + 2
                continue
            special = _SPECIAL.search(line, position)
            if special is None:
                output.append(line[position:])
                break
            output.append(line[position : special.start()])
            position = special.start()
            char = line[position]
            if char == "#" or line.startswith("//", position):
                break
            if line.startswith("/*", position):
                self.in_comment = True
                position += 2
                continue
            if char == '"':
                end = _string_end(line, position + 1)
                self.scan_result.strings.append(
                    _StringSegment(line[position + 1 : end], number, False)
                )
                output.append('"' + "_" * max(0, end - position - 1) + '"')
                position = end + 1
                continue
            output.append(char)
            position += 1
        return "".join(output)

    def _heredoc(self, match: re.Match[str]) -> None:
        marker = match.group(3)
        start = self.index
        if match.group(2):
            self.scan_result.heredoc_problems.append(
                (start, f"heredoc marker has a space after <<: write <<{match.group(1)}{marker}")
            )
        body: list[str] = []
        while self.index < len(self.lines):
            line = self.lines[self.index]
            self.index += 1
            if line.strip() == marker:
                if line != line.rstrip():
                    self.scan_result.heredoc_problems.append(
                        (self.index, f'heredoc end marker "{marker}" has trailing spaces')
                    )
                break
            body.append(line)
            self.scan_result.code_lines.append("")
        self.scan_result.code_lines.append("")
        self.scan_result.strings.append(_StringSegment("\n".join(body), start, True))


def _string_end(line: str, position: int) -> int:
    """Index of the quote closing a string that starts at `position`, or the line's end.

    The stack holds, per nesting level, -1 for a string or the brace depth of an
    interpolation (which may itself contain strings).
    """
    stack = [-1]
    while position < len(line):
        special = (_IN_STRING if stack[-1] < 0 else _IN_INTERPOLATION).search(line, position)
        if special is None:
            break
        position = special.start()
        char = line[position]
        if stack[-1] < 0:
            if char == "\\":
                position += 1
            elif line.startswith(("${", "%{"), position):
                stack.append(1)
                position += 1
            elif char == '"':
                stack.pop()
                if not stack:
                    return position
        elif char == '"':
            stack.append(-1)
        elif char in "{}":
            stack[-1] += 1 if char == "{" else -1
            if stack[-1] == 0:
                stack.pop()
        position += 1
    return len(line)


# ---- checks, most specific first ------------------------------------------------

Found = tuple[int | None, str, str] | None


def _pack_template(text: str, scan: _Scan) -> Found:
    if (line := _first_pack_line(text, scan)) is not None:
        return line, "template-source", _TEMPLATE_MESSAGE
    if (line := _first_go_template_line(text, scan)) is not None:
        return line, "template-source", _GO_TEMPLATE_MESSAGE
    return None


def _first_go_template_line(text: str, scan: _Scan) -> int | None:
    """First line with `{{ }}` in the structure or in a block label (not in values)."""
    for number, (line, code) in enumerate(
        zip(text.split("\n"), scan.code_lines, strict=False), start=1
    ):
        if "{{" in code:
            return number
        if "{{" in line and (header := _BLOCK_HEADER.match(line)) and "{{" in header.group(2):
            return number
    return None


def _first_pack_line(text: str, scan: _Scan) -> int | None:
    """First line with `[[ ... ]]` actions; heredocs count unless `[[` is a template delimiter."""
    custom_delimiters = "left_delimiter" in text
    lines: list[int] = []
    for number, line in enumerate(scan.code_lines, start=1):
        if "[[" in line and _PACK_TEMPLATE.search(line):
            lines.append(number)
            break
    for segment in scan.strings:
        if segment.heredoc and custom_delimiters:
            continue
        if match := _PACK_TEMPLATE.search(segment.text):
            lines.append(segment.line + segment.text.count("\n", 0, match.start()))
    return min(lines, default=None)


def _templatefile(text: str, scan: _Scan) -> Found:
    for number, line in enumerate(scan.code_lines, start=1):
        if "${" in line or "%{" in line:
            return number, "templatefile-source", _templatefile_message(line.strip())
    known = _bound_names(text) | _env_names(scan)
    for segment in scan.strings:
        if segment.heredoc:
            continue
        for match in _BARE_INTERPOLATION.finditer(segment.text):
            name = match.group(1)
            if name not in known and not _runtime_name(name):
                return segment.line, "templatefile-source", _templatefile_message(match.group())
    return None


def _templatefile_message(shown: str) -> str:
    return (
        f"{shown} looks like a Terraform templatefile() placeholder: render the file with "
        "terraform, or declare the value as a variable and pass --var"
    )


def _runtime_name(name: str) -> bool:
    return name.startswith("NOMAD_") or name == name.upper()


def _bound_names(text: str) -> set[str]:
    names = {match.group(1) for match in _VARIABLE.finditer(text)}
    for match in _FOR_NAMES.finditer(text):
        names.update(name for name in match.groups() if name)
    return names


def _env_names(scan: _Scan) -> set[str]:
    return {
        attribute.group(1)
        for _, line, context in scan.structure()
        if context == "block:env" and (attribute := _ATTRIBUTE.match(line))
    }


def _hcl1(text: str, scan: _Scan) -> Found:
    for number, line, context in scan.structure():
        problem = _hcl1_problem(line, context)
        if problem is not None:
            return number, "hcl1-syntax", f"HCL1 syntax ({problem}), which Nomad no longer accepts"
    return None


def _hcl1_problem(line: str, context: str | None) -> str | None:
    in_block = context is None or context.startswith("block:")
    if not in_block and _BLOCK_HEADER.match(line) and not _ATTRIBUTE.match(line):
        return "a block inside a map or list value"
    if in_block and _QUOTED_KEY.match(line):
        return 'a quoted attribute name ("key" = value) in a block'
    if in_block and _ends_with_comma(line) and _ATTRIBUTE.match(line):
        return "a comma after an attribute"
    return None


def _ends_with_comma(line: str) -> bool:
    if not line.rstrip().endswith(","):
        return False
    opened = sum(line.count(char) for char in "[{(")
    closed = sum(line.count(char) for char in "]})")
    return opened == closed


def _heredoc(text: str, scan: _Scan) -> Found:
    if scan.heredoc_problems:
        number, message = scan.heredoc_problems[0]
        return number, "heredoc-syntax", message
    return None


def _json(text: str, scan: _Scan) -> Found:
    if text.lstrip().startswith("{"):
        return 1, "json-jobspec", "JSON jobspec: only HCL jobspecs are supported"
    return None


def _no_job(text: str, scan: _Scan) -> Found:
    for _, line, context in scan.structure():
        if context is None and (header := _BLOCK_HEADER.match(line)) and header.group(1) == "job":
            return None
    return None, "no-job", "no job block: this is not a Nomad jobspec"


_CHECKS: tuple[Callable[[str, _Scan], Found], ...] = (
    _pack_template,
    _templatefile,
    _hcl1,
    _heredoc,
    _json,
    _no_job,
)


def _structure(code_lines: list[str]) -> list[tuple[int, str, str | None]]:
    """Each code line with its number and the innermost context open at its start.

    A context is "block:<kind>" for a block body, "object" for `{` in a value and
    "list" for `[`; None at the top level.
    """
    lines: list[tuple[int, str, str | None]] = []
    stack: list[str] = []
    for number, line in enumerate(code_lines, start=1):
        lines.append((number, line, stack[-1] if stack else None))
        brackets = _BRACKET.findall(line)
        if not brackets:
            continue
        header = _BLOCK_HEADER.match(line)
        opener = "block:" + header.group(1) if header and not _ATTRIBUTE.match(line) else "object"
        for char in brackets:
            if char == "{":
                stack.append(opener)
                opener = "object"
            elif char == "[":
                stack.append("list")
            elif stack:
                stack.pop()
    return lines
