"""Property: hostile text in any jobspec field, setting or spec cannot change what a `.tf`
file declares (issue 11).

A jobspec template gets hypothesis-drawn strings in every field that reaches the output
(image, job/group/task/port/service names, tags, env names and values, args, work dir,
template data and destination, artifact source and destination) and in the settings and
service spec. Checked: the CLI exits 0 or 2 without a traceback; every `.tf` file parses;
the resources are exactly the expected ones; the container holds exactly the expected
attributes; and no block or attribute appears that the same jobspec with plain values does
not have. `$${...}` in an env value comes out as literal text.
"""

from __future__ import annotations

import stat
import subprocess
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator.cli import main
from generator.diagnostics import InputError
from generator.hcl import Block, parse_hcl
from generator.hcl.evaluate import evaluate_jobspec
from generator.pipeline import Generation, generate
from generator.render.hcl_values import escape_template_sequences, hcl_string
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from tests.terraform_fmt import terraform_fmt_files

PAYLOADS = [
    'x"\ncommand = [file("/etc/hostname")]\nworking_dir = "y',
    '"}}}\nresource "null_resource" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
    "\nEOT\n",
    "<<EOT\nx\nEOT",
    '\\"',
    "\\",
    "# comment",
    "/* open",
    "$",
    "%",
    "a = 1",
    "]\n}",
    "\u2028\x00\x1b[31m\x7f",
]
_ALPHABET = st.sampled_from(list("\"\\\n\r\t{}[]()=#$%/*<>:;,. '`-_aZ9é☃")) | st.characters(
    exclude_categories=["Cs"]
)
HOSTILE = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(_ALPHABET, min_size=1, max_size=24),
    st.tuples(st.sampled_from(PAYLOADS), st.text(_ALPHABET, max_size=8)).map("".join),
)
FIELDS = (
    "job",
    "group",
    "task",
    "port",
    "service",
    "tag",
    "image",
    "env_name",
    "env_value",
    "arg",
    "work_dir",
    "template_data",
    "template_file",
    "artifact_path",
    "artifact_file",
    "label_key",
    "label_value",
    "annotation",
    "namespace",
    "tls_secret",
    "hostname",
)
PLAIN = dict.fromkeys(FIELDS, "a")

# The resources and the container attributes the template yields, whatever its strings.
RESOURCES = Counter(
    {
        "kubernetes_deployment": 1,
        "kubernetes_service": 1,
        "kubernetes_ingress_v1": 1,
        "kubernetes_config_map": 1,
    }
)
CONTAINER_ATTRIBUTES = {"name", "image", "args", "working_dir"}


def _jobspec(v: dict[str, str], quote=hcl_string) -> str:
    q = {key: quote(value) for key, value in v.items()}
    return f"""job {q["job"]} {{
  group {q["group"]} {{
    network {{
      port {q["port"]} {{
        to = 8080
      }}
    }}
    service {{
      name = {q["service"]}
      port = {q["port"]}
      tags = [{q["tag"]}, "traefik.enable=true", "traefik.http.routers.r.rule=Host(`a.example.org`)"]
    }}
    task {q["task"]} {{
      driver = "docker"
      config {{
        image = {quote("repo/" + v["image"] + ":1.0")}
        args = [{q["arg"]}, "--port", "8080"]
        work_dir = {quote("/" + v["work_dir"])}
        ports = [{q["port"]}]
      }}
      env = {{
        {q["env_name"]} = {q["env_value"]}
      }}
      template {{
        data = {q["template_data"]}
        destination = {quote("local/" + v["template_file"].replace("/", "_"))}
      }}
      artifact {{
        source = {quote("https://example.org/" + v["artifact_file"])}
        destination = {quote("local/" + v["artifact_path"])}
      }}
    }}
  }}
}}
"""


def _settings(v: dict[str, str]) -> dict:
    return {
        "namespace": v["namespace"],
        "labels": {v["label_key"]: v["label_value"]},
        "ingress_annotations": {"a": v["annotation"]},
        "tls_secret_name": v["tls_secret"],
    }


def _spec(v: dict[str, str]) -> ServiceSpec:
    return ServiceSpec(hostnames=[v["hostname"]])


def _blocks(block: Block, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Block]]:
    for child in block.blocks:
        child_path = (*path, child.kind)
        yield child_path, child
        yield from _blocks(child, child_path)


def _shape(files: dict[str, str]) -> dict[tuple[str, ...], set[str]]:
    """Every block path (`resource/spec/template/...`) → the attribute names seen there."""
    shape: dict[tuple[str, ...], set[str]] = {}
    for name, text in files.items():
        if name.endswith(".tf"):
            for path, block in _blocks(parse_hcl(text, name), (name,)):
                shape.setdefault(path, set()).update(block.attributes)
    return shape


def _resources(main_tf: Block) -> Counter:
    return Counter(b.labels[0] for b in main_tf.blocks if b.kind == "resource")


