"""HCL2 expression and template syntax: a small tokenizer and recursive-descent parser.

We parse the text python-hcl2 hands back (`Expr.text`, and the `${...}` / `%{...}`
sequences left in decoded strings) ourselves instead of re-running python-hcl2 on
it: evaluation needs each traversal's text to give Nomad runtime references back
as written, the parse runs on every interpolated string (python-hcl2's Lark parser
is slow to start), and the loader's strings have their escapes decoded already, so
python-hcl2 could not re-read them. A template part that does not parse can be
kept as `Unparsed` text: in a decoded string it is usually an escaped `$${...}`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

MAX_DEPTH = 64


class HclSyntaxError(Exception):
    """Expression or template text that is not valid HCL2."""


@dataclass(frozen=True)
class Literal:
    value: object


@dataclass(frozen=True)
class Attr:
    name: str


@dataclass(frozen=True)
class Key:
    value: object


@dataclass(frozen=True)
class Traversal:
    """`root.attr["key"][0]`: the shape Nomad hands back verbatim when the root is unknown."""

    root: str
    steps: tuple[Attr | Key, ...]
    text: str


@dataclass(frozen=True)
class GetAttr:
    source: Node
    name: str


@dataclass(frozen=True)
class Index:
    source: Node
    key: Node


@dataclass(frozen=True)
class SplatItem:
    """The element a splat's trailing traversal is applied to."""


@dataclass(frozen=True)
class Splat:
    source: Node
    each: Node


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    expand_final: bool


@dataclass(frozen=True)
class Unary:
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional:
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True)
class TupleCons:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class ObjectCons:
    items: tuple[tuple[Node, Node], ...]


@dataclass(frozen=True)
class ForExpr:
    key_var: str | None
    value_var: str
    collection: Node
    key: Node | None
    value: Node
    condition: Node | None
    grouping: bool


@dataclass(frozen=True)
class Interpolation:
    expr: Node
    text: str


@dataclass(frozen=True)
class Unparsed:
    """A `${...}` or `%{...}` sequence of a lenient template that did not parse."""

    text: str
    reason: str


@dataclass(frozen=True)
class IfDirective:
    condition: Node
    then: Template
    otherwise: Template


@dataclass(frozen=True)
class ForDirective:
    key_var: str | None
    value_var: str
    collection: Node
    body: Template


TemplatePart = str | Interpolation | Unparsed | IfDirective | ForDirective


@dataclass(frozen=True)
class Template:
    parts: tuple[TemplatePart, ...]


Node = (
    Literal
    | Traversal
    | GetAttr
    | Index
    | SplatItem
    | Splat
    | Call
    | Unary
    | Binary
    | Conditional
    | TupleCons
    | ObjectCons
    | ForExpr
    | Template
)


@dataclass(frozen=True)
class _Token:
    kind: str  # "num", "ident", "op", "template", "eof"
    value: object
    start: int
    end: int


_SPACE = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)+", re.DOTALL)
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_IDENT = re.compile(r"[^\W\d][\w-]*")
_OPS = ("...", "==", "!=", "<=", ">=", "&&", "||", "=>", *"!<>+-*/%?:.,[](){}=~")
_HEREDOC = re.compile(r"<<(-?)([^\W\d][\w-]*)[ \t]*\n")
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}

_BINARY_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",),
    ("&&",),
    ("==", "!="),
    ("<", ">", "<=", ">="),
    ("+", "-"),
    ("*", "/", "%"),
)


def parse_expression(text: str) -> Node:
    """Parse raw HCL expression source (HCL escapes not yet decoded)."""
    parser = _Parser(text, decoded=False)
    node = parser.expression()
    parser.expect_end()
    return node


def parse_template(text: str, *, lenient: bool = False) -> Template:
    """Parse a string the loader already decoded, as the template it came from.

    Nested string literals inside `${...}` were decoded with the outer string, so
    they are read without escape processing. With `lenient`, an interpolation or
    directive that does not parse is kept as an `Unparsed` part instead of failing.
    """
    parser = _Parser(text, decoded=True)
    template, _ = parser.template(0, closing=None, lenient=lenient)
    return template


