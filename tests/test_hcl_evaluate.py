"""HCL2 jobspec semantics: variables, locals, expressions, functions, dynamic blocks."""

from __future__ import annotations

import contextlib
import copy
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.diagnostics import InputError, Severity
from generator.hcl import Attribute, Block, Expr, load_hcl_file, parse_hcl
from generator.hcl.detect import detect_unsupported_syntax
from generator.hcl.evaluate import Declaration, Evaluation, evaluate_jobspec


def evaluate(
    text: str,
    cli: dict[str, str] | None = None,
    var_files: list[Path] | None = None,
    env: dict[str, str] | None = None,
    base_dir: Path = Path("."),
) -> Evaluation:
    root = parse_hcl(textwrap.dedent(text), "x.nomad.hcl")
    return evaluate_jobspec(root, cli or {}, var_files or [], env=env or {}, base_dir=base_dir)


def job(result: Evaluation) -> Block:
    found = result.root.child("job")
    assert found is not None
    return found


def local_value(expression: str, prelude: str = "") -> object:
    result = evaluate(f'{prelude}\nlocals {{\n  v = {expression}\n}}\njob "j" {{}}\n')
    assert not result.diagnostics, [d.one_line() for d in result.diagnostics]
    return result.locals["v"]


def error_of(text: str, **kwargs: object) -> InputError:
    with pytest.raises(InputError) as caught:
        evaluate(text, **kwargs)  # type: ignore[arg-type]
    return caught.value


VARIABLES = """
variable "image" {
  default = "nginx"
}
variable "count" {
  type    = number
  default = 1
}
job "web" {
  image = "${var.image}:latest"
  count = "${var.count}"
}
"""


# ---- variables ---------------------------------------------------------------


def test_defaults_fill_interpolations_and_variable_blocks_are_consumed() -> None:
    result = evaluate(VARIABLES)
    assert job(result).get("image") == "nginx:latest"
    assert [block.kind for block in result.root.blocks] == ["job"]
    assert result.declarations == [
        Declaration("variable", "image", "x.nomad.hcl", 2),
        Declaration("variable", "count", "x.nomad.hcl", 5),
    ]


def test_whole_string_interpolation_keeps_the_value_type() -> None:
    assert job(evaluate(VARIABLES)).get("count") == 1


def test_precedence_is_default_then_env_then_var_files_then_cli(tmp_path: Path) -> None:
    first, second = tmp_path / "a.hcl", tmp_path / "b.hcl"
    first.write_text('image = "from-a"\ncount = 2\n')
    second.write_text('image = "from-b"\n')
    env = {"NOMAD_VAR_image": "from-env", "NOMAD_VAR_count": "5"}

    assert job(evaluate(VARIABLES, env=env)).get("image") == "from-env:latest"
    from_files = evaluate(VARIABLES, var_files=[first, second], env=env)
    assert (job(from_files).get("image"), job(from_files).get("count")) == ("from-b:latest", 2)
    from_cli = evaluate(VARIABLES, cli={"image": "cli"}, var_files=[first, second], env=env)
    assert job(from_cli).get("image") == "cli:latest"


def test_environment_values_are_reported() -> None:
    result = evaluate(VARIABLES, env={"NOMAD_VAR_image": "alpine"})
    assert [(d.severity, d.code) for d in result.diagnostics] == [
        (Severity.INFO, "variable-from-environment")
    ]


def test_json_var_file(tmp_path: Path) -> None:
    values = tmp_path / "values.json"
    values.write_text('{"image": "redis", "count": 3}')
    result = evaluate(VARIABLES, var_files=[values])
    assert (job(result).get("image"), job(result).get("count")) == ("redis:latest", 3)


@pytest.mark.parametrize(
    ("declared", "given", "expected"),
    [
        ("type = number", "3", 3),
        ("type = number", "2.5", 2.5),
        ("type = bool", "true", True),
        ("type = string", "3", "3"),
        ("type = list(number)", "[1, 2]", [1, 2]),
        ("type = list(string)", '["a", 1]', ["a", "1"]),
        ("type = map(string)", '{ a = "b" }', {"a": "b"}),
        (
            "type = object({ a = string, b = optional(number, 7) })",
            '{ a = "x" }',
            {"a": "x", "b": 7},
        ),
        ("default = 1", "4", 4),
        ("", "4", "4"),
    ],
)
def test_cli_values_convert_to_the_declared_type(
    declared: str, given: str, expected: object
) -> None:
    result = evaluate(f'variable "v" {{\n  {declared}\n}}\njob "j" {{ v = var.v }}\n', {"v": given})
    assert job(result).get("v") == expected


