"""The parsed template → segments.

Only constructs whose output can be stated exactly become typed segments; any
other action or block becomes an `Unknown` carrying its source text, its line
and the reason, and the analysis carries on after it.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass, replace

from generator.consul_template.lexer import TemplateSyntaxError, lex
from generator.consul_template.model import (
    ConsulKey,
    EnvValue,
    Field,
    Literal,
    NomadVarAllKeys,
    NomadVarValue,
    Rendered,
    SecretAllKeys,
    SecretValue,
    Segment,
    ServiceAddress,
    ServiceInstances,
    ServiceQuery,
    TemplateAnalysis,
    Unknown,
)
from generator.consul_template.parser import (
    ActionNode,
    BlockNode,
    Node,
    Operand,
    Pipeline,
    TextNode,
    parse,
)

_CONSUL_SERVICE = re.compile(
    r"(?:(?P<tag>[\w=:.\-]+)\.)?(?P<name>[\w\-]+)(?:\?(?P<query>[^@~|]*))?"
    r"(?:@(?P<dc>[\w.\-]+))?(?:~(?P<near>[\w.\-]+))?(?:\|(?P<filter>[\w,]+))?",
    re.ASCII,
)
_NOMAD_SERVICE = re.compile(
    r"(?:(?P<tag>[\w=:.\-]+)\.)?(?P<name>[\w\-]+)(?:\?(?P<query>[^@]*))?(?:@(?P<dc>[\w.\-]+))?",
    re.ASCII,
)
_HEALTH_FILTER = re.compile(r"[\w,]+", re.ASCII)
_FUNCTIONS = frozenset(
    {"secret", "nomadVar", "service", "nomadService", "key", "keyOrDefault", "env"}
)
_CONDITIONAL = "the output depends on a condition"
# Methods of consul-template's NomadVarItems: they shadow items of the same name.
_NOMAD_ITEMS_METHODS = frozenset({"Keys", "Values", "Tuples", "Metadata", "Parent", "ItemsMap"})


def analyze_template(text: str, left: str = "{{", right: str = "}}") -> TemplateAnalysis:
    """Analyse consul-template text. Never raises for any input string."""
    try:
        nodes = parse(lex(text, left or "{{", right or "}}"))
        segments = _merge_literals(_Analyzer(text).walk(nodes, _Scope(_ROOT, {})))
    except TemplateSyntaxError as error:
        failure = Unknown(
            text, _line_of(text, error.pos), f"template syntax error: {error.message}"
        )
        return TemplateAnalysis((failure,), (failure,))
    except RecursionError:
        failure = Unknown(text, 1, "template is nested too deeply to analyse")
        return TemplateAnalysis((failure,), (failure,))
    problems = tuple(segment for segment in segments if isinstance(segment, Unknown))
    return TemplateAnalysis(segments, problems)


def parse_service_query(text: str, catalog: str = "consul") -> ServiceQuery | None:
    """`[tag.]name[@dc][~near][|filter]` (Consul) or `[tag.]name[@region]` (Nomad);
    None for anything else, including query parameters such as `?ns=`."""
    pattern = _CONSUL_SERVICE if catalog == "consul" else _NOMAD_SERVICE
    match = pattern.fullmatch(text)
    if match is None or match.group("query") is not None:
        return None
    groups = match.groupdict()
    return ServiceQuery(
        name=groups["name"],
        tag=groups["tag"],
        datacenter=groups["dc"],
        health_filter=groups.get("filter"),
        catalog=catalog,
    )


class _Unsupported(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# What an expression evaluates to, as far as the analysis can tell.
@dataclass(frozen=True)
class _Root:
    pass


@dataclass(frozen=True)
class _Secret:
    path: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class _NomadVar:
    path: str


@dataclass(frozen=True)
class _NomadVarTuples:
    path: str


@dataclass(frozen=True)
class _NomadVarItem:
    path: str
    key: str


@dataclass(frozen=True)
class _Services:
    query: ServiceQuery


@dataclass(frozen=True)
class _Instance:
    query: ServiceQuery
    first_only: bool


@dataclass(frozen=True)
class _InstanceField:
    query: ServiceQuery
    first_only: bool
    name: str


@dataclass(frozen=True)
class _Tuple:
    """An element of a nomadVar's `.Tuples`: fields `K` and `V`."""


@dataclass(frozen=True)
class _Entry:
    """The key or value of one entry while ranging over a secret's keys."""

    part: str  # key | value
    nomad: bool = False


@dataclass(frozen=True)
class _Printable:
    segment: Literal | EnvValue | ConsulKey


@dataclass(frozen=True)
class _Opaque:
    description: str


