"""python-hcl2 → `Block` tree, the one place that knows python-hcl2's quirks.

python-hcl2 8.x serializes values with their HCL quoting (`'"x"'`), wraps
non-literal expressions in `${...}`, drops the final newline of heredocs and no
longer reports source lines. We walk its parse tree instead of its dict output,
so every block and attribute keeps the line it came from.

Turning the whole Lark parse tree into python-hcl2's rule objects costs about
as much again as the parse. Most values in a jobspec are literals (a quoted
string without interpolation, a number, `true`, a list or object of those), so
the walk reads those straight from the parse tree, as python-hcl2 would
serialize them, and hands every other attribute, and any label that is not
plain text, to python-hcl2's own transformer and serializer.
`tests/test_hcl_loader_literals.py` holds the two paths equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from hcl2.api import parses_to_tree
from hcl2.rules.base import AttributeRule
from hcl2.rules.strings import HeredocTemplateRule, HeredocTrimTemplateRule, StringRule
from hcl2.transformer import RuleTransformer
from hcl2.utils import SerializationOptions
from lark import Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from generator.diagnostics import InputError
from generator.hcl.limits import LimitError, check_source
from generator.hcl.strings import decode_string, is_quoted, is_wrapped_expression
from generator.hcl.tree import Attribute, Block, Expr, Value

_OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)
_TRANSFORMER = RuleTransformer(discard_new_line_or_comments=True)
# python-hcl2 reads `%%{` (HCL's escape for a literal `%{`) as a directive's start, and then
# merges every string up to the next `}` into one. It parses a stand-in instead, which
# each decoded name and value turns back into `%%{`.
_ESCAPED_DIRECTIVE = "%%{"
_STAND_IN_CHAR = "\ue000"
_STAND_IN = "%%" + _STAND_IN_CHAR
_TOO_DEEP = "an expression too long or nested too deeply to read (split it up)"


def load_hcl_file(path: Path | str, display_name: str | None = None) -> Block:
    file_name = display_name or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(file_name, None, "unreadable", "file not found") from None
    except UnicodeDecodeError as error:
        raise InputError(
            file_name, None, "unreadable", f"not UTF-8 text ({error.reason})"
        ) from None
    except OSError as error:
        raise InputError(file_name, None, "unreadable", error.strerror or str(error)) from None
    return parse_hcl(text, file_name)


def parse_hcl(text: str, file_name: str, *, source_checked: bool = False) -> Block:
    """`text` as a `Block` tree; `source_checked` when `check_source` already passed it."""
    if not source_checked:
        try:
            check_source(text)
        except LimitError as error:
            raise InputError(file_name, error.line, error.code, error.reason) from None
    if _ESCAPED_DIRECTIVE in text:
        if _STAND_IN_CHAR in text:
            line = text[: text.index(_STAND_IN_CHAR)].count("\n") + 1
            raise InputError(
                file_name,
                line,
                "hcl-syntax",
                "U+E000 in a file that also escapes `%%{`: the parser cannot read both",
            )
        text = text.replace(_ESCAPED_DIRECTIVE, _STAND_IN)
    try:
        start = parses_to_tree(text)
        return _body_to_block(start.children[0], "", (), 1, file_name)
    except UnexpectedInput as error:
        raise InputError(file_name, error.line, "hcl-syntax", _syntax_message(error)) from None
    except RecursionError:
        raise InputError(file_name, None, "too-deep", _TOO_DEEP) from None
    except (LarkError, ValueError) as error:
        if isinstance(error.__context__, RecursionError) or "recursion" in str(error):
            raise InputError(file_name, None, "too-deep", _TOO_DEEP) from None
        raise InputError(file_name, None, "hcl-syntax", f"cannot parse HCL: {error}") from None


def _syntax_message(error: UnexpectedInput) -> str:
    if isinstance(error, UnexpectedEOF):
        return "invalid HCL: unexpected end of file (unclosed block or string?)"
    if isinstance(error, UnexpectedCharacters):
        return f"invalid HCL: unexpected character {error.char!r} at column {error.column}"
    token = getattr(error, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        return "invalid HCL: unexpected end of file (unclosed block or string?)"
    raw = str(token) if token is not None else ""
    text = raw.strip()
    shown = "end of line" if raw.startswith("\n") or not text else repr(text.splitlines()[0][:40])
    return f"invalid HCL: unexpected {shown} at column {error.column}"


def _body_to_block(
    body: Tree, kind: str, labels: tuple[str, ...], line: int, file_name: str
) -> Block:
    block = Block(kind=kind, labels=labels, line=line, file=file_name)
    for child in body.children:
        if child.data == "block":
            names = [_label(node) for node in child.children if _is_label(node)]
            block.blocks.append(
                _body_to_block(
                    child.children[-2], names[0], tuple(names[1:]), _line(child, line), file_name
                )
            )
        elif child.data == "attribute":
            _add_attribute(block, child, line, file_name)
    return block


def _add_attribute(block: Block, attribute: Tree, line: int, file_name: str) -> None:
    name = _decode_label(_text(cast(Tree, attribute.children[0])))
    attribute_line = _line(attribute, line)
    if name in block.attributes:
        first = block.attributes[name].line
        raise InputError(
            file_name,
            attribute_line,
            "hcl-syntax",
            f'attribute "{name}" is set twice (first on line {first})',
        )
    raw = _literal(attribute.children[2])
    heredoc = False
    if raw is _NOT_LITERAL:
        rule = cast(AttributeRule, _TRANSFORMER.transform(attribute))
        heredoc = _is_heredoc(rule)
        try:
            raw = rule.expression.serialize(_OPTIONS)
        except (ValueError, TypeError, RecursionError) as error:
            raise InputError(
                file_name, attribute_line, "hcl-syntax", f'cannot read "{name}": {error}'
            ) from None
    value = _decode_value(raw)
    if heredoc and isinstance(value, str):
        value += "\n"
    block.attributes[name] = Attribute(name, value, attribute_line, heredoc)


_LABEL_RULES = frozenset({"identifier", "keyword", "literal_value", "string"})


def _is_label(node: Tree | Token) -> bool:
    return isinstance(node, Tree) and node.data in _LABEL_RULES


def _label(node: Tree) -> str:
    if node.data != "string":
        return _decode_label(_text(node))
    raw = _plain_string(node)
    if raw is _NOT_LITERAL:
        raw = cast(StringRule, _TRANSFORMER.transform(node)).serialize(_OPTIONS)
    return _decode_label(raw)


def _text(node: Tree) -> str:
    """The token of a rule that holds just one (`identifier`, `int_lit`, `literal_value`)."""
    return str(node.children[0])


class _NotLiteral:
    """What `_literal` returns for an expression python-hcl2 must serialize itself."""


_NOT_LITERAL: Any = _NotLiteral()
_PLAIN_TOKENS = frozenset({"STRING_CHARS", "ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"})
_LITERAL_VALUES = {"true": True, "false": False, "null": None}


def _plain_string(node: Tree) -> Any:
    """A string without interpolation or directive, quoted and escaped as written."""
    parts = []
    for part in node.children:
        if isinstance(part, Token):
            continue  # the quotes
        content = part.children[0]
        if not isinstance(content, Token) or content.type not in _PLAIN_TOKENS:
            return _NOT_LITERAL
        parts.append(content.value)
    return '"' + "".join(parts) + '"'


def _literal(node: Tree) -> Any:
    """The value python-hcl2 serializes for a literal expression, or `_NOT_LITERAL`."""
    if node.data != "expr_term" or len(node.children) != 1:
        return _NOT_LITERAL
    term = node.children[0]
    kind = term.data
    if kind == "string":
        return _plain_string(term)
    if kind == "int_lit":
        return int(_text(term))
    if kind == "float_lit":
        text = _text(term)
        return _NOT_LITERAL if "e" in text or "E" in text else float(text)
    if kind == "literal_value":
        return _LITERAL_VALUES[_text(term)]
    if kind == "tuple":
        items = []
        for item in term.children:
            if isinstance(item, Token) or item.data == "new_line_or_comment":
                continue
            value = _literal(item)
            if value is _NOT_LITERAL:
                return _NOT_LITERAL
            items.append(value)
        return items
    if kind == "object":
        entries: dict[Any, Any] = {}
        for element in term.children:
            if isinstance(element, Token) or element.data != "object_elem":
                continue
            key = _object_key(element.children[0])
            value = _literal(element.children[2])
            if key is _NOT_LITERAL or value is _NOT_LITERAL:
                return _NOT_LITERAL
            entries[key] = value
        return entries
    return _NOT_LITERAL


def _object_key(node: Tree) -> Any:
    key = node.children[0]
    if key.data == "keyword":
        return _text(key)
    if key.data != "expr_term" or len(key.children) != 1:
        return _NOT_LITERAL
    term = key.children[0]
    if term.data in ("identifier", "literal_value"):
        return _text(term)
    if term.data == "string":
        return _plain_string(term)
    if term.data in ("int_lit", "float_lit"):
        value = _literal(key)
        return _NOT_LITERAL if value is _NOT_LITERAL else str(value)
    return _NOT_LITERAL


def _line(node: Tree, fallback: int) -> int:
    return getattr(node.meta, "line", None) or fallback


_HEREDOC_RULES = (HeredocTemplateRule, HeredocTrimTemplateRule)


def _is_heredoc(attribute: AttributeRule) -> bool:
    return any(isinstance(node, _HEREDOC_RULES) for node in attribute.expression.children)


def _restored(text: str) -> str:
    return text.replace(_STAND_IN, _ESCAPED_DIRECTIVE) if _STAND_IN_CHAR in text else text


def _decode_label(raw: object) -> str:
    text = _restored(str(raw))
    return decode_string(text) if is_quoted(text) else text


def _decode_key(raw: object) -> str:
    """An object key: a quoted one is a template, evaluated like any string value."""
    text = _restored(str(raw))
    return decode_string(text, template=True) if is_quoted(text) else text


def _decode_value(raw: object) -> Value:
    if isinstance(raw, str):
        raw = _restored(raw)
        if is_quoted(raw):
            return decode_string(raw, template=True)
        if is_wrapped_expression(raw):
            return Expr(raw[2:-1])
        return raw
    if isinstance(raw, list):
        return [_decode_value(item) for item in raw]
    if isinstance(raw, dict):
        return {
            _decode_key(key): _decode_value(value)
            for key, value in raw.items()
            if not str(key).startswith("__")
        }
    return raw