def test_a_value_that_does_not_fit_the_type_is_an_input_error() -> None:
    error = error_of('variable "n" { type = number }\njob "j" {}\n', cli={"n": "many"})
    assert (error.code, error.file) == ("invalid-variable", "--var n")


def test_values_for_undeclared_variables_are_ignored_with_a_warning() -> None:
    result = evaluate(VARIABLES, cli={"imag": "typo"})
    assert [d.code for d in result.diagnostics] == ["undeclared-variable-value"]


def test_variables_block_declares_several() -> None:
    result = evaluate('variables {\n  a = "x"\n  b = 2\n}\njob "j" { v = "${var.a}${var.b}" }\n')
    assert job(result).get("v") == "x2"


def test_variable_without_value_deciding_a_dynamic_block_is_an_input_error_naming_the_use() -> None:
    text = 'variable "ports" {\n  type = list(string)\n}\njob "j" {\n  dynamic "port" {\n'
    text += "    for_each = var.ports\n    content {}\n  }\n}\n"
    error = error_of(text)
    assert (error.code, error.line) == ("missing-variable", 6)
    assert error.message == (
        'variable "ports" decides a dynamic block\'s for_each (what to iterate over);'
        " pass --var ports=VALUE"
    )


def test_undeclared_variable_reference_is_an_input_error_with_its_line() -> None:
    error = error_of('job "j" {\n  a = 1\n  image = "${var.imge}"\n}\n')
    assert (error.code, error.line) == ("undeclared-variable", 3)


def test_failed_validation_is_an_input_error() -> None:
    text = """
    variable "port" {
      default = 80
      validation {
        condition     = var.port > 1024
        error_message = "Use an unprivileged port."
      }
    }
    job "j" {}
    """
    error = error_of(text)
    assert (error.code, error.line, error.message) == (
        "invalid-variable",
        4,
        "var.port: Use an unprivileged port.",
    )


# ---- locals ------------------------------------------------------------------


def test_locals_refer_to_variables_other_locals_and_functions_across_blocks() -> None:
    text = """
    variable "name" { default = "api" }
    locals {
      full = "${local.prefix}-${upper(var.name)}"
    }
    locals {
      prefix = "svc"
    }
    job "j" { name = local.full }
    """
    result = evaluate(text)
    assert job(result).get("name") == "svc-API"
    assert [d.name for d in result.declarations if d.kind == "local"] == ["full", "prefix"]
    assert all(block.kind == "job" for block in result.root.blocks)


def test_local_cycle_is_an_input_error() -> None:
    text = 'locals {\n  a = local.b\n  b = "${local.a}x"\n}\njob "j" {}\n'
    error = error_of(text)
    assert (error.code, error.line) == ("local-cycle", 2)
    assert error.message.endswith("local.a -> local.b -> local.a")


def test_duplicate_local_is_an_input_error() -> None:
    error = error_of('locals { a = 1 }\nlocals {\n  a = 2\n}\njob "j" {}\n')
    assert (error.code, error.line) == ("duplicate-local", 3)


def test_undeclared_local_is_an_input_error() -> None:
    assert error_of('job "j" {\n  a = local.nope\n}\n').code == "undeclared-local"


