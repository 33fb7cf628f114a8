"""Evaluating parsed HCL2 expressions and templates the way Nomad's jobspec2 does.

A reference whose root is not `var`, `local` or a name bound by a `for` or
`dynamic` iterator is a Nomad runtime interpolation (`NOMAD_PORT_http`,
`node.unique.name`, `attr.cpu.arch`, `meta.x`, `env["X"]`): like Nomad's
`UnknownVariable` hook, it evaluates to its own text wrapped in `${...}`, so Nomad
(or the generator after us) sees it exactly as written.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.hcl.functions import Functions
from generator.hcl.limits import check_value, tick
from generator.hcl.syntax import (
    Attr,
    Binary,
    Call,
    Conditional,
    ForDirective,
    ForExpr,
    GetAttr,
    HclSyntaxError,
    IfDirective,
    Index,
    Interpolation,
    Key,
    Literal,
    Node,
    ObjectCons,
    Splat,
    SplatItem,
    Template,
    Traversal,
    TupleCons,
    Unary,
    Unparsed,
)
from generator.hcl.unknowns import (
    TERRAFORM_FUNCTIONS,
    NeedsValue,
    TfExpr,
    expression,
    has_unknown,
    marker,
    variables_in,
)
from generator.hcl.values import (
    EvalError,
    HclSet,
    Value,
    convert,
    equals,
    is_sequence,
    normalize_number,
    parse_type,
    to_bool,
    to_list,
    to_number,
    to_string,
    type_name,
)

Scope = dict[str, Value]

_SPLAT_ITEM = "\0splat"
_REFERENCE = re.compile(r"\b(?:var|local)\.")


@dataclass(frozen=True)
class Resolver:
    """Where `var.x` and `local.x` come from; each callable may raise EvalError or InputError."""

    variable: Callable[[str], Value]
    local: Callable[[str], Value]
    # Whether a variable that is a module input also has a default the generator can use.
    has_default: Callable[[str], bool] = lambda name: False


class ExpressionEvaluator:
    def __init__(self, resolver: Resolver, functions: Functions) -> None:
        self.resolver = resolver
        self.functions = functions

    def evaluate(self, node: Node, scope: Scope) -> Value:
        tick()
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, scope)

    # ---- references ---------------------------------------------------------

    def _literal(self, node: Literal, scope: Scope) -> Value:
        return node.value

    def _traversal(self, node: Traversal, scope: Scope) -> Value:
        if node.root in scope:
            return self._walk(scope[node.root], node.steps)
        if node.root in ("var", "local") and node.steps:
            first = node.steps[0]
            if not isinstance(first, Attr):
                raise EvalError(f"{node.root}[...] needs an attribute name")
            lookup = self.resolver.variable if node.root == "var" else self.resolver.local
            return self._walk(lookup(first.name), node.steps[1:])
        if node.root in ("var", "local"):
            raise EvalError(f"{node.root} cannot be used without an attribute")
        return "${" + node.text + "}"

    def _walk(self, value: Value, steps: tuple[Attr | Key, ...]) -> Value:
        for step in steps:
            if isinstance(step, Attr):
                value = get_attribute(value, step.name)
            else:
                value = get_index(value, step.value)
        return value

    def _getattr(self, node: GetAttr, scope: Scope) -> Value:
        return get_attribute(self.evaluate(node.source, scope), node.name)

    def _index(self, node: Index, scope: Scope) -> Value:
        return get_index(self.evaluate(node.source, scope), self.evaluate(node.key, scope))

    def _splatitem(self, node: SplatItem, scope: Scope) -> Value:
        return scope[_SPLAT_ITEM]

    def _splat(self, node: Splat, scope: Scope) -> Value:
        source = self.evaluate(node.source, scope)
        if source is None:
            return []
        if _unknown(source):
            raise NeedsValue(variables_in(source), "a splat expression")
        items = list(source) if is_sequence(source) else [source]
        return [self.evaluate(node.each, {**scope, _SPLAT_ITEM: item}) for item in items]

    # ---- calls and operators -----------------------------------------------

    def _call(self, node: Call, scope: Scope) -> Value:
        special = {"try": self._try, "can": self._can, "convert": self._convert}.get(node.name)
        if special is not None:
            return special(node, scope)
        args = [self.evaluate(arg, scope) for arg in node.args]
        if has_unknown(args):
            depends = variables_in(args)
            if node.name in _FILE_FUNCTIONS and any(map(self.resolver.has_default, depends)):
                # Terraform reads files from where it runs: read them from the jobspec's.
                raise NeedsValue(depends, f"a path {node.name}() reads")
            return _terraform_call(node, args)
        if node.expand_final:
            args = [*args[:-1], *to_list(args[-1])] if args else args
        return self.functions.call(node.name, args)

    def _try(self, node: Call, scope: Scope) -> Value:
        reasons = []
        for arg in node.args:
            try:
                return self.evaluate(arg, scope)
            except EvalError as error:
                reasons.append(error.reason)
        raise EvalError("try(): no argument could be evaluated: " + "; ".join(reasons))

    def _can(self, node: Call, scope: Scope) -> Value:
        if len(node.args) != 1:
            raise EvalError("wrong number of arguments to can()")
        try:
            self.evaluate(node.args[0], scope)
        except EvalError:
            return False
        return True

    def _convert(self, node: Call, scope: Scope) -> Value:
        if len(node.args) != 2:
            raise EvalError("wrong number of arguments to convert()")
        target = _type_text(node.args[1])
        return convert(self.evaluate(node.args[0], scope), parse_type(target))

    def _unary(self, node: Unary, scope: Scope) -> Value:
        operand = self.evaluate(node.operand, scope)
        if _unknown(operand):
            return _combined(f"{node.op}{_operand(operand)}", operand)
        if node.op == "!":
            return not to_bool(operand)
        return normalize_number(-to_number(operand))

    def _binary(self, node: Binary, scope: Scope) -> Value:
        if node.op in ("&&", "||"):
            first = self.evaluate(node.left, scope)
            if _unknown(first):
                second = self.evaluate(node.right, scope)
                return _combined(f"{_operand(first)} {node.op} {_operand(second)}", first, second)
            left = to_bool(first)
            if left == (node.op == "||"):
                return left
            return to_bool(self.evaluate(node.right, scope))
        left = self.evaluate(node.left, scope)
        right = self.evaluate(node.right, scope)
        if _unknown(left) or _unknown(right):
            return _combined(f"{_operand(left)} {node.op} {_operand(right)}", left, right)
        if node.op == "==":
            return equals(left, right)
        if node.op == "!=":
            return not equals(left, right)
        return _arithmetic(node.op, to_number(left), to_number(right))

    def _conditional(self, node: Conditional, scope: Scope) -> Value:
        condition = self.evaluate(node.condition, scope)
        if _unknown(condition):
            then, otherwise = self.evaluate(node.then, scope), self.evaluate(node.otherwise, scope)
            text = f"{_operand(condition)} ? {_operand(then)} : {_operand(otherwise)}"
            return _combined(text, condition, then, otherwise)
        chosen = node.then if to_bool(self.evaluate(node.condition, scope)) else node.otherwise
        return self.evaluate(chosen, scope)

    # ---- collections ---------------------------------------------------------

    def _tuplecons(self, node: TupleCons, scope: Scope) -> Value:
        return [self.evaluate(item, scope) for item in node.items]

    def _objectcons(self, node: ObjectCons, scope: Scope) -> Value:
        result = {}
        for key, value in node.items:
            name = self.evaluate(key, scope)
            if _unknown(name):
                raise NeedsValue(variables_in(name), "a map key")
            result[to_string(name)] = self.evaluate(value, scope)
        return result

    def _forexpr(self, node: ForExpr, scope: Scope) -> Value:
        collection = self.evaluate(node.collection, scope)
        results: list[tuple[Value, Value]] = []
        for key, value in iteration_pairs(collection):
            inner = {**scope, node.value_var: value}
            if node.key_var is not None:
                inner[node.key_var] = key
            if node.condition is not None and not to_bool(self.evaluate(node.condition, inner)):
                continue
            result_key = None if node.key is None else self.evaluate(node.key, inner)
            results.append((result_key, self.evaluate(node.value, inner)))
        if node.key is None:
            return [value for _, value in results]
        return _object_from_pairs(results, node.grouping)

    # ---- templates -----------------------------------------------------------

    def _template(self, node: Template, scope: Scope) -> Value:
        parts = node.parts
        if len(parts) == 1 and isinstance(parts[0], Interpolation):
            return self.evaluate(parts[0].expr, scope)
        return check_value(
            "".join(self.template_part(part, scope) for part in parts), "a template's text"
        )

    def template_part(self, part: object, scope: Scope) -> str:
        if isinstance(part, str):
            return part
        if isinstance(part, Interpolation):
            return interpolated_text(self.evaluate(part.expr, scope))
        if isinstance(part, Unparsed):
            raise EvalError(f"cannot parse {part.text!r}: {part.reason}")
        if isinstance(part, IfDirective):
            chosen = part.then if to_bool(self.evaluate(part.condition, scope)) else part.otherwise
            return "".join(self.template_part(item, scope) for item in chosen.parts)
        assert isinstance(part, ForDirective)
        return self._for_directive(part, scope)

    def _for_directive(self, part: ForDirective, scope: Scope) -> str:
        output: list[str] = []
        for key, value in iteration_pairs(self.evaluate(part.collection, scope)):
            inner = {**scope, part.value_var: value}
            if part.key_var is not None:
                inner[part.key_var] = key
            output.extend(self.template_part(item, inner) for item in part.body.parts)
        return check_value("".join(output), "a %{ for } directive's text")


def get_attribute(value: Value, name: str) -> Value:
    if _unknown(value):
        return _combined(f"{_operand(value)}.{name}", value)
    if isinstance(value, dict):
        if name not in value:
            raise EvalError(f'no attribute "{name}"')
        return value[name]
    raise EvalError(f'cannot read attribute "{name}" of {type_name(value)}')


def get_index(value: Value, key: Value) -> Value:
    if _unknown(value) or _unknown(key):
        return _combined(f"{_operand(value)}[{expression(key).text}]", value, key)
    if isinstance(value, dict):
        name = to_string(key)
        if name not in value:
            raise EvalError(f'no key "{name}"')
        return value[name]
    if is_sequence(value) and not isinstance(value, HclSet):
        position = to_number(key)
        if not float(position).is_integer() or not 0 <= position < len(value):
            raise EvalError(f"index {key} out of range")
        return value[int(position)]
    raise EvalError(f"cannot index {type_name(value)}")


def iteration_pairs(collection: Value) -> list[tuple[Value, Value]]:
    """(key, value) pairs as HCL iterates: list index, set element, or sorted map key."""
    if _unknown(collection):
        raise NeedsValue(variables_in(collection), "what to iterate over")
    if isinstance(collection, HclSet):
        return [(item, item) for item in collection]
    if is_sequence(collection):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    raise EvalError(f"cannot iterate over {type_name(collection)}")


def interpolated_text(value: Value) -> str:
    if isinstance(value, TfExpr):
        return marker(value)
    if value is None:
        raise EvalError("a null value cannot be interpolated")
    if isinstance(value, list | tuple | dict):
        raise EvalError(f"a {type_name(value)} cannot be interpolated into a string")
    return to_string(value)


_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
}


# ---- values only Terraform knows --------------------------------------------


def _unknown(value: Value) -> bool:
    """Unknown as a whole (an expression, or a string with unknown parts)."""
    return isinstance(value, TfExpr | str) and has_unknown(value)


def _operand(value: Value) -> str:
    """`value` as a Terraform operand: parenthesised unless it is a plain reference."""
    text = expression(value).text
    return text if _SIMPLE.fullmatch(text) else f"({text})"


_FILE_FUNCTIONS = frozenset(
    [
        "file",
        "filebase64",
        "fileexists",
        "fileset",
        "templatefile",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "filebase64sha256",
        "filebase64sha512",
        "abspath",
    ]
)
_SIMPLE = re.compile(r'[\w.-]+|"[^"\\$%]*"')


def _combined(text: str, *values: Value) -> TfExpr:
    return TfExpr(text, variables_in(list(values)))


def _terraform_call(node: Call, args: list[Value]) -> TfExpr:
    """A call over unknown values, left to Terraform: it has (nearly) all of Nomad's functions."""
    if node.name not in TERRAFORM_FUNCTIONS:
        raise NeedsValue(variables_in(args), f"{node.name}(), which Terraform does not have")
    texts = [expression(arg).text for arg in args]
    if node.expand_final and texts:
        texts[-1] += "..."
    return _combined(f"{node.name}({', '.join(texts)})", *args)


