"""Loopback addresses that only worked beside a Consul Connect sidecar."""

from __future__ import annotations

import pytest

from generator.plan_values import Ref, StringTemplate
from generator.translate.connect_loopback import LISTEN_NAME
from tests.test_pod_ports import containers, plan_of


def job(
    env: str,
    connect: str = "connect { sidecar_service {} }",
    upstreams: str = "",
    template: str = "",
) -> str:
    return f"""
job "x" {{
  group "g" {{
    network {{
      mode = "bridge"
      port "http" {{ to = 8080 }}
    }}
    service {{
      name = "app"
      port = "http"
      {connect}
      {upstreams}
    }}
    task "app" {{
      driver = "docker"
      config {{ image = "example/app:1" }}
      env {{
{env}
      }}
      {template}
    }}
  }}
}}
"""


def env_of(text: str) -> tuple[dict[str, str | Ref | StringTemplate | None], list[str]]:
    plan, ctx = plan_of(text)
    env = {e.name: e.value for e in containers(plan)["app"].env}
    return env, [d.one_line() for d in ctx.sink]


def test_a_listen_address_on_loopback_listens_on_every_address() -> None:
    env, findings = env_of(job('KC_HTTP_HOST = "127.0.0.1"\n        HOST = "localhost:8080"'))
    assert env["KC_HTTP_HOST"] == "0.0.0.0"
    assert env["HOST"] == "0.0.0.0:8080"
    assert sum("connect-loopback: env" in f for f in findings) == 2


def test_without_a_sidecar_a_loopback_listen_address_is_kept() -> None:
    env, findings = env_of(job('HOST = "127.0.0.1"', connect=""))
    assert env["HOST"] == "127.0.0.1"
    assert not any("loopback" in f for f in findings)


def test_connect_native_has_no_sidecar() -> None:
    env, _ = env_of(job('HOST = "127.0.0.1"', connect="connect { native = true }"))
    assert env["HOST"] == "127.0.0.1"


UPSTREAM = """connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "my-db"
              local_bind_port  = 5432
            }
          }
        }
      }"""


def test_an_upstream_loopback_address_becomes_the_service_address() -> None:
    env, findings = env_of(job('DB_URL = "postgres://u@127.0.0.1:5432/app"', connect=UPSTREAM))
    assert env["DB_URL"] == StringTemplate(
        ("postgres://u@my-db.", Ref("var.namespace"), ".svc.cluster.local:5432/app")
    )
    assert any("connect-loopback: 127.0.0.1:5432 is upstream 'my-db'" in f for f in findings)


def test_another_port_on_loopback_is_not_the_upstream() -> None:
    env, findings = env_of(job('CACHE = "127.0.0.1:54321"', connect=UPSTREAM))
    assert env["CACHE"] == "127.0.0.1:54321"
    assert any("needs-decision: '127.0.0.1:54321' addresses loopback" in f for f in findings)


def test_a_client_address_on_loopback_is_reported_not_changed() -> None:
    env, findings = env_of(job('REDIS_HOST = "127.0.0.1"'))
    assert env["REDIS_HOST"] == "127.0.0.1"
    assert any("REDIS_HOST" in f and "needs-decision" in f for f in findings)


@pytest.mark.parametrize(
    ("name", "listens"),
    [
        ("HOST", True),
        ("BIND", True),
        ("KC_HTTP_HOST", True),
        ("SERVER_BIND_ADDRESS", True),
        ("LISTEN_ADDR", True),
        ("REDIS_HOST", False),
        ("DB_HOST", False),
        ("HOSTNAME", False),
    ],
)
def test_listen_names(name: str, listens: bool) -> None:
    assert bool(LISTEN_NAME.match(name)) is listens


STATIC_ENV_FILE = """template {
        destination = "local/db.env"
        env         = true
        data        = "DB_URL=postgres://u@127.0.0.1:5432/app"
      }"""

SECRET_ENV_FILE = """template {
        destination = "secrets/db.env"
        env         = true
        data        = <<-EOT
          {{ with secret "kv/data/app" }}DB_URL=postgres://u:{{ .Data.data.pw }}@127.0.0.1:5432/app{{ end }}
        EOT
      }"""


def test_an_upstream_address_in_an_env_file_template_becomes_the_service() -> None:
    env, findings = env_of(job("", connect=UPSTREAM, template=STATIC_ENV_FILE))
    assert env["DB_URL"] == StringTemplate(
        ("postgres://u@my-db.", Ref("var.namespace"), ".svc.cluster.local:5432/app")
    )
    assert any("connect-loopback: 127.0.0.1:5432 is upstream 'my-db'" in f for f in findings)


def test_an_upstream_address_in_a_secret_template_becomes_the_service() -> None:
    plan, ctx = plan_of(job("", connect=UPSTREAM, template=SECRET_ENV_FILE))
    assert plan.external_secret is not None
    templates = plan.external_secret.template_data
    assert any(
        "my-db." in str(value) and "127.0.0.1" not in str(value) for value in templates.values()
    )
    assert any("connect-loopback" in d.one_line() for d in ctx.sink)


def args_of(args: str, connect: str = "connect { sidecar_service {} }") -> tuple[list, list[str]]:
    text = job("", connect=connect).replace(
        'config { image = "example/app:1" }',
        f'config {{\n        image = "example/app:1"\n        args  = {args}\n      }}',
    )
    plan, ctx = plan_of(text)
    return list(containers(plan)["app"].args or []), [d.one_line() for d in ctx.sink]


def test_a_listen_argument_on_loopback_listens_on_every_address() -> None:
    args, findings = args_of(
        '["-c", "listen_addresses=127.0.0.1", "--bind", "localhost:8080", "--http-host=[::1]"]'
    )
    assert args == [
        "-c",
        "listen_addresses=0.0.0.0",
        "--bind",
        "0.0.0.0:8080",
        "--http-host=0.0.0.0",
    ]
    assert sum("connect-loopback: argument" in f for f in findings) == 3
    assert not any("needs-decision" in f for f in findings)


def test_a_client_argument_on_loopback_is_reported_not_changed() -> None:
    args, findings = args_of('["--redis-host", "127.0.0.1", "--upstream=http://localhost:9000"]')
    assert args == ["--redis-host", "127.0.0.1", "--upstream=http://localhost:9000"]
    assert sum("needs-decision" in f and "addresses loopback" in f for f in findings) == 2


def test_without_a_sidecar_a_loopback_listen_argument_is_kept() -> None:
    args, findings = args_of('["--bind", "127.0.0.1"]', connect="")
    assert args == ["--bind", "127.0.0.1"]
    assert not any("loopback" in f for f in findings)
