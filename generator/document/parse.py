"""Source text → `Document`: blocks, attributes and the values the overrides edit."""

from __future__ import annotations

import builtins
import json
import re

from generator.document.scan import (
    COMMENT,
    HEREDOC,
    IDENT,
    NL,
    NUMBER,
    PUNCT,
    STRING,
    ScanError,
    Token,
    tokenize,
)
from generator.document.tree import (
    Attribute,
    Block,
    Body,
    CallValue,
    Document,
    Entry,
    ObjectValue,
    Opaque,
    Scalar,
    ScalarValue,
    TupleItem,
    TupleValue,
    Value,
)

_OPEN = {"{": "}", "[": "]", "(": ")"}
_CLOSE = frozenset("}])")
_ESCAPE = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_UNICODE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})")


class DocumentError(ValueError):
    """Text the document tree cannot read (the line is 1-based)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


def parse_document(source: str) -> Document:
    try:
        tokens = tokenize(source)
    except ScanError as error:
        raise DocumentError(source.count("\n", 0, error.offset) + 1, error.reason) from None
    parser = _Parser(source, tokens)
    body = parser.body(0, closing=False)
    return Document(body)


def parse_value(text: str) -> Value | None:
    """`text` as one expression, or None when it is not exactly one expression."""
    try:
        tokens = tokenize(text)
    except ScanError:
        return None
    if not tokens:
        return None
    parser = _Parser(text, tokens)
    try:
        value, end = parser.value(0, newline_ends=True)
    except DocumentError:
        return None
    if end != len(tokens) or any(t.kind == COMMENT for t in tokens):
        return None
    return value


class _Parser:
    def __init__(self, source: str, tokens: list[Token]) -> None:
        self.source = source
        self.tokens = [t for t in tokens if t.kind != COMMENT]

    def error(self, index: int, reason: str) -> DocumentError:
        offset = self.tokens[index].start if index < len(self.tokens) else len(self.source)
        return DocumentError(self.source.count("\n", 0, offset) + 1, reason)

    def kind(self, index: int) -> str | None:
        return self.tokens[index].kind if index < len(self.tokens) else None

    def text(self, index: int) -> str | None:
        return self.tokens[index].text if index < len(self.tokens) else None

    def offset(self, index: int) -> int:
        return self.tokens[index].start if index < len(self.tokens) else len(self.source)

    # ---- bodies ----

    def body(self, start: int, closing: bool) -> Body:
        """The items from token `start` up to the closing `}` (sets `self.end`)."""
        items: list[Attribute | Block] = []
        index = start
        previous_end = self.tokens[start - 1].end if start > 0 else 0
        while True:
            while self.kind(index) == NL:
                index += 1
            if index >= len(self.tokens):
                if closing:
                    raise self.error(index, "a block without its closing `}`")
                break
            if self.text(index) == "}" and closing:
                break
            if self.kind(index) != IDENT:
                raise self.error(
                    index, f"expected an attribute or a block, not {self.text(index)!r}"
                )
            item_start = self.tokens[index].start
            lead = self.source[previous_end:item_start]
            if self.text(index + 1) == "=":
                value_at = index + 2
                value, index = self.value(value_at, newline_ends=True)
                head = self.source[item_start : self.offset(value_at)]
                item: Attribute | Block = Attribute(
                    self.tokens[value_at - 2].text, value, head, lead
                )
            else:
                item, index = self.block(index, lead)
            previous_end = self.tokens[index - 1].end
            if self.kind(index) not in (NL, None) and not (closing and self.text(index) == "}"):
                raise self.error(index, f"unexpected {self.text(index)!r} after an item")
            items.append(item)
        self.end = index
        return Body(items, self.source[previous_end : self.offset(index)])

    def block(self, index: int, lead: str) -> tuple[Block, int]:
        start = self.tokens[index].start
        type_ = self.tokens[index].text
        labels: list[str] = []
        index += 1
        while self.kind(index) in (STRING, IDENT):
            label = self.tokens[index]
            decoded = _string(label.text) if label.kind == STRING else label.text
            if decoded is None:
                raise self.error(index, "a block label with interpolation")
            labels.append(decoded)
            index += 1
        if self.text(index) != "{":
            raise self.error(index, f"expected `{{` after {type_!r}")
        head = self.source[start : self.tokens[index].end]
        body = self.body(index + 1, closing=True)
        return Block(type_, labels, body, head, lead), self.end + 1

    # ---- expressions ----

    def extent(self, start: int, newline_ends: bool) -> int:
        """The token index just past the expression starting at `start`."""
        stack: list[str] = []
        index = start
        while index < len(self.tokens):
            token = self.tokens[index]
            if not stack:
                if token.kind == NL and newline_ends:
                    break
                if token.kind == PUNCT and (token.text == "," or token.text in _CLOSE):
                    break
            if token.kind == PUNCT:
                if token.text in _OPEN:
                    stack.append(_OPEN[token.text])
                elif token.text in _CLOSE and stack.pop() != token.text:
                    raise self.error(index, f"unbalanced {token.text!r}")
            index += 1
        if stack:
            raise self.error(index, "an expression without its closing bracket")
        if index == start:
            raise self.error(index, "an attribute without a value")
        return index

    def value(self, start: int, newline_ends: bool) -> tuple[Value, int]:
        end = self.extent(start, newline_ends)
        text = self.source[self.tokens[start].start : self.tokens[end - 1].end]
        return self.structured(start, end) or _scalar(self.tokens[start:end]) or Opaque(text), end

    def structured(self, start: int, end: int) -> Value | None:
        first = self.tokens[start]
        if first.text == "{" and self._matching(start) == end - 1 and not self._is_for(start):
            return self.object(start, end - 1)
        if first.text == "[" and self._matching(start) == end - 1 and not self._is_for(start):
            return self.tuple(start, end - 1)
        if (
            first.kind == IDENT
            and self.text(start + 1) == "("
            and self._matching(start + 1) == end - 1
        ):
            inner = start + 2
            while self.kind(inner) == NL:
                inner += 1
            if self.text(inner) == "{" and not self._is_for(inner):
                close = self._matching(inner)
                after = close + 1
                while self.kind(after) == NL:
                    after += 1
                if after == end - 1:
                    argument = self.object(inner, close)
                    head = self.source[first.start : self.tokens[inner].start]
                    tail = self.source[self.tokens[close].end : self.tokens[end - 1].end]
                    return CallValue(first.text, argument, head, tail)
        return None

    def _matching(self, index: int) -> int:
        depth = 0
        for position in range(index, len(self.tokens)):
            token = self.tokens[position]
            if token.kind != PUNCT:
                continue
            if token.text in _OPEN:
                depth += 1
            elif token.text in _CLOSE:
                depth -= 1
                if depth == 0:
                    return position
        return -1

    def _is_for(self, index: int) -> bool:
        inner = index + 1
        while self.kind(inner) == NL:
            inner += 1
        return self.text(inner) == "for" and self.kind(inner) == IDENT

    def object(self, open_at: int, close_at: int) -> ObjectValue:
        entries: list[Entry] = []
        index = open_at + 1
        previous_end = self.tokens[open_at].end
        while True:
            while self.kind(index) == NL:
                index += 1
            if index >= close_at:
                break
            key_start = index
            if self.text(index) == "(":
                index = self._matching(index) + 1
                key: str | None = None
            elif self.kind(index) == IDENT:
                key, index = self.tokens[index].text, index + 1
            elif self.kind(index) == STRING:
                key, index = _string(self.tokens[index].text), index + 1
            else:
                raise self.error(index, "expected an object key")
            if self.text(index) not in ("=", ":"):
                raise self.error(index, "expected `=` after an object key")
            value_at = index + 1
            value, index = self.value(value_at, newline_ends=True)
            head = self.source[self.tokens[key_start].start : self.offset(value_at)]
            lead = self.source[previous_end : self.tokens[key_start].start]
            sep, previous_end, index = self._separator(index)
            if not sep and index < close_at and self.kind(index) != NL:
                raise self.error(index, f"unexpected {self.text(index)!r} in an object")
            entries.append(Entry(key, value, head, lead, sep))
        return ObjectValue(entries, self.source[previous_end : self.tokens[close_at].start])

    def tuple(self, open_at: int, close_at: int) -> TupleValue:
        items: list[TupleItem] = []
        index = open_at + 1
        previous_end = self.tokens[open_at].end
        while True:
            while self.kind(index) == NL:
                index += 1
            if index >= close_at:
                break
            item_start = index
            value, index = self.value(index, newline_ends=False)
            lead = self.source[previous_end : self.tokens[item_start].start]
            sep, previous_end, index = self._separator(index)
            items.append(TupleItem(value, lead, sep))
        return TupleValue(items, self.source[previous_end : self.tokens[close_at].start])

    def _separator(self, index: int) -> builtins.tuple[str, int, int]:
        """After an element ending before `index`: the comma with the text before it ("" when
        there is none), where the next element's lead starts, and the index after the comma."""
        end = self.tokens[index - 1].end
        if self.text(index) != ",":
            return "", end, index
        return self.source[end : self.tokens[index].end], self.tokens[index].end, index + 1


