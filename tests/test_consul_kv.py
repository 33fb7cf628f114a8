"""Consul KV values (`key`, `keyOrDefault`) reach the pod through the ExternalSecret."""

from __future__ import annotations

import re
from pathlib import Path

from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings

JOBSPEC = """job "backup" {
  group "backup" {
    task "dump" {
      driver = "docker"
      config {
        image = "postgres:16"
      }
      template {
        destination = "local/.env"
        env         = true
        data        = <<EOH
POSTGRES_USER={{ key "bazarr/db/user" }}
POSTGRES_PASSWORD={{ key "bazarr/db/password" }}
RETENTION_DAYS={{ keyOrDefault "backup/retention/days" "7" }}
PGHOST=db
EOH
      }
    }
  }
}
"""


def test_consul_keys_become_external_secret_keys_and_are_reported(tmp_path: Path) -> None:
    jobspec = tmp_path / "backup.nomad.hcl"
    jobspec.write_text(JOBSPEC)
    generation = generate("backup", jobspec, Settings(), ServiceSpec())
    secrets, main = generation.files["secrets.tf"], generation.files["main.tf"]
    refs = re.findall(r'key      = "([^"]+)"\n\s+property = "([^"]+)"', secrets)
    assert sorted(refs) == [
        ("backup/retention", "days"),
        ("bazarr/db", "password"),
        ("bazarr/db", "user"),
    ]
    assert "secret_key_ref" in main
    assert 'value = "db"' in main
    reported = [d for d in generation.diagnostics if d.code == "consul-key"]
    assert len(reported) == 1
    assert reported[0].line == 8  # the template block
    assert "'bazarr/db/password' (at bazarr/db, property password)" in reported[0].message
    assert "its default '7' is not carried" in reported[0].message


def test_dynamic_vault_engines_need_a_decision(tmp_path: Path) -> None:
    text = JOBSPEC.replace(
        'POSTGRES_USER={{ key "bazarr/db/user" }}',
        'POSTGRES_USER={{ with secret "database/creds/app" }}{{ .Data.username }}{{ end }}\\n'
        'CA={{ with secret "pki_int/cert/ca" }}{{ .Data.certificate }}{{ end }}\\n'
        'KV={{ with secret "kv/data/app" }}{{ .Data.data.x }}{{ end }}',
    )
    jobspec = tmp_path / "backup.nomad.hcl"
    jobspec.write_text(text)
    generation = generate("backup", jobspec, Settings(), ServiceSpec())
    flagged = [d.message for d in generation.diagnostics if "dynamic secrets engine" in d.message]
    assert [m.split("'")[1] for m in flagged] == ["database/creds/app", "pki_int/cert/ca"]
