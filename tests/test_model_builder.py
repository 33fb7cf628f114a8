"""HCL loader (`parse_hcl`) and model builder (`build_job`): one test per mapping rule."""

from __future__ import annotations

from textwrap import dedent

import pytest

from generator.diagnostics import InputError
from generator.hcl import Block, Expr, parse_hcl
from generator.model import DockerConfig, Job
from generator.model_builder import build_job

FILE = "x.nomad.hcl"


def parse(text: str) -> Block:
    return parse_hcl(dedent(text), FILE)


def job_of(text: str) -> Job:
    return build_job(parse(text))


def error_of(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        job_of(text)
    assert info.value.file == FILE
    return info.value


def task_job(task_body: str) -> str:
    """A job with one group and one task whose body starts on line 4."""
    return 'job "j" {\n  group "g" {\n    task "t" {\n' + dedent(task_body) + "    }\n  }\n}\n"


# --- loader -----------------------------------------------------------------------------


def test_quoted_labels_are_decoded() -> None:
    job = job_of("""\
        job "my.job-1" {
          group "web-1" {
            task "a\\"b" {
              driver = "docker"
              resources {
                device "nvidia/gpu" {
                  count = 2
                }
              }
            }
          }
        }
        """)
    assert job.name == "my.job-1"
    assert job.groups[0].name == "web-1"
    task = job.groups[0].tasks[0]
    assert task.name == 'a"b'
    assert task.resources is not None
    assert [(d.name, d.count, d.line) for d in task.resources.devices] == [("nvidia/gpu", 2, 6)]


def test_unquoted_label_is_accepted() -> None:
    assert job_of("job web {\n}\n").name == "web"


def test_block_and_attribute_lines() -> None:
    root = parse("""\
        job "j" {

          group "g" {
            count = 2
          }
        }
        """)
    job_block = root.children("job")[0]
    group_block = job_block.children("group")[0]
    assert (job_block.line, group_block.line) == (1, 3)
    assert group_block.attributes["count"].line == 4
    assert group_block.line_of("count") == 4


def test_heredoc_keeps_trailing_newline() -> None:
    root = parse('data = <<EOT\nline one\n  line two\nEOT\nplain = "x"\n')
    attribute = root.attributes["data"]
    assert attribute.value == "line one\n  line two\n"
    assert attribute.is_heredoc is True
    assert attribute.line == 1
    assert root.attributes["plain"].is_heredoc is False
    assert root.attributes["plain"].line == 5


def test_indented_heredoc_strips_common_indent_and_keeps_newline() -> None:
    root = parse("x = <<-EOT\n    a\n      b\n    EOT\n")
    assert root.get("x") == "a\n  b\n"


def test_heredoc_template_data_reaches_model() -> None:
    job = job_of(task_job("""\
              template {
                destination = "local/app.conf"
                data        = <<EOT
        key = value
        EOT
              }
        """))
    template = job.groups[0].tasks[0].templates[0]
    assert template.data == "key = value\n"
    assert template.destination == "local/app.conf"
    assert template.line == 4
    assert (template.change_mode, template.left_delimiter, template.env) == ("restart", "{{", False)


def test_non_literal_expression_is_expr() -> None:
    root = parse('a = var.x\nb = upper("y")\nc = "${NOMAD_PORT_http}"\n')
    assert root.get("a") == Expr("var.x")
    assert isinstance(root.get("b"), Expr)
    # A quoted template stays a string: runtime interpolation is translated later.
    assert root.get("c") == "${NOMAD_PORT_http}"


def test_map_keys_are_unquoted() -> None:
    root = parse('x = {\n  "FOO.BAR" = "1"\n  B = 2\n}\n')
    assert root.get("x") == {"FOO.BAR": "1", "B": 2}


def test_duplicate_attribute_is_syntax_error_on_second_line() -> None:
    with pytest.raises(InputError) as info:
        parse("x = 1\ny = 2\nx = 3\n")
    assert (info.value.code, info.value.line) == ("hcl-syntax", 3)
    assert "first on line 1" in info.value.message


def test_syntax_error_reports_line() -> None:
    with pytest.raises(InputError) as info:
        parse('job "a" {\n  x =\n}\n')
    assert info.value.code == "hcl-syntax"
    assert info.value.line == 2
    assert "unexpected" in info.value.message


def test_unclosed_block_is_syntax_error() -> None:
    with pytest.raises(InputError) as info:
        parse('job "a" {\n  group "g" {\n')
    assert info.value.code == "hcl-syntax"
    assert "unexpected end of file" in info.value.message


# --- env: block vs map ------------------------------------------------------------------


def test_env_block_records_each_line() -> None:
    job = job_of(task_job("""\
              env {
                A = "1"
                B = 2
              }
        """))
    task = job.groups[0].tasks[0]
    assert task.env == {"A": "1", "B": "2"}
    assert task.env_lines == {"A": 5, "B": 6}


def test_env_map_uses_attribute_line() -> None:
    job = job_of(task_job("""\
              env = {
                A = "1"
                "B.C" = "x"
              }
        """))
    task = job.groups[0].tasks[0]
    assert task.env == {"A": "1", "B.C": "x"}
    assert task.env_lines == {"A": 4, "B.C": 4}


def test_env_map_and_block_merge() -> None:
    job = job_of(task_job("""\
              env = { A = "map" }
              env {
                B = "block"
              }
        """))
    task = job.groups[0].tasks[0]
    assert task.env == {"A": "map", "B": "block"}
    assert task.env_lines == {"A": 4, "B": 6}


def test_env_that_is_not_a_map_is_invalid_value() -> None:
    error = error_of(task_job('      env = "A=1"\n'))
    assert (error.code, error.line) == ("invalid-value", 4)
    assert "task.env must be a map" in error.message


# --- bad values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "line", "where"),
    [
        ("      kill_timeout = var.t\n", 4, "task.kill_timeout"),
        ("      user = local.u\n", 4, "task.user"),
        ("      resources {\n        cpu = var.cpu\n      }\n", 5, "resources.cpu"),
        ("      resources {\n        memory = 64\n        memory_max = local.m\n      }\n", 6, ""),
    ],
)
def test_expression_in_typed_field_is_unresolved_expression(
    body: str, line: int, where: str
) -> None:
    error = error_of(task_job(body))
    assert error.code == "unresolved-expression"
    assert error.line == line
    assert where in error.message
    assert "could not be evaluated" in error.message


