"""Splitting an `env = true` template into variables, as Nomad reads it.

Nomad parses the rendered file with hashicorp/go-envparse (v0.1.0): each line
is trimmed; blank lines and lines starting with `#` are skipped; the key is
the text before the first `=`, with an `export ` prefix removed, matching
`[A-Za-z_][A-Za-z0-9_./]*`; the value is trimmed and may mix unquoted text
(ends at `#`), single-quoted text (no escapes) and double-quoted text (JSON
escapes). Control characters in a value are an error. A later line for the
same key overrides an earlier one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.consul_template.model import (
    SECRET_TYPES,
    EnvLine,
    EnvQuoting,
    EnvValueKind,
    Field,
    Literal,
    NomadVarAllKeys,
    Rendered,
    SecretAllKeys,
    SecretLeaf,
    Segment,
    ServiceAddress,
    ServiceInstances,
    TemplateAnalysis,
    Unknown,
)

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_./]*")
_SPACE = " \t\r\n\v\f"
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "r": "\r", "n": "\n", "t": "\t"}
_QUOTING = {"normal": EnvQuoting.NONE, "double": EnvQuoting.DOUBLE, "single": EnvQuoting.SINGLE}

Piece = str | Segment


class _EnvError(Exception):
    pass


@dataclass
class _RawLine:
    line: int
    pieces: list[Piece] = field(default_factory=list)
    dump: SecretAllKeys | NomadVarAllKeys | None = None  # one entry of a whole-secret dump
    sealed: bool = False  # ends with the last entry of a `range`: nothing may follow
    problem: str | None = None

    def add(self, piece: Piece) -> None:
        if self.sealed and not _blank(piece):
            self.problem = "text follows a `range` entry on the same line"
        self.pieces.append(piece)

    @property
    def blank(self) -> bool:
        return self.dump is None and all(_blank(piece) for piece in self.pieces)


def env_lines(analysis: TemplateAnalysis) -> list[EnvLine]:
    """The variables an `env = true` template defines, in file order.

    Blank and comment lines are skipped; a line that Nomad could not parse, or
    whose meaning depends on values only known at render time, is returned
    with kind UNKNOWN and a `problem`. A `range service` or whole-secret dump
    whose entries are whole lines is laid out as those lines."""
    result: list[EnvLine] = []
    for raw in _LineSplitter(analysis.segments).lines:
        parsed = _parse_line(raw)
        if parsed is not None:
            result.append(parsed)
    return result


class _LineSplitter:
    def __init__(self, segments: tuple[Segment, ...]) -> None:
        self.lines = [_RawLine(segments[0].line if segments else 1)]
        for segment in segments:
            if isinstance(segment, Literal):
                self._text(segment.text, segment.line)
            elif not self._expand(segment):
                if self.current.blank:
                    self.current.line = segment.line
                self.current.add(segment)

    @property
    def current(self) -> _RawLine:
        return self.lines[-1]

    def _text(self, text: str, line: int) -> None:
        parts = text.split("\n")
        self.current.add(parts[0])
        for offset, part in enumerate(parts[1:], start=1):
            self.lines.append(_RawLine(line + offset, [part]))

    def _expand(self, segment: Segment) -> bool:
        """Lay out a `range` whose entries are whole lines; False if they are not.

        Entries repeat the body's lines; where one entry meets the next, the
        body's last and first partial lines join, so one of them must be blank."""
        if not isinstance(segment, ServiceAddress | SecretAllKeys | NomadVarAllKeys):
            return False
        if isinstance(segment, ServiceAddress) and segment.instances is not ServiceInstances.EACH:
            return False
        partials = _partials(segment.rendered)
        first, last = partials[0], partials[-1]
        if len(partials) < 2 or not (_blank_parts(first) or _blank_parts(last)):
            return False
        if not _blank_parts(first) and not self.current.blank:
            return False
        if self.current.blank:
            self.current.line = segment.line
        for index, partial in enumerate(partials):
            if index:
                self.lines.append(_RawLine(segment.line))
            self._entry_line(segment, partial)
        self.current.sealed = not _blank_parts(last)
        return True

    def _entry_line(
        self, segment: ServiceAddress | SecretAllKeys | NomadVarAllKeys, partial: _Partial
    ) -> None:
        if isinstance(segment, ServiceAddress):
            for part in partial:
                self.current.add(part if isinstance(part, str) else _instance_field(segment, part))
        elif not _blank_parts(partial):
            if not _is_key_value(partial):
                self.current.problem = "the entries of a whole-secret dump are not KEY=value lines"
            if not self.current.blank:
                self.current.problem = "a whole-secret dump shares its line with other text"
            self.current.dump = segment


