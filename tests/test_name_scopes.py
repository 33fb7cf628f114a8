"""Names Kubernetes would refuse as duplicates are input errors naming both sources (issue 11,
item 8); ConfigMap keys keep to Kubernetes' key rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from generator.translate.names import CONFIG_MAP_KEY_MAX, config_map_key


def _task(name: str, extra: str = "") -> str:
    return (
        f'    task "{name}" {{\n      driver = "docker"\n'
        f'      config {{\n        image = "x:1"\n      }}\n{extra}    }}\n'
    )


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "app.nomad.hcl"
    path.write_text(f'job "app" {{\n  group "app" {{\n{body}  }}\n}}\n')
    return path


@pytest.mark.parametrize(("first", "second"), [("web_a", "web-a"), ("App", "app")])
def test_tasks_that_become_one_container_name_are_an_input_error(
    tmp_path: Path, first: str, second: str
) -> None:
    path = _write(tmp_path, _task(first) + _task(second))
    with pytest.raises(InputError) as raised:
        generate("app", path, Settings(), ServiceSpec())
    error = raised.value
    assert error.code == "invalid-name"
    assert error.line == 9  # the second task
    assert f"task {second!r} and task {first!r} (line 3)" in error.message
    assert "container name" in error.message


def test_a_task_named_like_an_artifact_init_container_is_an_input_error(tmp_path: Path) -> None:
    artifact = '      artifact {\n        source = "https://example.org/a.txt"\n      }\n'
    path = _write(tmp_path, _task("web", artifact) + _task("artifact-1-web"))
    with pytest.raises(InputError, match="'artifact-1-web'"):
        generate("app", path, Settings(), ServiceSpec())


def test_ports_that_become_one_port_name_are_an_input_error(tmp_path: Path) -> None:
    network = (
        '    network {\n      port "HTTP" {\n        to = 80\n      }\n'
        '      port "http" {\n        to = 81\n      }\n    }\n'
    )
    path = _write(tmp_path, network + _task("web"))
    with pytest.raises(InputError) as raised:
        generate("app", path, Settings(), ServiceSpec())
    error = raised.value
    assert (error.code, error.line) == ("invalid-name", 7)
    assert "port 'http' and port 'HTTP' (line 4) both become the port name 'http'" in (
        error.message
    )


def test_distinct_names_still_pass(tmp_path: Path) -> None:
    path = _write(tmp_path, _task("web") + _task("worker"))
    assert "main.tf" in generate("app", path, Settings(), ServiceSpec()).files


_CONFIG_MAP_KEY = re.compile(r"[-._a-zA-Z0-9]+")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("app.conf", "app.conf"),
        (".env", ".env"),
        ("..data", ".data"),
        ("..", "file"),
        (".", "file"),
        ("a b/c", "a-b-c"),
        ("☃", "file"),
    ],
)
def test_config_map_key(name: str, expected: str) -> None:
    assert config_map_key(name, set()) == expected


def test_config_map_keys_are_at_most_253_characters_and_distinct() -> None:
    taken: set[str] = set()
    keys = [config_map_key("f" * 254, taken) for _ in range(3)]
    assert len(set(keys)) == 3
    for key in keys:
        assert len(key) <= CONFIG_MAP_KEY_MAX and _CONFIG_MAP_KEY.fullmatch(key)


def test_a_254_character_template_file_name_gives_a_valid_config_map_key(tmp_path: Path) -> None:
    template = (
        '      template {\n        data = "x"\n'
        f'        destination = "local/{"n" * 254}"\n      }}\n'
    )
    path = _write(tmp_path, _task("web", template))
    main_tf = generate("app", path, Settings(), ServiceSpec()).files["main.tf"]
    keys = re.findall(r'key\s*=\s*"(n+)"', main_tf)
    assert keys and all(len(key) == CONFIG_MAP_KEY_MAX for key in keys)


@pytest.mark.parametrize("name", ["A=B", "a\nb", "naïve", "tab\there"])
def test_env_names_kubernetes_refuses_are_an_input_error(tmp_path: Path, name: str) -> None:
    env = f'      env = {{\n        {json.dumps(name)} = "x"\n      }}\n'
    path = _write(tmp_path, _task("web", env))
    with pytest.raises(InputError) as raised:
        generate("app", path, Settings(), ServiceSpec())
    assert (raised.value.code, raised.value.line) == ("invalid-name", 8)
    assert "printable ASCII" in raised.value.message


@pytest.mark.parametrize("name", ["DB_HOST", "my.env-name", "Logging:LogLevel", "a b"])
def test_env_names_kubernetes_takes_pass(tmp_path: Path, name: str) -> None:
    env = f'      env = {{\n        {json.dumps(name)} = "x"\n      }}\n'
    path = _write(tmp_path, _task("web", env))
    assert name in generate("app", path, Settings(), ServiceSpec()).files["main.tf"]