def test_expression_in_group_count() -> None:
    error = error_of("""\
        job "j" {
          group "g" {
            count = var.replicas
          }
        }
        """)
    assert (error.code, error.line) == ("unresolved-expression", 3)
    assert error.message == "group.count: expression ${var.replicas} could not be evaluated"


def test_expression_inside_list_of_strings_reports_line() -> None:
    error = error_of('job "j" {\n  datacenters = ["dc1", var.dc]\n}\n')
    assert error.line == 2
    assert error.code in {"invalid-value", "unresolved-expression"}


def test_expression_inside_list_of_strings_is_unresolved_expression() -> None:
    error = error_of('job "j" {\n  datacenters = ["dc1", var.dc]\n}\n')
    assert (error.code, error.line) == ("unresolved-expression", 2)
    assert "Expr(" not in error.message


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ('      resources {\n        cpu = "lots"\n      }\n', 5, "resources.cpu must be a whole"),
        ("      resources {\n        memory = 1.5\n      }\n", 5, "resources.memory must be a"),
        ('      config {\n        privileged = "yes"\n      }\n', 5, "config.privileged must be"),
        ('      kill_timeout = "soon"\n', 4, "task.kill_timeout must be a duration"),
        ("      user = true\n", 4, "task.user must be a string"),
        ("      config {\n        ports = [[1]]\n      }\n", 5, "config.ports must be a list"),
    ],
)
def test_bad_value_type_is_invalid_value(body: str, line: int, fragment: str) -> None:
    error = error_of(task_job(body))
    assert (error.code, error.line) == ("invalid-value", line)
    assert fragment in error.message


def test_bad_group_count_is_invalid_value() -> None:
    error = error_of('job "j" {\n  group "g" {\n    count = "two"\n  }\n}\n')
    assert (error.code, error.line) == ("invalid-value", 3)
    assert error.message == "group.count must be a whole number, got 'two'"


def test_whole_float_is_accepted_as_int() -> None:
    job = job_of(task_job("      resources {\n        memory = 256.0\n      }\n"))
    resources = job.groups[0].tasks[0].resources
    assert resources is not None
    assert resources.memory == 256
    assert isinstance(resources.memory, int)


# --- job level --------------------------------------------------------------------------


def test_no_job_block() -> None:
    with pytest.raises(InputError) as info:
        build_job(parse('variable "x" {\n}\n'))
    assert (info.value.code, info.value.line, info.value.file) == ("no-job", None, FILE)