# ---- expressions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("1 + 2 * 3 - 4 / 2", 5),
        ("7 % 3", 1),
        ("-(2.5)", -2.5),
        ('"5" + 1', 6),
        ("1 < 2 && !(2 >= 3) || false", True),
        ('1 == 1.0 && "1" != 1', True),
        ('[1, "a"] == [1, "a"]', True),
        ('true ? "yes" : "no"', "yes"),
        ("{ a = { b = [10, 20] } }.a.b[1]", 20),
        ('{ "k" = "v" }["k"]', "v"),
        ("[{ n = 1 }, { n = 2 }][*].n", [1, 2]),
        ("[for x in [1, 2, 3] : x * 10 if x != 2]", [10, 30]),
        ("{ for k, v in { a = 1, b = 2 } : upper(k) => v }", {"A": 1, "B": 2}),
        ('{ for x in ["a", "b", "a"] : x => x... }', {"a": ["a", "a"], "b": ["b"]}),
        ('"%{ for i, x in ["a", "b"] }${i}=${x};%{ endfor }"', "0=a;1=b;"),
        ('"%{ if 1 > 2 }big%{ else }small%{ endif }"', "small"),
        ('"${0.5 * 3}/${true}"', "1.5/true"),
        ('"\\u00e9\\t"', "é\t"),
        ("<<-EOT\n    indented ${2 + 2}\n    EOT\n", "indented 4\n"),
    ],
)
def test_operators_and_expressions(expression: str, expected: object) -> None:
    assert local_value(expression) == expected


# ---- functions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # strings
        ('join("-", ["a", "b"], ["c"])', "a-b-c"),
        ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
        (
            'format("%s:%d %5.2f|%-3s|%03d %v %q %t %x %%", "a", 7, 3.14159, "b", 5, [1], "q", true, 255)',
            'a:7  3.14|b  |005 [1] "q" true ff %',
        ),
        ('formatlist("%s=%d", ["a", "b"], [1, 2])', ["a=1", "b=2"]),
        ('lower("AbC")', "abc"),
        ('upper("abc")', "ABC"),
        ('title("hello world")', "Hello World"),
        ('replace("a.b.c", ".", "/")', "a/b/c"),
        ('replace("v1.2.3", "/v(\\\\d+).*/", "major $1")', "major 1"),
        ('regex_replace("abc123", "[0-9]+", "#")', "abc#"),
        ('trimspace("  x \\n")', "x"),
        ('trim("--x--", "-")', "x"),
        ('trimprefix("prefix-x", "prefix-")', "x"),
        ('trimsuffix("x.txt", ".txt")', "x"),
        ('chomp("x\\n\\n")', "x"),
        ('substr("hello", 1, 3)', "ell"),
        ('strlen("héllo")', 5),
        ('indent(2, "a\\nb")', "a\n  b"),
        # collections
        ("concat([1], [2, 3])", [1, 2, 3]),
        ("merge({ a = 1, b = 1 }, { b = 2 })", {"a": 1, "b": 2}),
        ("keys({ b = 1, a = 2 })", ["a", "b"]),
        ("values({ b = 1, a = 2 })", [2, 1]),
        ('contains(["a", "b"], "b")', True),
        ("flatten([[1, [2]], [], [3]])", [1, 2, 3]),
        ("distinct([1, 2, 1, 3])", [1, 2, 3]),
        ('compact(["a", "", "b"])', ["a", "b"]),
        ('lookup({ a = 1 }, "b", 0)', 0),
        ('element(["a", "b"], 3)', "b"),
        ('coalesce("", "x", "y")', "x"),
        ('length({ a = 1 }) + length([1, 2]) + length("abc")', 6),
        ("range(3)", [0, 1, 2]),
        ("range(1, 10, 4)", [1, 5, 9]),
        ("reverse([1, 2])", [2, 1]),
        ("slice([1, 2, 3], 1, 3)", [2, 3]),
        ('sort(["b", "a"])', ["a", "b"]),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ('index(["a", "b"], "b")', 1),
        ('setunion(["b"], ["a", "b"])', ["a", "b"]),
        ("min(3, 1, 2) + max([4, 5]...)", 6),
        # numbers
        ("abs(-3) + ceil(1.2) + floor(1.8)", 6),
        ('parseint("ff", 16)', 255),
        ("pow(2, 10)", 1024),
        ("signum(-5)", -1),
        # encodings
        ('jsonencode({ b = [1, "<x>"], a = null })', '{"a":null,"b":[1,"\\u003cx\\u003e"]}'),
        ('jsondecode("{\\"a\\": [1, 2.5]}")', {"a": [1, 2.5]}),
        ('yamlencode({ b = [1, { c = "d" }], a = "x" })', '"a": "x"\n"b":\n- 1\n- "c": "d"\n'),
        ('yamldecode("a: [1, b]")', {"a": [1, "b"]}),
        ('base64decode(base64encode("héllo"))', "héllo"),
        ('urlencode("a b&c")', "a+b%26c"),
        ('sha256("x")', "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"),
        # special forms
        ('try(local.missing_key.x, "fallback")', "fallback"),
        ("can([][0])", False),
        ('convert("3", number)', 3),
    ],
)
def test_functions(expression: str, expected: object) -> None:
    prelude = "locals { missing_key = {} }" if "local." in expression else ""
    assert local_value(expression, prelude) == expected


