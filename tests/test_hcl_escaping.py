"""Jobspec text reaches `.tf` files only as escaped HCL strings (issue 11, item 2)."""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.hcl import Block, parse_hcl
from generator.pipeline import generate
from generator.render.hcl_values import (
    Call,
    Interpolated,
    Raw,
    hcl_identifier,
    hcl_key,
    hcl_reference,
    hcl_value,
)
from generator.service_spec import ServiceSpec
from generator.settings import Settings

TEMPLATES = Path(__file__).resolve().parent.parent / "generator" / "templates"
INJECTED_IMAGE = r"x\"\ncommand = [file(\"/etc/hostname\")]\nworking_dir = \"y:1"


def _jobspec(tmp_path: Path, config: str, task: str = "app") -> Path:
    path = tmp_path / "app.nomad.hcl"
    path.write_text(
        f'job "app" {{\n  group "app" {{\n    task "{task}" {{\n      driver = "docker"\n'
        f"      config {{\n{config}\n      }}\n    }}\n  }}\n}}\n"
    )
    return path


def _containers(main_tf: str) -> list[Block]:
    tree = parse_hcl(main_tf, "main.tf")
    return [block for block in tree.walk() if block.kind == "container"]


def test_an_image_cannot_write_attributes_into_the_container(tmp_path: Path) -> None:
    path = _jobspec(tmp_path, f'        image = "{INJECTED_IMAGE}"')
    main_tf = generate("app", path, Settings(), ServiceSpec()).files["main.tf"]
    [container] = _containers(main_tf)
    assert set(container.attributes) == {"name", "image"}
    repository = 'x"\ncommand = [file("/etc/hostname")]\nworking_dir = "y'
    assert container.get("image") == repository + ":${var.image_tag}"


@pytest.mark.parametrize("closing", ['"}}}\nresource "null_resource" "x" {', '\\"\n# x'])
def test_an_image_cannot_close_blocks_or_interpolate(tmp_path: Path, closing: str) -> None:
    image = json.dumps(f"app{closing}:1")
    path = _jobspec(tmp_path, f"        image = {image}")
    files = generate("app", path, Settings(), ServiceSpec()).files
    tree = parse_hcl(files["main.tf"], "main.tf")
    assert [b.labels[0] for b in tree.blocks if b.kind == "resource"] == ["kubernetes_deployment"]
    [container] = _containers(files["main.tf"])
    assert set(container.attributes) == {"name", "image"}
    assert container.get("image") == f"app{closing}:${{var.image_tag}}"


@pytest.mark.parametrize(
    "text",
    [
        '"${local.app_name}-x"',
        "local.x\nfoo = 1",
        'merge(local.labels, { a = "b" })',
        "var.x}",
        "$x",
    ],
)
def test_raw_refuses_literal_text(text: str) -> None:
    with pytest.raises(ValueError, match="not a reference"):
        Raw(text)


@pytest.mark.parametrize("text", ["local.app_name", "toset(var.hostnames)", "[var.hostname]"])
def test_raw_takes_references_and_calls_of_references(text: str) -> None:
    assert hcl_value(Raw(text)) == text


def test_identifiers_and_references_are_checked() -> None:
    assert hcl_identifier("web_2") == "web_2"
    assert hcl_reference("kubernetes_service.web.metadata[0].name")
    for bad in ['web" {', "a\n", "a b"]:
        with pytest.raises(ValueError):
            hcl_identifier(bad)
        with pytest.raises(ValueError):
            hcl_reference(bad)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("a$", Raw("var.x")), '"a${"$"}${var.x}"'),
        (("a$", "{b}"), '"a$${b}"'),
        (("a%", "{b}"), '"a%%{b}"'),
        (('q"\n', Raw("var.x"), "$"), '"q\\"\\n${var.x}$"'),
        ((Raw("local.app_name"), "-", "x"), '"${local.app_name}-x"'),
    ],
)
def test_interpolated_escapes_literal_parts(parts: tuple, expected: str) -> None:
    assert hcl_value(Interpolated(parts)) == expected


def test_call_arguments_are_escaped() -> None:
    call = Call("merge", (Raw("local.labels"), {"component": 'a" }) #'}))
    assert hcl_value(call) == 'merge(local.labels, { component = "a\\" }) #" })'


@pytest.mark.parametrize(
    ("key", "expected"),
    [("plain", "plain"), ("a\n", '"a\\n"'), ("for", '"for"'), ("null", '"null"'), ("a b", '"a b"')],
)
def test_object_keys_that_are_not_plain_identifiers_are_quoted(key: str, expected: str) -> None:
    assert hcl_key(key) == expected


@pytest.mark.parametrize("value", ["a\x00b\nc\n", "a\x1b[0m\nb\n", "a\u2028\nb\n"])
def test_text_with_control_characters_stays_a_quoted_string(value: str) -> None:
    assert hcl_value(value).startswith('"')


def test_list_items_are_never_heredocs() -> None:
    # Terraform finds no closing marker in `EOT,`.
    assert hcl_value(["a\nb\n", "c"]) == '["a\\nb\\n", "c"]'


_FILTERED = re.compile(r"\|\s*(hcl|ident|ref|expr)\s*$")
_MACRO_CALL = re.compile(r"^[a-z_]+\(.*\)(\s*\|\s*indent\(\d+\))?$")


