"""Bounds on what one jobspec may cost to read and evaluate.

Nomad sets no size or time limit of its own on a jobspec (its Go parser and cty
functions run until memory runs out), so these are ours, chosen far above what real
jobspecs need (the largest of the 551 in the shared corpus is 26 KB, 12 levels deep):

- input: 1 MiB of jobspec or var file text, 50,000 tokens (names, numbers,
  symbols, line ends: 10 times the largest corpus jobspec; python-hcl2 parses about
  30,000 a second), 100 levels of `{ [ ( ${` nesting;
- `file()`: regular files of at most 1 MiB (a Kubernetes ConfigMap holds no more),
  under the jobspec's folder or the git repository it sits in;
- values: a string of at most 4 Mi characters, a value whose written-out size
  (characters, plus 16 per element) is at most 8 Mi;
- evaluation: 1 s of CPU time for the whole jobspec (the whole pipeline takes about
  16 ms of CPU time per corpus jobspec).

Going past one is an input error (`LimitError`), never a partial value: `try()` and
`can()` do not catch it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

MAX_INPUT_BYTES = 1 << 20
MAX_INPUT_TOKENS = 50_000
MAX_NESTING = 100
MAX_FILE_BYTES = 1 << 20
MAX_STRING_CHARS = 4 << 20
MAX_FOOTPRINT = 8 << 20
ELEMENT_WEIGHT = 16
MAX_EVALUATION_SECONDS = 1.0


class LimitError(Exception):
    """Input past one of the bounds above; `code` is its diagnostic code."""

    def __init__(self, code: str, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        self.line = line


_ROUGH_TOKEN = re.compile(r"[\w.]+|[^\s\w]|\n")

# The pieces of HCL source that open or close a nesting level, or change what the
# text around them means (strings, comments, heredocs).
_TOKEN = re.compile(
    r'\\.|\$\$\{|%%\{|[$%]\{|[{}\[\]()"]|#|//|/\*|<<-?[A-Za-z_][\w-]*[ \t]*\n', re.DOTALL
)


def check_size(text: str) -> None:
    size = len(text.encode("utf-8")) if len(text) * 4 > MAX_INPUT_BYTES else len(text)
    if size > MAX_INPUT_BYTES:
        raise LimitError(
            "input-too-large",
            f"{size:,} bytes: jobspecs and var files are limited to {MAX_INPUT_BYTES:,} bytes",
        )


def check_source(text: str) -> None:
    """Refuse jobspec or var file text past the input limits, before python-hcl2 reads it.

    Size first; then nesting (brackets outside strings and comments, `${`/`%{` inside
    strings), which python-hcl2 and lark recurse on; then tokens outside heredoc bodies
    (a heredoc is one token to python-hcl2; its templates go to our own parser, which
    has its own bound).
    """
    check_size(text)
    spans = [*_check_nesting(text), (len(text), len(text))]
    start, characters = 0, 0
    for body_start, body_end in spans:
        characters += max(0, body_start - start)
        start = body_end
    if characters > MAX_INPUT_TOKENS:  # a token is one character or more: else none to count
        _count_tokens(text, spans)


def _count_tokens(text: str, spans: list[tuple[int, int]]) -> None:
    """Refuse more than MAX_INPUT_TOKENS tokens, on the line of the first one past the limit."""
    count, start = 0, 0
    for body_start, body_end in spans:
        for match in _ROUGH_TOKEN.finditer(text, start, body_start):
            count += 1
            if count > MAX_INPUT_TOKENS:
                raise LimitError(
                    "input-too-large",
                    f"more than {MAX_INPUT_TOKENS:,} tokens (names, numbers, symbols, line "
                    "ends) by this line: split the jobspec",
                    _line(text, match.start()),
                )
        start = body_end


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _check_nesting(text: str) -> list[tuple[int, int]]:
    """Refuse nesting deeper than MAX_NESTING; return the spans of heredoc bodies."""
    stack: list[str] = []  # '"' for a string, "{" for any bracket or interpolation
    heredocs: list[tuple[int, int]] = []
    depth, pos = 0, 0
    while (match := _TOKEN.search(text, pos)) is not None:
        token, pos = match.group(), match.end()
        if stack and stack[-1] == '"':
            if token == '"':
                stack.pop()
            elif token in ("${", "%{"):
                stack.append("{")
                depth += 1
        elif token in ("#", "//"):
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif token == "/*":
            end = text.find("*/", pos)
            pos = len(text) if end < 0 else end + 2
        elif token.startswith("<<"):
            marker = token.lstrip("<-").strip()
            closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
            found = closing.search(text, pos)
            end = len(text) if found is None else found.start()
            heredocs.append((pos, end))
            pos = end
        elif token == '"':
            stack.append('"')
        elif token in ("{", "[", "(", "${", "%{"):
            stack.append("{")
            depth += 1
            if depth > MAX_NESTING:
                raise LimitError(
                    "too-deep",
                    f"nested more than {MAX_NESTING} levels deep",
                    _line(text, match.start()),
                )
        elif token in ("}", "]", ")") and stack:
            stack.pop()
            depth -= 1
    return heredocs


def footprint(value: object, limit: int = MAX_FOOTPRINT) -> int:
    """The written-out size of `value` (characters, plus ELEMENT_WEIGHT per element).

    A list or map reached several times (`[local.x, local.x]`) counts each time, as
    it would be written, but is measured once: the cost is the number of distinct
    elements, whatever the size written out. Sizes stop growing past `limit`.
    """
    sizes: dict[int, int] = {}
    distinct = 0  # the size of every distinct element seen: a floor of the total
    stack = [value]
    while stack:
        item = stack[-1]
        if id(item) in sizes:
            stack.pop()
            continue
        children = _children(item)
        distinct += len(children) * ELEMENT_WEIGHT
        if distinct > limit:
            return limit + 1
        waiting = [child for child in children if _container(child) and id(child) not in sizes]
        if waiting:
            stack.extend(waiting)
            continue
        stack.pop()
        tick()
        total = ELEMENT_WEIGHT + _own_size(item)
        for child in children:
            total += sizes[id(child)] if _container(child) else ELEMENT_WEIGHT + _own_size(child)
            if total > limit:
                break
        sizes[id(item)] = min(total, limit + 1)
    return sizes.get(id(value), ELEMENT_WEIGHT + _own_size(value))


def _container(value: object) -> bool:
    return isinstance(value, list | tuple | dict)


def _children(value: object) -> list[object]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return []


def _own_size(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(str(key)) for key in value)
    return 0


_V = TypeVar("_V")


def check_value(value: _V, what: str) -> _V:
    """`value`, or LimitError when it is larger than the bounds above."""
    if isinstance(value, str):
        if len(value) > MAX_STRING_CHARS:
            raise LimitError(
                "limit-exceeded",
                f"{what} is {len(value):,} characters long "
                f"(strings are limited to {MAX_STRING_CHARS:,})",
            )
        return value
    if isinstance(value, list | tuple | dict) and footprint(value) > MAX_FOOTPRINT:
        raise LimitError(
            "limit-exceeded",
            f"{what} is larger than {MAX_FOOTPRINT:,} characters written out",
        )
    return value


class Deadline:
    """The CPU time one jobspec's evaluation may take; `tick()` is cheap to call often."""

    def __init__(self, seconds: float = MAX_EVALUATION_SECONDS) -> None:
        self.seconds = seconds
        self.end = time.process_time() + seconds
        self.count = 0

    def tick(self) -> None:
        self.count += 1
        if self.count & 1023 == 0 and time.process_time() > self.end:
            raise LimitError(
                "limit-exceeded",
                f"evaluating the jobspec takes more than {self.seconds:g} s of CPU time",
            )


_DEADLINE: ContextVar[Deadline | None] = ContextVar("hcl_deadline", default=None)


@contextmanager
def evaluation_deadline(seconds: float = MAX_EVALUATION_SECONDS) -> Iterator[Deadline]:
    """Within the block, `tick()` raises LimitError once `seconds` of CPU time are spent."""
    deadline = Deadline(seconds)
    token = _DEADLINE.set(deadline)
    try:
        yield deadline
    finally:
        _DEADLINE.reset(token)


def tick() -> None:
    """One step of work: evaluating a node, visiting an element, matching a file."""
    deadline = _DEADLINE.get()
    if deadline is not None:
        deadline.tick()