_Value = (
    _Root
    | _Secret
    | _NomadVar
    | _NomadVarTuples
    | _NomadVarItem
    | _Services
    | _Instance
    | _InstanceField
    | _Tuple
    | _Entry
    | _Printable
    | _Opaque
)
_ROOT = _Root()


@dataclass(frozen=True)
class _Scope:
    dot: _Value
    variables: Mapping[str, _Value]

    def lookup(self, name: str) -> _Value:
        if name == "$":
            return _ROOT
        if name not in self.variables:
            raise _Unsupported(f"undefined variable {name}")
        return self.variables[name]

    def bind(self, dot: _Value, variables: Mapping[str, _Value]) -> _Scope:
        return _Scope(dot, {**self.variables, **variables})


class _Analyzer:
    def __init__(self, source: str) -> None:
        self.source = source
        self._newlines = [index for index, char in enumerate(source) if char == "\n"]

    def line(self, pos: int) -> int:
        return bisect_left(self._newlines, pos) + 1

    def unknown(self, start: int, end: int, reason: str) -> Unknown:
        return Unknown(self.source[start:end], self.line(start), reason)

    def walk(self, nodes: list[Node], scope: _Scope) -> list[Segment]:
        segments: list[Segment] = []
        for node in nodes:
            if isinstance(node, TextNode):
                segments.append(Literal(node.text, self.line(node.start)))
            elif isinstance(node, ActionNode):
                segments.append(self._action(node, scope))
                scope = _declare_unsupported(node.pipeline, scope)
            elif isinstance(node, BlockNode):
                segments.extend(self._block(node, scope))
            else:
                reason = f"`{node.keyword}` is not supported"
                segments.append(self.unknown(node.start, node.end, reason))
        return segments

    def _action(self, node: ActionNode, scope: _Scope) -> Segment:
        try:
            if node.pipeline.declarations:
                raise _Unsupported("variable declarations and assignments are not supported")
            return self._print(self._evaluate(node.pipeline, scope), self.line(node.start))
        except _Unsupported as error:
            return self.unknown(node.start, node.end, error.reason)

    def _block(self, node: BlockNode, scope: _Scope) -> list[Segment]:
        try:
            if node.keyword == "with":
                return self._with(node, scope)
            if node.keyword == "range":
                return [self._range(node, scope)]
            if node.keyword == "if":
                raise _Unsupported(f"`if` is not supported: {_CONDITIONAL}")
            raise _Unsupported("named templates (`define`, `block`) are not supported")
        except _Unsupported as error:
            return [self.unknown(node.start, node.end, error.reason)]

    def _with(self, node: BlockNode, scope: _Scope) -> list[Segment]:
        assert node.pipeline is not None
        if node.else_body is not None:
            raise _Unsupported(f"`with … else` is not supported: {_CONDITIONAL}")
        value = self._evaluate(node.pipeline, scope)
        if not isinstance(value, _Secret | _NomadVar | _Services | _Instance):
            raise _Unsupported(
                f"`with` on {_describe(value)} is not supported: "
                "the output depends on whether the value is empty"
            )
        names = node.pipeline.declarations
        if len(names) > 1:
            raise _Unsupported("too many declarations in `with`")
        return self.walk(node.body, scope.bind(value, dict.fromkeys(names, value)))

    def _range(self, node: BlockNode, scope: _Scope) -> Segment:
        assert node.pipeline is not None
        if node.else_body is not None:
            raise _Unsupported(f"`range … else` is not supported: {_CONDITIONAL}")
        value = self._evaluate(node.pipeline, scope)
        line = self.line(node.start)
        if isinstance(value, _Services):
            element: _Value = _Instance(value.query, first_only=False)
            rendered = self._render_each(node, scope, _Opaque("a range index"), element)
            return ServiceAddress(value.query, rendered, line)
        if isinstance(value, _Secret) and value.fields in (("Data", "data"), ("Data",)):
            kv_version = 2 if value.fields == ("Data", "data") else 1
            rendered = self._render_each(node, scope, _Entry("key"), _Entry("value"))
            return SecretAllKeys(value.path, kv_version, rendered, line)
        if isinstance(value, _NomadVar):
            rendered = self._render_each(node, scope, _Entry("key"), _Entry("value", nomad=True))
            return NomadVarAllKeys(value.path, rendered, line)
        if isinstance(value, _NomadVarTuples):
            rendered = self._render_each(node, scope, _Opaque("a range index"), _Tuple())
            return NomadVarAllKeys(value.path, rendered, line)
        raise _Unsupported(f"`range` over {_describe(value)} is not supported")

    def _render_each(
        self, node: BlockNode, scope: _Scope, key: _Value, element: _Value
    ) -> Rendered:
        """What the body of a `range` renders for one element."""
        assert node.pipeline is not None
        names = node.pipeline.declarations
        values = (element,) if len(names) == 1 else (key, element)[: len(names)]
        inner = scope.bind(element, dict(zip(names, values, strict=True)))
        parts: list[str | Field] = []
        for child in node.body:
            if isinstance(child, TextNode):
                parts.append(child.text)
            elif isinstance(child, ActionNode) and not child.pipeline.declarations:
                parts.append(_item_part(self._evaluate(child.pipeline, inner)))
            else:
                raise _Unsupported("only text and values are supported inside `range`")
        return _merge_rendered(parts)

    def _evaluate(self, pipeline: Pipeline, scope: _Scope) -> _Value:
        if len(pipeline.commands) > 1:
            target = pipeline.commands[1][0]
            name = f"`{target.value}`" if target.kind == "identifier" else "a value"
            raise _Unsupported(f"piping a value into {name} is not supported")
        return self._command(pipeline.commands[0], scope)

    def _command(self, operands: tuple[Operand, ...], scope: _Scope) -> _Value:
        head, args = operands[0], operands[1:]
        if head.kind == "identifier":
            if head.fields:
                raise _Unsupported(f"fields of function `{head.value}` are not supported")
            return self._call(head.value, args, scope)
        if args:
            raise _Unsupported("arguments given to a value that is not a function")
        return self._operand(head, scope)

    def _operand(self, operand: Operand, scope: _Scope) -> _Value:
        base: _Value
        if operand.kind == "string":
            base = _Printable(Literal(operand.value))
        elif operand.kind == "dot":
            base = scope.dot
        elif operand.kind == "variable":
            base = scope.lookup(operand.value)
        elif operand.kind == "paren" and operand.pipeline is not None:
            base = self._evaluate(operand.pipeline, scope)
        elif operand.kind == "identifier":
            base = self._call(operand.value, (), scope)
        else:
            raise _Unsupported(f"a {operand.kind} constant is not supported")
        for name in operand.fields:
            base = _field(base, name)
        return base

    def _call(self, name: str, args: tuple[Operand, ...], scope: _Scope) -> _Value:
        if name == "index":
            return self._index(args, scope)
        if name not in _FUNCTIONS:
            raise _Unsupported(f"function `{name}` is not supported")
        strings = _string_args(name, args)
        if name == "secret":
            if len(strings) != 1:
                raise _Unsupported(
                    "`secret` with write parameters (a Vault write, e.g. a PKI certificate) "
                    "is not supported"
                )
            return _Secret(strings[0])
        if name == "nomadVar" and len(strings) == 1:
            return _NomadVar(strings[0])
        if name in ("service", "nomadService"):
            return _Services(_service_query(name, strings))
        if name == "key" and len(strings) == 1:
            return _Printable(ConsulKey(strings[0], None, 0))
        if name == "keyOrDefault" and len(strings) == 2:
            return _Printable(ConsulKey(strings[0], strings[1], 0))
        if name == "env" and len(strings) == 1:
            return _Printable(EnvValue(strings[0], 0))
        raise _Unsupported(f"function `{name}` is not supported")

    def _index(self, args: tuple[Operand, ...], scope: _Scope) -> _Value:
        """`index <service list> 0`, or map lookups such as `index .Data.data "a-key"`."""
        if not args:
            raise _Unsupported("`index` without arguments")
        collection = self._operand(args[0], scope)
        indices = args[1:]
        if isinstance(collection, _Services) and _is_zero(indices):
            return _Instance(collection.query, first_only=True)
        keys = _string_args("index", indices)
        if keys and isinstance(collection, _Secret) and collection.fields[:1] == ("Data",):
            return _Secret(collection.path, collection.fields + keys)
        if len(keys) == 1 and isinstance(collection, _NomadVar):
            return _NomadVarItem(collection.path, keys[0])
        raise _Unsupported(
            "`index` is only supported on a service list (`index … 0`) or a secret's data"
        )

    def _print(self, value: _Value, line: int) -> Segment:
        if isinstance(value, _Printable):
            return replace(value.segment, line=line)
        if isinstance(value, _Secret):
            return _secret_value(value, line)
        if isinstance(value, _NomadVarItem):
            return NomadVarValue(value.path, value.key, line)
        if isinstance(value, _InstanceField) and value.first_only:
            rendered = (Field(value.name),)
            return ServiceAddress(value.query, rendered, line, ServiceInstances.FIRST)
        raise _Unsupported(f"printing {_describe(value)} is not supported")


