"""HCL2 jobspec semantics as Nomad's jobspec2 parser applies them, on the loader's tree.

`evaluate_jobspec` resolves input variables (defaults < `NOMAD_VAR_*` environment <
var files in order < `--var`, as Nomad does), evaluates `locals`, `${...}`
interpolations and expressions, expands `dynamic` blocks, and returns a new tree
without the `variable`, `variables` and `locals` blocks. Nomad runtime
interpolations (`${NOMAD_*}`, `${node.*}`, `${attr.*}`, `${meta.*}`, `${env[...]}`)
are left as text. What cannot be evaluated stays as written, with a warning.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path

from generator.credentials import CREDENTIAL_NAME
from generator.diagnostics import Diagnostic, DiagnosticSink, InputError, Severity
from generator.hcl.expressions import (
    ExpressionEvaluator,
    Resolver,
    Scope,
    interpolated_text,
    iteration_pairs,
    references_inputs,
)
from generator.hcl.functions import Functions, MissingFile
from generator.hcl.limits import (
    LimitError,
    check_source,
    check_value,
    evaluation_deadline,
)
from generator.hcl.loader import parse_hcl
from generator.hcl.syntax import (
    ForDirective,
    HclSyntaxError,
    IfDirective,
    Interpolation,
    Node,
    Template,
    TemplatePart,
    Unparsed,
    parse_expression,
    parse_template,
)
from generator.hcl.tree import Attribute, Block, Expr
from generator.hcl.unknowns import (
    NeedsValue,
    TfExpr,
    has_unknown,
    module_variable_name,
    variables_in,
)
from generator.hcl.values import (
    EvalError,
    HclType,
    Value,
    convert,
    infer_type,
    parse_type,
    to_bool,
    to_string,
    to_tree,
)
from generator.render.hcl_values import hcl_expression, hcl_key

ENV_PREFIX = "NOMAD_VAR_"
_CONSUMED = ("variable", "variables", "locals")


@dataclass(frozen=True)
class Declaration:
    """A `variable` (or `variables` entry) or a `locals` entry the evaluation consumed."""

    kind: str  # "variable" or "local"
    name: str
    file: str
    line: int


@dataclass(frozen=True)
class ModuleInput:
    """A jobspec variable that becomes a variable of the module (`var.<tf_name>`)."""

    name: str
    tf_name: str
    type: str  # Terraform type constraint, as written in the jobspec
    description: str | None
    line: int
    default: Value = None
    has_default: bool = False


@dataclass
class Evaluation:
    root: Block
    diagnostics: list[Diagnostic]
    declarations: list[Declaration]
    variables: dict[str, Value] = field(default_factory=dict)
    locals: dict[str, Value] = field(default_factory=dict)
    inputs: list[ModuleInput] = field(default_factory=list)


def evaluate_jobspec(
    root: Block,
    cli_vars: Mapping[str, str],
    var_files: Sequence[Path],
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    defaults_as_inputs: bool = False,
) -> Evaluation:
    """Evaluate a loaded jobspec; raise InputError for what Nomad itself would reject.

    `env` defaults to the process environment (for `NOMAD_VAR_*`); `base_dir`, where
    `file()` paths start, defaults to the directory of `root.file`. Variables without a
    value become module inputs; with `defaults_as_inputs`, so do variables that keep
    their default, where the value reaches an image, env var, argument or template.
    """
    site = _Site(root.file)
    try:
        with evaluation_deadline():
            return _evaluate(root, cli_vars, var_files, env, base_dir, site, defaults_as_inputs)
    except LimitError as error:
        raise InputError(root.file, error.line or site.line, error.code, error.reason) from None


def _evaluate(
    root: Block,
    cli_vars: Mapping[str, str],
    var_files: Sequence[Path],
    env: Mapping[str, str] | None,
    base_dir: Path | None,
    site: _Site,
    defaults_as_inputs: bool,
) -> Evaluation:
    sink = DiagnosticSink()
    functions = Functions(base_dir if base_dir is not None else Path(root.file).parent)
    inputs = _Inputs(root, functions, sink)
    variables = inputs.resolve(cli_vars, var_files, os.environ if env is None else env)
    if defaults_as_inputs:
        site.fallbacks = inputs.defaults_as_inputs(variables)
    local_values = _Locals(root, site, sink)
    values = _ValueEvaluator(
        ExpressionEvaluator(
            Resolver(site.variable(variables), local_values.get, site.fallbacks.__contains__),
            functions,
        )
    )
    local_values.bind(values)
    local_values.evaluate_all()
    tree = _TreeEvaluator(values, site, sink)
    evaluated = tree.root(root)
    module_inputs = inputs.used(_symbolic_variables(evaluated))
    return Evaluation(
        root=evaluated,
        diagnostics=list(sink),
        declarations=inputs.declarations + local_values.declarations,
        variables={name: to_tree(value) for name, value in variables.items()},
        locals={name: to_tree(value) for name, value in local_values.values.items()},
        inputs=module_inputs,
    )


def _symbolic_variables(block: Block) -> set[str]:
    """The variables the evaluated tree uses as module inputs (`${var.x}` to be)."""
    found = {
        name
        for attribute in block.attributes.values()
        if has_unknown(attribute.value)
        for name in variables_in(attribute.value)
    }
    for child in block.blocks:
        found |= _symbolic_variables(child)
    return found


# ---- evaluating loader values ------------------------------------------------

Report = Callable[[str, str], None]


@lru_cache(maxsize=4096)
def _expression(text: str) -> Node:
    return parse_expression(text)


@lru_cache(maxsize=4096)
def _template(text: str) -> Template:
    try:
        return parse_template(text, lenient=True)
    except RecursionError:
        return Template((Unparsed(text, "template nested too deeply"),))


class _ValueEvaluator:
    """Evaluates loader values: `Expr`, strings with `${...}`, and lists and maps of them.

    `strict` raises EvalError at the first failure. `lenient` reports each failure
    through `report(text, reason)` and leaves that piece as written. A missing
    `file()` is never left: it propagates, to become an InputError with its line.
    """

    def __init__(self, expressions: ExpressionEvaluator) -> None:
        self.expressions = expressions

    def strict(self, value: Value, scope: Scope) -> Value:
        return self._value(value, scope, None)

    def lenient(self, value: Value, scope: Scope, report: Report) -> Value:
        return self._value(value, scope, report)

    def _value(self, value: Value, scope: Scope, report: Report | None) -> Value:
        if isinstance(value, Expr):
            return self._attempt(lambda: self._expr(value, scope), report, value.text, value)
        if isinstance(value, str):
            return self._string(value, scope, report)
        if isinstance(value, list):
            return [self._value(item, scope, report) for item in value]
        if isinstance(value, dict):
            return {
                self._attempt(partial(self._key, key, scope), report, key, key): self._value(
                    item, scope, report
                )
                for key, item in value.items()
            }
        return value

    def _attempt(
        self, compute: Callable[[], Value], report: Report | None, shown: str, kept: Value
    ) -> Value:
        try:
            return compute()
        except MissingFile:
            raise
        except EvalError as error:
            return _failed(report, shown, error.reason, kept)
        except RecursionError:
            return _failed(report, shown, "expression nested too deeply", kept)

    def _key(self, key: str, scope: Scope) -> str:
        name = self._string(key, scope, None)
        if has_unknown(name):
            raise NeedsValue(variables_in(name), "a map key")
        return to_string(name)

    def _expr(self, value: Expr, scope: Scope) -> Value:
        try:
            node = _expression(value.text)
        except HclSyntaxError as error:
            raise EvalError(f"cannot parse: {error}") from None
        return to_tree(check_value(self.expressions.evaluate(node, scope), "the value"))

    def _string(self, text: str, scope: Scope, report: Report | None) -> Value:
        if "${" not in text and "%{" not in text:
            return text
        parts = _template(text).parts
        if len(parts) == 1 and isinstance(parts[0], Interpolation):
            expr = parts[0].expr
            return self._attempt(
                lambda: to_tree(check_value(self.expressions.evaluate(expr, scope), "the value")),
                report,
                text,
                text,
            )
        output: list[str] = []
        for part in parts:
            if isinstance(part, IfDirective | ForDirective):
                failed = object()
                piece = self._attempt(partial(self._part, part, scope), report, text, failed)
                if piece is failed:
                    return text
            else:
                shown = part if isinstance(part, str) else part.text
                piece = self._attempt(partial(self._part, part, scope), report, shown, shown)
            output.append(piece)
        return check_value("".join(output), "the string")

    def _part(self, part: TemplatePart, scope: Scope) -> str:
        if isinstance(part, Unparsed):
            if references_inputs(part.text):
                raise EvalError(f"cannot parse: {part.reason}")
            return part.text
        if isinstance(part, Interpolation):
            return interpolated_text(to_tree(self.expressions.evaluate(part.expr, scope)))
        return self.expressions.template_part(part, scope)


def _failed(report: Report | None, text: str, reason: str, kept: Value) -> Value:
    if report is None:
        raise EvalError(reason)
    report(text, reason)
    return kept


# ---- where we are, for errors --------------------------------------------------


class _Site:
    """The file and line being evaluated, for InputErrors raised deep in an expression."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.line: int | None = None
        self.fallbacks: dict[str, Value] = {}  # defaults of variables that are inputs too
        self.concrete = False

    @contextmanager
    def concrete_values(self) -> Iterator[None]:
        """Variables that have a default evaluate to it, not to their module input."""
        saved, self.concrete = self.concrete, True
        try:
            yield
        finally:
            self.concrete = saved

    @contextmanager
    def at(self, line: int) -> Iterator[None]:
        saved, self.line = self.line, line
        try:
            yield
        except MissingFile as missing:
            raise InputError(
                self.file, line, "missing-file", f"file() cannot read {missing.path}: not found"
            ) from None
        except LimitError as error:
            raise InputError(self.file, error.line or line, error.code, error.reason) from None
        finally:
            self.line = saved

    def variable(self, values: dict[str, Value]) -> Callable[[str], Value]:
        def lookup(name: str) -> Value:
            if name not in values:
                raise InputError(
                    self.file,
                    self.line,
                    "undeclared-variable",
                    f'var.{name} is not declared: add a variable "{name}" block',
                )
            if self.concrete and name in self.fallbacks:
                return self.fallbacks[name]
            return values[name]

        return lookup


