"""Hostile and odd input (issue 11): escapes decoded once, limits, file(), RE2, env values."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.diagnostics import InputError
from generator.hcl import parse_hcl
from generator.hcl.evaluate import Evaluation, evaluate_jobspec
from generator.hcl.functions import Functions
from generator.hcl.limits import (
    MAX_FILE_BYTES,
    MAX_INPUT_TOKENS,
    MAX_NESTING,
    LimitError,
    check_source,
    footprint,
)
from generator.hcl.values import EvalError, to_tree
from tools.bench_hostile import measure
from tools.hostile import HOSTILE, Hostile, job_with


def evaluate(text: str, base_dir: Path = Path(".")) -> Evaluation:
    root = parse_hcl(textwrap.dedent(text), "x.nomad.hcl")
    return evaluate_jobspec(root, {}, [], env={}, base_dir=base_dir)


def attribute(text: str, name: str = "a", base_dir: Path = Path(".")) -> object:
    found = evaluate(text, base_dir).root.child("job")
    assert found is not None
    return found.get(name)


def input_error(text: str, base_dir: Path = Path(".")) -> InputError:
    with pytest.raises(InputError) as caught:
        evaluate(text, base_dir)
    return caught.value


# ---- escapes: `$${` and `%%{` are decoded once, never evaluated ---------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r'"$${file(\"/etc/hostname\")}"', '${file("/etc/hostname")}'),
        ('"$${upper(\\"abc\\")}"', '${upper("abc")}'),
        ('"a%%{ if true }b%%{ endif }"', "a%{ if true }b%{ endif }"),
        ('"$${var.undeclared}"', "${var.undeclared}"),
        ('"$${1}"', "${1}"),
        ('"$$${upper(\\"y\\")}"', '$${upper("y")}'),
        ('"${upper("x")}-$${x}"', "X-${x}"),
        ('{ "$${k}" = "$${v}" }', {"${k}": "${v}"}),
        ('["$${x}", upper("$${y}")]', ["${x}", "${Y}"]),
    ],
)
def test_escaped_sequences_are_literal_text(source: str, expected: object) -> None:
    assert attribute(f'job "j" {{\n  a = {source}\n}}\n') == expected


def test_escapes_in_heredocs_are_literal_and_directives_do_not_run() -> None:
    text = 'job "j" {\n  a = <<EOT\n$${file("/etc/hostname")} %%{ if true }x%%{ endif }\nEOT\n}\n'
    assert attribute(text) == '${file("/etc/hostname")} %{ if true }x%{ endif }\n'


def test_an_unescaped_interpolation_of_a_number_is_evaluated() -> None:
    assert attribute('job "j" {\n  a = "n${1}"\n}\n') == "n1"


def test_escaped_file_call_reaches_main_tf_as_literal_text(tmp_path: Path) -> None:
    jobspec = tmp_path / "esc.nomad.hcl"
    jobspec.write_text(
        job_with(r'"$${file(\"/etc/hostname\")} %%{ if true }y%%{ endif }"').replace(
            "    }\n  }\n}", TEMPLATE + "    }\n  }\n}"
        )
    )
    result = CliRunner().invoke(
        main,
        ["esc", "--jobspec", str(jobspec), "--out", str(tmp_path / "out"), "--specs", "none"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    main_tf = (tmp_path / "out" / "esc" / "main.tf").read_text()
    assert r'value = "$${file(\"/etc/hostname\")} %%{ if true }y%%{ endif }"' in main_tf
    assert r'"t $${HOST} %%{ if x } {{ key \"k\" }}\n"' not in main_tf  # a Consul key: secret
    assert r'"t $${HOST} %%{ if x }\n"' in main_tf


TEMPLATE = """      template {
        destination = "local/t.conf"
        data        = "t $${HOST} %%{ if x }\\n"
      }
