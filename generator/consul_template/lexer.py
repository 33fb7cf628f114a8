"""Go text/template lexing as consul-template uses it.

Splits a template into text chunks and actions (comments dropped), applies the
`{{-` / `-}}` trim markers and turns each action into tokens. Follows
`text/template/parse/lex.go`: a trim marker is `-` plus one space character
next to the delimiter, a comment must sit directly inside the delimiters (or
their trim markers), and a right delimiter inside a string literal does not
end the action.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

SPACE = " \t\r\n"
KEYWORDS = frozenset(
    {"if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"}
)


class TemplateSyntaxError(Exception):
    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


class TokenKind(StrEnum):
    STRING = "string"
    CHAR = "char"
    NUMBER = "number"
    BOOL = "bool"
    NIL = "nil"
    IDENT = "identifier"
    KEYWORD = "keyword"
    FIELD = "field"
    VARIABLE = "variable"
    DOT = "dot"
    PIPE = "|"
    LPAREN = "("
    RPAREN = ")"
    DECLARE = ":="
    ASSIGN = "="
    COMMA = ","


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    pos: int
    value: str = ""  # decoded string, field name without the dot, identifier

    @property
    def end(self) -> int:
        return self.pos + len(self.text)


@dataclass(frozen=True)
class TextChunk:
    text: str
    start: int  # source offset of text[0]


@dataclass(frozen=True)
class ActionChunk:
    tokens: tuple[Token, ...]
    start: int  # offset of the left delimiter
    end: int  # offset just past the right delimiter


Chunk = TextChunk | ActionChunk

_NUMBER = re.compile(
    r"[+-]?(?:0[xX][0-9a-fA-F_]*\.?[0-9a-fA-F_]*(?:[pP][+-]?[0-9_]+)?"
    r"|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*(?:[eE][+-]?[0-9_]+)?)i?"
)
_WORD = re.compile(r"\w*")
_IDENT_START = re.compile(r"[^\W\d]")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
}
_PUNCTUATION = {
    "|": TokenKind.PIPE,
    "(": TokenKind.LPAREN,
    ")": TokenKind.RPAREN,
    ",": TokenKind.COMMA,
    "=": TokenKind.ASSIGN,
}


def lex(source: str, left: str = "{{", right: str = "}}") -> list[Chunk]:
    return _Lexer(source, left or "{{", right or "}}").run()


class _Lexer:
    def __init__(self, source: str, left: str, right: str) -> None:
        self.source = source
        self.left = left
        self.right = right
        self.chunks: list[Chunk] = []
        self.trim_next_text = False

    def run(self) -> list[Chunk]:
        pos = 0
        while True:
            start = self.source.find(self.left, pos)
            if start < 0:
                self._text(pos, len(self.source), trim_end=False)
                return self.chunks
            inner = start + len(self.left)
            trim = _is_trim_marker(self.source, inner)
            self._text(pos, start, trim_end=trim)
            pos = self._action(start, inner + 2 if trim else inner)

    def _text(self, start: int, end: int, trim_end: bool) -> None:
        text = self.source[start:end]
        if self.trim_next_text:
            stripped = text.lstrip(SPACE)
            start += len(text) - len(stripped)
            text = stripped
        if trim_end:
            text = text.rstrip(SPACE)
        self.trim_next_text = False
        if text:
            self.chunks.append(TextChunk(text, start))

    def _right_delimiter(self, pos: int) -> int | None:
        """The offset after the right delimiter at `pos` (with its trim marker), if any."""
        if self.source.startswith(self.right, pos):
            self.trim_next_text = False
            return pos + len(self.right)
        if _is_space(self.source, pos) and self.source.startswith("-" + self.right, pos + 1):
            self.trim_next_text = True
            return pos + 2 + len(self.right)
        return None

    def _action(self, start: int, pos: int) -> int:
        if self.source.startswith("/*", pos):
            return self._comment(start, pos)
        tokens: list[Token] = []
        while True:
            end = self._right_delimiter(pos)
            if end is not None:
                self.chunks.append(ActionChunk(tuple(tokens), start, end))
                return end
            if pos >= len(self.source):
                raise TemplateSyntaxError("unclosed action", start)
            if self.source[pos] in SPACE:
                pos += 1
                continue
            token = self._token(pos)
            tokens.append(token)
            pos = token.end

    def _comment(self, start: int, pos: int) -> int:
        close = self.source.find("*/", pos + 2)
        if close < 0:
            raise TemplateSyntaxError("unclosed comment", start)
        end = self._right_delimiter(close + 2)
        if end is None:
            raise TemplateSyntaxError("comment ends before closing delimiter", start)
        return end

    def _token(self, pos: int) -> Token:
        char = self.source[pos]
        if char == '"':
            return self._quoted(pos)
        if char == "`":
            return self._raw(pos)
        if char == "'":
            return self._char(pos)
        if char == "$":
            word = _WORD.match(self.source, pos + 1)
            assert word is not None
            return Token(TokenKind.VARIABLE, self.source[pos : word.end()], pos, word.group())
        if char == ".":
            return self._dot(pos)
        if char in "+-" or char.isdigit():
            return self._number(pos)
        if _IDENT_START.match(char):
            return self._identifier(pos)
        if self.source.startswith(":=", pos):
            return Token(TokenKind.DECLARE, ":=", pos)
        if char in _PUNCTUATION:
            return Token(_PUNCTUATION[char], char, pos)
        raise TemplateSyntaxError(f"unrecognized character in action: {char!r}", pos)

    def _dot(self, pos: int) -> Token:
        following = self.source[pos + 1 : pos + 2]
        if following.isdigit():
            return self._number(pos)
        word = _WORD.match(self.source, pos + 1)
        assert word is not None
        if word.group():
            return Token(TokenKind.FIELD, self.source[pos : word.end()], pos, word.group())
        return Token(TokenKind.DOT, ".", pos)

    def _number(self, pos: int) -> Token:
        match = _NUMBER.match(self.source, pos)
        assert match is not None
        text = match.group()
        if not any(c.isdigit() for c in text) or self._is_word_char(match.end()):
            raise TemplateSyntaxError("bad number syntax", pos)
        return Token(TokenKind.NUMBER, text, pos, text)

    def _identifier(self, pos: int) -> Token:
        word = _WORD.match(self.source, pos)
        assert word is not None
        name = word.group()
        if not self._at_terminator(word.end()):
            raise TemplateSyntaxError(f"bad character after {name!r}", word.end())
        if name in KEYWORDS:
            return Token(TokenKind.KEYWORD, name, pos, name)
        if name in ("true", "false"):
            return Token(TokenKind.BOOL, name, pos, name)
        if name == "nil":
            return Token(TokenKind.NIL, name, pos, name)
        return Token(TokenKind.IDENT, name, pos, name)

    def _is_word_char(self, pos: int) -> bool:
        return pos < len(self.source) and (self.source[pos].isalnum() or self.source[pos] == "_")

    def _at_terminator(self, pos: int) -> bool:
        if pos >= len(self.source) or self.source[pos] in SPACE + ".,|:()":
            return True
        return self.source.startswith(self.right, pos)

    def _quoted(self, pos: int) -> Token:
        index = pos + 1
        while index < len(self.source):
            char = self.source[index]
            if char == "\\":
                if self.source[index + 1 : index + 2] in ("", "\n"):
                    break
                index += 2
                continue
            if char == "\n":
                break
            if char == '"':
                text = self.source[pos : index + 1]
                return Token(TokenKind.STRING, text, pos, _unquote(text[1:-1], pos))
            index += 1
        raise TemplateSyntaxError("unterminated quoted string", pos)

    def _raw(self, pos: int) -> Token:
        close = self.source.find("`", pos + 1)
        if close < 0:
            raise TemplateSyntaxError("unterminated raw quoted string", pos)
        text = self.source[pos : close + 1]
        return Token(TokenKind.STRING, text, pos, text[1:-1].replace("\r", ""))

    def _char(self, pos: int) -> Token:
        index = pos + 1
        while index < len(self.source) and self.source[index] not in "'\n":
            index += 2 if self.source[index] == "\\" else 1
        if index >= len(self.source) or self.source[index] != "'":
            raise TemplateSyntaxError("unterminated character constant", pos)
        return Token(TokenKind.CHAR, self.source[pos : index + 1], pos)


def _is_space(source: str, pos: int) -> bool:
    return pos < len(source) and source[pos] in SPACE


def _is_trim_marker(source: str, pos: int) -> bool:
    return source[pos : pos + 1] == "-" and _is_space(source, pos + 1)


def _unquote(body: str, pos: int) -> str:
    """Decode the body of a Go double-quoted string literal (strconv.Unquote)."""
    out: list[str] = []
    raw = bytearray()
    index = 0
    while index < len(body):
        char = body[index]
        if char != "\\":
            _flush_bytes(raw, out, pos)
            out.append(char)
            index += 1
            continue
        escape = body[index + 1]
        if escape in "xX01234567":
            width = 2 if escape in "xX" else 3
            digits = (
                body[index + 2 : index + 2 + width]
                if escape in "xX"
                else body[index + 1 : index + 4]
            )
            base = 16 if escape in "xX" else 8
            value = _parse_int(digits, base, width, pos)
            if value > 255:
                raise TemplateSyntaxError("octal escape value > 255", pos)
            raw.append(value)
            index += 2 + width if escape in "xX" else 4
            continue
        _flush_bytes(raw, out, pos)
        if escape in "uU":
            width = 4 if escape == "u" else 8
            value = _parse_int(body[index + 2 : index + 2 + width], 16, width, pos)
            if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
                raise TemplateSyntaxError("invalid Unicode escape in string", pos)
            out.append(chr(value))
            index += 2 + width
            continue
        if escape == '"':
            out.append('"')
        elif escape in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[escape])
        else:
            raise TemplateSyntaxError(f"invalid escape \\{escape} in string", pos)
        index += 2
    _flush_bytes(raw, out, pos)
    return "".join(out)


def _parse_int(digits: str, base: int, width: int, pos: int) -> int:
    try:
        if len(digits) != width:
            raise ValueError(digits)
        return int(digits, base)
    except ValueError:
        raise TemplateSyntaxError("invalid escape in string", pos) from None


def _flush_bytes(raw: bytearray, out: list[str], pos: int) -> None:
    if not raw:
        return
    try:
        out.append(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise TemplateSyntaxError("string literal is not valid UTF-8", pos) from None
    raw.clear()
