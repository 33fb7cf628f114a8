"""`artifact` blocks → init containers that fetch into the task dir before the task starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import DiagnosticSink
from generator.hcl import parse_hcl
from generator.model_builder import build_job
from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from generator.translate.artifacts import artifact_init_containers
from generator.translate.context import Context
from generator.translate.volumes import PodVolumes

FILE = "x.nomad.hcl"


def fetched(artifact: str) -> tuple[list, list[tuple[str, str]]]:
    text = (
        'job "x" {\n  group "g" {\n    task "t" {\n      driver = "docker"\n'
        '      config {\n        image = "x:1"\n      }\n'
        f"      artifact {{\n{artifact}      }}\n    }}\n  }}\n}}\n"
    )
    group = build_job(parse_hcl(text, FILE)).groups[0]
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    containers = artifact_init_containers(group.tasks[0], PodVolumes(ctx, group), ctx)
    return containers, [(d.code, d.message) for d in ctx.sink]


@pytest.mark.parametrize(
    ("artifact", "script"),
    [
        (
            '        source = "https://example.org/files/app.conf"\n',
            "mkdir -p /local && wget -qO /local/app.conf https://example.org/files/app.conf",
        ),
        (
            '        source = "https://example.org/a.conf"\n        destination = "local/etc/b.conf"\n'
            '        mode = "file"\n',
            "mkdir -p /local/etc && wget -qO /local/etc/b.conf https://example.org/a.conf",
        ),
        (
            '        source = "https://example.org/rel.tar.gz"\n        destination = "local/bin"\n',
            "mkdir -p /local/bin && wget -qO- https://example.org/rel.tar.gz | tar -xzf - -C"
            " /local/bin",
        ),
        (
            '        source = "https://example.org/site.zip"\n',
            "mkdir -p /local && wget -qO /tmp/artifact.zip https://example.org/site.zip"
            " && unzip -o /tmp/artifact.zip -d /local",
        ),
        (
            '        source = "https://example.org/keep.tgz?archive=false"\n',
            "mkdir -p /local && wget -qO /local/keep.tgz https://example.org/keep.tgz",
        ),
        (
            '        source = "https://example.org/x.bin"\n'
            '        options {\n          checksum = "sha256:abc123"\n        }\n',
            "mkdir -p /local && wget -qO /local/x.bin https://example.org/x.bin"
            " && echo 'abc123  /local/x.bin' | sha256sum -c -",
        ),
    ],
)
def test_http_sources_are_fetched_with_busybox(artifact: str, script: str) -> None:
    containers, findings = fetched(artifact)
    [container] = containers
    assert container.image == "busybox:1.36"
    assert container.command == ["sh", "-c", script]
    assert [(m.name, m.mount_path) for m in container.volume_mounts] == [("local-t", "/local")]
    assert findings == []


def test_git_sources_are_cloned_at_their_ref_and_subdirectory() -> None:
    containers, _ = fetched(
        '        source = "github.com/org/repo/grafana/dashboards?ref=v1.2"\n'
        '        destination = "local/dashboards/"\n'
    )
    assert containers[0].image == "alpine/git:2.45.2"
    assert containers[0].command[2] == (
        "git clone --depth 1 --branch v1.2 https://github.com/org/repo /tmp/source"
        " && mkdir -p /local/dashboards && cp -a /tmp/source/grafana/dashboards/. /local/dashboards/"
    )


def test_a_quoted_source_cannot_break_out_of_the_shell() -> None:
    containers, _ = fetched('        source = "https://example.org/a;rm -rf /"\n')
    assert "'https://example.org/a;rm -rf /'" in containers[0].command[2]


@pytest.mark.parametrize(
    ("artifact", "code"),
    [
        ('        source = "s3::https://bucket.s3.amazonaws.com/x"\n', "unsupported"),
        (
            '        source = "https://example.org/x"\n        destination = "/etc/x"\n',
            "unsupported",
        ),
    ],
)
def test_what_an_init_container_cannot_fetch_is_reported(artifact: str, code: str) -> None:
    containers, findings = fetched(artifact)
    assert containers == []
    assert [c for c, _ in findings] == [code]


def test_fetchers_run_first_and_the_task_mounts_what_they_fetched(tmp_path: Path) -> None:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(
        'job "web" {\n  group "web" {\n'
        '    task "init" {\n      driver = "docker"\n      lifecycle {\n        hook = "prestart"\n'
        '      }\n      config {\n        image = "busybox:1"\n      }\n    }\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        '      }\n      artifact {\n        source = "https://example.org/index.html"\n      }\n'
        "    }\n  }\n}\n"
    )
    main = generate("web", jobspec, Settings(), ServiceSpec()).files["main.tf"]
    assert main.index('"web-artifact-1"') < main.index('name  = "init"')
    web = main[main.index('name  = "web"') :]
    assert 'mount_path = "/local"' in web