# The generator's templates, and the example house-wide addition templates in specs/.
@pytest.mark.parametrize(
    "template",
    sorted(TEMPLATES.rglob("*.tf.j2")) + sorted((TEMPLATES.parents[1] / "specs").rglob("*.tf.j2")),
    ids=lambda p: p.name,
)
def test_every_value_in_a_tf_template_goes_through_an_escaping_filter(template: Path) -> None:
    for expression in re.findall(r"\{\{(.*?)\}\}", template.read_text()):
        expression = expression.strip()
        assert _FILTERED.search(expression) or _MACRO_CALL.match(expression), expression


# What Terraform itself reads back: HCL's own scanner, not python-hcl2.
TRICKY = [
    "$${",
    "a$${x}",
    "%%{x}",
    "${x} %{y}",
    'tab\tquote"back\\slash',
    "bell\x07 nul\x00 del\x7f c1\x85 ls\u2028",
    "line\nEOT\n  EOT\nend\n",
    "  indented\n    more\n",
]


def _terraform_values(tmp_path: Path, values: list[str]) -> list[object]:
    """What `terraform console` reads from each HCL expression in `values` (with local.x = "X")."""
    locals_ = "\n".join(f"  v{i} = {value}" for i, value in enumerate(values))
    (tmp_path / "main.tf").write_text(f'locals {{\n  x = "X"\n{locals_}\n}}\n')
    listed = ", ".join(f"local.v{i}" for i in range(len(values)))
    result = subprocess.run(
        ["terraform", "console"],
        input=f"base64encode(jsonencode([{listed}]))\n",
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"CHECKPOINT_DISABLE": "1", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        timeout=120,
        check=True,
    )
    return json.loads(base64.b64decode(result.stdout.strip().strip('"')))


_PIECES = ["$", "$", "%", "{", "}", "${", "%{", "a", '"', "\\", "\n", "~", "EOT", "\t", "é"]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_terraform_reads_random_interpolated_strings_exactly(tmp_path: Path) -> None:
    """Seeded random texts of HCL's special characters around references, read back by
    Terraform itself in one `terraform console` run."""
    generator = random.Random(11)
    texts = []
    for _ in range(300):
        parts = ["".join(generator.choices(_PIECES, k=generator.randint(0, 5))) for _ in range(3)]
        texts.append((parts[0], Raw("local.x"), parts[1], parts[2]))
    values = [hcl_value(Interpolated(parts)) for parts in texts]
    expected = [Interpolated(parts).literal_text("X") for parts in texts]
    assert _terraform_values(tmp_path, values) == expected


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform is not on PATH")
def test_terraform_reads_back_exactly_the_text(tmp_path: Path) -> None:
    values = [hcl_value(text, 2) for text in TRICKY]
    values.append(hcl_value(Interpolated(("a$", Raw("local.x"), "${b}"))))
    values.append(hcl_value(["x {\n}\n", Interpolated((Raw("local.x"), "\n}\n"))]))
    values.append(hcl_value(Interpolated(("a$$", Raw("local.x")))))
    assert _terraform_values(tmp_path, values) == [
        *TRICKY,
        "a$X${b}",
        ["x {\n}\n", "X\n}\n"],
        "a$$X",
    ]


def test_a_config_variable_name_must_be_a_terraform_identifier() -> None:
    lifted = {"name": 'x"\n  y = 1', "description": "d"}
    with pytest.raises(ValidationError, match="Terraform variable name"):
        Settings.model_validate({"config_variables": {"litestream": {"endpoint": lifted}}})


@pytest.mark.parametrize("char", ["\x00", "\x08", "\x0b", "\r", "\x1f", "\x7f", "\x9f", "\u2028"])
def test_a_control_character_keeps_a_multi_line_value_quoted(char: str) -> None:
    rendered = hcl_value(f"first\nsecond {char}\n")

    assert rendered.startswith('"'), rendered
    assert "\n" not in rendered


@pytest.mark.parametrize("text", ["tab\tseparated\nlines\n", "café\nλ ünïcode\n", "a\n\nb\n"])
def test_a_multi_line_value_with_tabs_or_letters_is_a_heredoc(text: str) -> None:
    assert hcl_value(text).startswith("<<")


def test_an_escaped_directive_does_not_merge_the_strings_after_it() -> None:
    # python-hcl2 alone reads `%%{` as a directive and merges the list into one string.
    tree = parse_hcl('tags = ["a %%{ b", "c }", "d"]\n', "x.hcl")
    assert tree.attributes["tags"].value == ["a %%{ b", "c }", "d"]


def test_an_escaped_directive_stays_escaped_in_names_keys_and_expressions() -> None:
    tree = parse_hcl(
        'block "l%%{" {\n  m = { "k%%{" = "v" }\n  f = format("%%{ %s", y)\n}\n', "x.hcl"
    )
    [block] = tree.blocks
    assert block.labels == ("l%{",)  # a label is no template: its escape is decoded here
    assert block.attributes["m"].value == {"k%%{": "v"}
    assert "%%{ %s" in str(block.attributes["f"].value)


def test_the_stand_in_character_with_an_escaped_directive_is_an_input_error() -> None:
    from generator.diagnostics import InputError

    with pytest.raises(InputError, match="U\\+E000") as raised:
        parse_hcl('a = "%%{"\nb = "\ue000"\n', "x.hcl")
    assert (raised.value.code, raised.value.line) == ("hcl-syntax", 2)
