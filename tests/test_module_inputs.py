"""Jobspec variables become module variables: required without a value, else with a default."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.hcl import parse_hcl
from generator.hcl.evaluate import ModuleInput, evaluate_jobspec
from generator.hcl.unknowns import TfExpr, marker, module_variable_name, shown
from generator.module_inputs import check_no_stray_unknowns
from generator.pipeline import Generation, generate
from generator.render.hcl_values import hcl_value
from generator.service_spec import ServiceSpec
from generator.settings import Settings

GROUP = """
job "web" {{
  group "web" {{
    network {{
      port "http" {{ to = 8080 }}
    }}
    service {{
      name = "web"
      port = "http"
    }}
    task "web" {{
      driver = "docker"
      config {{
        image = {image}
        ports = ["http"]
{config}
      }}
{task}
    }}
  }}
}}
"""


def jobspec(variables: str, image: str = '"nginx:1.25"', config: str = "", task: str = "") -> str:
    return textwrap.dedent(variables) + GROUP.format(image=image, config=config, task=task)


def run(tmp_path: Path, text: str, **settings: object) -> Generation:
    path = tmp_path / "web.nomad.hcl"
    path.write_text(text, encoding="utf-8")
    return generate("web", path, Settings.model_validate(settings), ServiceSpec())


def refusal(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as caught:
        run(tmp_path, text)
    return caught.value


REQUIRED = """
variable "domain" {
  type        = string
  description = "Domain the app is served under."
}
"""


def test_required_variable_in_a_string_becomes_an_interpolated_module_input(
    tmp_path: Path,
) -> None:
    text = jobspec(
        REQUIRED, task='      env {\n        URL = "https://web.${var.domain}/"\n      }'
    )
    generation = run(tmp_path, text)
    assert 'value = "https://web.${var.domain}/"' in generation.files["main.tf"]
    variables = generation.files["variables.tf"]
    assert (
        'variable "domain" {\n  description = "Domain the app is served under."\n'
        "  type        = string\n}\n"
    ) in variables
    assert [d for d in generation.diagnostics if d.code != "nomad-default"] == []  # carried whole


def test_required_image_tag_is_the_images_tag_variable(tmp_path: Path) -> None:
    text = jobspec('variable "tag" {\n  type = string\n}\n', image='"nginx:${var.tag}"')
    generation = run(tmp_path, text)
    assert 'image = "nginx:${var.tag}"' in generation.files["main.tf"]
    assert "image_tag" not in generation.files["variables.tf"]
    assert 'variable "tag" {' in generation.files["variables.tf"]


def test_terraform_function_over_a_required_variable_is_passed_through(tmp_path: Path) -> None:
    config = '        args = [format("--host=%s", upper(var.domain)), join(",", [var.domain, "x"])]'
    generation = run(tmp_path, jobspec(REQUIRED, config=config))
    assert (
        'args  = [format("--host=%s", upper(var.domain)), join(",", [var.domain, "x"])]'
        in generation.files["main.tf"]
    )


def test_function_terraform_does_not_have_needs_the_value(tmp_path: Path) -> None:
    config = '        args = [regex_replace(var.domain, "a", "b")]'
    error = refusal(tmp_path, jobspec(REQUIRED, config=config))
    assert (error.code, error.line) == ("missing-variable", 21)
    assert 'variable "domain" decides' in error.message
    assert "regex_replace(), which Terraform does not have" in error.message


def test_required_variable_deciding_the_group_count_is_refused_naming_the_use(
    tmp_path: Path,
) -> None:
    text = jobspec('variable "n" {\n  type = number\n}\n').replace(
        'group "web" {\n', 'group "web" {\n    count = var.n\n'
    )
    error = refusal(tmp_path, text)
    assert error.one_line() == (
        f"{tmp_path / 'web.nomad.hcl'}:7: missing-variable: variable \"n\" decides the group"
        " count (a whole number); pass --var n=VALUE"
    )


def test_required_variable_deciding_a_port_number_is_refused(tmp_path: Path) -> None:
    text = jobspec('variable "port" {}\n').replace("to = 8080", "to = var.port")
    error = refusal(tmp_path, text)
    assert (error.code, error.line) == ("missing-variable", 6)
    assert error.message.startswith('variable "port" decides a port number')


def test_a_value_that_reached_a_name_is_refused_with_the_variables_line() -> None:
    files = {"main.tf": 'name = "web-' + marker(TfExpr("var.domain", ("domain",))) + '"'}
    inputs = [ModuleInput("domain", "domain", "string", None, 4)]
    with pytest.raises(InputError) as caught:
        check_no_stray_unknowns(files, "web.nomad.hcl", inputs)
    assert caught.value.one_line() == (
        'web.nomad.hcl:4: missing-variable: variable "domain" decides a name or setting the'
        " generator writes into main.tf; pass --var domain=VALUE"
    )


def test_passed_value_still_wins(tmp_path: Path) -> None:
    text = jobspec(REQUIRED, task='      env {\n        URL = "https://${var.domain}"\n      }')
    path = tmp_path / "web.nomad.hcl"
    path.write_text(text, encoding="utf-8")
    generation = generate("web", path, Settings(), ServiceSpec(), cli_vars={"domain": "a.org"})
    assert 'value = "https://a.org"' in generation.files["main.tf"]
    assert 'variable "domain"' not in generation.files["variables.tf"]


def test_names_taken_by_terraform_or_the_module_get_a_prefix(tmp_path: Path) -> None:
    text = jobspec(
        'variable "version" {}\nvariable "namespace" {}\n',
        image='"nginx:${var.version}"',
        task="      env {\n        NS = var.namespace\n      }",
    )
    generation = run(tmp_path, text)
    assert 'image = "nginx:${var.job_version}"' in generation.files["main.tf"]
    assert "value = var.job_namespace" in generation.files["main.tf"]
    assert 'variable "job_version" {' in generation.files["variables.tf"]
    assert [d.message for d in generation.diagnostics if d.code == "module-input"] == [
        'variable "version" becomes the module input "job_version": "version" is taken by the'
        " module or by Terraform",
        'variable "namespace" becomes the module input "job_namespace": "namespace" is taken by'
        " the module or by Terraform",
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [("domain", "domain"), ("count", "job_count"), ("image_tag", "job_image_tag")],
)
def test_module_variable_name(name: str, expected: str) -> None:
    assert module_variable_name(name) == expected


def test_credential_looking_input_is_sensitive(tmp_path: Path) -> None:
    text = jobspec(
        'variable "api_token" {\n  type = string\n}\n',
        task="      env {\n        TOKEN = var.api_token\n      }",
    )
    generation = run(tmp_path, text)
    assert "sensitive   = true" in generation.files["variables.tf"]
    assert "literal-credential" not in {d.code for d in generation.diagnostics}


DEFAULTED = """
variable "tag" {
  type    = string
  default = "1.25"
}
variable "replicas" {
  default = 2
}
"""


def test_defaults_become_module_variables_where_terraform_can_use_them(tmp_path: Path) -> None:
    text = jobspec(DEFAULTED, image='"nginx:${var.tag}"').replace(
        'group "web" {\n', 'group "web" {\n    count = var.replicas\n'
    )
    generation = run(tmp_path, text)
    main, variables = generation.files["main.tf"], generation.files["variables.tf"]
    assert 'image = "nginx:${var.tag}"' in main
    assert "replicas = 2" in main  # a count: the generator writes the default
    assert 'variable "tag" {' in variables and 'default     = "1.25"' in variables
    assert 'variable "replicas"' not in variables  # used only where its value decides


def test_literal_setting_keeps_defaults_as_literals(tmp_path: Path) -> None:
    text = jobspec(DEFAULTED, image='"nginx:${var.tag}"')
    generation = run(tmp_path, text, jobspec_variables="literal")
    assert 'image = "nginx:${var.image_tag}"' in generation.files["main.tf"]
    assert 'variable "tag"' not in generation.files["variables.tf"]


def test_credential_looking_default_stays_a_literal(tmp_path: Path) -> None:
    text = jobspec(
        'variable "db_password" {\n  default = "hunter2"\n}\n',
        task="      env {\n        DB_PASSWORD = var.db_password\n      }",
    )
    generation = run(tmp_path, text)
    assert "db_password" not in generation.files["variables.tf"]
    assert "literal-credential" in {d.code for d in generation.diagnostics}


# ---- the evaluator and the renderer ---------------------------------------------------


def evaluated(text: str) -> dict[str, object]:
    root = parse_hcl(textwrap.dedent(text), "x.nomad.hcl")
    job = evaluate_jobspec(root, {}, [], env={}).root.child("job")
    assert job is not None
    return {name: attribute.value for name, attribute in job.attributes.items()}


@pytest.mark.parametrize(
    ("expression", "terraform"),
    [
        ('"a-${var.x}-b"', '"a-${var.x}-b"'),
        ("var.x", "var.x"),
        ("upper(var.x)", "upper(var.x)"),
        ("var.n + 1", "var.n + 1"),
        ('var.n > 1 ? "big" : "small"', '(var.n > 1) ? "big" : "small"'),
        ('try(var.x, "d")', "var.x"),
        ("var.o.name", "var.o.name"),
        ('lookup(var.o, "k", "d")', 'lookup(var.o, "k", "d")'),
    ],
)
def test_expressions_over_unknowns_stay_terraform_expressions(
    expression: str, terraform: str
) -> None:
    values = evaluated(
        f'variable "x" {{}}\nvariable "n" {{}}\nvariable "o" {{}}\njob "j" {{\n  v = {expression}\n}}\n'
    )
    assert hcl_value(values["v"]) == terraform


@pytest.mark.parametrize(
    "expression",
    ['{ "${var.x}" = 1 }', "[for s in var.x : s]", '"%{ if var.x }a%{ endif }"'],
)
def test_uses_the_evaluator_must_decide_are_refused(expression: str) -> None:
    with pytest.raises(InputError) as caught:
        evaluated(f'variable "x" {{}}\njob "j" {{\n  v = {expression}\n}}\n')
    assert (caught.value.code, caught.value.line) == ("missing-variable", 3)


def test_literal_text_beside_an_expression_is_escaped() -> None:
    text = 'say "hi" $${not} %{x} \\ ' + marker(TfExpr("var.x", ("x",)))
    assert hcl_value(text) == '"say \\"hi\\" $$${not} %%{x} \\\\ ${var.x}"'


def test_markers_are_shown_as_interpolations() -> None:
    text = "a" + marker(TfExpr("var.x", ("x",)))
    assert shown(text) == "a${var.x}"
    assert shown(repr(text)) == "'a${var.x}'"


def test_a_file_a_defaulted_variable_names_is_read_from_beside_the_jobspec(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.conf").write_text("listen 80\n", encoding="utf-8")
    task = (
        '      template {\n        destination = "local/app.conf"\n'
        "        data        = file(var.conf)\n      }"
    )
    text = jobspec('variable "conf" {\n  default = "app.conf"\n}\n', task=task)
    generation = run(tmp_path, text)
    assert "listen 80" in generation.files["main.tf"]
    assert 'variable "conf"' not in generation.files["variables.tf"]


def test_a_file_a_required_variable_names_is_read_by_terraform(tmp_path: Path) -> None:
    task = (
        '      template {\n        destination = "local/app.conf"\n'
        "        data        = file(var.conf)\n      }"
    )
    generation = run(tmp_path, jobspec('variable "conf" {\n  type = string\n}\n', task=task))
    assert "file(var.conf)" in generation.files["main.tf"]


def test_router_rule_and_middleware_over_an_input_show_it_in_the_snippet(tmp_path: Path) -> None:
    tags = (
        '"traefik.enable=true", "traefik.http.routers.web.rule=Host(`web.${var.domain}`)",'
        ' "traefik.http.routers.web.middlewares=to-www",'
        ' "traefik.http.middlewares.to-www.redirectregex.replacement=https://www.${var.domain}"'
    )
    text = jobspec(REQUIRED).replace('port = "http"\n', f'port = "http"\n      tags = [{tags}]\n')
    generation = run(tmp_path, text)
    snippet = generation.files["traefik-routers.yml"]
    assert "Host(`web.${var.domain}`)" in snippet
    assert "https://www.${var.domain}" in snippet
    assert 'host = "web.${var.domain}"' in generation.files["main.tf"]
    warned = [d.path for d in generation.diagnostics if d.code == "needs-decision"]
    assert "router[web]" in warned and "middleware[to-www]" in warned


@pytest.mark.parametrize(
    ("written", "terraform"),
    [
        ("string", "string"),
        ("list(string)", "list(string)"),
        ("map(number)", "map(number)"),
        ("tuple([string, bool])", "tuple([string, bool])"),
        (
            "object({\n    name = string # the name\n    port = optional(number, 80)\n  })",
            "object({name = string, port = optional(number, 80)})",
        ),
    ],
)
def test_type_constraints_are_written_from_the_parsed_type(written: str, terraform: str) -> None:
    root = parse_hcl(f'variable "v" {{\n  type = {written}\n}}\njob "j" {{}}\n', "x.nomad.hcl")
    evaluation = evaluate_jobspec(root, {}, [], env={})
    assert [item.type for item in evaluation.inputs] == [terraform]


def test_an_input_only_dropped_settings_use_is_not_a_module_variable(tmp_path: Path) -> None:
    text = jobspec('variable "dc" {\n  type = string\n}\n').replace(
        'job "web" {\n', 'job "web" {\n  datacenters = [var.dc]\n'
    )
    generation = run(tmp_path, text)
    assert 'variable "dc"' not in generation.files["variables.tf"]
    assert [d.message for d in generation.diagnostics if d.path == "variable[dc]"] == [
        'variable "dc" is used only by settings the module does not carry: not a module input'
    ]


def test_a_marker_cut_by_a_shortened_quote_reads_as_an_input_not_as_a_random_token() -> None:
    from generator.hcl import unknowns

    mark = unknowns.marker(unknowns.TfExpr("var.domain", ("domain",)))
    quoted = repr(f"https://traefik.{mark}.example")
    assert unknowns.shown(quoted) == "'https://traefik.${var.domain}.example'"
    for cut in range(len("'https://traefik.") + 1, len(quoted)):
        assert unknowns.NONCE[:3] not in unknowns.shown(quoted[:cut])
        assert "\\x00" not in unknowns.shown(quoted[:cut])
