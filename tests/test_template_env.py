"""`{{ env "X" }}` in templates: the task's env, job/group/task meta and Nomad's fixed values."""

from __future__ import annotations

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