def test_two_job_blocks_report_the_second() -> None:
    error = error_of('job "a" {\n}\n\njob "b" {\n}\n')
    assert (error.code, error.line) == ("invalid-value", 4)


def test_job_defaults_and_fields() -> None:
    job = job_of("""\
        job "j" {
          datacenters = ["dc1", "dc2"]
          namespace   = "apps"
          meta {
            owner = "me"
          }
          group "g" {
          }
        }
        """)
    assert job.type == "service"
    assert job.datacenters == ("dc1", "dc2")
    assert job.namespace == "apps"
    assert job.meta == {"owner": "me"}
    assert job.periodic is None and job.parameterized is False
    group = job.groups[0]
    assert (group.count, group.line, group.network) == (1, 7, None)


def test_single_string_where_list_expected() -> None:
    job = job_of('job "j" {\n  datacenters = "dc1"\n}\n')
    assert job.datacenters == ("dc1",)


@pytest.mark.parametrize("attribute", ["crons", "cron"])
def test_periodic_crons(attribute: str) -> None:
    value = '["0 * * * *"]' if attribute == "crons" else '"0 * * * *"'
    job = job_of(f"""\
        job "j" {{
          type = "batch"
          periodic {{
            {attribute} = {value}
            prohibit_overlap = true
          }}
        }}
        """)
    assert job.periodic is not None
    assert job.periodic.crons == ("0 * * * *",)
    assert job.periodic.prohibit_overlap is True
    assert job.periodic.line == 3
    assert job.type == "batch"


def test_constraint_shorthand() -> None:
    job = job_of("""\
        job "j" {
          constraint {
            distinct_hosts = true
          }
          constraint {
            attribute = "${attr.kernel.name}"
            value     = "linux"
          }
        }
        """)
    first, second = job.constraints
    assert first.operator == "distinct_hosts"
    assert (first.value or "").lower() == "true"
    assert (second.attribute, second.operator, second.value) == (
        "${attr.kernel.name}",
        "=",
        "linux",
    )


# --- group contents ---------------------------------------------------------------------


def test_network_ports_and_mode() -> None:
    job = job_of("""\
        job "j" {
          group "g" {
            network {
              mode = "bridge"
              port "http" {
                to = 8080
              }
              port "metrics" {
                static = 9100
              }
            }
          }
        }
        """)
    network = job.groups[0].network
    assert network is not None
    assert network.mode == "bridge"
    assert [(p.label, p.to, p.static, p.line) for p in network.ports] == [
        ("http", 8080, None, 5),
        ("metrics", None, 9100, 8),
    ]


def test_network_mode_defaults_to_host() -> None:
    job = job_of('job "j" {\n  group "g" {\n    network {\n    }\n  }\n}\n')
    assert job.groups[0].network is not None
    assert job.groups[0].network.mode == "host"


def test_service_check_and_connect_upstream() -> None:
    job = job_of("""\
        job "j" {
          group "g" {
            service {
              name = "web"
              port = "http"
              tags = ["a", "b"]
              check {
                type     = "HTTP"
                path     = "/health"
                interval = "1m30s"
                timeout  = "500ms"
              }
              connect {
                sidecar_service {
                  proxy {
                    upstreams {
                      destination_name = "db"
                      local_bind_port  = 5432
                    }
                  }
                }
              }
            }
          }
        }
        """)
    service = job.groups[0].services[0]
    assert (service.name, service.port, service.tags) == ("web", "http", ("a", "b"))
    assert service.provider == "consul" and service.has_connect is True
    assert service.task is None
    check = service.checks[0]
    assert (check.type, check.path, check.interval_seconds, check.timeout_seconds) == (
        "http",
        "/health",
        90,
        1,
    )
    assert check.line == 7
    assert [(u.destination_name, u.local_bind_port, u.line) for u in service.upstreams] == [
        ("db", 5432, 16)
    ]


def test_service_numeric_port_and_default_check_type() -> None:
    job = job_of(
        'job "j" {\n  group "g" {\n    service {\n      port = 8080\n'
        "      check {\n      }\n    }\n  }\n}\n"
    )
    service = job.groups[0].services[0]
    assert service.port == 8080
    assert service.checks[0].type == "tcp"
    assert service.checks[0].interval_seconds is None


def test_task_service_records_task_name() -> None:
    job = job_of(task_job('      service {\n        port = "http"\n      }\n'))
    assert job.groups[0].tasks[0].services[0].task == "t"
    assert len(job.groups[0].all_services()) == 1


