"""Go text/template parsing: lexer chunks → a tree of text, actions and blocks."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.consul_template.lexer import (
    ActionChunk,
    Chunk,
    TemplateSyntaxError,
    TextChunk,
    Token,
    TokenKind,
)

_LITERAL_KINDS = {
    TokenKind.STRING: "string",
    TokenKind.NUMBER: "number",
    TokenKind.BOOL: "bool",
    TokenKind.NIL: "nil",
    TokenKind.CHAR: "char",
}


@dataclass(frozen=True)
class Operand:
    """A term with its field chain: `.A.B` is ("dot", fields=("A", "B")),
    `(secret "p").Data` is ("paren", pipeline, fields=("Data",))."""

    kind: str  # dot | variable | identifier | paren | string | number | bool | nil | char
    value: str = ""
    fields: tuple[str, ...] = ()
    pipeline: Pipeline | None = None


@dataclass(frozen=True)
class Pipeline:
    declarations: tuple[str, ...]
    commands: tuple[tuple[Operand, ...], ...]
    is_assignment: bool = False


@dataclass(frozen=True)
class TextNode:
    text: str
    start: int


@dataclass(frozen=True)
class ActionNode:
    pipeline: Pipeline
    start: int
    end: int


@dataclass
class BlockNode:
    """`if` / `range` / `with` / `define` / `block`, up to and including its `end`."""

    keyword: str
    pipeline: Pipeline | None
    start: int
    end: int = 0
    body: list[Node] = field(default_factory=list)
    else_body: list[Node] | None = None
    else_chained: bool = False


@dataclass(frozen=True)
class OtherNode:
    """`template`, `break`, `continue`: never supported, kept for their position."""

    keyword: str
    start: int
    end: int


Node = TextNode | ActionNode | BlockNode | OtherNode


def parse(chunks: list[Chunk]) -> list[Node]:
    root: list[Node] = []
    stack: list[BlockNode] = []
    for chunk in chunks:
        body = _current_body(stack, root)
        if isinstance(chunk, TextChunk):
            body.append(TextNode(chunk.text, chunk.start))
        else:
            _action(chunk, stack, body, root)
    if stack:
        raise TemplateSyntaxError(
            f"unexpected EOF: {{{{{stack[-1].keyword}}}}} has no end", stack[-1].start
        )
    return root


def _current_body(stack: list[BlockNode], root: list[Node]) -> list[Node]:
    if not stack:
        return root
    block = stack[-1]
    return block.else_body if block.else_body is not None else block.body


def _action(chunk: ActionChunk, stack: list[BlockNode], body: list[Node], root: list[Node]) -> None:
    tokens = chunk.tokens
    if not tokens:
        raise TemplateSyntaxError("missing value for command", chunk.start)
    keyword = tokens[0].value if tokens[0].kind is TokenKind.KEYWORD else None
    if keyword in ("if", "range", "with"):
        pipeline = _parse_pipeline(tokens[1:], chunk.start)
        stack.append(BlockNode(keyword, pipeline, chunk.start))
    elif keyword in ("define", "block"):
        stack.append(BlockNode(keyword, None, chunk.start))
    elif keyword == "else":
        _else(chunk, stack)
    elif keyword == "end":
        if len(tokens) != 1 or not stack:
            raise TemplateSyntaxError("unexpected {{end}}", chunk.start)
        block = stack.pop()
        block.end = chunk.end
        _current_body(stack, root).append(block)
    elif keyword is not None:
        body.append(OtherNode(keyword, chunk.start, chunk.end))
    else:
        body.append(ActionNode(_parse_pipeline(tokens, chunk.start), chunk.start, chunk.end))


def _else(chunk: ActionChunk, stack: list[BlockNode]) -> None:
    block = stack[-1] if stack else None
    if block is None or block.keyword not in ("if", "range", "with"):
        raise TemplateSyntaxError("unexpected {{else}}", chunk.start)
    if block.else_body is not None and not block.else_chained:
        raise TemplateSyntaxError("expected end; found {{else}}", chunk.start)
    rest = chunk.tokens[1:]
    if rest:
        if rest[0].kind is not TokenKind.KEYWORD or rest[0].value not in ("if", "with"):
            raise TemplateSyntaxError("unexpected token after else", chunk.start)
        _parse_pipeline(rest[1:], chunk.start)
    block.else_chained = bool(rest)
    if block.else_body is None:
        block.else_body = []


def _parse_pipeline(tokens: tuple[Token, ...], start: int) -> Pipeline:
    stream = _Stream(tokens, start)
    pipeline = stream.pipeline(allow_declarations=True)
    leftover = stream.peek()
    if leftover is not None:
        raise TemplateSyntaxError(f"unexpected {leftover.text!r} in action", start)
    return pipeline


class _Stream:
    def __init__(self, tokens: tuple[Token, ...], start: int) -> None:
        self.tokens = tokens
        self.index = 0
        self.start = start

    def peek(self, offset: int = 0) -> Token | None:
        index = self.index + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def next(self) -> Token:
        token = self.peek()
        if token is None:
            raise TemplateSyntaxError("unexpected end of action", self.start)
        self.index += 1
        return token

    def pipeline(self, allow_declarations: bool) -> Pipeline:
        declarations, is_assignment = self._declarations() if allow_declarations else ((), False)
        commands = [self._command()]
        while self._kind() is TokenKind.PIPE:
            self.next()
            commands.append(self._command())
        return Pipeline(declarations, tuple(commands), is_assignment)

    def _kind(self, offset: int = 0) -> TokenKind | None:
        token = self.peek(offset)
        return token.kind if token is not None else None

    def _declarations(self) -> tuple[tuple[str, ...], bool]:
        assign = (TokenKind.DECLARE, TokenKind.ASSIGN)
        if self._kind() is TokenKind.VARIABLE and self._kind(1) in assign:
            names: tuple[str, ...] = (self.next().text,)
        elif (
            self._kind() is TokenKind.VARIABLE
            and self._kind(1) is TokenKind.COMMA
            and self._kind(2) is TokenKind.VARIABLE
            and self._kind(3) in assign
        ):
            first = self.next().text
            self.next()
            names = (first, self.next().text)
        else:
            return (), False
        return names, self.next().kind is TokenKind.ASSIGN

    def _command(self) -> tuple[Operand, ...]:
        operands: list[Operand] = []
        while self._kind() not in (None, TokenKind.PIPE, TokenKind.RPAREN):
            operands.append(self._operand())
        if not operands:
            raise TemplateSyntaxError("missing value for command", self.start)
        return tuple(operands)

    def _operand(self) -> Operand:
        token = self.next()
        term = self._term(token)
        fields = list(term.fields)
        end = token.end if term.kind != "paren" else self.tokens[self.index - 1].end
        while (following := self.peek()) is not None and following.kind is TokenKind.FIELD:
            if following.pos != end:
                break
            fields.append(self.next().value)
            end = following.end
        return Operand(term.kind, term.value, tuple(fields), term.pipeline)

    def _term(self, token: Token) -> Operand:
        if token.kind in _LITERAL_KINDS:
            return Operand(_LITERAL_KINDS[token.kind], token.value)
        if token.kind is TokenKind.DOT:
            return Operand("dot")
        if token.kind is TokenKind.FIELD:
            return Operand("dot", fields=(token.value,))
        if token.kind is TokenKind.VARIABLE:
            return Operand("variable", token.text)
        if token.kind is TokenKind.IDENT:
            return Operand("identifier", token.value)
        if token.kind is TokenKind.LPAREN:
            inner = self.pipeline(allow_declarations=False)
            if self._kind() is not TokenKind.RPAREN:
                raise TemplateSyntaxError("unclosed left paren", self.start)
            self.next()
            return Operand("paren", pipeline=inner)
        raise TemplateSyntaxError(f"unexpected {token.text!r} in operand", self.start)
