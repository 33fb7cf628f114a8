"""`relocate:` of a service spec: Nomad task-dir paths moved to paths of the operator's choice.

`{"/local": "/config", "/alloc/data": "/data"}` is read here (validated, each key with its
line in the spec) and answers two questions: where an exact path goes (`moved_path`, for
mount paths and working dirs) and how free text reads once its path tokens moved
(`moved_text`, for args, env values and config files). `generator.translate.relocate`
applies it to the module plan.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any

import yaml
from pydantic import PlainValidator, ValidationInfo

from generator.errors import InputError

# The task dirs Nomad's container drivers mount (client/allocdir in hashicorp/nomad:
# SharedAllocContainerPath, TaskLocalContainerPath, TaskSecretsContainerPath), which the
# generator carries as the same paths. Other container paths belong to the image (it reads
# /etc/searxng because it was built to): a mount there moves with `overrides:`.
TASK_DIRS = ("/alloc", "/local", "/secrets")

# Path segments a key or a new path may hold: no space, quote, `:` (the API server refused it
# in a mountPath), `$` or `%`, so a moved path reads as one token in an argument, a
# `PATH`-like list or a config file.
_SEGMENT = re.compile(r"[A-Za-z0-9._-]+")

# What starts and ends a path token besides the text's edges: a space, quote, `=`, `:`, a
# bracket, `,`, `;`, `|`, `&`, `<`, `>`, `@`. `/local` moves in `--config=/local/x`,
# `PATH=/a:/local/bin`, `"/local/x"`, `(/local)`, `-v /local:/d` and `file:///local/x`, never
# inside a word or another path (`/localhost`, `/var/local`, `/local.bak`).
_EDGE = r"\s'\"`=:;,|&<>@()\[\]{}"
_BEFORE = rf"(?:^|(?<=[{_EDGE}])|(?<=file://))"
_AFTER = rf"(?=$|/|[{_EDGE}])"
# The rest of the token after a key, reported with it (`/local` + `/config.yml`). `\0` stands
# for text only Terraform knows (a module input): the token ends there.
_REST = rf"(?:/[^{_EDGE}\x00]*)?"


@dataclass(frozen=True)
class Move:
    old: str
    new: str
    line: int | None = None


@dataclass(frozen=True)
class Token:
    """One path token that moved: `/local/config.yml` → `/config/config.yml`."""

    old: str
    new: str
    move: Move


@dataclass(frozen=True)
class Relocation:
    moves: tuple[Move, ...] = ()
    file: str = "relocate"  # the service spec, for diagnostics

    def __bool__(self) -> bool:
        return bool(self.moves)

    def move_of(self, path: str) -> Move | None:
        """The move whose key is `path` or its nearest parent (the longest key wins)."""
        for move in self._longest_first:
            if path == move.old or path.startswith(move.old + "/"):
                return move
        return None

    def moved_path(self, path: str) -> Token | None:
        """An exact path (a mount path, a working dir) at its new place, or None."""
        move = self.move_of(path)
        if move is None:
            return None
        return Token(path, move.new + path[len(move.old) :], move)

    def moved_text(
        self, text: str, starts: bool = True, ends: bool = True
    ) -> tuple[str, list[Token]]:
        """`text` with every path token under a key moved. `starts`/`ends` False: text only
        Terraform knows comes before/after it, so its edges are not token boundaries."""
        if not self.moves:
            return text, []
        padded = ("" if starts else "\x00") + text + ("" if ends else "\x00")
        tokens: list[Token] = []

        def replace(match: re.Match[str]) -> str:
            move = self._by_key[match.group("key")]
            new = move.new + match.group("rest")
            tokens.append(Token(match.group(0), new, move))
            return new

        moved = self._pattern.sub(replace, padded)
        if not starts:
            moved = moved[1:]
        if not ends:
            moved = moved[:-1]
        return moved, tokens

    @cached_property
    def _longest_first(self) -> tuple[Move, ...]:
        return tuple(sorted(self.moves, key=lambda move: len(move.old), reverse=True))

    @cached_property
    def _by_key(self) -> dict[str, Move]:
        return {move.old: move for move in self.moves}

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        keys = "|".join(re.escape(move.old) for move in self._longest_first)
        return re.compile(rf"{_BEFORE}(?P<key>{keys}){_AFTER}(?P<rest>{_REST})")


def _at_or_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def path_problem(path: object) -> str | None:
    """Why `path` is not an absolute, normalised path of plain segments, or None."""
    if not isinstance(path, str) or not path:
        return f"{path!r} is not a path"
    if not path.startswith("/"):
        return f"{path!r} is not an absolute path"
    segments = path.split("/")[1:]
    if ".." in segments:
        return f"{path!r} has a '..' segment"
    normalised = posixpath.normpath(path).replace("//", "/")
    if path != normalised:
        return f"{path!r} is not a normalised path (write {normalised!r})"
    if path == "/":
        return "'/' is the container's root: it cannot move or be moved onto"
    bad = next((s for s in segments if not _SEGMENT.fullmatch(s)), None)
    if bad is not None:
        return f"{path!r}: segment {bad!r} may hold only letters, digits, '.', '_' and '-'"
    return None


def _move_problem(old: object, new: object) -> str | None:
    problem = path_problem(old)
    if problem is not None:
        return problem
    assert isinstance(old, str)
    if not any(_at_or_under(old, root) for root in TASK_DIRS):
        return (
            f"{old!r} is not a Nomad task dir: relocate moves {', '.join(TASK_DIRS)} and paths"
            " below them (to move another mount, use overrides)"
        )
    problem = path_problem(new)
    if problem is not None:
        return f"{old}: {problem}"
    assert isinstance(new, str)
    if any(_at_or_under(new, root) for root in TASK_DIRS):
        return f"{old}: the new path {new!r} lies in a Nomad task dir; move it out of them"
    return None


def _clash(first: Move, second: Move) -> str | None:
    """Two moves whose new paths nest must nest their old paths the same way, or a path under
    the inner new path would read as coming from both."""
    for outer, inner in ((first, second), (second, first)):
        if _at_or_under(inner.new, outer.new):
            rest = inner.new[len(outer.new) :]
            if inner.old != outer.old + rest:
                return (
                    f"{inner.old} → {inner.new} lands inside {outer.old} → {outer.new}:"
                    f" {inner.new} would hold both {inner.old} and {outer.old + rest}"
                )
    return None


def _spec_lines(text: str) -> tuple[int | None, dict[str, list[int]]]:
    """The line of `relocate:` in the spec and the lines of each of its keys (all of them for
    a key written twice, which YAML loading would silently collapse)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None, {}
    if not isinstance(root, yaml.MappingNode):
        return None, {}
    for key, value in root.value:
        if key.value != "relocate":
            continue
        lines: dict[str, list[int]] = {}
        if isinstance(value, yaml.MappingNode):
            for item, _ in value.value:
                lines.setdefault(str(item.value), []).append(item.start_mark.line + 1)
        return key.start_mark.line + 1, lines
    return None, {}