def test_invalid_check_interval() -> None:
    error = error_of("""\
        job "j" {
          group "g" {
            service {
              check {
                interval = "10 seconds"
              }
            }
          }
        }
        """)
    assert (error.code, error.line) == ("invalid-value", 5)
    assert "check.interval must be a duration" in error.message


def test_volume_request_defaults() -> None:
    job = job_of("""\
        job "j" {
          group "g" {
            volume "data" {
              type            = "csi"
              source          = "app-data"
              access_mode     = "single-node-writer"
            }
            volume "cfg" {
              read_only = true
            }
          }
        }
        """)
    data, cfg = job.groups[0].volumes
    assert (data.name, data.type, data.source, data.read_only) == ("data", "csi", "app-data", False)
    assert data.access_mode == "single-node-writer"
    assert (cfg.name, cfg.type, cfg.source, cfg.read_only, cfg.line) == (
        "cfg",
        "host",
        None,
        True,
        8,
    )


# --- task contents ----------------------------------------------------------------------


def test_task_without_config_gets_empty_docker_config() -> None:
    job = job_of(task_job('      driver = "exec"\n'))
    task = job.groups[0].tasks[0]
    assert task.driver == "exec"
    assert task.config == DockerConfig(line=3)
    assert task.is_main and not task.is_init and not task.is_sidecar


def test_docker_config_fields() -> None:
    job = job_of(task_job("""\
              driver = "docker"
              config {
                image      = "nginx:1.25"
                entrypoint = ["/bin/sh", "-c"]
                command    = "run"
                args       = ["--port", "${NOMAD_PORT_http}"]
                ports      = ["http"]
                volumes    = ["local/x:/x:ro"]
                runtime    = "nvidia"
                mount {
                  type   = "tmpfs"
                  target = "/tmp"
                }
              }
        """))
    config = job.groups[0].tasks[0].config
    assert config.line == 5
    assert config.image == "nginx:1.25"
    assert config.entrypoint == ("/bin/sh", "-c")
    assert config.command == "run"
    assert config.args == ("--port", "${NOMAD_PORT_http}")
    assert config.ports == ("http",)
    assert config.volumes == ("local/x:/x:ro",)
    assert config.runtime == "nvidia"
    assert [(m.type, m.target, m.source, m.readonly) for m in config.mounts] == [
        ("tmpfs", "/tmp", None, False)
    ]


def test_mount_without_target_is_invalid() -> None:
    error = error_of(
        task_job(
            '      config {\n        mount {\n          source = "/a"\n' "        }\n      }\n"
        )
    )
    assert (error.code, error.line) == ("invalid-value", 5)
    assert error.message == "mount has no target"


def test_template_without_destination_is_invalid() -> None:
    error = error_of(task_job('      template {\n        data = "x"\n      }\n'))
    assert (error.code, error.line) == ("invalid-value", 4)
    assert error.message == "template has no destination"


@pytest.mark.parametrize(
    ("lifecycle", "init", "sidecar", "hook"),
    [
        ("", True, False, "prestart"),
        ("sidecar = true\n", False, True, "prestart"),
        ('hook = "poststop"\n', False, False, "poststop"),
    ],
)
def test_lifecycle(lifecycle: str, init: bool, sidecar: bool, hook: str) -> None:
    job = job_of(task_job(f"      lifecycle {{\n{lifecycle}      }}\n"))
    task = job.groups[0].tasks[0]
    assert task.lifecycle is not None
    assert task.lifecycle.hook == hook
    assert (task.is_main, task.is_init, task.is_sidecar) == (False, init, sidecar)


def test_resources_and_misc_task_fields() -> None:
    job = job_of(task_job("""\
              user         = "101:101"
              kill_timeout = "1m"
              resources {
                cpu        = 500
                memory     = 256
                memory_max = 512
              }
              vault {
              }
              volume_mount {
                volume      = "data"
                destination = "/data"
                read_only   = true
              }
        """))
    task = job.groups[0].tasks[0]
    assert task.user == "101:101"
    assert task.kill_timeout_seconds == 60
    assert task.resources is not None
    assert (task.resources.cpu, task.resources.memory, task.resources.memory_max) == (500, 256, 512)
    assert task.resources.line == 6
    assert task.has_vault is True
    assert [(m.volume, m.destination, m.read_only, m.line) for m in task.volume_mounts] == [
        ("data", "/data", True, 13)
    ]


