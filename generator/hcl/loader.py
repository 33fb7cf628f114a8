"""python-hcl2 → `Block` tree, the one place that knows python-hcl2's quirks.

python-hcl2 8.x serializes values with their HCL quoting (`'"x"'`), wraps
non-literal expressions in `${...}`, drops the final newline of heredocs and no
longer reports source lines. We walk its rule tree instead of its dict output,
so every block and attribute keeps the line it came from.
"""

from __future__ import annotations

from pathlib import Path

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.rules.strings import HeredocTemplateRule, HeredocTrimTemplateRule
from hcl2.utils import SerializationOptions
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from generator.diagnostics import InputError
from generator.hcl.limits import LimitError, check_source
from generator.hcl.strings import decode_string, is_quoted, is_wrapped_expression
from generator.hcl.tree import Attribute, Block, Expr, Value

_OPTIONS = SerializationOptions(with_comments=False, preserve_heredocs=False)
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
        start = hcl2.parses(text, discard_comments=True)
    except UnexpectedInput as error:
        raise InputError(file_name, error.line, "hcl-syntax", _syntax_message(error)) from None
    except RecursionError:
        raise InputError(file_name, None, "too-deep", _TOO_DEEP) from None
    except (LarkError, ValueError) as error:
        if isinstance(error.__context__, RecursionError) or "recursion" in str(error):
            raise InputError(file_name, None, "too-deep", _TOO_DEEP) from None
        raise InputError(file_name, None, "hcl-syntax", f"cannot parse HCL: {error}") from None
    return _body_to_block(start.body, "", (), 1, file_name)


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
    body: BodyRule, kind: str, labels: tuple[str, ...], line: int, file_name: str
) -> Block:
    block = Block(kind=kind, labels=labels, line=line, file=file_name)
    for child in body.children:
        if isinstance(child, BlockRule):
            child_labels = [_decode_label(label.serialize(_OPTIONS)) for label in child.labels]
            block.blocks.append(
                _body_to_block(
                    child.body,
                    child_labels[0],
                    tuple(child_labels[1:]),
                    _line(child, line),
                    file_name,
                )
            )
        elif isinstance(child, AttributeRule):
            name = _decode_label(child.identifier.serialize(_OPTIONS))
            attribute_line = _line(child, line)
            if name in block.attributes:
                first = block.attributes[name].line
                raise InputError(
                    file_name,
                    attribute_line,
                    "hcl-syntax",
                    f'attribute "{name}" is set twice (first on line {first})',
                )
            heredoc = _is_heredoc(child)
            try:
                value = _decode_value(child.expression.serialize(_OPTIONS))
            except (ValueError, TypeError, RecursionError) as error:
                raise InputError(
                    file_name, attribute_line, "hcl-syntax", f'cannot read "{name}": {error}'
                ) from None
            if heredoc and isinstance(value, str):
                value += "\n"
            block.attributes[name] = Attribute(name, value, attribute_line, heredoc)
    return block


def _line(rule: object, fallback: int) -> int:
    meta = getattr(rule, "_meta", None)
    return getattr(meta, "line", None) or fallback


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
