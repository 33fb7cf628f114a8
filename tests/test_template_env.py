"""`{{ env "X" }}` in templates: the task's env, job/group/task meta and Nomad's fixed values."""

from __future__ import annotations

import re
from pathlib import Path

from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings

JOBSPEC = """job "forge" {
  meta {
    domain = "git.example.org"
  }
  group "forge" {
    network {
      port "http" { to = 3000 }
    }
    task "forge" {
      driver = "docker"
      config {
        image = "forgejo:9"
      }
      template {
        destination = "local/.env"
        env         = true
        data        = <<EOH
ROOT_URL=https://{{ env "NOMAD_META_domain" }}/
HTTP_PORT={{ env "NOMAD_PORT_http" }}
DATA={{ env "NOMAD_TASK_DIR" }}/data
EOH
      }
      template {
        destination = "local/app.ini"
        data        = "domain = {{ env \\"NOMAD_META_DOMAIN\\" }}\\n"
      }
    }
  }
}
"""


def test_meta_ports_and_task_dirs_fill_template_env_and_files(tmp_path: Path) -> None:
    jobspec = tmp_path / "forge.nomad.hcl"
    jobspec.write_text(JOBSPEC)
    generation = generate("forge", jobspec, Settings(), ServiceSpec())
    main = generation.files["main.tf"]
    assert 'value = "https://git.example.org/"' in main
    assert 'value = "3000"' in main
    assert 'value = "/local/data"' in main
    assert "domain = git.example.org" in main
    assert not [d for d in generation.diagnostics if d.severity.value == "warning"]


ADDRESS_JOB = """job "app" {
  group "app" {
    network {
      port "db" { to = 5432 }
    }
    task "app" {
      driver = "docker"
      config {
        image = "app:1"
      }
      template {
        destination = "local/.env"
        env         = true
        data        = <<EOH
DB_ADDR={{ env "NOMAD_ADDR_db" }}
BIND={{ env "NOMAD_IP_db" }}
URL=postgres://{{ with secret "kv/data/app" }}{{ .Data.data.user }}{{ end }}@{{ env "NOMAD_ADDR_db" }}/app
EOH
      }
    }
  }
}
"""


def test_the_pod_address_is_expanded_in_plain_env_values_only(tmp_path: Path) -> None:
    jobspec = tmp_path / "app.nomad.hcl"
    jobspec.write_text(ADDRESS_JOB)
    generation = generate("app", jobspec, Settings(), ServiceSpec())
    main = generation.files["main.tf"]
    env = re.findall(r'name\s+= "(\w+)"\n\s+(?:value\s+= "([^"]*)"|value_from)', main)
    names = [name for name, _ in env]
    assert names.index("POD_IP") < names.index("DB_ADDR")
    assert ("DB_ADDR", "$(POD_IP):5432") in env
    assert ("BIND", "$(POD_IP)") in env
    # Inside a Secret the kubelet expands nothing: that line still needs a decision.
    assert [d.path for d in generation.diagnostics if d.code == "needs-decision"] == [
        "task[app].template[local/.env].URL"
    ]


FILE_ADDRESS_JOB = ADDRESS_JOB.replace(
    'destination = "local/.env"\n        env         = true', 'destination = "local/conf.php"'
)


def test_a_file_needing_the_pod_address_is_left_out_with_what_to_write(tmp_path: Path) -> None:
    jobspec = tmp_path / "app.nomad.hcl"
    jobspec.write_text(FILE_ADDRESS_JOB)
    generation = generate("app", jobspec, Settings(), ServiceSpec())
    [decision] = [d for d in generation.diagnostics if d.code == "needs-decision"]
    assert decision.message == (
        'template line 1: `env "NOMAD_ADDR_db"` has no value the module knows before the pod'
        " runs, so the ExternalSecret cannot render the file 'local/conf.php' and it is left"
        " out of the module: write it by hand"
    )
    assert decision.line == 11


SIBLING_JOB = """job "paste" {
  group "paste" {
    network {
      port "http" { to = 8080 }
      port "db" { to = 5432 }
    }
    task "app" {
      driver = "docker"
      config {
        image = "paste:1"
        ports = ["http"]
      }
      template {
        destination = "local/conf.php"
        data        = <<EOH
dsn = "pgsql:host={{ env "NOMAD_IP_db" }};port={{ env "NOMAD_HOST_PORT_db" }}"
pwd = "{{ with secret "kv/data/paste" }}{{ .Data.data.pw }}{{ end }}"
self = "{{ env "NOMAD_IP_http" }}"
EOH
      }
      template {
        destination = "secrets/app.env"
        env         = true
        data        = <<EOH
DATABASE_URL=postgres://u:{{ with secret "kv/data/paste" }}{{ .Data.data.pw }}{{ end }}@{{ env "NOMAD_ADDR_db" }}/paste
EOH
      }
    }
    task "db" {
      driver = "docker"
      config {
        image = "postgres:17"
        ports = ["db"]
      }
    }
  }
}
"""


def test_another_task_s_address_in_a_file_or_secret_is_loopback_in_the_pod(
    tmp_path: Path,
) -> None:
    jobspec = tmp_path / "paste.nomad.hcl"
    jobspec.write_text(SIBLING_JOB.replace('\nself = "{{ env "NOMAD_IP_http" }}"', ""))
    generation = generate("paste", jobspec, Settings(), ServiceSpec())
    secrets = generation.files["secrets.tf"]
    assert '\n              dsn = "pgsql:host=127.0.0.1;port=5432"\n' in secrets
    assert 'DATABASE_URL = "postgres://u:{{ .pw }}@127.0.0.1:5432/paste"' in secrets
    assert not [d for d in generation.diagnostics if d.code == "needs-decision"]
    found = sorted(d.message for d in generation.diagnostics if d.code == "pod-address")
    assert found == [
        "`env \"NOMAD_ADDR_db\"` is a port of task 'db', a container of the same pod: it"
        " becomes 127.0.0.1:5432",
        "`env \"NOMAD_IP_db\"` is a port of task 'db', a container of the same pod: it"
        " becomes 127.0.0.1",
    ]


def test_a_task_s_own_address_in_a_file_still_needs_a_decision(tmp_path: Path) -> None:
    jobspec = tmp_path / "paste.nomad.hcl"
    jobspec.write_text(SIBLING_JOB)
    generation = generate("paste", jobspec, Settings(), ServiceSpec())
    [decision] = [d for d in generation.diagnostics if d.code == "needs-decision"]
    assert '`env "NOMAD_IP_http"` has no value' in decision.message