# ---- input variables ---------------------------------------------------------


@dataclass
class _Variable:
    name: str
    line: int
    type: HclType | None
    value: Value = None
    has_value: bool = False
    validations: list[Block] = field(default_factory=list)
    type_text: str = "any"
    description: str | None = None
    from_default: bool = False


def terraform_type(kind: HclType) -> str:
    """A type constraint in Terraform's syntax, which is Nomad's: written from the parsed type."""
    if kind.element is not None:
        return f"{kind.kind}({terraform_type(kind.element)})"
    if kind.kind == "tuple":
        return "tuple([" + ", ".join(terraform_type(item) for item in kind.elements) + "])"
    if kind.kind == "object":
        fields = []
        for name, attribute in kind.attributes.items():
            text = terraform_type(attribute.type)
            if attribute.optional:
                default = (
                    "" if attribute.default is None else f", {hcl_expression(attribute.default)}"
                )
                text = f"optional({text}{default})"
            fields.append(f"{hcl_key(name)} = {text}")
        return "object({" + ", ".join(fields) + "})"
    return kind.kind


def _terraform_type(value: Value) -> str:
    """The type of a variable declared with only a default; `any` for collections."""
    kind = infer_type(value).kind
    return kind if kind in ("string", "number", "bool") else "any"


def _no_references(name: str) -> Value:
    raise EvalError("variables cannot be used here")