def test_file_reads_relative_to_the_jobspec_directory(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "app.json").write_text('{"port": 8080}')
    text = 'job "j" {\n  port = jsondecode(file("conf/app.json")).port\n}\n'
    assert job(evaluate(text, base_dir=tmp_path)).get("port") == 8080


def test_missing_file_is_an_input_error_with_its_line(tmp_path: Path) -> None:
    error = error_of('job "j" {\n\n  data = file("nope.txt")\n}\n', base_dir=tmp_path)
    assert (error.code, error.line) == ("missing-file", 3)


def test_base_dir_defaults_to_the_jobspec_directory(tmp_path: Path) -> None:
    (tmp_path / "motd").write_text("hi")
    jobspec = tmp_path / "x.nomad.hcl"
    jobspec.write_text('job "j" { motd = file("motd") }\n')
    result = evaluate_jobspec(load_hcl_file(jobspec), {}, [], env={})
    assert job(result).get("motd") == "hi"


# ---- what cannot be evaluated ------------------------------------------------------


def test_unevaluable_expression_is_left_as_written_with_a_warning() -> None:
    result = evaluate('job "j" {\n  group "g" {\n    id = uuidv4()\n    s = tostring(1)\n  }\n}\n')
    group = job(result).child("group")
    assert group is not None
    assert group.get("id") == Expr("uuidv4()")
    found = [(d.severity, d.code, d.line, d.path) for d in result.diagnostics]
    assert found == [
        (Severity.WARNING, "unevaluated-expression", 3, "job[j].group[g].id"),
        (Severity.WARNING, "unevaluated-expression", 4, "job[j].group[g].s"),
    ]
    assert "Terraform function" in result.diagnostics[1].message


def test_only_the_failing_interpolation_of_a_string_is_left() -> None:
    result = evaluate('variable "v" { default = "x" }\njob "j" { s = "${var.v}-${1 + "a"}" }\n')
    assert job(result).get("s") == 'x-${1 + "a"}'
    assert [d.code for d in result.diagnostics] == ["unevaluated-expression"]


def test_a_failing_local_is_reported_once_where_it_is_defined_and_where_it_is_used() -> None:
    result = evaluate('locals {\n  id = uuidv4()\n}\njob "j" {\n  id = local.id\n}\n')
    assert job(result).get("id") == Expr("local.id")
    assert [(d.line, d.path) for d in result.diagnostics] == [(2, "locals.id"), (5, "job[j].id")]


# ---- Nomad runtime interpolation ---------------------------------------------------


def test_nomad_runtime_interpolations_are_left_untouched() -> None:
    text = """
    variable "v" { default = "x" }
    job "j" {
      a = "${NOMAD_PORT_http}"
      b = "http://${node.unique.name}:${NOMAD_HOST_PORT_web}/${var.v}"
      c = ["${attr.cpu.arch}", "${meta.rack}", "${env["HOME"]}", "${device.model}"]
      d = env["PATH"]
      e = "regex back-reference $${1} and $${HOME:-/root}"
      f = "${NOMAD_ALLOC_INDEX}"
    }
    """
    found = job(evaluate(text))
    assert found.get("a") == "${NOMAD_PORT_http}"
    assert found.get("b") == "http://${node.unique.name}:${NOMAD_HOST_PORT_web}/x"
    assert found.get("c") == [
        "${attr.cpu.arch}",
        "${meta.rack}",
        '${env["HOME"]}',
        "${device.model}",
    ]
    assert found.get("d") == '${env["PATH"]}'
    assert found.get("e") == "regex back-reference ${1} and ${HOME:-/root}"
    assert found.get("f") == "${NOMAD_ALLOC_INDEX}"


