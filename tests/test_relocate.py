"""`relocate:` in a service spec: task-dir paths moved everywhere the module names them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.diagnostics import DiagnosticSink, InputError
from generator.k8s_plan import (
    ConfigMap,
    Container,
    EnvVar,
    ExternalSecret,
    ModulePlan,
    PodSpec,
    PodVolume,
    Probe,
    Variable,
    VolumeMountSpec,
    Workload,
)
from generator.pipeline import generate
from generator.plan_values import LOCAL_LABELS, Ref, ResourceName, StringTemplate, var
from generator.relocation import Move, Relocation
from generator.service_spec import ServiceSpec, load_service_spec
from generator.settings import Settings
from generator.strict import unaccepted
from generator.translate.relocate import relocate_plan

SPEC = "specs/web.yaml"


def relocation(moves: dict[str, str]) -> Relocation:
    return Relocation(
        tuple(Move(old, new, line) for line, (old, new) in enumerate(moves.items(), 4)), SPEC
    )


def moved(text: str, moves: dict[str, str]) -> str:
    return relocation(moves).moved_text(text)[0]


# --- path tokens: boundaries, overlap -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/local", "/config"),
        ("/local/", "/config/"),
        ("/local/app.yml", "/config/app.yml"),
        ("--config=/local/app.yml", "--config=/config/app.yml"),
        ("PATH=/usr/bin:/local/bin:/bin", "PATH=/usr/bin:/config/bin:/bin"),
        ('include: ["/local/a.log"]', 'include: ["/config/a.log"]'),
        ("cat '/local/a' `ls /local`", "cat '/config/a' `ls /config`"),
        ("$(ls /local)", "$(ls /config)"),
        ("root /local/www;", "root /config/www;"),
        ("path = /local, other = /local\n", "path = /config, other = /config\n"),
        ("url: file:///local/db", "url: file:///config/db"),
        ("-v /local:/data:ro", "-v /config:/data:ro"),
        ("curl -d @/local/body", "curl -d @/config/body"),
        ("--map=/local/a=/local/b", "--map=/config/a=/config/b"),
        ("[/local/a](/local/b)", "[/config/a](/config/b)"),
        # not a path token of /local
        ("/localhost", "/localhost"),
        ("/var/local/x", "/var/local/x"),
        ("/local.bak", "/local.bak"),
        ("http://example.org/local/x", "http://example.org/local/x"),
        ("my/local/x", "my/local/x"),
        ("x/local", "x/local"),
        ("/local-2/x", "/local-2/x"),
    ],
)
def test_a_path_moves_only_where_a_path_token_starts_and_ends(text: str, expected: str) -> None:
    assert moved(text, {"/local": "/config"}) == expected


def test_the_longest_key_wins_whatever_the_order_written() -> None:
    moves = {"/alloc": "/shared", "/alloc/data": "/data"}
    for order in (moves, dict(reversed(moves.items()))):
        assert moved("/alloc/data/app.db /alloc/logs", order) == "/data/app.db /shared/logs"
        assert moved("/alloc/database", order) == "/shared/database"
        assert relocation(order).moved_path("/alloc/data/x").new == "/data/x"  # type: ignore
        assert relocation(order).moved_path("/alloc/tmp").new == "/shared/tmp"  # type: ignore


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/local", "/config"),
        ("/local/a/b", "/config/a/b"),
        ("/localhost", None),
        ("/var/local", None),
        ("/local.d", None),
    ],
)
def test_an_exact_path_moves_on_path_boundaries(path: str, expected: str | None) -> None:
    token = relocation({"/local": "/config"}).moved_path(path)
    assert (token.new if token else None) == expected


def test_each_moved_token_is_reported_with_its_rest() -> None:
    text, tokens = relocation({"/local": "/config"}).moved_text("a /local/x.yml b /local")
    assert text == "a /config/x.yml b /config"
    assert [(t.old, t.new) for t in tokens] == [
        ("/local/x.yml", "/config/x.yml"),
        ("/local", "/config"),
    ]


def test_text_only_terraform_knows_is_no_token_boundary() -> None:
    reloc = relocation({"/local": "/config"})
    # A module input right after `/local` could make it `/localhost`; right before, `/var/local`.
    assert reloc.moved_text("/local", ends=False)[0] == "/local"
    assert reloc.moved_text("/local", starts=False)[0] == "/local"
    assert reloc.moved_text("/local/", ends=False)[0] == "/config/"
    marker = "\x00abc1\x00"  # how an unknown value sits in a plain string
    assert reloc.moved_text(f"/local{marker}")[0] == f"/local{marker}"
    assert reloc.moved_text(f"/local/{marker}/x")[0] == f"/config/{marker}/x"


# --- the spec: validation with file:line ------------------------------------------------


def write_spec(tmp_path: Path, relocate: str) -> Path:
    path = tmp_path / "web.yaml"
    path.write_text("jobspec: web.nomad.hcl\nrelocate:\n" + relocate)
    return path


def spec_error(tmp_path: Path, relocate: str) -> InputError:
    path = write_spec(tmp_path, relocate)
    with pytest.raises(InputError) as caught:
        load_service_spec(path)
    assert caught.value.file == str(path)
    assert caught.value.code == "invalid-spec"
    return caught.value


def test_a_valid_map_keeps_each_key_with_its_line(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "  /local: /config\n  /alloc/data: /data\n")
    spec = load_service_spec(path)
    assert spec.relocate == Relocation(
        (Move("/local", "/config", 3), Move("/alloc/data", "/data", 4)), str(path)
    )


@pytest.mark.parametrize(
    ("relocate", "line", "reason"),
    [
        ("  /local: /config\n  local/x: /x\n", 4, "'local/x' is not an absolute path"),
        ("  /local: config\n", 3, "'config' is not an absolute path"),
        ("  /local/: /config\n", 3, "'/local/' is not a normalised path (write '/local')"),
        ("  /local: /a//b\n", 3, "is not a normalised path (write '/a/b')"),
        ("  /local: /a/./b\n", 3, "is not a normalised path (write '/a/b')"),
        ("  /local/../etc: /x\n", 3, "has a '..' segment"),
        ("  /local: /a/../b\n", 3, "has a '..' segment"),
        ("  /local: /\n", 3, "'/' is the container's root"),
        ("  /local: /my dir\n", 3, "segment 'my dir' may hold only"),
        ("  /local: /a:b\n", 3, "segment 'a:b' may hold only"),
        ("  /local: 5\n", 3, "5 is not a path"),
        ("  /etc/nginx: /x\n", 3, "'/etc/nginx' is not a Nomad task dir"),
        ("  /localhost: /x\n", 3, "'/localhost' is not a Nomad task dir"),
        ("  /local: /alloc/local\n", 3, "the new path '/alloc/local' lies in a Nomad task dir"),
        ("  /local: /c\n  /local: /d\n", 4, "/local is given twice"),
        ("  /local: /config\n  /secrets: /config\n", 4, "/config would hold both"),
        ("  /local: /config\n  /secrets: /config/s\n", 4, "would hold both /secrets and /local/s"),
        ("  /alloc: /shared\n  /alloc/data: /shared/x\n", 4, "/shared/x would hold both"),
        ("  /alloc/data: /shared/x\n  /alloc: /shared\n", 4, "/shared/x would hold both"),
        ("  - /local\n", 2, "expected a mapping"),
    ],
)
def test_a_bad_map_is_one_error_at_its_line(
    tmp_path: Path, relocate: str, line: int, reason: str
) -> None:
    error = spec_error(tmp_path, relocate)
    assert error.line == line
    assert reason in error.message


def test_a_nested_move_that_agrees_with_its_parent_is_allowed(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "  /alloc: /shared\n  /alloc/data: /shared/data\n")
    assert len(load_service_spec(path).relocate.moves) == 2


def test_a_spec_built_in_code_is_checked_too() -> None:
    with pytest.raises(ValueError, match="not a Nomad task dir"):
        ServiceSpec.model_validate({"relocate": {"/etc": "/x"}})
    assert not ServiceSpec().relocate
    assert ServiceSpec.model_validate({"relocate": None}).relocate.moves == ()


# --- the plan: each place a path is rewritten --------------------------------------------


def container(**fields: object) -> Container:
    return Container(name=str(fields.pop("name", "app")), image="img", **fields)  # type: ignore


def plan_of(*containers: Container, volumes: list[PodVolume] | None = None, **extra) -> ModulePlan:
    pod = PodSpec(containers=list(containers), volumes=volumes or [])
    workload = Workload("kubernetes_deployment", "app", ResourceName(), LOCAL_LABELS, {}, pod)
    plan = ModulePlan("web", "web", {}, workloads=[workload], **extra)
    return plan


def apply(plan: ModulePlan, moves: dict[str, str]) -> list[tuple[str, str, int | None, str | None]]:
    sink = DiagnosticSink()
    relocate_plan(plan, relocation(moves), sink)
    return [(d.code, d.message, d.line, d.path) for d in sink]


PLACE = "kubernetes_deployment.app.container[app]"


def test_args_move_and_each_rewrite_is_reported() -> None:
    plan = plan_of(container(args=["--config", "/local/app.yml", "--port=80"]))
    report = apply(plan, {"/local": "/config"})
    assert plan.workloads[0].pod.containers[0].args == ["--config", "/config/app.yml", "--port=80"]
    assert report == [
        ("relocated", "/local/app.yml → /config/app.yml", 4, f"{PLACE}.args"),
    ]


def test_templated_args_move() -> None:
    arg = StringTemplate(("--db=db.", var("namespace"), ".svc --dir=/local/db"))
    plan = plan_of(container(args=[arg]))
    apply(plan, {"/local": "/config"})
    assert plan.workloads[0].pod.containers[0].args == [
        StringTemplate(("--db=db.", var("namespace"), ".svc --dir=/config/db"))
    ]


def test_command_moves() -> None:
    plan = plan_of(container(command=["/local/bin/run", "-c", "/local/run.conf"]))
    apply(plan, {"/local": "/config"})
    assert plan.workloads[0].pod.containers[0].command == [
        "/config/bin/run",
        "-c",
        "/config/run.conf",
    ]


def test_working_dir_moves() -> None:
    plan = plan_of(container(working_dir="/local/app"))
    report = apply(plan, {"/local": "/config"})
    assert plan.workloads[0].pod.containers[0].working_dir == "/config/app"
    assert report[0][3] == f"{PLACE}.working_dir"


def test_env_values_move_plain_and_templated() -> None:
    plan = plan_of(
        container(
            env=[
                EnvVar("CONFIG", "/local/app.yml"),
                EnvVar("DB", StringTemplate(("/local/", var("db"), ".sqlite"))),
                EnvVar("URL", StringTemplate(("db.", var("namespace"), "/local/x"))),
                EnvVar("NS", var("namespace")),
                EnvVar("TOKEN", secret_name="s", secret_key="token"),
            ]
        )
    )
    report = apply(plan, {"/local": "/config"})
    env = {e.name: e.value for e in plan.workloads[0].pod.containers[0].env}
    assert env["CONFIG"] == "/config/app.yml"
    assert env["DB"] == StringTemplate(("/config/", var("db"), ".sqlite"))
    assert env["URL"] == StringTemplate(("db.", var("namespace"), "/local/x"))  # after a Ref
    assert env["NS"] == var("namespace")
    assert {r[3] for r in report} == {f"{PLACE}.env[CONFIG]", f"{PLACE}.env[DB]"}


def test_exec_probes_move_and_http_paths_do_not() -> None:
    exec_probe = Probe("exec", command=["sh", "-c", "test -f /local/ready"])
    http_probe = Probe("http_get", port="http", path="/local")
    plan = plan_of(container(liveness_probe=exec_probe, readiness_probe=http_probe))
    report = apply(plan, {"/local": "/config"})
    assert exec_probe.command == ["sh", "-c", "test -f /config/ready"]
    assert http_probe.path == "/local"  # a URL path, not a file
    assert [r[3] for r in report] == [f"{PLACE}.liveness_probe.exec"]


def test_init_containers_move_too() -> None:
    plan = plan_of(container())
    fetcher = container(
        name="fetch",
        args=["wget -O /local/a.tgz"],
        volume_mounts=[VolumeMountSpec("local-app", "/local")],
    )
    plan.workloads[0].pod.init_containers.append(fetcher)
    apply(plan, {"/local": "/config"})
    assert fetcher.args == ["wget -O /config/a.tgz"]
    assert fetcher.volume_mounts[0].mount_path == "/config"


def test_mounts_of_the_dir_and_of_files_rendered_into_it_move() -> None:
    mounts = [
        VolumeMountSpec("app-config", "/local/app.yml", "app.yml", True),
        VolumeMountSpec("local-app", "/local"),
        VolumeMountSpec("data", "/var/lib/app"),
    ]
    plan = plan_of(
        container(volume_mounts=mounts),
        volumes=[PodVolume("local-app", "empty_dir"), PodVolume("app-config", "config_map")],
    )
    report = apply(plan, {"/local": "/config"})
    assert plan.workloads[0].pod.containers[0].volume_mounts == [
        VolumeMountSpec("app-config", "/config/app.yml", "app.yml", True),
        VolumeMountSpec("local-app", "/config"),
        VolumeMountSpec("data", "/var/lib/app"),
    ]
    assert {r[1:] for r in report} == {
        ("/local/app.yml → /config/app.yml", 4, f"{PLACE}.volume_mount[/local/app.yml]"),
        ("/local → /config", 4, f"{PLACE}.volume_mount[/local]"),
    }


def test_a_dir_inside_a_mounted_task_dir_gets_its_own_mount_of_that_volume() -> None:
    shipper = container(name="shipper", volume_mounts=[VolumeMountSpec("alloc", "/alloc")])
    app = container(volume_mounts=[VolumeMountSpec("alloc", "/alloc", read_only=True)])
    plan = plan_of(shipper, app, volumes=[PodVolume("alloc", "empty_dir")])
    report = apply(plan, {"/alloc/logs": "/logs"})
    assert shipper.volume_mounts == [
        VolumeMountSpec("alloc", "/alloc"),
        VolumeMountSpec("alloc", "/logs", "logs"),
    ]
    assert app.volume_mounts[1] == VolumeMountSpec("alloc", "/logs", "logs", True)
    assert report[0][1:] == (
        "/alloc/logs → /logs (a mount of volume 'alloc' at sub_path 'logs')",
        4,
        "kubernetes_deployment.app.container[shipper].volume_mount[/logs]",
    )


def test_a_dir_inside_a_bind_with_a_sub_path_keeps_the_sub_path() -> None:
    app = container(volume_mounts=[VolumeMountSpec("alloc", "/alloc", "inner")])
    plan = plan_of(app, volumes=[PodVolume("alloc", "empty_dir")])
    apply(plan, {"/alloc/data": "/data"})
    assert app.volume_mounts[1] == VolumeMountSpec("alloc", "/data", "inner/data")


def test_no_sub_dir_mount_into_a_config_map_or_under_a_deeper_mount() -> None:
    app = container(
        volume_mounts=[
            VolumeMountSpec("alloc", "/alloc"),
            VolumeMountSpec("db", "/alloc/data"),
            VolumeMountSpec("conf", "/local"),
        ]
    )
    plan = plan_of(
        app,
        volumes=[
            PodVolume("alloc", "empty_dir"),
            PodVolume("db", "host_path"),
            PodVolume("conf", "config_map"),
        ],
    )
    apply(plan, {"/alloc/data/x": "/x", "/local/conf": "/conf"})
    assert app.volume_mounts == [
        VolumeMountSpec("alloc", "/alloc"),
        VolumeMountSpec("db", "/alloc/data"),
        VolumeMountSpec("db", "/x", "x"),
        VolumeMountSpec("conf", "/local"),
    ]


def test_config_files_move() -> None:
    config_map = ConfigMap(
        "app",
        ResourceName("-config"),
        LOCAL_LABELS,
        {
            "app.yml": "logs: /alloc/logs\ncache: /local/cache\nhost: localhost\n",
            "db.ini": StringTemplate(("host=", Ref("var.db"), "\npath=/alloc/data/db\n")),
        },
    )
    plan = plan_of(container(), config_maps=[config_map])
    report = apply(plan, {"/alloc": "/shared", "/local": "/config"})
    assert (
        config_map.data["app.yml"] == "logs: /shared/logs\ncache: /config/cache\nhost: localhost\n"
    )
    assert config_map.data["db.ini"] == StringTemplate(
        ("host=", Ref("var.db"), "\npath=/shared/data/db\n")
    )
    assert (
        "relocated",
        "/alloc/logs → /shared/logs",
        4,
        "kubernetes_config_map.app.data[app.yml]",
    ) in report


def test_secret_templates_move() -> None:
    secret = ExternalSecret(
        ResourceName("-secrets"),
        "vault",
        "ClusterSecretStore",
        "1h",
        ResourceName("-secrets"),
        [],
        template_data={"app.env": "TOKEN={{ .token }}\nCERT=/secrets/cert.pem\n"},
    )
    plan = plan_of(container(), external_secret=secret)
    apply(plan, {"/secrets": "/run/secrets"})
    assert secret.template_data["app.env"] == "TOKEN={{ .token }}\nCERT=/run/secrets/cert.pem\n"


def test_defaults_of_module_variables_move() -> None:
    plan = plan_of(
        container(args=[]),
        variables=[
            Variable("conf", "string", "", "/local/app.yml"),
            Variable("dirs", "list(string)", "", ["/local/a", "/tmp"]),
            Variable("required", "string", "", None, has_default=False),
        ],
    )
    report = apply(plan, {"/local": "/config"})
    assert [v.default for v in plan.variables] == ["/config/app.yml", ["/config/a", "/tmp"], None]
    assert {r[3] for r in report} == {"variable.conf.default", "variable.dirs.default"}


def test_a_key_that_matches_nothing_is_an_info() -> None:
    plan = plan_of(container(args=["/local/x"]))
    report = apply(plan, {"/local": "/config", "/secrets": "/run/secrets"})
    assert (
        "relocate-unused",
        "/secrets → /run/secrets matches nothing in the module: nothing moved",
        5,
        "relocate[/secrets]",
    ) in report


def test_an_empty_relocation_changes_nothing() -> None:
    plan = plan_of(container(args=["/local/x"]))
    assert apply(plan, {}) == []
    assert plan.workloads[0].pod.containers[0].args == ["/local/x"]


# --- two mounts at one path --------------------------------------------------------------


def test_moving_a_mount_onto_another_volume_is_refused_at_the_keys_line() -> None:
    app = container(
        volume_mounts=[
            VolumeMountSpec("settings", "/config"),
            VolumeMountSpec("local-app", "/local"),
        ]
    )
    plan = plan_of(app, volumes=[PodVolume("local-app", "empty_dir")])
    with pytest.raises(InputError) as caught:
        apply(plan, {"/local": "/config"})
    error = caught.value
    assert (error.file, error.line, error.code) == (SPEC, 4, "relocate-conflict")
    assert "already mounts volume 'settings' at /config" in error.message
    assert PLACE in error.message


def test_a_sub_dir_mount_onto_another_volume_is_refused() -> None:
    app = container(
        volume_mounts=[VolumeMountSpec("alloc", "/alloc"), VolumeMountSpec("data", "/data")]
    )
    plan = plan_of(app, volumes=[PodVolume("alloc", "empty_dir")])
    with pytest.raises(InputError, match="already mounts volume 'data' at /data"):
        apply(plan, {"/alloc/data": "/data"})


def test_a_mount_that_lands_on_the_same_mount_is_merged() -> None:
    # `../alloc/data:/data` in the jobspec already shows alloc/data at /data.
    app = container(
        volume_mounts=[
            VolumeMountSpec("alloc", "/alloc"),
            VolumeMountSpec("alloc", "/data", "data"),
        ]
    )
    plan = plan_of(app, volumes=[PodVolume("alloc", "empty_dir")])
    apply(plan, {"/alloc/data": "/data"})
    assert app.volume_mounts == [
        VolumeMountSpec("alloc", "/alloc"),
        VolumeMountSpec("alloc", "/data", "data"),
    ]


# --- end to end --------------------------------------------------------------------------

JOBSPEC = """\
job "web" {
  group "web" {
    task "web" {
      driver = "docker"
      config {
        image    = "nginx:1.27"
        args     = ["-c", "${NOMAD_TASK_DIR}/nginx.conf"]
        work_dir = "/local/www"
      }
      env {
        CACHE = "/alloc/data/cache"
      }
      template {
        destination = "local/nginx.conf"
        data        = "root /local/www; access_log /alloc/logs/access.log;"
      }
    }
  }
}
"""


def test_generate_applies_the_spec_and_reports_each_rewrite(tmp_path: Path) -> None:
    jobspec = tmp_path / "web.nomad.hcl"
    jobspec.write_text(JOBSPEC)
    spec_path = write_spec(tmp_path, "  /local: /config\n  /alloc/data: /data\n  /secrets: /s\n")
    spec = load_service_spec(spec_path)
    generation = generate("web", jobspec, Settings(), spec)
    main = generation.files["main.tf"]
    assert "/local" not in main and "/alloc/data" not in main
    for text in (
        '"-c", "/config/nginx.conf"',
        'working_dir = "/config/www"',
        'value = "/data/cache"',
        'mount_path = "/config/nginx.conf"',
        'mount_path = "/config"',
        "root /config/www; access_log /alloc/logs/access.log;",
    ):
        assert text in main
    codes = [(d.code, d.file, d.line) for d in generation.diagnostics if d.file == str(spec_path)]
    assert ("relocated", str(spec_path), 3) in codes
    assert ("relocated", str(spec_path), 4) in codes
    assert ("relocate-unused", str(spec_path), 5) in codes


def test_relocated_is_how_a_setting_was_carried_for_strict() -> None:
    plan = plan_of(container(args=["/local/x"]))
    sink = DiagnosticSink()
    relocate_plan(plan, relocation({"/local": "/config", "/secrets": "/s"}), sink)
    assert [d.code for d in unaccepted(sink, [])] == ["relocate-unused"]


# --- the real homelab ----------------------------------------------------------------------

BROAD = {
    "/local": "/config",
    "/secrets": "/run/secrets",
    "/alloc": "/shared",
    "/alloc/data": "/data",
}
_TOKEN = re.compile(r'(?:^|[\s"=:(\[])/(?:local|secrets|alloc)(?:/|"|\s|$)')


@pytest.mark.shared
def test_the_homelab_relocates_without_a_trace_of_the_task_dirs(
    cluster_state_jobspecs: list[Path],
) -> None:
    spec = ServiceSpec.model_validate({"relocate": BROAD})
    moved, refused = 0, []
    for jobspec in cluster_state_jobspecs:
        service = jobspec.name.removesuffix(".nomad.hcl")
        try:
            generation = generate(service, jobspec, Settings(), spec)
        except InputError as error:
            if error.code == "relocate-conflict":
                refused.append(service)
            continue
        main = generation.files["main.tf"]
        left = [line for line in main.splitlines() if _TOKEN.search(line)]
        assert not left, f"{service}: {left}"
        moved += any(d.code == "relocated" for d in generation.diagnostics)
    # media-centre mounts its own volume at /config beside /local: refused, not merged.
    assert refused == ["media-centre"]
    assert moved >= 8


# --- the command line ----------------------------------------------------------------------


def _cli(tmp_path: Path, relocate: str, jobspec: str = JOBSPEC) -> tuple[int, str, Path]:
    from click.testing import CliRunner

    from generator.cli import main

    (tmp_path / "web.nomad.hcl").write_text(jobspec)
    (tmp_path / "web.yaml").write_text("jobspec: web.nomad.hcl\nrelocate:\n" + relocate)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["web", "--specs", str(tmp_path), "--out", str(out)])
    return result.exit_code, result.stderr.strip(), out


def test_a_bad_map_exits_2_with_the_specs_line_and_writes_nothing(tmp_path: Path) -> None:
    code, stderr, out = _cli(tmp_path, "  /local: /config\n  /usr: /x\n")
    assert code == 2
    assert stderr == (
        f"{tmp_path / 'web.yaml'}:4: invalid-spec: relocate: '/usr' is not a Nomad task dir:"
        " relocate moves /alloc, /local, /secrets and paths below them (to move another"
        " mount, use overrides)"
    )
    assert not out.exists()


def test_a_move_onto_another_mount_exits_2_at_the_keys_line(tmp_path: Path) -> None:
    # The jobspec binds alloc/data at /data: /local cannot move there too.
    jobspec = JOBSPEC.replace('work_dir = "/local/www"', 'volumes = ["../alloc/data:/data"]')
    code, stderr, out = _cli(tmp_path, "  /local: /data\n", jobspec)
    assert code == 2
    assert stderr.startswith(f"{tmp_path / 'web.yaml'}:3: relocate-conflict: relocate /local")
    assert "already mounts volume 'alloc' at /data" in stderr
    assert not out.exists()