"""


# ---- input limits ------------------------------------------------------------


def test_brackets_in_strings_and_comments_do_not_count_toward_nesting() -> None:
    deep = "(" * (MAX_NESTING + 5)
    check_source(f'a = "{deep}"\n# {deep}\n/* {deep} */\nb = <<EOT\n{deep}\nEOT\n')


def test_nesting_counts_interpolations_and_names_the_line() -> None:
    text = "job {\n" + 'a = "${' * (MAX_NESTING // 2) + "[" * (MAX_NESTING // 2 + 1) + "\n"
    with pytest.raises(LimitError) as caught:
        check_source(text)
    assert (caught.value.code, caught.value.line) == ("too-deep", 2)


def test_deep_nesting_is_refused_before_the_parser_recurses() -> None:
    text = 'job "j" {\n\n  a = ' + "[" * 500 + "]" * 500 + "\n}\n"
    with pytest.raises(InputError) as caught:
        parse_hcl(text, "x.nomad.hcl")
    assert caught.value.one_line() == (
        f"x.nomad.hcl:3: too-deep: nested more than {MAX_NESTING} levels deep"
    )


def test_a_long_operator_chain_is_refused_as_too_deep() -> None:
    with pytest.raises(InputError) as caught:
        parse_hcl('job "j" {\n  a = ' + "+".join(["1"] * 3000) + "\n}\n", "x.nomad.hcl")
    assert caught.value.code == "too-deep"


def test_heredoc_bodies_do_not_count_toward_the_token_limit() -> None:
    body = "key = {value}; [list] (x)\n" * (MAX_INPUT_TOKENS // 8)
    check_source(f'job "j" {{\n  a = <<EOT\n{body}EOT\n  b = <<-X\n{body}  X\n}}\n')


def test_too_many_tokens_is_refused_with_the_line_reached() -> None:
    text = 'job "j" {\n' + "  a = 1\n" * MAX_INPUT_TOKENS + "}\n"
    with pytest.raises(InputError) as caught:
        parse_hcl(text, "x.nomad.hcl")
    assert caught.value.code == "input-too-large"
    assert caught.value.line is not None and caught.value.line < MAX_INPUT_TOKENS


# ---- value and time limits ---------------------------------------------------


def test_footprint_counts_shared_values_as_written_without_walking_them() -> None:
    value: list[object] = ["x"]
    for _ in range(80):
        value = [value, value]
    assert footprint(value, limit=1000) == 1001
    assert footprint(["ab", {"k": "v"}]) == 16 * 4 + 2 + 1 + 1


def test_to_tree_keeps_shared_lists_shared() -> None:
    inner = ["x"]
    converted = to_tree([inner, inner, (1, 2)])
    assert converted[0] is converted[1] is inner
    assert converted[2] == [1, 2]


@pytest.mark.parametrize(
    "expression",
    [
        'replace(join("", [for i in range(1024) : "aaaaaaaaaaaaaaaa"]), "a", '
        'join("", [for i in range(1024) : "bbbb"]))',
        'join(join("", [for i in range(1024) : "cccccccc"]), [for i in range(1024) : "d"])',
        'format(join("", [for i in range(1024) : "%[1]9999d"]), 1)',
        "setproduct(range(100), range(100), range(100), range(100))",
    ],
)
def test_functions_that_would_amplify_are_refused(expression: str) -> None:
    error = input_error(f'job "j" {{\n  a = {expression}\n}}\n')
    assert (error.code, error.line) == ("limit-exceeded", 2)


def test_try_does_not_swallow_a_limit() -> None:
    error = input_error(
        'job "j" {\n  a = try(setproduct(range(1000), range(1000), range(1000)), 1)\n}\n'
    )
    assert error.code == "limit-exceeded"


def test_evaluation_time_is_bounded() -> None:
    text = 'job "j" {\n  a = [for a in range(1024) : [for b in range(1024) : [for c in range(64) : c]]]\n}\n'
    assert input_error(text).code == "limit-exceeded"


# ---- regular expressions: RE2 ------------------------------------------------


def test_regex_replace_runs_in_linear_time_with_go_replacement_syntax() -> None:
    assert attribute('job "j" {\n  a = regex_replace("' + "a" * 40 + '!", "^(a|aa)*$", "")\n}\n')
    assert (
        attribute(
            'job "j" {\n  a = regex_replace("k=v", "(?P<key>\\\\w+)=(\\\\w+)", "$2:${key}")\n}\n'
        )
        == "v:k"
    )
    assert attribute('job "j" {\n  a = replace("a1b22", "/[0-9]+/", "#")\n}\n') == "a#b#"


def test_a_regex_rre2_cannot_run_is_reported_not_run() -> None:
    result = evaluate('job "j" {\n  a = regex_replace("aa", "(a)\\\\1", "")\n}\n')
    assert [d.code for d in result.diagnostics] == ["unevaluated-expression"]
    assert "invalid regular expression" in result.diagnostics[0].message


def test_cidrsubnet_computes_the_network_directly() -> None:
    functions = Functions(Path("."))
    assert functions.call("cidrsubnet", ["10.1.2.0/24", 4, 15]) == "10.1.2.240/28"
    assert functions.call("cidrsubnet", ["fd00::/16", 16, 1]) == "fd00:1::/32"
    huge = 2**120 - 1
    assert (
        functions.call("cidrsubnet", ["::/0", 120, huge])
        == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00/120"
    )
    with pytest.raises(EvalError):
        functions.call("cidrsubnet", ["10.0.0.0/8", 8, 256])


# ---- file() ------------------------------------------------------------------


def test_file_reads_regular_files_under_the_jobspec_folder(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "a.txt").write_text("hello")
    assert attribute('job "j" {\n  a = file("conf/a.txt")\n}\n', base_dir=tmp_path) == "hello"


@pytest.mark.parametrize("path", ["/etc/hostname", "../outside.txt", "/dev/zero"])
def test_file_outside_the_folder_or_repo_is_refused(tmp_path: Path, path: str) -> None:
    base = tmp_path / "jobs"
    base.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    error = input_error(f'job "j" {{\n  a = file("{path}")\n}}\n', base_dir=base)
    assert (error.code, error.line) == ("file-not-allowed", 2)


def test_a_symlink_out_of_the_folder_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "jobs"
    base.mkdir()
    (tmp_path / "outside.txt").write_text("secret")
    (base / "link").symlink_to(tmp_path / "outside.txt")
    assert input_error('job "j" {\n  a = file("link")\n}\n', base).code == "file-not-allowed"


def test_files_anywhere_in_the_git_repository_are_allowed(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "shared.conf").write_text("x")
    (tmp_path / "jobs").mkdir()
    assert attribute('job "j" {\n  a = file("../shared.conf")\n}\n', "a", tmp_path / "jobs") == "x"


def test_fifo_and_too_large_files_are_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "big").write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    for name in ("pipe", "big"):
        error = input_error(f'job "j" {{\n  a = file("{name}")\n}}\n', tmp_path)
        assert error.code == "file-not-allowed", name


# ---- env values as Nomad decodes them -------------------------------------------------


def _env_job(value: str) -> str:
    return job_with(value)


def _generate(tmp_path: Path, text: str) -> tuple[int, str, str]:
    jobspec = tmp_path / "e.nomad.hcl"
    jobspec.write_text(text)
    result = CliRunner().invoke(
        main,
        ["e", "--jobspec", str(jobspec), "--out", str(tmp_path / "out"), "--specs", "none"],
        catch_exceptions=False,
    )
    main_tf = tmp_path / "out" / "e" / "main.tf"
    return result.exit_code, result.stderr, main_tf.read_text() if main_tf.exists() else ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", '"1"'), ("true", '"true"'), ("1.5", '"1.5"'), ("1e-7", '"0.0000001"')],
)
def test_number_and_bool_env_values_are_strings_as_cty_converts_them(
    tmp_path: Path, value: str, expected: str
) -> None:
    code, _, main_tf = _generate(tmp_path, _env_job(value))
    assert code == 0
    assert f"value = {expected}" in main_tf


@pytest.mark.parametrize(
    ("value", "shown"), [("{ k = 1 }", "a map"), ("null", "null"), ("[1]", "a list")]
)
def test_env_values_without_a_string_form_are_input_errors(
    tmp_path: Path, value: str, shown: str
) -> None:
    code, stderr, main_tf = _generate(tmp_path, _env_job(value))
    assert code == 2 and not main_tf
    assert stderr.strip().endswith(f"got {shown}")
    assert ":9: invalid-value: env.X must be a string" in stderr


# ---- templates -------------------------------------------------------------------


def test_a_template_with_an_unsupported_pipeline_says_the_whole_file_is_left_out(
    tmp_path: Path,
) -> None:
    template = (
        '      template {\n        destination = "local/app.conf"\n'
        '        data = "static\\njson = {{ key \\"app/x\\" | toJSON }}\\n"\n      }\n'
    )
    text = job_with('"x"').replace("    }\n  }\n}", template + "    }\n  }\n}")
    jobspec = tmp_path / "t.nomad.hcl"
    jobspec.write_text(text)
    result = CliRunner().invoke(
        main,
        ["t", "--jobspec", str(jobspec), "--out", str(tmp_path / "out"), "--specs", "none"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "the whole file 'local/app.conf' is left out of the module" in result.output
    assert "static" not in (tmp_path / "out" / "t" / "main.tf").read_text()


def test_a_template_source_outside_the_repository_is_not_read(tmp_path: Path) -> None:
    template = '      template {\n        destination = "local/x"\n        source = "/etc/hostname"\n      }\n'
    text = job_with('"x"').replace("    }\n  }\n}", template + "    }\n  }\n}")
    code, _, main_tf = _generate(tmp_path, text)
    assert code == 0
    assert Path("/etc/hostname").read_text().strip() not in main_tf


# ---- the hostile inputs, each in its own gen-module process -----------------------

EXPECTED = {
    "blank-lines": "refused: input-too-large",
    "heredoc-50mb": "refused: input-too-large",
    "heredoc-1mb": "module",
    "many-locals": "refused: input-too-large",
    "deep-brackets": "refused: too-deep",
    "deep-parens": "refused: too-deep",
    "yaml-laughs": "refused: limit-exceeded",
    "setproduct": "refused: limit-exceeded",
    "string-doubling": "refused: limit-exceeded",
    "list-doubling": "refused: limit-exceeded",
    "nested-for": "refused: limit-exceeded",
    "file-dev-zero": "refused: file-not-allowed",
    "file-fifo": "refused: file-not-allowed",
    "regex-backtrack": "module",
    "cidrsubnet-huge": "module",
    "format-width": "module",
    "escaped-file": "module",
}


def test_every_hostile_input_has_an_expected_outcome() -> None:
    assert set(EXPECTED) == {item.name for item in HOSTILE}


@pytest.mark.parametrize("item", HOSTILE, ids=[item.name for item in HOSTILE])
def test_hostile_input_outcome(tmp_path: Path, item: Hostile) -> None:
    row = measure(item, tmp_path, timeout=120)
    if row.outcome == "refused":
        code = row.message.split(": ")[1]
        assert f"refused: {code}" == EXPECTED[item.name], row.message
        assert len(row.message.splitlines()) == 1
    else:
        assert row.outcome == EXPECTED[item.name], row.message


def test_a_long_jobspec_of_few_tokens_is_accepted() -> None:
    word = "x" * (MAX_INPUT_TOKENS + 10)

    check_source(f'job "j" {{\n  meta {{\n    a = "{word}"\n  }}\n}}\n')


def test_tokens_past_the_limit_are_refused_on_their_line() -> None:
    text = "a = [" + "1," * MAX_INPUT_TOKENS + "]\n"

    with pytest.raises(LimitError) as caught:
        check_source(text)

    assert caught.value.code == "input-too-large"
    assert caught.value.line == 1
