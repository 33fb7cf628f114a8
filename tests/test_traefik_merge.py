"""`traefik-merge`: modules' routers merged into a live Traefik file, and nothing else touched."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from generator.traefik_merge import (
    MergeError,
    detect_indentation,
    load_schema,
    main,
    merge,
    read_module,
    schema_errors,
)
from tests.shared_access import REPO

CONF = REPO / "tests" / "data" / "traefik_merge" / "dynamic_conf.yml"
MODULES = REPO / "modules-k8s"


def _snippet(tmp_path: Path, name: str, body: str) -> Path:
    module = tmp_path / "modules" / name
    module.mkdir(parents=True)
    (module / "traefik-routers.yml").write_text(body, encoding="utf-8")
    return module


ROUTER = """http:
  routers:
    k8s-{name}:
      rule: "Host(`{name}.example.org`)"
      service: "to-k8s-traefik"
      middlewares:
        - "k8s-{name}-strip"
      entryPoints:
        - "websecure"
  middlewares:
    k8s-{name}-strip:
      headers:
        frameDeny: true
"""


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    target = tmp_path / "dynamic_conf.yml"
    target.write_text(CONF.read_text(encoding="utf-8"), encoding="utf-8")
    target.chmod(0o640)
    return target


@pytest.fixture
def modules(tmp_path: Path) -> list[Path]:
    return [_snippet(tmp_path, name, ROUTER.format(name=name)) for name in ("alpha", "beta")]


def _run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_merge_only_inserts_lines_and_keeps_every_other_byte(
    conf: Path, modules: list[Path]
) -> None:
    original = conf.read_text(encoding="utf-8")
    code, output = _run(conf, *modules)
    assert code == 0, output
    merged = conf.read_text(encoding="utf-8")
    matcher = difflib.SequenceMatcher(
        a=original.splitlines(True), b=merged.splitlines(True), autojunk=False
    )
    kinds = {tag for tag, *_ in matcher.get_opcodes()}
    assert kinds == {"equal", "insert"}, "an existing line changed"
    added = [line for line in merged.splitlines() if line not in original.splitlines()]
    assert "    k8s-alpha:  # nomad-k8s-gen: alpha" in added
    assert "    k8s-beta-strip:  # nomad-k8s-gen: beta" in added


def test_merged_file_has_the_routers_and_is_schema_valid(conf: Path, modules: list[Path]) -> None:
    _run(conf, *modules)
    document = YAML(typ="safe").load(conf.read_text(encoding="utf-8"))
    routers = document["http"]["routers"]
    assert list(routers) == ["dashboard", "grafana", "k8s-alpha", "k8s-beta"]
    assert routers["k8s-alpha"]["middlewares"] == ["k8s-alpha-strip"]
    assert routers["dashboard"]["middlewares"] == ["oauth-auth@docker"]  # the anchor still works
    assert set(document["http"]["middlewares"]) == {
        "security-headers",
        "k8s-alpha-strip",
        "k8s-beta-strip",
    }
    assert schema_errors(conf.read_text(encoding="utf-8"), load_schema(None)) == set()


def test_second_run_is_a_no_op(conf: Path, modules: list[Path]) -> None:
    _run(conf, *modules)
    once = conf.read_text(encoding="utf-8")
    code, output = _run(conf, *modules)
    assert code == 0
    assert "up to date" in output
    assert conf.read_text(encoding="utf-8") == once
    assert _run("--check", conf, *modules)[0] == 0


def test_check_and_diff_write_nothing(conf: Path, modules: list[Path]) -> None:
    original = conf.read_text(encoding="utf-8")
    code, _ = _run("--check", conf, *modules)
    assert code == 1
    code, output = _run("--diff", conf, *modules)
    assert code == 0
    assert "+    k8s-alpha:  # nomad-k8s-gen: alpha" in output
    assert conf.read_text(encoding="utf-8") == original


def test_remove_restores_the_file_byte_for_byte(conf: Path, modules: list[Path]) -> None:
    original = conf.read_text(encoding="utf-8")
    _run(conf, *modules)
    code, output = _run("--remove", conf, *modules)
    assert code == 0, output
    assert conf.read_text(encoding="utf-8") == original


def test_a_module_update_replaces_its_router_in_place(
    conf: Path, modules: list[Path], tmp_path: Path
) -> None:
    _run(conf, *modules)
    snippet = modules[0] / "traefik-routers.yml"
    snippet.write_text(
        snippet.read_text().replace("alpha.example.org", "a.example.org"), encoding="utf-8"
    )
    code, output = _run(conf, modules[0])
    assert code == 0
    assert "updated router k8s-alpha" in output
    text = conf.read_text(encoding="utf-8")
    assert "Host(`a.example.org`)" in text
    assert text.index("k8s-alpha:") < text.index("k8s-beta:")


def test_a_router_dropped_from_the_module_is_removed(conf: Path, modules: list[Path]) -> None:
    _run(conf, *modules)
    (modules[1] / "traefik-routers.yml").unlink()
    code, output = _run(conf, modules[1])
    assert code == 0
    assert "removed router k8s-beta" in output
    assert "k8s-beta" not in conf.read_text(encoding="utf-8")


def test_a_router_not_made_by_us_is_a_refusal(conf: Path, tmp_path: Path) -> None:
    conf.write_text(
        conf.read_text(encoding="utf-8").replace(
            "    grafana:\n      rule", "    k8s-alpha:\n      rule"
        ),
        encoding="utf-8",
    )
    before = conf.read_text(encoding="utf-8")
    module = _snippet(tmp_path, "alpha", ROUTER.format(name="alpha"))
    code, output = _run(conf, module)
    assert code == 2
    assert output.strip().count("\n") == 0
    assert (
        "clash: router 'k8s-alpha' already exists and it was not written by nomad-k8s-gen" in output
    )
    assert conf.read_text(encoding="utf-8") == before


def test_a_router_of_another_module_is_a_refusal(conf: Path, tmp_path: Path) -> None:
    first = _snippet(tmp_path, "alpha", ROUTER.format(name="alpha"))
    assert _run(conf, first)[0] == 0
    other = tmp_path / "elsewhere"
    other.mkdir()
    second = _snippet(other, "gamma", ROUTER.format(name="alpha"))
    code, output = _run(conf, second)
    assert code == 2
    assert "it belongs to module 'alpha'" in output


def test_entries_without_the_prefix_are_not_ours_to_write(conf: Path, tmp_path: Path) -> None:
    module = _snippet(
        tmp_path, "alpha", ROUTER.format(name="alpha").replace("k8s-alpha:", "alpha:")
    )
    code, output = _run(conf, module)
    assert code == 2
    assert "does not start with the router prefix 'k8s-'" in output


def test_broken_yaml_and_duplicate_keys_are_one_line_refusals(
    conf: Path, modules: list[Path]
) -> None:
    conf.write_text("http:\n  routers:\n    a: {}\n    a: {}\n", encoding="utf-8")
    code, output = _run(conf, *modules)
    assert code == 2
    assert output.startswith(f"{conf}:4: invalid-yaml:")
    conf.write_text("http: [\n", encoding="utf-8")
    code, output = _run(conf, *modules)
    assert code == 2
    assert "invalid-yaml" in output and output.count("\n") == 1


def test_a_merge_that_would_break_the_schema_is_refused(conf: Path, tmp_path: Path) -> None:
    module = _snippet(
        tmp_path, "alpha", ROUTER.format(name="alpha").replace("frameDeny: true", "framedeny: yes")
    )
    before = conf.read_text(encoding="utf-8")
    code, output = _run(conf, module)
    assert code == 2
    assert "schema: the merged file breaks the schema at http/middlewares/k8s-alpha-strip" in output
    assert conf.read_text(encoding="utf-8") == before


def test_the_file_keeps_its_mode(conf: Path, modules: list[Path]) -> None:
    _run(conf, *modules)
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o640
    assert [p.name for p in conf.parent.iterdir() if p.name.startswith(".")] == []


def test_an_empty_file_gets_the_sections(tmp_path: Path, modules: list[Path]) -> None:
    target = tmp_path / "empty.yml"
    target.write_text("", encoding="utf-8")
    assert _run(target, *modules)[0] == 0
    document = YAML(typ="safe").load(target.read_text(encoding="utf-8"))
    assert set(document["http"]["routers"]) == {"k8s-alpha", "k8s-beta"}


def test_the_example_modules_merge_cleanly(conf: Path) -> None:
    with_routers = sorted(p for p in MODULES.iterdir() if (p / "traefik-routers.yml").exists())
    assert with_routers
    code, output = _run(conf, *with_routers)
    assert code == 0, output
    assert schema_errors(conf.read_text(encoding="utf-8"), load_schema(None)) == set()
    assert _run("--check", conf, *with_routers)[0] == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a:\n  b:\n    - x\n", (2, 2)),
        ("a:\n    b:\n    - x\n", (4, 0)),
        ("a:\n   b: 1\n", (3, 2)),
        ("", (2, 2)),
    ],
)
def test_indentation_is_read_from_the_file(text: str, expected: tuple[int, int]) -> None:
    assert detect_indentation(text) == expected


def test_merge_is_a_function_of_text(tmp_path: Path) -> None:
    module = read_module(_snippet(tmp_path, "alpha", ROUTER.format(name="alpha")), YAML(), "k8s-")
    result = merge("http:\n    routers: {}\n", [module])
    assert result.changed == ["added router k8s-alpha", "added middleware k8s-alpha-strip"]
    with pytest.raises(MergeError):
        merge("- a list\n", [module])


VARIANTS = {
    "empty": "",
    "no middlewares": "http:\n  routers:\n    a:\n      rule: Host(`a`)\n      service: s\n",
    "no http": "# only TCP here\ntcp:\n  routers:\n    t:\n      rule: HostSNI(`*`)\n      service: s\n",
    "four spaces": (
        "http:\n    routers:\n        a:  # first\n            rule: Host(`a`)\n"
        "            service: s\n            entryPoints:\n            - web\n\n"
        "    middlewares:\n        m:\n            headers:\n                frameDeny: true\n"
    ),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_merge_then_remove_round_trips(variant: str, tmp_path: Path, modules: list[Path]) -> None:
    target = tmp_path / "conf.yml"
    target.write_text(VARIANTS[variant], encoding="utf-8")
    assert _run(target, *modules)[0] == 0
    merged = YAML(typ="safe").load(target.read_text(encoding="utf-8"))
    assert {"k8s-alpha", "k8s-beta"} <= set(merged["http"]["routers"])
    assert _run("--check", target, *modules)[0] == 0
    assert _run("--remove", target, *modules)[0] == 0
    assert target.read_text(encoding="utf-8") == VARIANTS[variant]