class _Parser:
    def __init__(self, text: str, *, decoded: bool, depth: int = 0) -> None:
        self.text = text
        self.decoded = decoded
        self.pos = 0
        self.depth = depth
        self._cache: tuple[int, _Token] | None = None

    # ---- tokens -------------------------------------------------------------

    def peek(self) -> _Token:
        if self._cache is not None and self._cache[0] == self.pos:
            return self._cache[1]
        token = self._lex(self.pos)
        self._cache = (self.pos, token)
        return token

    def advance(self) -> _Token:
        token = self.peek()
        self.pos = token.end
        return token

    def at(self, *ops: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.value in ops

    def at_ident(self, name: str) -> bool:
        token = self.peek()
        return token.kind == "ident" and token.value == name

    def expect(self, op: str) -> _Token:
        if not self.at(op):
            raise self.error(f"expected {op!r}")
        return self.advance()

    def expect_ident(self) -> str:
        token = self.peek()
        if token.kind != "ident":
            raise self.error("expected a name")
        self.advance()
        return str(token.value)

    def expect_end(self) -> None:
        if self.peek().kind != "eof":
            raise self.error("unexpected text after the expression")

    def error(self, message: str) -> HclSyntaxError:
        token = self.peek()
        shown = self.text[token.start : token.start + 20] or "end of text"
        return HclSyntaxError(f"{message} at {shown!r}")

    def _lex(self, pos: int) -> _Token:
        space = _SPACE.match(self.text, pos)
        if space:
            pos = space.end()
        if pos >= len(self.text):
            return _Token("eof", None, pos, pos)
        char = self.text[pos]
        if char == '"':
            template, end = self.template(pos + 1, closing='"', lenient=False)
            return _Token("template", template, pos, end)
        if self.text.startswith("<<", pos) and (heredoc := _HEREDOC.match(self.text, pos)):
            return self._heredoc(pos, heredoc)
        if number := _NUMBER.match(self.text, pos):
            return _Token("num", _number(number.group()), pos, number.end())
        if ident := _IDENT.match(self.text, pos):
            return _Token("ident", ident.group(), pos, ident.end())
        for op in _OPS:
            if self.text.startswith(op, pos):
                return _Token("op", op, pos, pos + len(op))
        raise HclSyntaxError(f"unexpected character {char!r}")

    def _heredoc(self, pos: int, match: re.Match[str]) -> _Token:
        marker = match.group(2)
        closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
        end = closing.search(self.text, match.end())
        if end is None:
            raise HclSyntaxError(f"heredoc {marker} is never closed")
        body = self.text[match.end() : end.start()]
        if match.group(1):
            body = _dedent(body)
        inner = _Parser(body, decoded=True, depth=self.depth + 1)
        template, _ = inner.template(0, closing=None, lenient=False)
        return _Token("template", template, pos, end.end())

    # ---- expressions --------------------------------------------------------

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise HclSyntaxError("expression nested too deeply")
        try:
            condition = self.binary(0)
            if not self.at("?"):
                return condition
            self.advance()
            then = self.expression()
            self.expect(":")
            return Conditional(condition, then, self.expression())
        finally:
            self.depth -= 1

    def binary(self, level: int) -> Node:
        if level == len(_BINARY_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.at(*_BINARY_LEVELS[level]):
            op = str(self.advance().value)
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        if self.at("!", "-"):
            op = str(self.advance().value)
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise HclSyntaxError("expression nested too deeply")
            try:
                return Unary(op, self.unary())
            finally:
                self.depth -= 1
        return self.postfix(self.primary())

    def postfix(self, node: Node) -> Node:
        while True:
            if self.at(".") and self._peek_after_dot() == "*":
                self.advance()
                self.advance()
                return Splat(node, self._splat_steps(SplatItem(), attributes_only=True))
            if self.at("[") and self._is_full_splat():
                for _ in range(3):
                    self.advance()
                return Splat(node, self._splat_steps(SplatItem(), attributes_only=False))
            step = self._step(node, attributes_only=False)
            if step is None:
                return node
            node = step

    def _splat_steps(self, node: Node, *, attributes_only: bool) -> Node:
        while (step := self._step(node, attributes_only=attributes_only)) is not None:
            node = step
        return node

    def _step(self, node: Node, *, attributes_only: bool) -> Node | None:
        if self.at("."):
            if self._peek_after_dot() == "*":
                return None
            self.advance()
            token = self.advance()
            if token.kind == "ident":
                return _get_attr(node, str(token.value))
            if token.kind == "num" and isinstance(token.value, int):
                return _index(node, Literal(token.value))
            raise self.error("expected an attribute name after '.'")
        if self.at("[") and not attributes_only and not self._is_full_splat():
            self.advance()
            key = self.expression()
            self.expect("]")
            return _index(node, key)
        return None

    def _peek_after_dot(self) -> str:
        saved = self.pos
        self.advance()
        token = self.peek()
        self.pos = saved
        return str(token.value) if token.kind == "op" else ""

    def _is_full_splat(self) -> bool:
        saved = self.pos
        self.advance()
        star = self.at("*")
        if star:
            self.advance()
            star = self.at("]")
        self.pos = saved
        return star

    def primary(self) -> Node:
        token = self.peek()
        if token.kind == "num":
            self.advance()
            return Literal(token.value)
        if token.kind == "template":
            self.advance()
            assert isinstance(token.value, Template)
            return _plain_string(token.value)
        if token.kind == "ident":
            return self._identifier(token)
        if self.at("("):
            self.advance()
            inner = self.expression()
            self.expect(")")
            return inner
        if self.at("["):
            return self._tuple()
        if self.at("{"):
            return self._object()
        raise self.error("expected an expression")

    def _identifier(self, token: _Token) -> Node:
        self.advance()
        name = str(token.value)
        if self.at("("):
            return self._call(name)
        keywords: dict[str, object] = {"true": True, "false": False, "null": None}
        if name in keywords:
            return Literal(keywords[name])
        return Traversal(name, (), name)

    def _call(self, name: str) -> Call:
        self.expect("(")
        args: list[Node] = []
        expand = False
        while not self.at(")"):
            args.append(self.expression())
            if self.at("..."):
                self.advance()
                expand = True
                break
            if not self.at(","):
                break
            self.advance()
        self.expect(")")
        return Call(name, tuple(args), expand)

    def _tuple(self) -> Node:
        self.expect("[")
        if self._at_for():
            return self._for(closing="]")
        items: list[Node] = []
        while not self.at("]"):
            items.append(self.expression())
            if not self.at(","):
                break
            self.advance()
        self.expect("]")
        return TupleCons(tuple(items))

    def _object(self) -> Node:
        self.expect("{")
        if self._at_for():
            return self._for(closing="}")
        items: list[tuple[Node, Node]] = []
        while not self.at("}"):
            key = self._object_key()
            if not self.at("=", ":"):
                raise self.error("expected '=' or ':' after an object key")
            self.advance()
            items.append((key, self.expression()))
            if self.at(","):
                self.advance()
        self.expect("}")
        return ObjectCons(tuple(items))

    def _object_key(self) -> Node:
        token = self.peek()
        if token.kind == "ident":
            saved = self.pos
            self.advance()
            if self.at("=", ":"):
                return Literal(token.value)
            self.pos = saved
        return self.expression()

    def _at_for(self) -> bool:
        if not self.at_ident("for"):
            return False
        saved = self.pos
        self.advance()
        follows = self.peek().kind == "ident"
        self.pos = saved
        return follows

    def _for(self, closing: str) -> ForExpr:
        self.advance()
        key_var, value_var = self.for_names()
        collection = self.expression()
        self.expect(":")
        key: Node | None = None
        value = self.expression()
        if closing == "}":
            self.expect("=>")
            key, value = value, self.expression()
        grouping = False
        if closing == "}" and self.at("..."):
            self.advance()
            grouping = True
        condition = None
        if self.at_ident("if"):
            self.advance()
            condition = self.expression()
        self.expect(closing)
        return ForExpr(key_var, value_var, collection, key, value, condition, grouping)

    def for_names(self) -> tuple[str | None, str]:
        first = self.expect_ident()
        second = None
        if self.at(","):
            self.advance()
            second = self.expect_ident()
        if not self.at_ident("in"):
            raise self.error("expected 'in'")
        self.advance()
        return (first, second) if second is not None else (None, first)

    # ---- templates ----------------------------------------------------------

    def template(self, pos: int, *, closing: str | None, lenient: bool) -> tuple[Template, int]:
        """Parse template text from `pos` to `closing` (or the end); return it and the end."""
        items, end = _TemplateScanner(self, pos, closing, lenient).scan()
        try:
            return _fold(_strip(items)), end
        except HclSyntaxError:
            if not lenient:
                raise
            return Template(tuple(_as_literal(item) for item in items)), end

    def sub_parser(self, pos: int) -> _Parser:
        parser = _Parser(self.text, decoded=self.decoded, depth=self.depth + 1)
        if parser.depth > MAX_DEPTH:
            raise HclSyntaxError("template nested too deeply")
        parser.pos = pos
        return parser


@dataclass
class _Item:
    """A template piece before strip markers and directive nesting are applied."""

    kind: str  # "text", "interp", "unparsed", "if", "else", "endif", "for", "endfor"
    text: str
    node: Node | None = None
    names: tuple[str | None, str] = (None, "")
    strip_left: bool = False
    strip_right: bool = False
    reason: str = ""


class _TemplateScanner:
    def __init__(self, parser: _Parser, pos: int, closing: str | None, lenient: bool) -> None:
        self.parser = parser
        self.text = parser.text
        self.pos = pos
        self.closing = closing
        self.lenient = lenient
        self.items: list[_Item] = []
        self.literal: list[str] = []

    def scan(self) -> tuple[list[_Item], int]:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if self.closing is not None and char == self.closing:
                self._flush()
                return self.items, self.pos + 1
            if self.text.startswith(("$${", "%%{"), self.pos):
                self.literal.append(self.text[self.pos + 1 : self.pos + 3])
                self.pos += 3
            elif self.text.startswith(("${", "%{"), self.pos):
                self._sequence()
            elif char == "\\" and self.closing is not None and not self.parser.decoded:
                self._escape()
            else:
                self.literal.append(char)
                self.pos += 1
        if self.closing is not None:
            raise HclSyntaxError("unterminated string")
        self._flush()
        return self.items, self.pos

    def _flush(self) -> None:
        if self.literal:
            self.items.append(_Item("text", "".join(self.literal)))
            self.literal = []

    def _escape(self) -> None:
        match = _ESCAPE.match(self.text, self.pos)
        if match is None:
            raise HclSyntaxError("unterminated string")
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            self.literal.append(chr(int(escape[1:], 16)))
        else:
            self.literal.append(_ESCAPES.get(escape, match.group(0)))
        self.pos = match.end()

    def _sequence(self) -> None:
        start = self.pos
        try:
            item, end = self._parse_sequence(start)
        except (HclSyntaxError, RecursionError) as error:
            if not self.lenient:
                raise
            end = _matching_brace(self.text, start + 2)
            item = _Item("unparsed", self.text[start:end], reason=str(error))
        self._flush()
        self.items.append(item)
        self.pos = end

    def _parse_sequence(self, start: int) -> tuple[_Item, int]:
        parser = self.parser.sub_parser(start + 2)
        strip_left = parser.text.startswith("~", parser.pos)
        if strip_left:
            parser.pos += 1
        if self.text[start] == "$":
            item = _Item("interp", "", node=parser.expression())
        else:
            item = _directive(parser)
        item.strip_left = strip_left
        if parser.at("~"):
            parser.advance()
            item.strip_right = True
        parser.expect("}")
        item.text = self.text[start : parser.pos]
        return item, parser.pos


def _directive(parser: _Parser) -> _Item:
    keyword = parser.expect_ident()
    if keyword in ("else", "endif", "endfor"):
        return _Item(keyword, "")
    if keyword == "if":
        return _Item("if", "", node=parser.expression())
    if keyword == "for":
        names = parser.for_names()
        return _Item("for", "", node=parser.expression(), names=names)
    raise HclSyntaxError(f"unknown template directive {keyword!r}")


def _matching_brace(text: str, pos: int) -> int:
    depth = 1
    quoted = False
    for index in range(pos, len(text)):
        char = text[index]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "{":
            depth += 1
        elif not quoted and char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    return len(text)


def _strip(items: list[_Item]) -> list[_Item]:
    for index, item in enumerate(items):
        if item.kind == "text":
            continue
        if item.strip_left and index > 0 and items[index - 1].kind == "text":
            items[index - 1].text = items[index - 1].text.rstrip()
        if item.strip_right and index + 1 < len(items) and items[index + 1].kind == "text":
            items[index + 1].text = items[index + 1].text.lstrip()
    return items


def _fold(items: list[_Item]) -> Template:
    template, index = _fold_until(items, 0, ())
    if index != len(items):
        raise HclSyntaxError(f"unexpected %{{ {items[index].kind} }}")
    return template


def _fold_until(items: list[_Item], index: int, stops: tuple[str, ...]) -> tuple[Template, int]:
    parts: list[TemplatePart] = []
    while index < len(items):
        item = items[index]
        if item.kind in stops:
            break
        if item.kind in ("else", "endif", "endfor"):
            raise HclSyntaxError(f"unexpected %{{ {item.kind} }}")
        part, index = _fold_item(items, index)
        parts.append(part)
    return Template(tuple(part for part in parts if part != "")), index


def _fold_item(items: list[_Item], index: int) -> tuple[TemplatePart, int]:
    item = items[index]
    if item.kind == "text":
        return item.text, index + 1
    if item.kind == "unparsed":
        return Unparsed(item.text, item.reason), index + 1
    assert item.node is not None
    if item.kind == "interp":
        return Interpolation(item.node, item.text), index + 1
    if item.kind == "if":
        then, index = _fold_until(items, index + 1, ("else", "endif"))
        otherwise = Template(())
        if index < len(items) and items[index].kind == "else":
            otherwise, index = _fold_until(items, index + 1, ("endif",))
        _expect_item(items, index, "endif")
        return IfDirective(item.node, then, otherwise), index + 1
    body, index = _fold_until(items, index + 1, ("endfor",))
    _expect_item(items, index, "endfor")
    return ForDirective(item.names[0], item.names[1], item.node, body), index + 1


def _expect_item(items: list[_Item], index: int, kind: str) -> None:
    if index >= len(items) or items[index].kind != kind:
        raise HclSyntaxError(f"missing %{{ {kind} }}")


def _as_literal(item: _Item) -> TemplatePart:
    if item.kind == "text":
        return item.text
    if item.kind == "interp":
        assert item.node is not None
        return Interpolation(item.node, item.text)
    return Unparsed(item.text, item.reason or "template directive does not nest")


def _get_attr(node: Node, name: str) -> Node:
    if isinstance(node, Traversal):
        return _extend(node, Attr(name), f"{node.text}.{name}")
    return GetAttr(node, name)


def _index(node: Node, key: Node) -> Node:
    if isinstance(node, Traversal) and isinstance(key, Literal):
        return _extend(node, Key(key.value), f"{node.text}[{_key_text(key.value)}]")
    return Index(node, key)


def _extend(node: Traversal, step: Attr | Key, text: str) -> Traversal:
    return Traversal(node.root, (*node.steps, step), text)


def _key_text(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def _plain_string(template: Template) -> Node:
    if all(isinstance(part, str) for part in template.parts):
        return Literal("".join(str(part) for part in template.parts))
    return template


def _number(text: str) -> int | float:
    if re.fullmatch(r"\d{1,18}", text):
        return int(text)
    value = float(text)
    if math.isinf(value):
        raise HclSyntaxError(f"number {text[:20]}... is too large")
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _dedent(body: str) -> str:
    lines = body.split("\n")
    indents = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return "\n".join(line[cut:] for line in lines)