_Partial = list[str | Field]


def _partials(rendered: Rendered) -> list[_Partial]:
    """`rendered` split at its newlines."""
    partials: list[_Partial] = [[]]
    for part in rendered:
        if isinstance(part, Field):
            partials[-1].append(part)
            continue
        first, *rest = part.split("\n")
        partials[-1].append(first)
        partials.extend([chunk] for chunk in rest)
    return [[part for part in partial if part != ""] for partial in partials]


def _blank(piece: Piece | Field) -> bool:
    return isinstance(piece, str) and not piece.strip(_SPACE)


def _blank_parts(partial: _Partial) -> bool:
    return all(_blank(part) for part in partial)


def _is_key_value(partial: _Partial) -> bool:
    items = [part for part in partial if not _blank(part)]
    return (
        len(items) == 3
        and items[0] == Field("key")
        and isinstance(items[1], str)
        and items[1].strip(" \t") == "="
        and items[2] == Field("value")
    )


def _instance_field(segment: ServiceAddress, field_: Field) -> ServiceAddress:
    return ServiceAddress(segment.query, (field_,), segment.line, ServiceInstances.LAST)


def _parse_line(raw: _RawLine) -> EnvLine | None:
    pieces = _trim(raw.pieces)
    if raw.problem is not None:
        problem = Unknown(_describe_pieces(pieces), raw.line, f"env file line: {raw.problem}")
        return _unknown_line(raw, pieces, problem)
    if raw.dump is not None:
        return EnvLine("", (raw.dump,), raw.line, EnvValueKind.ALL_KEYS)
    if not pieces or (isinstance(pieces[0], str) and pieces[0].startswith("#")):
        return None
    unknown = next((piece for piece in pieces if isinstance(piece, Unknown)), None)
    if unknown is not None:
        return _unknown_line(raw, pieces, unknown)
    try:
        name, value = _split_key(pieces)
        segments, quoting = _parse_value(value, raw.line)
    except _EnvError as error:
        problem = Unknown(_describe_pieces(pieces), raw.line, f"env file line: {error}")
        return _unknown_line(raw, pieces, problem)
    return EnvLine(name, segments, raw.line, _classify(segments), quoting)


def _unknown_line(raw: _RawLine, pieces: list[Piece], problem: Unknown) -> EnvLine:
    segments = tuple(_as_segments(pieces, raw.line))
    return EnvLine(_name_guess(pieces), segments, raw.line, EnvValueKind.UNKNOWN, problem=problem)


def _name_guess(pieces: list[Piece]) -> str:
    """The key when the line starts with literal `KEY=`, else ""."""
    if pieces and isinstance(pieces[0], str) and "=" in pieces[0]:
        key = pieces[0].split("=", 1)[0].strip(_SPACE).removeprefix("export ").strip(_SPACE)
        return key if _KEY.fullmatch(key) else ""
    return ""


def _trim(pieces: list[Piece]) -> list[Piece]:
    items = [piece for piece in pieces if piece != ""]
    if items and isinstance(items[0], str):
        items[0] = items[0].lstrip(_SPACE)
    if items and isinstance(items[-1], str):
        items[-1] = items[-1].rstrip(_SPACE)
    return [piece for piece in items if piece != ""]


def _split_key(pieces: list[Piece]) -> tuple[str, list[Piece]]:
    first = pieces[0]
    if isinstance(first, SecretAllKeys | NomadVarAllKeys):
        raise _EnvError("the entries of a whole-secret dump are not on separate lines")
    if not isinstance(first, str):
        raise _EnvError("the variable name is produced by a template value")
    if "=" not in first:
        if len(pieces) > 1:
            raise _EnvError("the variable name is produced by a template value")
        raise _EnvError("missing '=' (Nomad fails to read this file)")
    key, rest = first.split("=", 1)
    key = key.strip(_SPACE)
    if len(key) > len("export "):
        key = key.removeprefix("export ")
    if not _KEY.fullmatch(key):
        raise _EnvError(f"invalid variable name {key!r}")
    value: list[Piece] = [rest.lstrip(_SPACE), *pieces[1:]]
    return key, [piece for piece in value if piece != ""]


def _parse_value(pieces: list[Piece], line: int) -> tuple[tuple[Segment, ...], EnvQuoting]:
    """Unquote the value like go-envparse; template values stay opaque."""
    parser = _ValueParser()
    for piece in pieces:
        if isinstance(piece, str):
            if parser.feed_text(piece):
                break
        else:
            parser.feed_segment(piece)
    return parser.finish(line)


