"""The document tree: exact round-trip of every generated file, edits written by hcl_values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.document import (
    Attribute,
    Block,
    CallValue,
    ObjectValue,
    Opaque,
    Scalar,
    TupleValue,
    parse_document,
    parse_value,
)
from generator.overrides import apply_overrides, from_data
from generator.render.hcl_format import format_hcl

REPO = Path(__file__).resolve().parent.parent
GOLDEN_TF = sorted((REPO / "modules-k8s").glob("*/*.tf"))


def round_trips(text: str) -> bool:
    emitted = parse_document(text).emit()
    return emitted == text and format_hcl(emitted) == text


@pytest.mark.parametrize("path", GOLDEN_TF, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_golden_tf_file_round_trips_byte_for_byte(path: Path) -> None:
    assert round_trips(path.read_text())


@pytest.mark.shared
def test_every_module_the_corpus_produces_round_trips(shared_corpus: Path) -> None:
    from generator.diagnostics import InputError
    from generator.pipeline import generate
    from generator.service_spec import ServiceSpec
    from generator.settings import Settings
    from tools.corpus.collect import collect_corpus

    corpus = collect_corpus(shared_corpus.resolve())
    checked, failed = 0, []
    for item in corpus.files:
        try:
            generation = generate(
                item.service, corpus.root / item.relative, Settings(), ServiceSpec()
            )
        except InputError:
            continue
        for name, text in generation.files.items():
            if name.endswith(".tf"):
                checked += 1
                if not round_trips(text):
                    failed.append(f"{item.relative}: {name}")
    assert checked > 1000 and failed == []


HAND_WRITTEN = """\
# header comment
resource "kubernetes_service" "app" { # trailing
  metadata {
    name = "x" // other comment style
    /* block
       comment */
    labels = { a = "1", "b.c/d" = "2" }
  }
  spec { type = "ClusterIP" }
  dynamic "port" {
    for_each = var.ports
    content {
      port = port.value
    }
  }
}

locals {
  m = { for k, v in var.x : k => v }
  l = [for x in var.y : x if x != ""]
  t = [
    "a",
    "b"
  ]
  h = <<-EOT
    hello ${var.who}
  EOT
  n = -1.5
  e = var.a == "b" ? 1 : 2
}
"""


def test_hand_formatted_hcl_with_comments_round_trips_and_is_read() -> None:
    document = parse_document(HAND_WRITTEN)
    assert document.emit() == HAND_WRITTEN
    service = document.resource("kubernetes_service.app")
    assert service is not None
    metadata = service.body.blocks("metadata")[0]
    name = metadata.body.attribute("name")
    assert name is not None and isinstance(name.value, Scalar) and name.value.value == "x"
    labels = metadata.body.attribute("labels")
    assert labels is not None and isinstance(labels.value, ObjectValue)
    assert [e.key for e in labels.value.entries] == ["a", "b.c/d"]
    assert service.body.blocks("dynamic", "port")
    local = document.body.blocks("locals")[0].body
    kinds = {
        item.name: type(item.value).__name__ for item in local.items if isinstance(item, Attribute)
    }
    assert kinds == {
        "m": "Opaque",
        "l": "Opaque",
        "t": "TupleValue",
        "h": "Opaque",
        "n": "Scalar",
        "e": "Opaque",
    }


def test_values_of_each_kind() -> None:
    assert isinstance(parse_value("yamlencode({ a = 1 })"), CallValue)
    assert isinstance(parse_value("merge(local.labels, { a = 1 })"), Opaque)
    assert isinstance(parse_value("[1, 2]"), TupleValue)
    value = parse_value('"a$${b}\\n\\u00e9"')
    assert isinstance(value, Scalar) and value.value == "a${b}\né"
    assert isinstance(parse_value('"a${b}"'), Opaque)
    assert parse_value("a\nb = 1") is None


def test_an_edited_document_is_written_in_the_templates_style() -> None:
    text = 'resource "x" "y" {\n  a = 1\n\n  b {\n    c = 2\n  }\n}\n'
    document = parse_document(text)
    resource = document.resource("x.y")
    assert resource is not None
    resource.body.set_attribute("long_name", Scalar.of("v"))
    resource.body.add_block(Block("b", []))
    resource.body.blocks("b")[1].body.set_attribute("d", Scalar.of(True))
    assert format_hcl(document.emit()) == (
        'resource "x" "y" {\n  a         = 1\n  long_name = "v"\n\n  b {\n    c = 2\n  }\n\n'
        "  b {\n    d = true\n  }\n}\n"
    )


HOSTILE = st.lists(
    st.sampled_from(["$", "{", "}", "%", '"', "\\", "\n", "EOT", "\t", "a", " ", "\u2028", "${"]),
    max_size=30,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_hostile_override_strings_never_escape_their_string(value: str) -> None:
    files = {
        name: (REPO / "modules-k8s" / "dns-filter" / name).read_text() for name in ("main.tf",)
    }
    overrides = {
        "kubernetes_deployment.app": {
            "spec": {
                "template": {
                    "spec": {
                        "container": [{"name": "resolver", "env": [{"name": "X", "value": value}]}]
                    }
                }
            }
        }
    }
    source = from_data("spec", overrides)
    assert source is not None
    text = apply_overrides(files, source).files["main.tf"]
    document = parse_document(text)
    assert document.emit() == text
    deployment = document.resource("kubernetes_deployment.app")
    assert deployment is not None
    pod = deployment.body.blocks("spec")[0].body.blocks("template")[0].body.blocks("spec")[0]
    env = [b for b in pod.body.blocks("container")[0].body.blocks("env")]
    added = env[-1].body
    assert [i.name for i in added.items if isinstance(i, Attribute)] == ["name", "value"]
    assert not list(added.all_blocks())
    written = added.attribute("value")
    assert written is not None and isinstance(written.value, Scalar)
    assert written.value.value == value


EXPR = st.lists(
    st.sampled_from(
        [
            "var.a",
            "\n",
            " = ",
            "}",
            "{",
            '"',
            "#",
            "<<EOT\n",
            "EOT",
            "${",
            "x",
            "(",
            ")",
            ",",
            "[",
            "]",
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(EXPR)
@example("${\n<<EOT\n}")  # a heredoc opened in an interpolation swallowed the rest of the file
def test_an_accepted_expr_is_one_expression_and_adds_nothing(text: str) -> None:
    from generator.diagnostics import InputError

    files = {"main.tf": (REPO / "modules-k8s" / "dns-filter" / "main.tf").read_text()}
    overrides = {"kubernetes_service.app": {"metadata": {"name": {"$expr": text}}}}
    source = from_data("spec", overrides)
    assert source is not None
    try:
        result = apply_overrides(files, source).files["main.tf"]
    except InputError:
        return
    document = parse_document(result)
    assert document.emit() == result
    before = parse_document(files["main.tf"])
    assert [b.labels for b in document.resources()] == [b.labels for b in before.resources()]
    service = document.resource("kubernetes_service.app")
    assert service is not None
    metadata = service.body.blocks("metadata")[0].body
    assert [i.name for i in metadata.items if isinstance(i, Attribute)] == [
        "name",
        "namespace",
        "labels",
    ]
    assert not list(metadata.all_blocks())
