"""Pattern classification (A to E, worker) with its reasons, and `--pattern` overrides."""

from __future__ import annotations

import pytest

from generator.classify import GroupClass, Pattern, classify, classify_group
from generator.diagnostics import InputError
from generator.hcl import parse_hcl
from generator.model import Job
from generator.model_builder import build_job

FILE = "x.nomad.hcl"

HTTP_NETWORK = """
    network {
      port "http" {
        to = 8080
      }
    }
"""

WEB_TASK = """
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1"
        ports = ["http"]
      }
    }
"""

GPU_TASK = """
    task "gpu" {
      driver = "docker"
      config {
        image = "cuda:12"
      }
      resources {
        device "nvidia/gpu" {
          count = 2
        }
      }
    }
"""

LITESTREAM_TASKS = """
    task "restore" {
      driver = "docker"
      lifecycle {
        hook = "prestart"
      }
      config {
        image = "litestream/litestream:0.3"
        args  = ["restore", "-if-replica-exists", "/data/db.sqlite"]
      }
    }
    task "replicate" {
      driver = "docker"
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      config {
        image = "litestream/litestream:0.3"
        args  = ["replicate"]
      }
    }
"""


def job_of(group_body: str, job_extra: str = "", group_name: str = "app") -> Job:
    text = f'job "x" {{\n{job_extra}\n  group "{group_name}" {{\n{group_body}\n  }}\n}}\n'
    return build_job(parse_hcl(text, FILE))


def single(job: Job) -> GroupClass:
    assert len(job.groups) == 1
    return classify_group(job, job.groups[0])


PERIODIC = 'type = "batch"\n  periodic {\n    crons = ["0 3 * * *"]\n  }'


def test_plain_web_group_is_a() -> None:
    result = single(job_of(HTTP_NETWORK + WEB_TASK))
    assert result.pattern is Pattern.A
    assert result.worker is False
    assert result.reasons == ["group 'app' keeps no persistent data"]


def test_periodic_is_e() -> None:
    job = job_of(WEB_TASK, PERIODIC)
    result = single(job)
    assert result.pattern is Pattern.E
    assert result.reasons == ["job is periodic (0 3 * * *)"]
    assert classify(job, None).pattern is Pattern.E


def test_periodic_wins_over_gpu() -> None:
    assert single(job_of(GPU_TASK, PERIODIC)).pattern is Pattern.E


def test_gpu_device_is_d() -> None:
    job = job_of(HTTP_NETWORK + GPU_TASK)
    result = single(job)
    assert result.pattern is Pattern.D
    assert result.reasons == ["task 'gpu' asks for device 'nvidia/gpu' x2"]
    assert job.groups[0].tasks[0].gpu_count == 2


def test_nvidia_runtime_is_d_with_one_gpu() -> None:
    job = job_of(HTTP_NETWORK + WEB_TASK.replace('image = "nginx:1"', 'runtime = "nvidia"'))
    result = single(job)
    assert result.pattern is Pattern.D
    assert result.reasons == ["task 'web' runs with docker's nvidia runtime (one GPU)"]
    assert job.groups[0].tasks[0].gpu_count == 1


def test_non_gpu_device_is_not_d() -> None:
    task = GPU_TASK.replace('device "nvidia/gpu"', 'device "intel/fpga"')
    job = job_of(HTTP_NETWORK + task)
    assert single(job).pattern is Pattern.A
    assert job.groups[0].tasks[0].gpu_count == 0


def test_litestream_is_b() -> None:
    result = single(job_of(HTTP_NETWORK + WEB_TASK + LITESTREAM_TASKS))
    assert result.pattern is Pattern.B
    assert result.reasons == [
        "prestart task 'restore' restores and sidecar 'replicate' replicates an SQLite database"
        " with litestream"
    ]


def test_litestream_wins_over_gpu_and_keeps_gpu_reason() -> None:
    result = single(job_of(HTTP_NETWORK + GPU_TASK + LITESTREAM_TASKS))
    assert result.pattern is Pattern.B
    assert result.reasons[1] == "task 'gpu' asks for device 'nvidia/gpu' x2 (kept as a GPU limit)"


