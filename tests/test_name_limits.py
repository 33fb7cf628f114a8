"""Names Kubernetes would refuse are input errors before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.hcl.unknowns import TfExpr, marker
from generator.pipeline import generate
from generator.plan_values import ResourceName
from generator.render.hcl_values import hcl_value
from generator.service_spec import PatternChoice, ServiceSpec
from generator.settings import Settings
from generator.translate.name_limits import resolved_name

TASK = """
    task "t" {
      driver = "docker"
      config { image = "x:1" }
    }
"""


def jobspec(tmp_path: Path, groups: dict[str, str], extra: str = "") -> Path:
    body = "".join(f'  group "{name}" {{\n{inner}{TASK}  }}\n' for name, inner in groups.items())
    path = tmp_path / "j.nomad.hcl"
    path.write_text(f'job "j" {{\n{extra}{body}}}\n')
    return path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (ResourceName(), "web"),
        (ResourceName("-db-headless"), "web-db-headless"),
        (ResourceName("-db").with_suffix("-2"), "web-db-2"),
        (ResourceName("-" + marker(TfExpr("var.x", ("x",)))), None),
    ],
)
def test_resolved_name(name: ResourceName, expected: str | None) -> None:
    assert resolved_name(name, "web") == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (ResourceName(), "local.app_name"),
        (ResourceName("-db-headless"), '"${local.app_name}-db-headless"'),
        (ResourceName('-a"${b}'), '"${local.app_name}-a\\"$${b}"'),
    ],
)
def test_a_resource_name_is_written_by_the_renderer(name: ResourceName, expected: str) -> None:
    assert hcl_value(name) == expected


def test_a_stateful_set_name_over_52_characters_is_an_input_error(tmp_path: Path) -> None:
    path = jobspec(tmp_path, {"g": ""})
    service = "s" * 53
    with pytest.raises(InputError) as raised:
        generate(service, path, Settings(), ServiceSpec(stateful_set=True), PatternChoice.C)
    error = raised.value
    assert (error.code, error.line) == ("invalid-name", 1)
    assert "kubernetes_stateful_set name" in error.message and "over 52" in error.message


def test_the_same_name_fits_a_deployment(tmp_path: Path) -> None:
    path = jobspec(tmp_path, {"g": ""})
    generation = generate("s" * 53, path, Settings(), ServiceSpec(), PatternChoice.A)
    assert "main.tf" in generation.files


def test_a_cron_job_name_over_52_characters_is_an_input_error(tmp_path: Path) -> None:
    path = jobspec(tmp_path, {"g": ""}, '  type = "batch"\n  periodic { cron = "@daily" }\n')
    with pytest.raises(InputError, match=r"kubernetes_cron_job_v1 name .* over 52"):
        generate("c" * 53, path, Settings(), ServiceSpec())


def test_group_suffixes_count_toward_the_limit(tmp_path: Path) -> None:
    network = '    network {\n      port "http" { to = 80 }\n    }\n    service { port = "http" }\n'
    path = jobspec(tmp_path, {"web": network, "g" * 45: network})
    with pytest.raises(InputError, match=r"kubernetes_service name .* over 63"):
        generate("app-with-a-long-name", path, Settings(), ServiceSpec())


def test_component_labels_of_multi_group_jobs_are_valid_label_values(tmp_path: Path) -> None:
    path = jobspec(tmp_path, {"Web Front": "", "j": ""})
    main = generate("app", path, Settings(), ServiceSpec()).files["main.tf"]
    assert 'component = "web-front"' in main
    assert 'component = "j"' in main
    assert "Web Front" not in main


def test_a_group_named_like_another_groups_headless_service_is_an_input_error(
    tmp_path: Path,
) -> None:
    volume = '    volume "d" {\n      type = "host"\n      source = "d"\n    }\n'
    path = jobspec(tmp_path, {"db": volume, "db-headless": "", "j": ""})
    text = path.read_text().replace(
        '      config { image = "x:1" }\n',
        '      config { image = "x:1" }\n      volume_mount {\n        volume = "d"\n'
        '        destination = "/d"\n      }\n',
        1,
    )
    path.write_text(text)
    network = '    network {\n      port "http" { to = 80 }\n    }\n    service { port = "http" }\n'
    path.write_text(
        text.replace('  group "db-headless" {\n', '  group "db-headless" {\n' + network)
    )
    with pytest.raises(InputError, match=r"two kubernetes_service resources .*'app-db-headless'"):
        generate("app", path, Settings(), ServiceSpec(stateful_set=True), PatternChoice.C)


def test_config_maps_whose_composed_names_meet_are_numbered(tmp_path: Path) -> None:
    template = (
        '      template {\n        destination = "local/a.conf"\n'
        '        data = "x = 1\\n"\n      }\n'
    )
    text = (
        'job "j" {\n'
        '  group "web" {\n    task "a-b" {\n      driver = "docker"\n'
        f'      config {{\n        image = "x:1"\n      }}\n{template}    }}\n  }}\n'
        '  group "web-a" {\n    task "b" {\n      driver = "docker"\n'
        f'      config {{\n        image = "x:1"\n      }}\n{template}    }}\n  }}\n'
        "}\n"
    )
    path = tmp_path / "j.nomad.hcl"
    path.write_text(text)
    main = generate("app", path, Settings(), ServiceSpec()).files["main.tf"]
    assert 'name      = "${local.app_name}-web-a-b-config"' in main
    assert 'name      = "${local.app_name}-web-a-b-config-2"' in main