def test_device_count_defaults_to_one() -> None:
    job = job_of(task_job('      resources {\n        device "nvidia/gpu" {\n        }\n      }\n'))
    resources = job.groups[0].tasks[0].resources
    assert resources is not None
    assert [(d.name, d.count) for d in resources.devices] == [("nvidia/gpu", 1)]


# --- pre-0.12 ports: task `resources { network {} }` and docker `port_map` ----------------

LEGACY = """
job "j" {
  group "g" {
    network {
      port "metrics" {}
    }
    task "web" {
      driver = "docker"
      config {
        image = "x:1"
        port_map {
          http    = 8080
          metrics = 9100
        }
      }
      resources {
        network {
          mbits = 10
          port "http" {}
          port "admin" {
            static = 9000
          }
        }
      }
    }
    task "side" {
      driver = "docker"
      config {
        image    = "y:1"
        port_map = { dns = 53 }
      }
      resources {
        network {
          port "dns" {}
        }
      }
    }
  }
}
"""


def test_legacy_task_ports_join_the_group_network_with_their_port_map_numbers() -> None:
    group = job_of(LEGACY).groups[0]
    assert group.network is not None
    ports = {p.label: (p.to, p.static) for p in group.network.ports}
    assert ports == {
        "metrics": (9100, None),  # a group port without `to` takes the port_map number
        "http": (8080, None),
        "admin": (None, 9000),
        "dns": (53, None),
    }
    web, side = group.tasks
    assert web.config.ports == ("http", "admin")
    assert side.config.ports == ("dns",)


def test_a_group_port_with_its_own_to_keeps_it() -> None:
    text = task_job('config {\n  image = "x"\n  port_map { http = 1 }\n}\n').replace(
        'group "g" {', 'group "g" {\n    network {\n      port "http" { to = 2 }\n    }'
    )
    network = job_of(text).groups[0].network
    assert network is not None
    assert network.ports[0].to == 2


def test_port_map_values_must_be_numbers() -> None:
    error = error_of(task_job('config {\n  image = "x"\n  port_map { http = "web" }\n}\n'))
    assert error.code == "invalid-value"
    assert "port_map" in error.message


def test_a_second_task_reusing_a_legacy_port_label_is_recorded_as_a_conflict() -> None:
    task = (
        '    task "{name}" {{\n      driver = "docker"\n      config {{\n        image = "x"\n'
        "        port_map {{\n          http = {number}\n        }}\n      }}\n"
        '      resources {{\n        network {{\n          port "http" {{}}\n        }}\n      }}\n'
        "    }}\n"
    )
    text = (
        'job "j" {\n  group "g" {\n'
        + task.format(name="one", number=80)
        + task.format(name="two", number=8080)
        + "  }\n}\n"
    )
    group = job_of(text).groups[0]
    assert group.network is not None
    assert {p.label: p.to for p in group.network.ports} == {"http": 80}
    assert [t.config.ports for t in group.tasks] == [("http",), ()]
    assert group.network.legacy_conflicts == (("two", "http", 8080, 27),)


# --- docker binds and GPUs, parsed into the model ----------------------------------------


def test_docker_volumes_and_mounts_are_parsed_into_binds() -> None:
    job = job_of(task_job("""\
        driver = "docker"
        config {
          image = "x:1"
          volume_driver = "local"
          volumes = ["/srv/a:/a:ro", "${NOMAD_ALLOC_DIR}/data:/data", "no-colon"]
          mount {
            type = "bind"
            source = "/run/x.sock"
            target = "/x.sock"
          }
        }
    """))
    config = job.groups[0].tasks[0].config
    assert [(b.source, b.target, b.read_only, b.driver) for b in config.binds] == [
        ("/srv/a", "/a", True, "local"),
        ("alloc/data", "/data", False, "local"),
        ("/run/x.sock", "/x.sock", False, None),
    ]
    assert config.binds[1].dir_variable == "NOMAD_ALLOC_DIR"
    assert config.binds[2].mount_block
    assert config.unparsed_volumes == ("no-colon",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('resources {\n  device "nvidia/gpu" {\n    count = 2\n  }\n}\n', 2),
        ('config {\n  image = "x:1"\n  runtime = "nvidia"\n}\n', 1),
        ('resources {\n  device "intel/qat" {}\n}\n', 0),
    ],
)
def test_a_task_carries_its_gpu_count(body: str, expected: int) -> None:
    job = job_of(task_job('driver = "docker"\n' + body))
    assert job.groups[0].tasks[0].gpu_count == expected