def test_litestream_restore_without_replicate_sidecar_is_not_b() -> None:
    tasks = LITESTREAM_TASKS.replace("sidecar = true", "sidecar = false")
    assert single(job_of(HTTP_NETWORK + WEB_TASK + tasks)).pattern is not Pattern.B


CSI_VOLUME = """
    volume "data" {
      type   = "csi"
      source = "app-data"
      EXTRA
    }
"""

MOUNTING_TASK = """
    task "web" {
      driver = "docker"
      config {
        image = "nginx:1"
      }
      volume_mount {
        volume      = "data"
        destination = "/var/lib/app"
        EXTRA
      }
    }
"""


def test_writable_csi_volume_is_c_naming_the_volume() -> None:
    body = HTTP_NETWORK + CSI_VOLUME.replace("EXTRA", "") + MOUNTING_TASK.replace("EXTRA", "")
    result = single(job_of(body))
    assert result.pattern is Pattern.C
    assert result.reasons == ["task 'web' writes to csi volume 'app-data' at /var/lib/app"]


@pytest.mark.parametrize(
    ("volume_extra", "mount_extra"),
    [("read_only = true", ""), ("", "read_only = true")],
    ids=["read-only-request", "read-only-mount"],
)
def test_read_only_volume_is_a(volume_extra: str, mount_extra: str) -> None:
    body = (
        HTTP_NETWORK
        + CSI_VOLUME.replace("EXTRA", volume_extra)
        + MOUNTING_TASK.replace("EXTRA", mount_extra)
    )
    result = single(job_of(body))
    assert result.pattern is Pattern.A


@pytest.mark.parametrize(
    ("config", "reason"),
    [
        ('volumes = ["/srv/data:/data"]', "task 'w' bind-mounts /srv/data writable"),
        (
            'mount {\n  type = "bind"\n  source = "/srv/x"\n  target = "/x"\n}',
            "task 'w' bind-mounts /srv/x writable",
        ),
    ],
)
def test_writable_absolute_bind_is_c(config: str, reason: str) -> None:
    task = f'task "w" {{\n  driver = "docker"\n  config {{\n    {config}\n  }}\n}}\n'
    result = single(job_of(HTTP_NETWORK + task))
    assert result.pattern is Pattern.C
    assert result.reasons == [reason]


@pytest.mark.parametrize(
    "config",
    [
        'volumes = ["/srv/data:/data:ro"]',
        'volumes = ["local/conf:/etc/conf"]',
        'mount {\n  type = "bind"\n  source = "/srv/x"\n  target = "/x"\n  readonly = true\n}',
    ],
)
def test_read_only_or_task_dir_bind_is_a(config: str) -> None:
    task = f'task "w" {{\n  driver = "docker"\n  config {{\n    {config}\n  }}\n}}\n'
    assert single(job_of(HTTP_NETWORK + task)).pattern is Pattern.A


def test_no_ports_and_no_service_port_is_worker() -> None:
    result = single(job_of(WEB_TASK))
    assert result.pattern is Pattern.A
    assert result.worker is True
    assert result.reasons[-1] == (
        "group 'app' has no ports and no routes: a worker, no Service or Ingress"
    )
    assert classify(job_of(WEB_TASK), None).reasons == [
        "app: A (worker): group 'app' keeps no persistent data; group 'app' has no ports and no"
        " routes: a worker, no Service or Ingress"
    ]


def test_service_port_without_network_is_not_worker() -> None:
    service = '    service {\n      name = "web"\n      port = 8080\n    }\n'
    assert single(job_of(service + WEB_TASK)).worker is False


def test_service_without_port_is_worker() -> None:
    service = '    service {\n      name = "web"\n    }\n'
    assert single(job_of(service + WEB_TASK)).worker is True