@cache
def _plain_shape() -> dict[tuple[str, ...], set[str]]:
    return _shape(_generate(PLAIN, Path(tempfile.mkdtemp())).files)


def _generate(v: dict[str, str], directory: Path) -> Generation:
    path = directory / "app.nomad.hcl"
    path.write_text(_jobspec(v), encoding="utf-8")
    return generate("app", path, Settings.model_validate(_settings(v)), _spec(v))


def _check_cli(v: dict[str, str], tmp: Path, jobspec_text: str) -> dict[str, str] | None:
    """The files the CLI writes for this input, None when it exits 2; never a traceback."""
    jobspec = tmp / "cli.nomad.hcl"
    jobspec.write_text(jobspec_text, encoding="utf-8")
    settings_file = tmp / "settings.yaml"
    settings_file.write_text(yaml.safe_dump(_settings(v), allow_unicode=True), encoding="utf-8")
    specs = tmp / "specs"
    specs.mkdir(exist_ok=True)
    (specs / "app.yaml").write_text(
        yaml.safe_dump({"jobspec": str(jobspec), "hostnames": [v["hostname"]]}),
        encoding="utf-8",
    )
    args = ["app", "--specs", str(specs), "--settings", str(settings_file)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp / "out"), "-q"])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("".join(traceback.format_exception(result.exception)) + result.output)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert not (tmp / "out").exists()
        return None
    files = {f.name: f.read_text(encoding="utf-8") for f in (tmp / "out" / "app").iterdir()}
    for name, text in files.items():
        if name.endswith(".tf"):
            try:
                parse_hcl(text, name)
            except InputError:
                # python-hcl2 cannot read every escape Terraform reads (`"%%{"`, `"$$${"`);
                # Terraform's own parser reads every written file at the end of the suite.
                assert "%%{" in text or "$$$" in text, text
            WRITTEN[f"{len(WRITTEN)}-{name}"] = text
    return files


# Every `.tf` file the properties saw written: Terraform reads them all at the end, in one
# `terraform fmt` run (one run per file would take minutes).
WRITTEN: dict[str, str] = {}


@st.composite
def hostile_values(draw) -> dict[str, str]:
    """Plain values with one to four fields hostile."""
    values = dict(PLAIN)
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True)):
        values[field] = draw(HOSTILE)
    return values


def _semantic(v: dict[str, str]) -> bool:
    """Text the jobspec's own languages read (Nomad's `${...}`, consul-template's `{{`):
    it changes what the module holds, so only exit codes and parsing are checked for it."""
    return any("${" in text or "%{" in text for text in v.values()) or "{{" in v["template_data"]


SUITE = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SUITE
@given(values=hostile_values())
def test_hostile_text_never_changes_what_the_module_declares(
    tmp_path_factory, values: dict[str, str]
) -> None:
    files = _check_cli(values, tmp_path_factory.mktemp("hostile"), _jobspec(values))
    if files is None:
        return
    main_tf = parse_hcl(files["main.tf"], "main.tf")
    resources = _resources(main_tf)
    if "{{" in values["template_data"] and resources["kubernetes_config_map"] == 0:
        # consul-template rejected the file: it is left out (and reported), no ConfigMap.
        resources["kubernetes_config_map"] = RESOURCES["kubernetes_config_map"]
    assert resources == RESOURCES
    [container] = [b for b in main_tf.walk() if b.kind == "container"]
    assert set(container.attributes) == CONTAINER_ATTRIBUTES
    assert container.get("working_dir") == "/" + values["work_dir"]
    assert container.get("args")[0] == values["arg"] or _semantic(values)
    if _semantic(values):
        return
    plain = _plain_shape()
    for path, attributes in _shape(files).items():
        assert path in plain, f"unexpected block {'/'.join(path)}"
        assert attributes <= plain[path], f"unexpected attributes in {'/'.join(path)}"


@SUITE
@given(values=hostile_values())
def test_unescaped_hostile_text_is_a_module_or_an_input_error(
    tmp_path_factory, values: dict[str, str]
) -> None:
    """The same strings written into the jobspec without escaping: often invalid HCL."""
    tmp = tmp_path_factory.mktemp("raw")
    _check_cli(values, tmp, _jobspec(values, quote=lambda text: f'"{text}"'))


IDENTIFIER = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


@SUITE
@given(name=IDENTIFIER, before=st.text("ab -$%", max_size=4), after=st.text("ab -$%", max_size=4))
def test_escaped_interpolation_in_an_env_value_stays_literal(
    tmp_path_factory, name: str, before: str, after: str
) -> None:
    assume(not before.endswith("$") and not before.endswith("%"))
    value = f"{before}${{zz_{name}}}{after}"
    values = dict(PLAIN, env_value=value)
    tmp = tmp_path_factory.mktemp("literal")
    main_tf = _generate(values, tmp).files["main.tf"]
    tree = parse_hcl(main_tf, "main.tf")
    [env] = [b for b in tree.walk() if b.kind == "env" and b.get("name") == "a"]
    # The reader keeps template text as written; evaluated, it is the literal value again.
    assert env.get("value") == escape_template_sequences(value)
    literal = f"x = {hcl_string(value)}\n"
    assert evaluate_jobspec(parse_hcl(literal, "t.tf"), {}, [], env={}).root.get("x") == value
    assert hcl_string(value) in main_tf and f"$${{zz_{name}}}" in main_tf