def _declare_unsupported(pipeline: Pipeline, scope: _Scope) -> _Scope:
    """Variables set by an (unsupported) declaration: later uses are reported as such."""
    if not pipeline.declarations:
        return scope
    unknown = {
        name: _Opaque(f"variable {name} (set by an unsupported declaration)")
        for name in pipeline.declarations
    }
    return scope.bind(scope.dot, unknown)


def _is_zero(args: tuple[Operand, ...]) -> bool:
    return len(args) == 1 and args[0].kind == "number" and args[0].value == "0"


def _string_args(function: str, args: tuple[Operand, ...]) -> tuple[str, ...]:
    if any(arg.kind != "string" or arg.fields for arg in args):
        raise _Unsupported(
            f"`{function}` with arguments that are not string literals is not supported"
        )
    return tuple(arg.value for arg in args)


def _service_query(function: str, args: tuple[str, ...]) -> ServiceQuery:
    catalog = "consul" if function == "service" else "nomad"
    query = parse_service_query(args[0], catalog) if args else None
    if query is None or len(args) > 2 or (len(args) == 2 and catalog == "nomad"):
        raise _Unsupported(f"`{function}` query {' '.join(map(repr, args))} is not supported")
    if len(args) == 2:
        if query.health_filter is not None or not _HEALTH_FILTER.fullmatch(args[1]):
            raise _Unsupported(f"`{function}` filter {args[1]!r} is not supported")
        query = replace(query, health_filter=args[1])
    return query