def _scalar(tokens: list[Token]) -> Scalar | None:
    kinds = [t.kind for t in tokens]
    text = "".join(t.text for t in tokens)
    value: ScalarValue
    if kinds == [STRING]:
        decoded = _string(tokens[0].text)
        if decoded is None:
            return None
        return Scalar(decoded, tokens[0].text)
    if kinds == [HEREDOC]:
        decoded = _heredoc(tokens[0].text)
        return None if decoded is None else Scalar(decoded, tokens[0].text)
    if kinds == [NUMBER] or (kinds == [PUNCT, NUMBER] and tokens[0].text == "-"):
        if tokens[-1].end - tokens[0].start != len(text):
            return None
        value = (
            json.loads(text)
            if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text)
            else None
        )
        return None if value is None else Scalar(value, text)
    if kinds == [IDENT] and text in ("true", "false", "null"):
        return Scalar({"true": True, "false": False, "null": None}[text], text)
    return None


def _heredoc(text: str) -> str | None:
    """The value of a heredoc, None when it holds an interpolation or a directive."""
    opener, _, rest = text.partition("\n")
    lines = rest.split("\n")[:-1]  # the last line is the closing marker
    if opener.startswith("<<-"):
        indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(indents, default=0)
        lines = [line[cut:] for line in lines]
    body = "".join(line + "\n" for line in lines)
    if re.search(r"(?<![$%])[$%]\{", body.replace("$${", "").replace("%%{", "")):
        return None
    return body.replace("$${", "${").replace("%%{", "%{")


def _string(text: str) -> str | None:
    """The value of a quoted string, None when it holds an interpolation or a directive."""
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt in _ESCAPE:
                out.append(_ESCAPE[nxt])
                i += 2
                continue
            match = _UNICODE.match(body, i)
            if match is None:
                return None
            out.append(chr(int(match.group(1)[1:], 16)))
            i = match.end()
            continue
        if body.startswith(("$${", "%%{"), i):
            out.append(body[i + 1 : i + 3])
            i += 3
            continue
        if body.startswith(("${", "%{"), i):
            return None
        out.append(char)
        i += 1
    return "".join(out)


__all__ = ["DocumentError", "parse_document", "parse_value"]
