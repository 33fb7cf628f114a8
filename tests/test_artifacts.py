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


GET = "mkdir -p {dir} && wget -qO /tmp/artifact {url}"


@pytest.mark.parametrize(
    ("artifact", "script"),
    [
        (
            '        source = "https://example.org/files/app.conf"\n',
            GET.format(dir="/local", url="https://example.org/files/app.conf")
            + " && mkdir -p /local && cp /tmp/artifact /local/app.conf",
        ),
        (
            '        source = "https://example.org/a.conf"\n        destination = "local/etc/b.conf"\n'
            '        mode = "file"\n',
            GET.format(dir="/local/etc", url="https://example.org/a.conf")
            + " && mkdir -p /local/etc && cp /tmp/artifact /local/etc/b.conf",
        ),
        (
            '        source = "https://example.org/rel.tar.gz?checksum=sha256:abc123"\n'
            '        destination = "local/bin"\n',
            GET.format(dir="/local/bin", url="https://example.org/rel.tar.gz")
            + " && echo 'abc123  /tmp/artifact' | sha256sum -c -"
            " && tar -xzf /tmp/artifact -C /local/bin",
        ),
        (
            '        source = "https://example.org/site.zip"\n',
            GET.format(dir="/local", url="https://example.org/site.zip")
            + " && unzip -o /tmp/artifact -d /local",
        ),
        (
            '        source = "https://example.org/keep.tgz?archive=false&X-Sig=ab%2Bc&flag"\n',
            GET.format(dir="/local", url="'https://example.org/keep.tgz?X-Sig=ab%2Bc&flag'")
            + " && mkdir -p /local && cp /tmp/artifact /local/keep.tgz",
        ),
        (
            '        source = "https://example.org/x.bin"\n'
            '        options {\n          checksum = "md5:abc"\n          filename = "y.bin"\n'
            "        }\n",
            GET.format(dir="/local", url="https://example.org/x.bin")
            + " && echo 'abc  /tmp/artifact' | md5sum -c - && mkdir -p /local"
            " && cp /tmp/artifact /local/y.bin",
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


@pytest.mark.parametrize(
    ("artifact", "clone"),
    [
        (
            '        source = "github.com/org/repo/grafana/dashboards?ref=v1.2"\n',
            "git clone https://github.com/org/repo /tmp/source"
            " && git -C /tmp/source checkout v1.2",
        ),
        (
            '        source = "git::https://git.lan/org/repo.git//sub"\n'
            '        options {\n          ref = "3f2a9c1d"\n        }\n',
            "git clone https://git.lan/org/repo.git /tmp/source"
            " && git -C /tmp/source checkout 3f2a9c1d",
        ),
        (
            '        source = "github.com/org/repo"\n',
            "git clone --depth 1 https://github.com/org/repo /tmp/source",
        ),
    ],
)
def test_git_sources_are_cloned_at_their_ref(artifact: str, clone: str) -> None:
    containers, findings = fetched(artifact + '        destination = "local/d/"\n')
    assert containers[0].image == "alpine/git:2.45.2"
    assert containers[0].command[2].startswith(clone + " && mkdir -p /local/d && cp -a /tmp/source")
    assert findings == []


def test_options_an_init_container_cannot_honour_are_reported() -> None:
    containers, findings = fetched(
        '        source = "github.com/org/repo"\n'
        '        options {\n          sshkey = "abc"\n        }\n'
    )
    assert len(containers) == 1
    assert findings == [
        ("unsupported", "artifact options sshkey are not honoured by the init container")
    ]


def test_meta_in_a_source_and_task_dir_paths_are_filled_in(tmp_path: Path) -> None:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(
        'job "web" {\n  meta {\n    version = "1.2"\n  }\n  group "web" {\n'
        '    task "web" {\n      driver = "docker"\n      config {\n        image = "nginx:1"\n'
        "      }\n      artifact {\n"
        '        source = "https://example.org/${NOMAD_META_version}/site.txt"\n'
        '        destination = "${NOMAD_TASK_DIR}/site"\n      }\n    }\n  }\n}\n'
    )
    generation = generate("web", jobspec, Settings(), ServiceSpec())
    main = generation.files["main.tf"]
    assert "https://example.org/1.2/site.txt" in main
    assert "cp /tmp/artifact /local/site/site.txt" in main


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
    assert main.index('"artifact-1-web"') < main.index('name  = "init"')
    web = main[main.index('name  = "web"') :]
    assert 'mount_path = "/local"' in web
