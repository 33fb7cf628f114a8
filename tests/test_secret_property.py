"""Property: nothing read from Vault, a Nomad variable or Consul KV lands in main.tf."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings

TEXT = st.text(alphabet="abcdefghij XYZ:/.-_=@", min_size=0, max_size=12).map(str.strip)
NAME = st.from_regex(r"[A-Z][A-Z0-9_]{1,8}", fullmatch=True)
SECRET_KEY = st.from_regex(r"sk_[a-z0-9]{3,8}", fullmatch=True)
SOURCE = st.sampled_from(["vault", "nomadvar", "consul"])


def _reference(source: str, key: str) -> str:
    if source == "vault":
        return f'{{{{ with secret "kv/data/app" }}}}{{{{ .Data.data.{key} }}}}{{{{ end }}}}'
    if source == "consul":
        return f'{{{{ key "app/{key}" }}}}'
    return f'{{{{ with nomadVar "nomad/jobs/app" }}}}{{{{ .{key} }}}}{{{{ end }}}}'


@st.composite
def env_lines(draw) -> list[tuple[str, str, str | None, str]]:
    names = draw(st.lists(NAME, min_size=1, max_size=5, unique=True))
    lines = []
    for name in names:
        kind = draw(st.sampled_from(["static", "secret", "mixed"]))
        key = draw(SECRET_KEY) if kind != "static" else None
        lines.append((name, kind, key, draw(TEXT)))
    return lines


def _jobspec(lines, file_key: str, file_text: str, source: str) -> str:
    env = []
    for name, kind, key, text in lines:
        if kind == "static":
            env.append(f"{name}={text or 'x'}")
        elif kind == "secret":
            env.append(f"{name}={_reference(source, key)}")
        else:
            env.append(f"{name}={text or 'x'}:{_reference(source, key)}@host")
    env_data = "\n".join(env)
    file_data = f"{file_text}\npassword: {_reference(source, file_key)}\n"
    return f"""job "app" {{
  group "app" {{
    task "app" {{
      driver = "docker"
      config {{
        image = "example/app:1.0"
      }}
      template {{
        env         = true
        destination = "secrets/app.env"
        data        = <<EOT
{env_data}
EOT
      }}
      template {{
        destination = "local/app.conf"
        data        = <<EOT
{file_data}EOT
      }}
    }}
  }}
}}
"""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(lines=env_lines(), file_key=SECRET_KEY, file_text=TEXT, source=SOURCE)
def test_secret_references_never_become_literals(
    tmp_path: Path, lines, file_key: str, file_text: str, source: str
) -> None:
    jobspec = tmp_path / "app.nomad.hcl"
    jobspec.write_text(_jobspec(lines, file_key, file_text, source))
    generation = generate("app", jobspec, Settings(), ServiceSpec())
    main = generation.files["main.tf"]
    secrets = generation.files["secrets.tf"]
    assert "{{" not in main and ".Data" not in main and "nomadVar" not in main
    assert "app/sk_" not in main
    secret_keys = {key for _, kind, key, _ in lines if key} | {file_key}
    for key in secret_keys:
        assert f'property = "{key}"' in secrets
        assert not re.search(rf'value\s+= "[^"]*{key}', main)
    for name, kind, _, _ in lines:
        block = re.search(rf'name\s+= "{name}"\n(.*?)\n\s*}}', main, re.S)
        assert block is not None, name
        assert ("secret_key_ref" in block.group(1)) == (kind != "static"), name
    assert "password:" not in main