def test_strip_markers_and_escapes_in_decoded_strings() -> None:
    root = Block("", (), 1, "x.nomad.hcl")
    value = 'a ${~ "b" ~} c $${x} %%{y}'
    root.blocks.append(Block("job", ("j",), 1, "x.nomad.hcl", {"s": Attribute("s", value, 2)}))
    assert job(evaluate_jobspec(root, {}, [], env={})).get("s") == "abc ${x} %{y}"


def test_consul_template_text_in_heredocs_is_untouched() -> None:
    text = """
    job "j" {
      data = <<EOT
    {{ with secret "kv/x" }}{{ .Data.password }}{{ end }} $${HOST} ${NOMAD_TASK_DIR}
    EOT
    }
    """
    assert job(evaluate(text)).get("data") == (
        '{{ with secret "kv/x" }}{{ .Data.password }}{{ end }} ${HOST} ${NOMAD_TASK_DIR}\n'
    )


# ---- dynamic blocks ----------------------------------------------------------------


DYNAMIC = """
variable "ports" {
  default = { http = 80, https = 443 }
}
job "j" {
  group "g" {
    network {
      dynamic "port" {
        for_each = var.ports
        labels   = [port.key]
        content {
          static = port.value
        }
      }
    }
    dynamic "task" {
      for_each = ["api", "worker"]
      iterator = t
      labels   = ["${t.value}-${t.key}"]
      content {
        driver = "docker"
        dynamic "env" {
          for_each = [t.value]
          content {
            ROLE = env.value
          }
        }
      }
    }
  }
}
"""


def test_dynamic_blocks_expand_with_iterator_key_and_value() -> None:
    group = job(evaluate(DYNAMIC)).child("group")
    assert group is not None
    network = group.child("network")
    assert network is not None
    ports = [(port.labels, port.get("static")) for port in network.children("port")]
    assert ports == [(("http",), 80), (("https",), 443)]
    tasks = group.children("task")
    assert [task.labels for task in tasks] == [("api-0",), ("worker-1",)]
    assert [task.children("env")[0].get("ROLE") for task in tasks] == ["api", "worker"]
    assert not group.children("dynamic")


def test_dynamic_block_with_unknown_for_each_is_kept_with_a_warning() -> None:
    text = 'job "j" {\n  dynamic "task" {\n    for_each = uuidv4()\n    content {}\n  }\n}\n'
    result = evaluate(text)
    assert [block.kind for block in job(result).blocks] == ["dynamic"]
    assert [(d.code, d.line) for d in result.diagnostics] == [("unexpanded-dynamic", 2)]


def test_evaluation_does_not_change_the_input_tree() -> None:
    root = parse_hcl(DYNAMIC + VARIABLES.replace('"web"', '"other"'), "x.nomad.hcl")
    before = copy.deepcopy(root)
    evaluate_jobspec(root, {}, [], env={})
    assert root == before


# ---- property: only InputError escapes -------------------------------------------------

TOKENS = [
    *'abx01._[](){}"$%~!?:=<>+-*/,\\ \n#',
    *("var.v", "local.l", "for ", " in ", "${", "%{", " if ", "endif", "endfor", "=>", "..."),
    *("upper(", "format(", "try(", "range(", "NOMAD_X", "node.x", "9e999", "<<EOT\n", "\nEOT"),
]
EXPRESSION_TEXT = st.one_of(
    st.lists(st.sampled_from(TOKENS), max_size=25).map("".join), st.text(max_size=40)
)
DETECTOR_TEXT = st.lists(
    st.sampled_from([*'job "x{}[]=$\n#/*-,', "<<EOT\n", "\nEOT", "[[ .", "{{", "${a}"]),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=EXPRESSION_TEXT, as_expr=st.booleans())