def _only(allowed: str, value: Value) -> Callable[[str], Value]:
    """A validation condition may refer to its own variable and nothing else."""

    def lookup(name: str) -> Value:
        return value if name == allowed else _no_references(name)

    return lookup


class _Inputs:
    """Input variables: declarations, then values by Nomad's precedence."""

    def __init__(self, root: Block, functions: Functions, sink: DiagnosticSink) -> None:
        self.file = root.file
        self.sink = sink
        self.constants = _ValueEvaluator(
            ExpressionEvaluator(Resolver(_no_references, _no_references), functions)
        )
        self.variables: dict[str, _Variable] = {}
        self.declarations: list[Declaration] = []
        self.module_inputs: list[ModuleInput] = []
        for block in root.blocks:
            if block.kind == "variable":
                self._declare_block(block)
            elif block.kind == "variables":
                self._declare_attributes(block)

    def resolve(
        self, cli_vars: Mapping[str, str], var_files: Sequence[Path], env: Mapping[str, str]
    ) -> dict[str, Value]:
        for name, variable in self.variables.items():
            if ENV_PREFIX + name in env:
                self._assign_text(variable, env[ENV_PREFIX + name], f"{ENV_PREFIX}{name}")
                self._note(f"var.{name} set from the {ENV_PREFIX}{name} environment variable")
        for path in var_files:
            self._assign_file(path)
        for name, text in cli_vars.items():
            if name in self.variables:
                self._assign_text(self.variables[name], text, f"--var {name}")
            else:
                self._warn_undeclared(name, "--var")
        self._check_complete()
        return {name: variable.value for name, variable in self.variables.items()}

    def _declare_block(self, block: Block) -> None:
        name = block.label
        self._check_new(name, block.line)
        variable = _Variable(name, block.line, None, validations=block.children("validation"))
        if "type" in block.attributes:
            variable.type = self._type(block.attributes["type"], name)
            variable.type_text = terraform_type(variable.type)
        description = block.get("description")
        if isinstance(description, str):
            variable.description = description
        if "default" in block.attributes:
            default = self._constant(block.attributes["default"], name)
            variable.type = variable.type or infer_type(default)
            variable.value = self._convert(default, variable, block.line, block.file)
            variable.has_value = variable.from_default = True
        self._add(variable)

    def _declare_attributes(self, block: Block) -> None:
        for attribute in block.attributes.values():
            self._check_new(attribute.name, attribute.line)
            value = self._constant(attribute, attribute.name)
            variable = _Variable(attribute.name, attribute.line, infer_type(value), value, True)
            variable.from_default = True
            self._add(variable)

    def _add(self, variable: _Variable) -> None:
        self.variables[variable.name] = variable
        self.declarations.append(Declaration("variable", variable.name, self.file, variable.line))

    def _check_new(self, name: str, line: int) -> None:
        if name in self.variables:
            first = self.variables[name].line
            raise InputError(
                self.file,
                line,
                "duplicate-variable",
                f'variable "{name}" is declared twice (first on line {first})',
            )

    def _type(self, attribute: Attribute, name: str) -> HclType:
        try:
            return parse_type(attribute.value)
        except EvalError as error:
            raise self._invalid(attribute.line, name, error.reason) from None

    def _constant(self, attribute: Attribute, name: str) -> Value:
        try:
            return self.constants.strict(attribute.value, {})
        except EvalError as error:
            raise self._invalid(attribute.line, name, error.reason) from None

    def _convert(self, value: Value, variable: _Variable, line: int | None, file: str) -> Value:
        try:
            return convert(value, variable.type) if variable.type else value
        except EvalError as error:
            reason = f"not a {variable.type}: {error.reason}"
            raise InputError(
                file, line, "invalid-variable", f"var.{variable.name}: {reason}"
            ) from None

    def _invalid(self, line: int, name: str, reason: str) -> InputError:
        return InputError(self.file, line, "invalid-variable", f'variable "{name}": {reason}')

    def _assign_text(self, variable: _Variable, text: str, source: str) -> None:
        """A `--var` or environment value: literal text for string and number variables."""
        value: Value = text
        if variable.type is not None and variable.type.kind not in ("string", "number"):
            try:
                value = self.constants.strict(Expr(text), {})
            except EvalError as error:
                raise InputError(source, None, "invalid-variable", error.reason) from None
        variable.value = self._convert(value, variable, None, source)
        variable.has_value = True
        variable.from_default = False

    def _assign_file(self, path: Path) -> None:
        for name, value, line in _read_var_file(path, self.constants):
            if name not in self.variables:
                self._warn_undeclared(name, str(path), line)
                continue
            variable = self.variables[name]
            variable.value = self._convert(value, variable, line, str(path))
            variable.has_value = True
            variable.from_default = False

    def _check_complete(self) -> None:
        for variable in sorted(self.variables.values(), key=lambda item: item.line):
            if not variable.has_value:
                self._module_input(variable)
        for variable in self.variables.values():
            for validation in variable.validations:
                if variable.has_value:
                    self._validate(variable, validation)
                else:
                    self.sink.report(
                        Severity.INFO,
                        "dropped",
                        f"var.{variable.name} has no value here, so this validation is not"
                        " checked; the module input has none",
                        self.file,
                        validation.line,
                    )

    def defaults_as_inputs(self, values: dict[str, Value]) -> dict[str, Value]:
        """Variables that keep their default become inputs with it; their defaults, by name.

        Not one whose name looks like a credential: its default stays a literal, reported
        where it is used, rather than a default in variables.tf.
        """
        fallbacks: dict[str, Value] = {}
        for variable in sorted(self.variables.values(), key=lambda item: item.line):
            if variable.from_default and not CREDENTIAL_NAME.search(variable.name):
                fallbacks[variable.name] = variable.value
                self._module_input(variable, variable.value)
                values[variable.name] = variable.value
        return fallbacks

    def used(self, names: set[str]) -> list[ModuleInput]:
        """Required inputs, and the inputs with a default that something uses."""
        chosen = [item for item in self.module_inputs if not item.has_default or item.name in names]
        for item in chosen:
            if item.tf_name != item.name:
                self._report_renamed(item)
        return sorted(chosen, key=lambda item: item.line)

    def _module_input(self, variable: _Variable, default: Value = None) -> None:
        """Terraform gets the value: required without a value, else with it as default."""
        taken = {item.tf_name for item in self.module_inputs}
        tf_name = module_variable_name(variable.name)
        while tf_name in taken or (tf_name != variable.name and tf_name in self.variables):
            tf_name = "job_" + tf_name
        variable.value = TfExpr(f"var.{tf_name}", (variable.name,))
        has_default = variable.has_value
        type_text = variable.type_text
        if has_default and type_text == "any":
            type_text = _terraform_type(default)
        self.module_inputs.append(
            ModuleInput(
                variable.name,
                tf_name,
                type_text,
                variable.description,
                variable.line,
                default,
                has_default,
            )
        )

    def _report_renamed(self, item: ModuleInput) -> None:
        self.sink.report(
            Severity.INFO,
            "module-input",
            f'variable "{item.name}" becomes the module input "{item.tf_name}":'
            f' "{item.name}" is taken by the module or by Terraform',
            self.file,
            item.line,
        )

    def _validate(self, variable: _Variable, validation: Block) -> None:
        resolver = Resolver(_only(variable.name, variable.value), _no_references)
        checker = _ValueEvaluator(
            ExpressionEvaluator(resolver, self.constants.expressions.functions)
        )
        try:
            passed = to_bool(checker.strict(validation.get("condition"), {}))
        except EvalError as error:
            self._warn(
                validation.line, f"var.{variable.name} validation not checked: {error.reason}"
            )
            return
        if not passed:
            message = str(validation.get("error_message") or "validation failed")
            raise InputError(
                self.file, validation.line, "invalid-variable", f"var.{variable.name}: {message}"
            )

    def _warn_undeclared(self, name: str, source: str, line: int | None = None) -> None:
        self.sink.report(
            Severity.WARNING,
            "undeclared-variable-value",
            f'{source} sets "{name}", which the jobspec does not declare: ignored',
            source if line else self.file,
            line,
        )

    def _warn(self, line: int, message: str) -> None:
        self.sink.report(Severity.WARNING, "unevaluated-expression", message, self.file, line)

    def _note(self, message: str) -> None:
        self.sink.report(Severity.INFO, "variable-from-environment", message, self.file)