def _field(base: _Value, name: str) -> _Value:
    if isinstance(base, _Secret):
        return _Secret(base.path, (*base.fields, name))
    if isinstance(base, _NomadVar):
        if name == "Tuples":
            return _NomadVarTuples(base.path)
        if name not in _NOMAD_ITEMS_METHODS:
            return _NomadVarItem(base.path, name)
    elif isinstance(base, _NomadVarItem | _Entry) and name == "Value":
        if not isinstance(base, _Entry) or (base.nomad and base.part == "value"):
            return base
    elif isinstance(base, _Instance):
        return _InstanceField(base.query, base.first_only, name)
    elif isinstance(base, _Tuple) and name in ("K", "V"):
        return _Entry("key" if name == "K" else "value")
    elif isinstance(base, _Root):
        raise _Unsupported(f"`.{name}` outside `with` / `range`: the template has no data there")
    raise _Unsupported(f"field `.{name}` of {_describe(base)} is not supported")


def _secret_value(value: _Secret, line: int) -> SecretValue:
    fields = value.fields
    if len(fields) == 3 and fields[:2] == ("Data", "data"):
        return SecretValue(value.path, fields[2], 2, line)
    if len(fields) == 2 and fields[0] == "Data" and fields[1] != "data":
        return SecretValue(value.path, fields[1], 1, line)
    shown = "".join(f".{name}" for name in fields) or "the whole response"
    raise _Unsupported(
        f"{shown} of Vault secret {value.path!r} is not a single key "
        "(expected .Data.data.KEY for KV v2 or .Data.KEY for KV v1)"
    )


def _item_part(value: _Value) -> str | Field:
    if isinstance(value, _InstanceField) and not value.first_only:
        return Field(value.name)
    if isinstance(value, _Entry):
        return Field(value.part)
    if isinstance(value, _Printable) and isinstance(value.segment, Literal):
        return value.segment.text
    raise _Unsupported(f"printing {_describe(value)} inside `range` is not supported")


def _describe(value: _Value) -> str:
    if isinstance(value, _Secret):
        suffix = "".join(f".{name}" for name in value.fields)
        return f"Vault secret {value.path!r}{suffix}"
    if isinstance(value, _NomadVar | _NomadVarTuples):
        return f"Nomad variable {value.path!r}"
    if isinstance(value, _NomadVarItem):
        return f"Nomad variable item {value.key!r}"
    if isinstance(value, _Services):
        return f"the instances of service {value.query.name!r}"
    if isinstance(value, _Instance | _InstanceField):
        return f"a service {value.query.name!r} instance"
    if isinstance(value, _Printable):
        return type(value.segment).__name__
    if isinstance(value, _Opaque):
        return value.description
    if isinstance(value, _Root):
        return "the top-level data"
    return "a range element"


def _merge_rendered(parts: list[str | Field]) -> Rendered:
    merged: list[str | Field] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return tuple(merged)


def _merge_literals(segments: list[Segment]) -> tuple[Segment, ...]:
    """Join adjacent literals when the first ends on the line where the second starts."""
    merged: list[Segment] = []
    for segment in segments:
        if isinstance(segment, Literal) and not segment.text:
            continue
        previous = merged[-1] if merged else None
        if (
            isinstance(segment, Literal)
            and isinstance(previous, Literal)
            and previous.line + previous.text.count("\n") == segment.line
        ):
            merged[-1] = Literal(previous.text + segment.text, previous.line)
        else:
            merged.append(segment)
    return tuple(merged)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, max(pos, 0)) + 1