def test_evaluation_raises_nothing_but_input_error(text: str, as_expr: bool) -> None:
    root = Block("", (), 1, "x.nomad.hcl")
    root.blocks.append(
        Block("variable", ("v",), 1, "x.nomad.hcl", {"default": Attribute("default", 1, 1)})
    )
    root.blocks.append(Block("locals", (), 2, "x.nomad.hcl", {"l": Attribute("l", Expr(text), 2)}))
    value = Expr(text) if as_expr else text
    root.blocks.append(Block("job", ("j",), 3, "x.nomad.hcl", {"a": Attribute("a", value, 4)}))
    with contextlib.suppress(InputError):
        evaluate_jobspec(root, {}, [], env={})


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(DETECTOR_TEXT, st.text(max_size=80)))
def test_detector_never_raises(text: str) -> None:
    found = detect_unsupported_syntax(text, "x.nomad.hcl")
    assert found is None or isinstance(found, InputError)


# ---- the detector ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ('job "[[ .job_name ]]" {\n}\n', "template-source", 1),
        ('job "x" {\n  count = [[ var "count" . ]]\n}\n', "template-source", 2),
        ('job "x" {\n  image = "[[ .app.image ]]"\n}\n', "template-source", 2),
        ('job "{{ $.APP }}" {\n}\n', "template-source", 1),
        ('job "x" {\n  datacenters = ${datacenters}\n}\n', "templatefile-source", 2),
        (
            'job "x" {\n  env {\n    URL = "https://app.${domain}"\n  }\n}\n',
            "templatefile-source",
            3,
        ),
        ('job "x" {\n  meta {\n    "owner" = "me"\n  }\n}\n', "hcl1-syntax", 3),
        ('job "x" {\n  config {\n    args = ["a"],\n  }\n}\n', "hcl1-syntax", 3),
        ('job "x" {\n  service = {\n    check {\n    }\n  }\n}\n', "hcl1-syntax", 3),
        ('job "x" {\n  data = << EOT\nhi\nEOT\n}\n', "heredoc-syntax", 2),
        ('job "x" {\n  data = <<EOT\nhi\nEOT  \n}\n', "heredoc-syntax", 4),
        ('{"Job": {"ID": "x"}}\n', "json-jobspec", 1),
        ('variable "x" {}\nlocals {}\n', "no-job", None),
    ],
)
def test_detector_names_unsupported_inputs(text: str, code: str, line: int | None) -> None:
    found = detect_unsupported_syntax(text, "x.nomad.hcl")
    assert found is not None
    assert (found.code, found.line, found.file) == (code, line, "x.nomad.hcl")


@pytest.mark.parametrize(
    "text",
    [
        VARIABLES,
        DYNAMIC,
        'job "x" {\n  args = [\n    "a",\n    "b",\n  ]\n  env = { "A" = "b" }\n}\n',
        'job "x" {\n  v = "${NOMAD_PORT_http}/${IMAGE_TAG}"\n  l = [for p in local.ps : "${p}"]\n}\n',
        'job "x" {\n  data = <<EOT\n#!/bin/sh\necho ${file} $${path}\nEOT\n}\n',
        'job "x" {\n  data = <<EOT\n[[ .Data ]]\nEOT\n  left_delimiter = "[["\n}\n',
        '/* a comment with ${x}\n and [[ .y ]] */\njob "x" {}\n',
        'job "x" {\n  env {\n    domain = "a"\n    URL = "${domain}"\n  }\n}\n',
    ],
)
def test_detector_accepts_plain_jobspecs(text: str) -> None:
    assert detect_unsupported_syntax(text, "x.nomad.hcl") is None


# ---- the corpus ---------------------------------------------------------------------


@pytest.mark.shared
def test_corpus_evaluates_without_crashing(shared_corpus: Path) -> None:
    evaluated = 0
    for path in sorted(path for path in shared_corpus.rglob("*.hcl") if path.is_file()):
        try:
            root = load_hcl_file(path, path.name)
            evaluate_jobspec(root, {}, [], env={}, base_dir=path.parent)
        except InputError:
            continue
        evaluated += 1
    assert evaluated > 350


@pytest.mark.shared
def test_detector_explains_most_corpus_parse_failures(shared_corpus: Path) -> None:
    failures, explained = 0, 0
    for path in sorted(
        path for path in shared_corpus.rglob("*") if path.suffix in (".hcl", ".nomad", ".tpl")
    ):
        text = path.read_text(encoding="utf-8")
        try:
            parse_hcl(text, path.name)
        except InputError:
            failures += 1
            explained += detect_unsupported_syntax(text, path.name) is not None
    assert failures > 0
    assert explained >= failures - 3
