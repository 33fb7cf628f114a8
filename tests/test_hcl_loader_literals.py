"""The loader reads literals straight from the parse tree: it must read exactly what
python-hcl2's own transformer and serializer give for the same text.

`reference_tree` is the loader as it was before the shortcut: the whole parse tree
turned into python-hcl2's rule objects (what `hcl2.parses` returns), every value
through `serialize`. Both read the same Lark parse of the text.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hcl2.api import parses_to_tree
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.transformer import RuleTransformer
from hypothesis import given, settings
from hypothesis import strategies as st
from lark import LarkError, Tree

from generator.diagnostics import InputError
from generator.hcl import Attribute, Block, loader, parse_hcl
from tools.corpus.collect import collect_corpus

REPO = Path(__file__).resolve().parents[1]


def reference_tree(lark_tree: Tree, file_name: str = "x.hcl") -> Block:
    start = RuleTransformer(discard_new_line_or_comments=True).transform(lark_tree)
    return _reference_body(start.body, "", (), 1, file_name)


def _reference_body(
    body: BodyRule, kind: str, labels: tuple[str, ...], line: int, file_name: str
) -> Block:
    block = Block(kind=kind, labels=labels, line=line, file=file_name)
    options = loader._OPTIONS
    for child in body.children:
        if isinstance(child, BlockRule):
            names = [loader._decode_label(label.serialize(options)) for label in child.labels]
            child_line = getattr(child._meta, "line", None) or line
            block.blocks.append(
                _reference_body(child.body, names[0], tuple(names[1:]), child_line, file_name)
            )
        elif isinstance(child, AttributeRule):
            name = loader._decode_label(child.identifier.serialize(options))
            if name in block.attributes:
                raise ValueError(f"{name} is set twice")
            value = loader._decode_value(child.expression.serialize(options))
            heredoc = loader._is_heredoc(child)
            if heredoc and isinstance(value, str):
                value += "\n"
            attribute_line = getattr(child._meta, "line", None) or line
            block.attributes[name] = Attribute(name, value, attribute_line, heredoc)
    return block


def assert_same_reading(text: str) -> None:
    try:
        lark_tree = parses_to_tree(text.replace(loader._ESCAPED_DIRECTIVE, loader._STAND_IN))
    except LarkError:
        with pytest.raises(InputError):
            parse_hcl(text, "x.hcl", source_checked=True)
        return
    try:
        read = loader._body_to_block(lark_tree.children[0], "", (), 1, "x.hcl")
    except (InputError, LarkError):  # parse_hcl reports either as an InputError
        read = None
    try:
        expected = reference_tree(lark_tree)
    except Exception:  # the reference cannot read it: the loader must refuse it too
        assert read is None
        return
    assert read == expected


LITERALS = r"""
job "a" {
  datacenters = ["dc1", "dc2"]
  count       = 3
  ratio       = 0.5
  big         = 1e3
  negative    = -2
  enabled     = true
  nothing     = null
  empty       = ""
  escaped     = "tab\there \"quoted\" \u00e9 \\ $${not} %%{not}"
  templated   = "${NOMAD_PORT_http}"
  meta        = { a = "1", "b-c" = 2, 3 = true, in = "kw", null = "n", (var.k) = "e" }
  nested      = [{ x = [1, 2.5, "s"] }, [], {}]
  expression  = upper("x")
  heredoc     = <<EOF
line ${var.x}
EOF
  "quoted label" "plain" {}
  group "$${x}" { in = 1 }
}
"""


def test_literals_of_every_kind_read_as_python_hcl2_serializes_them() -> None:
    assert_same_reading(LITERALS)


@pytest.mark.parametrize(
    "text",
    [
        "x = 1\ny = 2\nx = 3\n",  # set twice: both refuse
        'x = "%{ if true }a"\n',  # unterminated directive: python-hcl2's transformer fails
        'x = "a %%{ b } c"\ny = "}"\n',  # the `%%{` stand-in
    ],
)
def test_refusals_and_stand_ins_agree(text: str) -> None:
    assert_same_reading(text)


def test_a_value_python_hcl2_cannot_build_is_one_input_error() -> None:
    with pytest.raises(InputError, match="Unterminated template if directive"):
        parse_hcl('x = "%{ if true }a"\n', "x.hcl")


def test_the_shortcut_reads_the_literals_itself() -> None:
    attribute = parses_to_tree('x = ["a", { b = 1 }]\n').children[0].children[0]
    assert loader._literal(attribute.children[2]) == ['"a"', {"b": 1}]
    templated = parses_to_tree('x = "${a}"\n').children[0].children[0]
    assert loader._literal(templated.children[2]) is loader._NOT_LITERAL


def test_repo_example_jobspecs_read_the_same() -> None:
    jobspecs = sorted((REPO / "specs").glob("*.nomad.hcl"))
    assert jobspecs
    for jobspec in jobspecs:
        assert_same_reading(jobspec.read_text(encoding="utf-8"))


@pytest.mark.shared
def test_every_corpus_jobspec_reads_the_same(shared_corpus: Path) -> None:
    corpus = collect_corpus(shared_corpus)
    assert len(corpus.files) > 500
    for found in corpus.files:
        assert_same_reading((shared_corpus / found.relative).read_bytes().decode(errors="replace"))


_TEXT = st.text(
    alphabet=st.sampled_from(
        list(string.ascii_letters + string.digits + ' -_.:/\\"$%{}~\te\u00e9')
    ),
    max_size=12,
)
_SCALAR = st.one_of(
    _TEXT.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    _TEXT.map(lambda text: '"' + text + '"'),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(repr),
    st.sampled_from(["true", "false", "null", "var.x", 'upper("a")', "1 + 2", "1.5e3"]),
)
_KEY = st.one_of(
    st.from_regex(r"[a-z_][a-z0-9_-]{0,6}", fullmatch=True),
    _TEXT.map(lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.sampled_from(["in", "for", "true", "null", "1", "2.5", "(var.k)"]),
)
_VALUE = st.recursive(
    _SCALAR,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(_KEY, inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k} = {v}" for k, v in pairs) + "}"
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_VALUE, min_size=1, max_size=4))
def test_generated_values_read_the_same(values: list[str]) -> None:
    body = "\n".join(f"a{index} = {value}" for index, value in enumerate(values))
    assert_same_reading(f'job "j" {{\n{body}\n}}\n')
