"""Tokens of an HCL file with their offsets; whitespace and comments stay in the source.

Only what the document tree needs: strings (templates included), heredocs, numbers,
identifiers, newlines, comments and punctuation. Every token is a span of the source,
so the text between two tokens is the trivia emitted unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NL = "nl"
IDENT = "ident"
NUMBER = "number"
STRING = "string"
HEREDOC = "heredoc"
COMMENT = "comment"
PUNCT = "punct"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_TWO_CHAR = ("=>", "==", "!=", "<=", ">=", "&&", "||", "...")


class ScanError(ValueError):
    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason


@dataclass(frozen=True)
class Token:
    kind: str
    start: int
    end: int
    text: str


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        char = source[i]
        if char in " \t\r":
            i += 1
            continue
        start = i
        if char == "\n":
            kind, i = NL, i + 1
        elif char == "#" or source.startswith("//", i):
            end = source.find("\n", i)
            kind, i = COMMENT, n if end < 0 else end
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise ScanError(i, "unterminated comment")
            kind, i = COMMENT, end + 2
        elif char == '"':
            kind, i = STRING, scan_string(source, i)
        elif source.startswith("<<", i):
            kind, i = HEREDOC, _scan_heredoc(source, i)
        elif char.isdigit():
            match = _NUMBER.match(source, i)
            assert match is not None
            kind, i = NUMBER, match.end()
        elif (match := _IDENT.match(source, i)) is not None:
            kind, i = IDENT, match.end()
        else:
            width = next((len(op) for op in _TWO_CHAR if source.startswith(op, i)), 1)
            kind, i = PUNCT, i + width
        tokens.append(Token(kind, start, i, source[start:i]))
    return tokens


def scan_string(source: str, i: int) -> int:
    """The offset just past the quoted string (a template) that starts at `i`."""
    j, n = i + 1, len(source)
    while j < n:
        char = source[j]
        if char == "\\":
            j += 2
        elif char == '"':
            return j + 1
        elif char == "\n":
            break
        elif source.startswith(("$${", "%%{"), j):
            j += 3
        elif source.startswith(("${", "%{"), j):
            j = _scan_interpolation(source, j + 2)
        else:
            j += 1
    raise ScanError(i, "unterminated string")


def _scan_interpolation(source: str, j: int) -> int:
    depth, n = 1, len(source)
    while j < n:
        char = source[j]
        if char == '"':
            j = scan_string(source, j)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ScanError(j, "unterminated interpolation")


def _scan_heredoc(source: str, i: int) -> int:
    match = _HEREDOC.match(source, i)
    if match is None:
        raise ScanError(i, "`<<` that does not start a heredoc")
    marker = match.group(2)
    j = match.end()
    while j <= len(source):
        end = source.find("\n", j)
        line_end = len(source) if end < 0 else end
        if source[j:line_end].strip() == marker:
            return line_end
        if end < 0:
            break
        j = end + 1
    raise ScanError(i, f"heredoc without its closing `{marker}`")
