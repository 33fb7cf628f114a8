"""House settings: documented defaults, strict keys, YAML errors with lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import InputError
from generator.settings import (
    ExternalTraefik,
    SecretStore,
    ServiceMapping,
    Settings,
    load_settings,
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_settings(path)
    assert info.value.file == str(path)
    return info.value


def test_documented_defaults() -> None:
    settings = Settings()
    assert settings.namespace == "default"
    assert settings.labels == {"managed-by": "terraform", "environment": "prod"}
    assert settings.tls_secret_name is None
    assert settings.ingress_class == "traefik"
    assert settings.ingress_annotations == {
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
    }
    assert settings.storage_root == "/storage/v"
    assert settings.hostpath_type == "Directory"
    assert settings.secret_store == SecretStore(name="vault-backend", kind="ClusterSecretStore")
    assert settings.refresh_interval == "1h"
    assert settings.external_traefik == ExternalTraefik(
        service="to-k8s-traefik", entrypoints=["websecure"], router_prefix="k8s-"
    )
    assert settings.arch_affinity == ["amd64", "arm64"]
    assert settings.cpu_limit is False
    assert settings.host_volumes == {}
    assert settings.services == {}
    assert settings.secret_paths == []
    assert settings.accept == []
    assert settings.gpu.node_selector == {}
    assert settings.gpu.tolerations == []
    assert settings.gpu.runtime_class_name is None


def test_defaults_are_not_shared_between_instances() -> None:
    first, second = Settings(), Settings()
    assert first.labels is not second.labels
    assert first.external_traefik.entrypoints is not second.external_traefik.entrypoints


def test_empty_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "")) == Settings()


def test_no_path_and_no_default_file_gives_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_settings(None) == Settings()


def test_no_path_reads_default_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "settings.yaml").write_text("namespace: apps\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_settings(None).namespace == "apps"


def test_values_are_read(tmp_path: Path) -> None:
    settings = load_settings(
        write(
            tmp_path,
            "namespace: apps\n"
            "storage_root: /mnt/volumes/\n"
            "host_volumes:\n"
            "  media: /srv/media\n"
            "services:\n"
            "  cache:\n"
            "    name: valkey\n"
            "    port: 6379\n"
            "arch_affinity: null\n"
            "external_traefik:\n"
            "  entrypoints: [web, websecure]\n",
        )
    )
    assert settings.namespace == "apps"
    assert settings.storage_root == "/mnt/volumes"
    assert settings.host_volumes == {"media": "/srv/media"}
    assert settings.services == {"cache": ServiceMapping(name="valkey", port=6379)}
    assert settings.arch_affinity is None
    assert settings.external_traefik == ExternalTraefik(entrypoints=["web", "websecure"])


def test_unknown_key_is_invalid_settings_naming_the_key(tmp_path: Path) -> None:
    error = load_error(tmp_path, "namespace: apps\nnamspace_typo: x\n")
    assert error.code == "invalid-settings"
    assert error.message.startswith("namspace_typo: ")
    assert "Extra inputs are not permitted" in error.message


def test_unknown_nested_key_names_its_path(tmp_path: Path) -> None:
    error = load_error(tmp_path, "external_traefik:\n  servce: x\n")
    assert error.code == "invalid-settings"
    assert error.message.startswith("external_traefik.servce: ")


def test_wrong_type_is_invalid_settings(tmp_path: Path) -> None:
    error = load_error(tmp_path, "cpu_limit: maybe\n")
    assert error.code == "invalid-settings"
    assert error.message.startswith("cpu_limit: ")


def test_several_errors_are_counted(tmp_path: Path) -> None:
    error = load_error(tmp_path, "a: 1\nb: 2\n")
    assert error.message.endswith("(and 1 more)")


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, "namespace: apps\nlabels:\n  a: [unclosed\n  b: c\n")
    assert error.code == "invalid-settings"
    assert error.message.startswith("invalid YAML: ")
    assert error.line == 4


def test_bad_indentation_reports_line(tmp_path: Path) -> None:
    error = load_error(tmp_path, "namespace: apps\n  ingress_class: x\n")
    assert (error.code, error.line) == ("invalid-settings", 2)


def test_not_a_mapping(tmp_path: Path) -> None:
    error = load_error(tmp_path, "- a\n- b\n")
    assert (error.code, error.line) == ("invalid-settings", 1)
    assert error.message == "expected a mapping of keys"


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(InputError) as info:
        load_settings(path)
    assert (info.value.code, info.value.line) == ("unreadable", None)


@pytest.mark.parametrize("root", ["storage/v", "./v", ""])
def test_relative_storage_root_rejected(tmp_path: Path, root: str) -> None:
    error = load_error(tmp_path, f"storage_root: '{root}'\n")
    assert error.code == "invalid-settings"
    assert error.message.startswith("storage_root: ")
    assert "must be an absolute path" in error.message


@pytest.mark.parametrize(("root", "expected"), [("/", "/"), ("/data//", "/data"), ("/a", "/a")])
def test_storage_root_trailing_slash_stripped(root: str, expected: str) -> None:
    assert Settings(storage_root=root).storage_root == expected


def test_settings_are_frozen() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match="frozen"):
        settings.namespace = "other"  # type: ignore[misc]
