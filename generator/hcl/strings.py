"""Decoding HCL string literals as python-hcl2 serializes them (quotes kept)."""

from __future__ import annotations

import re

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)|\$\$\{|%%\{", re.DOTALL)


def is_quoted(raw: str) -> bool:
    return len(raw) >= 2 and raw[0] == '"' and raw[-1] == '"'


def is_wrapped_expression(raw: str) -> bool:
    return raw.startswith("${") and raw.endswith("}") and not is_quoted(raw)


def decode_string(raw: str, *, template: bool = False) -> str:
    """Decode a quoted HCL string's backslash escapes.

    A `template` (any string value: HCL evaluates it) keeps `$${` and `%%{` as
    written: the template parser turns them into literal `${` and `%{`, once. A plain
    literal (a block label) has no template, so they become their literal text here.
    """
    body = raw[1:-1] if is_quoted(raw) else raw
    if "\\" not in body and (template or ("$${" not in body and "%%{" not in body)):
        return body  # nothing `replace` would change

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("$${", "%%{"):
            return token if template else token[1:]
        escape = match.group(1)
        if escape[0] in "uU" and len(escape) > 1:
            return chr(int(escape[1:], 16))
        return _SIMPLE_ESCAPES.get(escape, token)

    return _ESCAPE.sub(replace, body)