class _ValueParser:
    def __init__(self) -> None:
        self.mode = "normal"
        self.out: list[Piece] = []
        self.significant = 0  # length of `out` text up to the last significant char
        self.quotings: set[str] = set()

    def feed_text(self, text: str) -> bool:
        """Process literal text; True when a comment ends the value."""
        index = 0
        while index < len(text):
            char = text[index]
            if ord(char) < 32:
                raise _EnvError(f"control character {char!r} in value")
            if self.mode == "escape":
                index = self._escape(text, index)
                continue
            if self.mode == "normal" and char == "#":
                self._truncate()
                return True
            self._char(char)
            index += 1
        return False

    def _char(self, char: str) -> None:
        if self.mode == "normal":
            if char in "\"'":
                self.mode = "double" if char == '"' else "single"
            else:
                self._emit(char, significant=char not in " \t")
        elif self.mode == "double":
            if char == '"':
                self.mode = "normal"
            elif char == "\\":
                self.mode = "escape"
            else:
                self._emit(char)
        elif char == "'":
            self.mode = "normal"
        else:
            self._emit(char)

    def _escape(self, text: str, index: int) -> int:
        char = text[index]
        self.mode = "double"
        if char in _ESCAPES:
            self._emit(_ESCAPES[char])
            return index + 1
        if char != "u":
            raise _EnvError(f"invalid escape sequence \\{char}")
        digits = text[index + 1 : index + 5]
        if len(digits) != 4 or not all(c in "0123456789abcdefABCDEF" for c in digits):
            raise _EnvError("incomplete \\u escape")
        code = int(digits, 16)
        if 0xD800 <= code <= 0xDFFF:
            raise _EnvError("\\u surrogate escapes are not supported")
        self._emit(chr(code))
        return index + 5

    def feed_segment(self, segment: Segment) -> None:
        if self.mode == "escape":
            raise _EnvError("an escape sequence continues into a template value")
        if isinstance(segment, SecretAllKeys | NomadVarAllKeys):
            raise _EnvError("a whole-secret dump inside a value")
        self.quotings.add(self.mode)
        self.out.append(segment)
        self.significant = _length(self.out)

    def _emit(self, char: str, significant: bool = True) -> None:
        if self.out and isinstance(self.out[-1], str):
            self.out[-1] += char
        else:
            self.out.append(char)
        if significant:
            self.significant = _length(self.out)

    def _truncate(self) -> None:
        """Drop insignificant trailing whitespace, as a `#` comment does."""
        kept: list[Piece] = []
        remaining = self.significant
        for piece in self.out:
            if remaining <= 0:
                break
            kept.append(piece[:remaining] if isinstance(piece, str) else piece)
            remaining -= len(piece) if isinstance(piece, str) else 1
        self.out = kept

    def finish(self, line: int) -> tuple[tuple[Segment, ...], EnvQuoting]:
        if self.mode == "double":
            raise _EnvError('unmatched "')
        if self.mode == "single":
            raise _EnvError("unmatched '")
        if self.mode == "escape":
            raise _EnvError("incomplete escape sequence")
        if len(self.quotings) > 1:
            quoting = EnvQuoting.MIXED
        else:
            quoting = _QUOTING[next(iter(self.quotings), "normal")]
        return tuple(_as_segments(self.out, line)), quoting


def _length(pieces: list[Piece]) -> int:
    return sum(len(piece) if isinstance(piece, str) else 1 for piece in pieces)


def _as_segments(pieces: list[Piece], line: int = 0) -> list[Segment]:
    return [Literal(piece, line) if isinstance(piece, str) else piece for piece in pieces if piece]


def _describe_pieces(pieces: list[Piece]) -> str:
    return "".join(piece if isinstance(piece, str) else _placeholder(piece) for piece in pieces)


def _placeholder(segment: Segment) -> str:
    if isinstance(segment, Unknown):
        return segment.text
    return f"<{type(segment).__name__}>"


def _classify(segments: tuple[Segment, ...]) -> EnvValueKind:
    dynamic = [segment for segment in segments if not isinstance(segment, Literal)]
    secrets = [segment for segment in dynamic if isinstance(segment, SECRET_TYPES)]
    if not dynamic:
        return EnvValueKind.STATIC
    if not secrets:
        return EnvValueKind.DYNAMIC
    if len(segments) == 1 and isinstance(segments[0], SecretLeaf):
        return EnvValueKind.SECRET
    return EnvValueKind.MIXED