def parse_relocation(value: Any, info: ValidationInfo) -> Relocation:
    """The spec's `relocate:` mapping, checked. With the spec's file and text in the
    validation context (`load_service_spec`), a problem is an `InputError` at its key's
    line; without them, a `ValueError` (pydantic reports it at `relocate`)."""
    if isinstance(value, Relocation):
        return value
    context = info.context if isinstance(info.context, Mapping) else {}
    file, text = context.get("file"), context.get("text")
    section, lines = _spec_lines(text) if isinstance(text, str) else (None, {})

    def fail(message: str, line: int | None) -> Exception:
        if isinstance(file, str):
            return InputError(file, line, "invalid-spec", f"relocate: {message}")
        return ValueError(message)

    if value is None:
        return Relocation(file=file if isinstance(file, str) else "relocate")
    if not isinstance(value, Mapping):
        raise fail("expected a mapping of task-dir path: new path", section)
    moves: list[Move] = []
    for old, new in value.items():
        at = lines.get(str(old), [])
        line = at[0] if at else section
        if len(at) > 1:
            raise fail(f"{old} is given twice", at[1])
        problem = _move_problem(old, new)
        if problem is not None:
            raise fail(problem, line)
        move = Move(old, new, line)
        for earlier in moves:
            clash = _clash(earlier, move)
            if clash is not None:
                raise fail(clash, line)
        moves.append(move)
    return Relocation(tuple(moves), file if isinstance(file, str) else "relocate")


# The `relocate:` field of `ServiceSpec`.
RelocateField = Annotated[Relocation, PlainValidator(parse_relocation)]