def _arithmetic(op: str, left: int | float, right: int | float) -> Value:
    if op in ("/", "%") and right == 0:
        raise EvalError("division by zero")
    if op == "%":
        return normalize_number(left - right * int(left / right))
    result = _OPERATORS[op](left, right)
    return result if isinstance(result, bool) else normalize_number(result)


def _object_from_pairs(pairs: list[tuple[Value, Value]], grouping: bool) -> dict[str, Value]:
    result: dict[str, Value] = {}
    for key, value in pairs:
        name = to_string(key)
        if grouping:
            result.setdefault(name, []).append(value)
        elif name in result:
            raise EvalError(f'duplicate key "{name}" in for expression')
        else:
            result[name] = value
    return result


def _type_text(node: Node) -> str:
    if isinstance(node, Traversal):
        return node.text
    if isinstance(node, Call) and len(node.args) == 1 and isinstance(node.args[0], Traversal):
        return f"{node.name}({node.args[0].text})"
    raise EvalError("convert(): unsupported type argument")


def references_inputs(text: str) -> bool:
    """Whether unparsable `${...}` text mentions `var.` or `local.`: not an escape, then."""
    return bool(_REFERENCE.search(text))


__all__ = [
    "EvalError",
    "ExpressionEvaluator",
    "HclSyntaxError",
    "Resolver",
    "Scope",
    "interpolated_text",
    "iteration_pairs",
    "references_inputs",
]
