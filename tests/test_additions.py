"""Hand-written additions (`specs/<service>/*.tf`) and house-wide per-workload additions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from generator import regen_cache
from generator.cli import main as gen_module
from generator.regen import main as regen_main
from generator.settings import MAX_YAML_BYTES
from generator.writer import recorded_hashes
from tests.shared_access import REPO
from tools.validation.module_files import load_module

JOBSPEC = """
job "app" {
  group "web" {
    network {
      port "http" {
        to = 8080
      }
    }
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1.27"
        ports = ["http"]
      }
    }
  }
  group "worker" {
    task "worker" {
      driver = "docker"
      config {
        image = "busybox:1.36"
      }
    }
  }
}
"""
POLICY = """resource "kubernetes_network_policy_v1" "app" {
  metadata {
    name      = local.app_name
    namespace = var.namespace
  }
  spec {
    pod_selector {}
    policy_types = ["Ingress"]
  }
}
"""
CONFIG_MAP = """resource "kubernetes_config_map_v1" "{{ tf_name | ident }}_facts" {
  metadata {
    name      = "{{ tf_name }}-facts"
    namespace = var.namespace
  }
  data = {
    address     = {{ address | hcl }}
    kind        = {{ kind | hcl }}
    api_version = {{ api_version | hcl }}
    service     = {{ service | hcl }}
    name        = {{ name | hcl }}
  }
}
"""


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """specs/ with settings (no house additions yet) and a service `app` of two workloads."""
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "settings.yaml").write_text("namespace: apps\n")
    (specs / "app.yaml").write_text("jobspec: app.nomad.hcl\n")
    (specs / "app.nomad.hcl").write_text(JOBSPEC)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def gen(*args: str) -> Result:
    settings = ("--settings", "specs/settings.yaml")
    return CliRunner().invoke(gen_module, ["app", "-q", *settings, *args], catch_exceptions=False)


def module(tree: Path) -> Path:
    return tree / "modules-k8s" / "app"


def house(tree: Path, template: str, name: str = "facts") -> None:
    (tree / "specs" / "house").mkdir(exist_ok=True)
    (tree / "specs" / "house" / f"{name}.tf.j2").write_text(template)
    (tree / "specs" / "settings.yaml").write_text(
        f"namespace: apps\nworkload_additions:\n  - name: {name}\n"
        f"    template: house/{name}.tf.j2\n"
    )


# ---- hand-written


def test_a_hand_written_file_is_copied_with_a_header_and_recorded(tree: Path) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "policy.tf").write_text(POLICY)
    (tree / "specs" / "app" / "notes.md").write_text("not a .tf file: not copied\n")
    result = gen()
    assert result.exit_code == 0, result.output
    text = (module(tree) / "policy.tf").read_text()
    assert text == (
        "# Copied by nomad-k8s-gen from specs/app/policy.tf; change that file, not this one.\n"
        + POLICY
    )
    assert "policy.tf" in recorded_hashes(module(tree))
    assert not (module(tree) / "notes.md").exists()
    assert gen("--check").exit_code == 0


def test_a_copied_file_is_validated_with_the_module(tree: Path) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "policy.tf").write_text(POLICY)
    assert gen().exit_code == 0
    loaded = load_module(module(tree))
    assert "policy.tf" in loaded.trees
    assert "kubernetes_network_policy_v1.app" in {r.address for r in loaded.resources()}


def test_a_hand_edit_of_a_copied_file_is_refused_like_any_other(tree: Path) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "policy.tf").write_text(POLICY)
    assert gen().exit_code == 0
    (module(tree) / "policy.tf").write_text("# edited in the module\n")
    (tree / "specs" / "app" / "policy.tf").write_text(POLICY + "\n")
    result = gen()
    assert result.exit_code == 2
    assert "policy.tf edited by hand" in result.stderr


@pytest.mark.parametrize("name", ["main.tf", "versions.tf"])
def test_an_addition_named_like_a_generated_file_is_exit_2(tree: Path, name: str) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / name).write_text(POLICY)
    result = gen()
    assert result.exit_code == 2
    assert result.stderr == (
        f"specs/app/{name}: addition-collision: the generator writes {name} itself\n"
    )
    assert not module(tree).exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"# caf\xe9\n", "unreadable: not UTF-8 text"),
        (b"#" * (MAX_YAML_BYTES + 1), f"unreadable: larger than {MAX_YAML_BYTES} bytes"),
    ],
)
def test_an_unreadable_addition_is_exit_2(tree: Path, content: bytes, reason: str) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "extra.tf").write_bytes(content)
    result = gen()
    assert result.exit_code == 2
    assert reason in result.stderr.splitlines()[0]
    assert result.stderr.startswith("specs/app/extra.tf")
    assert not module(tree).exists()


def test_an_addition_with_an_odd_file_name_is_exit_2(tree: Path) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "a\nb.tf").write_text(POLICY)
    result = gen()
    assert result.exit_code == 2
    assert "invalid-addition" in result.stderr


def test_an_addition_that_uses_kubectl_declares_the_provider(tree: Path) -> None:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "extra.tf").write_text(
        'resource "kubectl_manifest" "x" {\n  yaml_body = "{}"\n}\n'
    )
    assert gen().exit_code == 0
    assert 'source  = "alekc/kubectl"' in (module(tree) / "versions.tf").read_text()


# ---- house-wide


def test_a_house_template_renders_one_file_per_workload(tree: Path) -> None:
    house(tree, CONFIG_MAP)
    result = gen()
    assert result.exit_code == 0, result.output
    web = (module(tree) / "facts-web.tf").read_text()
    assert (module(tree) / "facts-worker.tf").is_file()
    assert web.splitlines()[0] == (
        '# Generated by nomad-k8s-gen from the settings\' workload addition "facts"'
        " (specs/house/facts.tf.j2) for kubernetes_deployment.web; change the template,"
        " not this file."
    )
    assert 'resource "kubernetes_config_map_v1" "web_facts" {' in web
    # Escaped values, aligned by the `terraform fmt` pass.
    assert '    address     = "kubernetes_deployment.web"\n' in web
    assert '    kind        = "Deployment"\n' in web
    assert '    api_version = "apps/v1"\n' in web
    assert '    service     = "app"\n' in web
    assert "    name        = kubernetes_deployment.web.metadata[0].name\n" in web
    assert 'source  = "alekc/kubectl"' not in (module(tree) / "versions.tf").read_text()


def test_an_empty_rendering_writes_no_file(tree: Path) -> None:
    house(tree, "{% if tf_name == 'web' %}" + CONFIG_MAP + "{% endif %}")
    assert gen().exit_code == 0
    assert (module(tree) / "facts-web.tf").is_file()
    assert not (module(tree) / "facts-worker.tf").exists()


def test_the_house_template_relative_to_the_settings_file_from_anywhere(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    house(tree, CONFIG_MAP)
    monkeypatch.chdir(tree / "specs")
    args = ["app", "-q", "--specs", ".", "--settings", "settings.yaml", "--out", "../elsewhere"]
    result = CliRunner().invoke(gen_module, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (tree / "elsewhere" / "app" / "facts-web.tf").is_file()


def test_a_house_template_value_goes_through_the_filters(tree: Path) -> None:
    """`tf_name | hcl` is an escaped string; a bare `{{ }}` in a label is refused by `ident`."""
    house(tree, 'locals {\n  x = {{ "a\\"b${c}" | hcl }}\n}\n')
    assert gen().exit_code == 0
    assert 'x = "a\\"b$${c}"' in (module(tree) / "facts-web.tf").read_text()


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{% if %}\n", "specs/house/facts.tf.j2:1: invalid-template: "),
        ("locals {\n  x = {{ nope | hcl }}\n}\n", "specs/house/facts.tf.j2: invalid-template: "),
        ("{{ service | ident | ident }}{{ '-x' | ident }}", "invalid-template: "),
    ],
)
def test_a_broken_house_template_is_exit_2(tree: Path, template: str, expected: str) -> None:
    house(tree, template)
    result = gen()
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not module(tree).exists()


def test_a_missing_house_template_is_exit_2(tree: Path) -> None:
    house(tree, CONFIG_MAP)
    (tree / "specs" / "house" / "facts.tf.j2").unlink()
    result = gen()
    assert result.exit_code == 2
    assert result.stderr == "specs/house/facts.tf.j2: unreadable: file not found\n"


def test_a_hand_written_file_named_like_a_house_file_is_exit_2(tree: Path) -> None:
    house(tree, CONFIG_MAP)
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "facts-web.tf").write_text(POLICY)
    result = gen()
    assert result.exit_code == 2
    assert "addition-collision: the settings' workload additions write facts-web.tf" in (
        result.stderr
    )


def test_two_additions_of_one_name_are_refused_by_the_settings(tree: Path) -> None:
    (tree / "specs" / "settings.yaml").write_text(
        "workload_additions:\n  - {name: a, template: x.j2}\n  - {name: a, template: y.j2}\n"
    )
    result = gen()
    assert result.exit_code == 2
    assert "two additions are named a" in result.stderr


def test_the_example_settings_put_a_vpa_beside_every_workload() -> None:
    for folder in sorted(p for p in (REPO / "modules-k8s").iterdir() if p.is_dir()):
        main = (folder / "main.tf").read_text()
        workloads = [
            line.split('"')[3]
            for line in main.splitlines()
            if line.startswith('resource "kubernetes_')
            and line.split('"')[1].startswith(
                (
                    "kubernetes_deployment",
                    "kubernetes_stateful",
                    "kubernetes_daemon",
                    "kubernetes_cron",
                    "kubernetes_job",
                )
            )
        ]
        assert workloads, folder
        for name in workloads:
            vpa = (folder / f"vpa-{name}.tf").read_text()
            assert 'kind       = "VerticalPodAutoscaler"' in vpa
            assert 'updateMode = "Off"' in vpa


# ---- the regen cache


@pytest.fixture
def settled(tree: Path) -> Path:
    (tree / "specs" / "app").mkdir()
    (tree / "specs" / "app" / "policy.tf").write_text(POLICY)
    outside = tree / "house"
    outside.mkdir()
    (outside / "facts.tf.j2").write_text(CONFIG_MAP)
    (tree / "specs" / "settings.yaml").write_text(
        "workload_additions:\n  - {name: facts, template: ../house/facts.tf.j2}\n"
    )
    assert regenerated(tree)
    assert not regenerated(tree)
    return tree


def regenerated(tree: Path) -> bool:
    result = CliRunner().invoke(regen_main, [], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return "nothing changed" not in result.output


def test_a_changed_hand_written_addition_regenerates(settled: Path) -> None:
    (settled / "specs" / "app" / "policy.tf").write_text(POLICY + "\n# more\n")
    assert regenerated(settled)
    assert "# more" in (module(settled) / "policy.tf").read_text()


def test_a_new_hand_written_addition_regenerates(settled: Path) -> None:
    (settled / "specs" / "app" / "more.tf").write_text("locals {\n  more = 1\n}\n")
    assert regenerated(settled)
    assert (module(settled) / "more.tf").is_file()


def test_a_changed_house_template_outside_specs_regenerates(settled: Path) -> None:
    assert not (settled / "house").is_relative_to(settled / "specs")
    (settled / "house" / "facts.tf.j2").write_text(CONFIG_MAP.replace("-facts", "-facts2"))
    assert regenerated(settled)
    assert "-facts2" in (module(settled) / "facts-web.tf").read_text()
    assert (module(settled).parent / regen_cache.CACHE_FILE).is_file()
    assert not regenerated(settled)


def test_copying_the_example_specs_keeps_the_house_template(tmp_path: Path) -> None:
    shutil.copytree(REPO / "specs", tmp_path / "specs")
    assert (tmp_path / "specs" / "house" / "vpa.tf.j2").is_file()