def _read_var_file(path: Path, constants: _ValueEvaluator) -> list[tuple[str, Value, int]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(str(path), None, "unreadable", f"cannot read var file: {error}") from None
    try:
        check_source(text)
    except LimitError as error:
        raise InputError(str(path), error.line, error.code, error.reason) from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(str(path), error.lineno, "invalid-var-file", error.msg) from None
        if not isinstance(data, dict):
            raise InputError(str(path), 1, "invalid-var-file", "expected a JSON object")
        return [(str(name), value, 1) for name, value in data.items()]
    block = parse_hcl(text, str(path))
    if block.blocks:
        raise InputError(
            str(path),
            block.blocks[0].line,
            "invalid-var-file",
            "a var file only assigns values (name = value); declare variables in the jobspec",
        )
    values = []
    for attribute in block.attributes.values():
        try:
            values.append((attribute.name, constants.strict(attribute.value, {}), attribute.line))
        except EvalError as error:
            raise InputError(str(path), attribute.line, "invalid-variable", error.reason) from None
    return values


# ---- locals ------------------------------------------------------------------


class _Locals:
    """`locals` entries, evaluated on first use; a cycle is an InputError."""

    def __init__(self, root: Block, site: _Site, sink: DiagnosticSink) -> None:
        self.site = site
        self.sink = sink
        self.definitions: dict[str, Attribute] = {}
        self.declarations: list[Declaration] = []
        # One cache as module inputs, one with the defaults of variables that have one.
        self._caches: dict[bool, tuple[dict[str, Value], dict[str, str], dict[str, NeedsValue]]]
        self._caches = {False: ({}, {}, {}), True: ({}, {}, {})}
        self.active: list[str] = []
        self.evaluator: _ValueEvaluator | None = None
        for block in root.children("locals"):
            for attribute in block.attributes.values():
                self._define(attribute)

    def _define(self, attribute: Attribute) -> None:
        if attribute.name in self.definitions:
            first = self.definitions[attribute.name].line
            raise InputError(
                self.site.file,
                attribute.line,
                "duplicate-local",
                f"local.{attribute.name} is defined twice (first on line {first})",
            )
        self.definitions[attribute.name] = attribute
        self.declarations.append(
            Declaration("local", attribute.name, self.site.file, attribute.line)
        )

    @property
    def _cache(self) -> tuple[dict[str, Value], dict[str, str], dict[str, NeedsValue]]:
        return self._caches[self.site.concrete and bool(self.site.fallbacks)]

    @property
    def values(self) -> dict[str, Value]:
        return self._cache[0]

    @property
    def failed(self) -> dict[str, str]:
        return self._cache[1]

    @property
    def needs(self) -> dict[str, NeedsValue]:
        return self._cache[2]

    def bind(self, evaluator: _ValueEvaluator) -> None:
        self.evaluator = evaluator

    def evaluate_all(self) -> None:
        for name in self.definitions:
            with suppress(EvalError, NeedsValue):
                self.get(name)

    def get(self, name: str) -> Value:
        if name in self.values:
            return self.values[name]
        if name in self.needs:
            raise self.needs[name]
        if name in self.failed:
            raise EvalError(f"local.{name} could not be evaluated ({self.failed[name]})")
        if name not in self.definitions:
            raise InputError(
                self.site.file,
                self.site.line,
                "undeclared-local",
                f"local.{name} is not defined in any locals block",
            )
        if name in self.active:
            self._cycle(name)
        return self._evaluate(self.definitions[name])

    def _evaluate(self, attribute: Attribute) -> Value:
        self.active.append(attribute.name)
        try:
            with self.site.at(attribute.line):
                value = self._strict(attribute.value)
        except NeedsValue as need:
            self.needs[attribute.name] = need
            raise
        except EvalError as error:
            self.failed[attribute.name] = error.reason
            self.sink.report(
                Severity.WARNING,
                "unevaluated-expression",
                f"local.{attribute.name} cannot be evaluated: {error.reason}",
                self.site.file,
                attribute.line,
                f"locals.{attribute.name}",
            )
            raise EvalError(f"local.{attribute.name} could not be evaluated") from None
        finally:
            self.active.pop()
        self.values[attribute.name] = value
        return value

    def _strict(self, value: Value) -> Value:
        assert self.evaluator is not None
        try:
            return self.evaluator.strict(value, {})
        except RecursionError:
            raise EvalError("locals refer to each other too deeply") from None

    def _cycle(self, name: str) -> None:
        chain = [*self.active[self.active.index(name) :], name]
        raise InputError(
            self.site.file,
            self.definitions[chain[0]].line,
            "local-cycle",
            "locals refer to each other in a cycle: " + " -> ".join(f"local.{n}" for n in chain),
        )


# ---- the tree ----------------------------------------------------------------


class _TreeEvaluator:
    def __init__(self, values: _ValueEvaluator, site: _Site, sink: DiagnosticSink) -> None:
        self.values = values
        self.site = site
        self.sink = sink

    def root(self, root: Block) -> Block:
        evaluated = Block(root.kind, root.labels, root.line, root.file)
        evaluated.attributes = self._attributes(root, {}, "")
        for block in root.blocks:
            if block.kind not in _CONSUMED:
                evaluated.blocks.extend(self._child(block, {}, ""))
        return evaluated

    def block(self, block: Block, scope: Scope, path: str) -> Block:
        evaluated = Block(block.kind, block.labels, block.line, block.file)
        evaluated.attributes = self._attributes(block, scope, path)
        for child in block.blocks:
            evaluated.blocks.extend(self._child(child, scope, path))
        return evaluated

    def _child(self, block: Block, scope: Scope, parent: str) -> list[Block]:
        if block.kind == "dynamic":
            return _Dynamic(self, block, scope, parent).expand()
        return [self.block(block, scope, _path(parent, block.kind, block.labels))]

    def _attributes(self, block: Block, scope: Scope, path: str) -> dict[str, Attribute]:
        return {
            name: Attribute(
                name,
                self._value(attribute, scope, f"{path}.{name}" if path else name),
                attribute.line,
                attribute.is_heredoc,
            )
            for name, attribute in block.attributes.items()
        }

    def _value(self, attribute: Attribute, scope: Scope, path: str) -> Value:
        def report(text: str, reason: str) -> None:
            self.sink.report(
                Severity.WARNING,
                "unevaluated-expression",
                f"cannot evaluate {_shown(text)}: {reason}; left as written",
                self.site.file,
                attribute.line,
                path,
            )

        def evaluate() -> Value:
            with self.site.at(attribute.line):
                try:
                    return self.values.lenient(attribute.value, scope, report)
                except NeedsValue as need:  # as `needing`, without a generator per attribute
                    raise missing_variable(
                        self.site.file, attribute.line, need.variables, path, need.use
                    ) from None

        if not self.site.fallbacks:
            return evaluate()
        if not _INPUT_USES.search(path):
            with self.site.concrete_values():
                return evaluate()
        try:
            with self.site.at(attribute.line):
                return self.values.lenient(attribute.value, scope, report)
        except NeedsValue:
            with self.site.concrete_values():
                return evaluate()

    def strict(self, value: Value, scope: Scope, line: int) -> Value:
        with self.site.at(line):
            return self.values.strict(value, scope)

    @contextmanager
    def needing(self, line: int, use: str) -> Iterator[None]:
        """A value only Terraform will know, where the generator must know it: exit 2."""
        try:
            yield
        except NeedsValue as need:
            raise missing_variable(self.site.file, line, need.variables, use, need.use) from None

    def warn(self, code: str, message: str, line: int, path: str) -> None:
        self.sink.report(Severity.WARNING, code, message, self.site.file, line, path)


class _Dynamic:
    """One `dynamic "kind" { for_each, iterator, labels, content {} }` block."""

    def __init__(self, tree: _TreeEvaluator, block: Block, scope: Scope, parent: str) -> None:
        self.tree = tree
        self.block = block
        self.scope = scope
        self.kind = block.label
        self.path = _path(parent, "dynamic", block.labels)
        self.parent = parent

    def expand(self) -> list[Block]:
        content = self.block.child("content")
        if not self.kind or content is None or "for_each" not in self.block.attributes:
            return self._unexpanded("needs a label, for_each and a content block")
        try:
            line = self.block.line_of("for_each")
            use = f"{self.path}.for_each"
            with self.tree.site.concrete_values(), self.tree.needing(line or self.block.line, use):
                collection = self.tree.strict(self.block.get("for_each"), self.scope, line)
                pairs = iteration_pairs(collection)
            return [self._instance(content, key, value) for key, value in pairs]
        except EvalError as error:
            return self._unexpanded(error.reason)

    def _instance(self, content: Block, key: Value, value: Value) -> Block:
        scope = {**self.scope, self._iterator(): {"key": key, "value": value}}
        labels = self._labels(scope)
        template = Block(self.kind, labels, self.block.line, self.block.file)
        template.attributes, template.blocks = content.attributes, content.blocks
        return self.tree.block(template, scope, _path(self.parent, self.kind, labels))

    def _iterator(self) -> str:
        iterator = self.block.get("iterator", self.kind)
        name = iterator.text if isinstance(iterator, Expr) else str(iterator)
        if not name.isidentifier():
            raise EvalError(f"iterator {name!r} is not a name")
        return name

    def _labels(self, scope: Scope) -> tuple[str, ...]:
        if "labels" not in self.block.attributes:
            return ()
        line = self.block.line_of("labels")
        use = f"{self.path}.labels"
        with self.tree.site.concrete_values(), self.tree.needing(line or self.block.line, use):
            labels = self.tree.strict(self.block.get("labels"), scope, line)
        if not isinstance(labels, list):
            raise EvalError("labels must be a list of strings")
        return tuple(to_string(label) for label in labels)

    def _unexpanded(self, reason: str) -> list[Block]:
        self.tree.warn(
            "unexpanded-dynamic",
            f'dynamic "{self.kind}" block not expanded: {reason}; left as written',
            self.block.line,
            self.path,
        )
        return [copy.deepcopy(self.block)]


# Where a variable that keeps its default is written as its module input: values the
# generator copies into the module. Anywhere else (names, counts, ports, tags) it is
# written as the default itself.
_INPUT_USES = re.compile(
    r"\.task\[[^\]]*\]\.(?:config\.(?:image|args|command|entrypoint)|env\.[^.]+|template\.data)$"
)


def missing_variable(
    file: str, line: int | None, variables: tuple[str, ...], use: str, wanted: str = ""
) -> InputError:
    """`variable "x" decides the group count; pass --var x=VALUE`."""
    name = variables[0] if variables else "?"
    others = f" (with {', '.join(variables[1:])})" if len(variables) > 1 else ""
    needed = f" ({wanted})" if wanted else ""
    what = describe_use(use) if use else "a value the generator must read"
    return InputError(
        file,
        line,
        "missing-variable",
        f'variable "{name}"{others} decides {what}{needed}; pass --var {name}=VALUE',
    )


_USES = {
    "count": "the group count",
    "for_each": "a dynamic block's for_each",
    "labels": "a dynamic block's labels",
    "static": "a port number",
    "to": "a port number",
    "port": "a port number",
    "name": "a name",
}


def describe_use(path: str) -> str:
    """`job[x].group[y].count` → `the group count`; otherwise the path itself."""
    last = path.rsplit(".", 1)[-1]
    return _USES.get(last, f"`{path}`")


def _path(parent: str, kind: str, labels: tuple[str, ...]) -> str:
    here = kind + "".join(f"[{label}]" for label in labels)
    return f"{parent}.{here}" if parent else here


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return "`" + (text if len(text) <= 80 else text[:77] + "...") + "`"