def test_job_pattern_follows_precedence() -> None:
    text = (
        'job "x" {\n'
        f'  group "web" {{\n{HTTP_NETWORK}{WEB_TASK}\n  }}\n'
        f'  group "ml" {{\n{HTTP_NETWORK}{GPU_TASK}\n  }}\n'
        "}\n"
    )
    job = build_job(parse_hcl(text, FILE))
    result = classify(job, None)
    assert result.pattern is Pattern.D
    assert {name: c.pattern for name, c in result.groups.items()} == {
        "web": Pattern.A,
        "ml": Pattern.D,
    }


# --- --pattern overrides ----------------------------------------------------------------


def test_override_e_on_non_periodic_job_is_pattern_conflict() -> None:
    job = job_of(HTTP_NETWORK + WEB_TASK)
    with pytest.raises(InputError) as info:
        classify(job, Pattern.E)
    assert info.value.code == "pattern-conflict"
    assert (info.value.file, info.value.line) == (FILE, 1)
    assert info.value.message.startswith("--pattern E: the job has no `periodic` block")


def test_override_d_without_gpu_is_error() -> None:
    with pytest.raises(InputError) as info:
        classify(job_of(HTTP_NETWORK + WEB_TASK), Pattern.D)
    assert info.value.code == "pattern-conflict"
    assert info.value.message == "--pattern D: no task asks for a GPU `device`"


def test_override_a_on_periodic_job_is_error() -> None:
    with pytest.raises(InputError) as info:
        classify(job_of(WEB_TASK, PERIODIC), Pattern.A)
    assert info.value.code == "pattern-conflict"
    assert "the job is periodic" in info.value.message


def test_override_b_without_litestream_is_error() -> None:
    with pytest.raises(InputError) as info:
        classify(job_of(HTTP_NETWORK + WEB_TASK), Pattern.B)
    assert info.value.code == "pattern-conflict"
    assert "litestream" in info.value.message


def test_override_e_on_periodic_job_is_accepted() -> None:
    result = classify(job_of(WEB_TASK, PERIODIC), Pattern.E)
    assert result.pattern is Pattern.E
    assert result.groups["app"].reasons[0] == "--pattern E given"


def test_override_c_applies_to_every_group() -> None:
    result = classify(job_of(HTTP_NETWORK + WEB_TASK), Pattern.C)
    assert result.pattern is Pattern.C
    assert result.groups["app"].pattern is Pattern.C
    assert result.groups["app"].reasons == [
        "--pattern C given",
        "group 'app' keeps no persistent data",
    ]
    assert result.reasons == ["app: C: --pattern C given; group 'app' keeps no persistent data"]


def test_every_gpu_task_is_named_in_the_reasons() -> None:
    runtime_task = WEB_TASK.replace('image = "nginx:1"', 'runtime = "nvidia"')
    job = job_of(HTTP_NETWORK + GPU_TASK + runtime_task)
    assert [task.gpu_count for task in job.groups[0].tasks] == [2, 1]
    assert single(job).reasons == [
        "task 'gpu' asks for device 'nvidia/gpu' x2",
        "task 'web' runs with docker's nvidia runtime (one GPU)",
    ]


NAMED_VOLUME = '      mount {\n        type = "volume"\n        source = "pgdata"\n        target = "/d"\n      }\n'


def task_with(config: str) -> str:
    return (
        '    task "db" {\n      driver = "docker"\n      config {\n        image = "pg:16"\n'
        + config
        + "      }\n    }\n"
    )


def test_a_named_docker_volume_is_persistent_data() -> None:
    group_class = single(job_of(task_with(NAMED_VOLUME)))
    assert group_class.pattern is Pattern.C
    assert "task 'db' writes to docker volume 'pgdata'" in group_class.reasons[0]


def test_relative_volumes_sources_are_task_dir_scratch_space() -> None:
    config = '        volumes = ["cache:/cache", "data/db:/db", "local/x:/x"]\n'
    assert single(job_of(task_with(config))).pattern is Pattern.A