FETCH_COMMANDS = ("mkdir", "wget", "cp", "tar", "unzip", "git")


@cache
def _stub_bin() -> Path:
    """Stand-ins for the fetch commands that log their arguments, one NUL-separated line each."""
    directory = Path(tempfile.mkdtemp())
    for command in FETCH_COMMANDS:
        stub = directory / command
        stub.write_text('#!/bin/sh\nprintf \'%s\\0\' "${0##*/}" "$@" >> "$LOG"\necho >> "$LOG"\n')
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    return directory


def _run_script(script: str, directory: Path) -> list[list[str]]:
    log = directory / "log"
    log.write_text("")
    result = subprocess.run(
        ["/bin/sh", "-c", script],
        env={"PATH": str(_stub_bin()), "LOG": str(log)},
        capture_output=True,
        text=True,
        timeout=10,
        cwd=directory,
    )
    assert result.returncode == 0 and not result.stderr, (script, result.stderr)
    lines = log.read_text().split("\0\n")
    return [line.split("\0") for line in lines if line]


@SUITE
@given(source=HOSTILE, destination=HOSTILE)
def test_artifact_scripts_quote_every_jobspec_piece(
    tmp_path_factory, source: str, destination: str
) -> None:
    """Each init container's `sh -c` script, run with logging stand-ins for the fetch
    commands: only those run, wget gets exactly its three arguments."""
    values = dict(PLAIN, artifact_file=source, artifact_path=destination)
    assume(not _semantic(values))
    tmp = tmp_path_factory.mktemp("artifact")
    try:
        generation = _generate(values, tmp)
    except InputError:
        return
    tree = parse_hcl(generation.files["main.tf"], "main.tf")
    for init in (b for b in tree.walk() if b.kind == "init_container"):
        shell, flag, script = init.get("command")
        assert (shell, flag) == ("sh", "-c")
        assume("\x00" not in script)
        calls = _run_script(script, tmp)
        assert {call[0] for call in calls} <= set(FETCH_COMMANDS), script
        [wget] = [call for call in calls if call[0] == "wget"]
        assert wget[1:3] == ["-qO", "/tmp/artifact"] and len(wget) == 4, script


def test_terraform_reads_every_written_file_as_it_is() -> None:
    """Runs after the properties above (pytest keeps a file's order): Terraform's own parser
    accepts every file they wrote, and `terraform fmt` leaves it byte for byte."""
    if not WRITTEN:
        pytest.skip("run together with the properties above")
    formatted = terraform_fmt_files(WRITTEN)
    for name, text in WRITTEN.items():
        assert formatted[name] == text, name


@pytest.mark.parametrize(
    ("source", "destination"),
    [
        ("https://example.org/$(touch pwned)", "local/x"),
        ("https://example.org/`touch pwned`", "local/x"),
        ("https://example.org/a';touch pwned;'", "local/x"),
        ("https://example.org/a b&&touch pwned", "local/$(touch pwned)"),
        ("https://example.org/a.tar.gz", "local/'; touch pwned; '"),
        ("git::https://github.com/o/r?ref=$(touch pwned)", "local/x;touch pwned"),
        ("github.com/o/r//sub dir/$(touch pwned)", 'local/"$HOME"'),
    ],
)
def test_artifact_shell_injection_runs_nothing_else(
    tmp_path: Path, source: str, destination: str
) -> None:
    jobspec = tmp_path / "app.nomad.hcl"
    jobspec.write_text(
        'job "app" {\n  group "app" {\n    task "web" {\n      driver = "docker"\n'
        '      config {\n        image = "x:1"\n      }\n'
        f"      artifact {{\n        source = {hcl_string(source)}\n"
        f"        destination = {hcl_string(destination)}\n      }}\n    }}\n  }}\n}}\n"
    )
    generation = generate("app", jobspec, Settings(), ServiceSpec())
    tree = parse_hcl(generation.files["main.tf"], "main.tf")
    [init] = [b for b in tree.walk() if b.kind == "init_container"]
    calls = _run_script(init.get("command")[2], tmp_path)
    assert {call[0] for call in calls} <= set(FETCH_COMMANDS)
    assert not (tmp_path / "pwned").exists()
    mkdirs = [call for call in calls if call[0] == "mkdir"]
    assert all(call[1] == "-p" and len(call) == 3 for call in mkdirs)
