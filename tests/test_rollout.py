"""The `update` block → a workload's rollout: strategy, surge, readiness time, deadline."""

from __future__ import annotations

import pytest

from generator.diagnostics import DiagnosticSink
from generator.hcl import parse_hcl
from generator.k8s_plan import PodSpec, Workload
from generator.model import Job
from generator.model_builder import build_job
from generator.plan_values import Ref, ResourceName
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.rollout import apply_update

FILE = "x.nomad.hcl"


def job_of(job_update: str = "", group_update: str = "") -> Job:
    job_block = f"  update {{\n{job_update}  }}\n" if job_update else ""
    group_block = f"    update {{\n{group_update}    }}\n" if group_update else ""
    text = f'job "x" {{\n{job_block}  group "g" {{\n{group_block}  }}\n}}\n'
    return build_job(parse_hcl(text, FILE))


def workload(kind: str = "kubernetes_deployment", replicas: int | None = 3, **fields) -> Workload:
    made = Workload(
        resource_type=kind,
        tf_name="app",
        name=ResourceName(),
        labels=Ref("local.labels"),
        selector={},
        pod=PodSpec(containers=[]),
        replicas=replicas,
    )
    for name, value in fields.items():
        setattr(made, name, value)
    return made


def rolled(job: Job, made: Workload) -> tuple[Workload, list[tuple[str, int | None, str | None]]]:
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file=FILE, job_name="x")
    apply_update([made], job, job.groups[0], ctx)
    return made, [(d.code, d.line, d.path) for d in ctx.sink]


def test_no_update_block_keeps_the_kubernetes_defaults() -> None:
    made, found = rolled(job_of(), workload())
    assert (made.strategy, made.max_surge, made.max_unavailable) == (None, None, None)
    assert found == []


def test_max_parallel_replaces_that_many_pods_before_starting_new_ones() -> None:
    made, found = rolled(job_of(group_update="      max_parallel = 2\n"), workload())
    assert (made.strategy, made.max_surge, made.max_unavailable) == ("RollingUpdate", "0", "2")
    assert found == []


def test_max_parallel_zero_updates_every_pod_at_once() -> None:
    made, _ = rolled(job_of(group_update="      max_parallel = 0\n"), workload())
    assert (made.max_surge, made.max_unavailable) == ("0", "100%")


def test_min_healthy_time_and_progress_deadline() -> None:
    update = '      min_healthy_time = "30s"\n      progress_deadline = "10m"\n'
    made, found = rolled(job_of(group_update=update), workload())
    assert (made.min_ready_seconds, made.progress_deadline_seconds) == (30, 600)
    assert found == []


@pytest.mark.parametrize(
    ("update", "deadline"),
    [
        ('      min_healthy_time = "5m"\n      progress_deadline = "1m"\n', 900),
        ('      min_healthy_time = "12m"\n', 1320),
        ('      min_healthy_time = "12m"\n      progress_deadline = "0"\n', 1320),
    ],
)
def test_the_deadline_is_raised_past_the_readiness_time(update: str, deadline: int) -> None:
    made, found = rolled(job_of(group_update=update), workload())
    assert made.progress_deadline_seconds == deadline
    assert ("needs-decision", 4, "job[x].group[g].update.min_healthy_time") in found


def test_progress_deadline_zero_is_reported() -> None:
    made, found = rolled(job_of(group_update='      progress_deadline = "0"\n'), workload())
    assert made.progress_deadline_seconds is None
    assert found == [("dropped", 4, "job[x].group[g].update.progress_deadline")]


def test_auto_promoted_canaries_become_a_surge_with_nothing_unavailable() -> None:
    update = "    canary = 1\n    auto_promote = true\n    max_parallel = 3\n"
    made, found = rolled(job_of(job_update=update), workload())
    assert (made.strategy, made.max_surge, made.max_unavailable) == ("RollingUpdate", "1", "0")
    # After its canaries Nomad updates max_parallel at a time; the surge does not.
    assert found == [("dropped", 5, "job[x].update.max_parallel")]


def test_canaries_promoted_by_hand_are_unsupported_and_max_parallel_still_applies() -> None:
    update = "    canary = 2\n    max_parallel = 1\n"
    made, found = rolled(job_of(job_update=update), workload())
    assert (made.max_surge, made.max_unavailable) == ("0", "1")
    assert found == [("unsupported", 3, "job[x].update.canary")]


def test_group_fields_win_and_each_report_names_the_block_it_came_from() -> None:
    job = job_of(
        job_update="    max_parallel = 1\n    auto_revert = true\n",
        group_update="      max_parallel = 4\n",
    )
    made, found = rolled(job, workload())
    assert made.max_unavailable == "4"
    assert found == [("unsupported", 4, "job[x].update.auto_revert")]


def test_recreate_for_a_writable_host_path_wins_over_max_parallel() -> None:
    made, found = rolled(
        job_of(group_update="      max_parallel = 2\n"), workload(strategy="Recreate")
    )
    assert (made.strategy, made.max_unavailable) == ("Recreate", None)
    assert found == [("dropped", 4, "job[x].group[g].update.max_parallel")]


def test_one_replica_under_recreate_loses_nothing() -> None:
    made, found = rolled(
        job_of(group_update="      max_parallel = 1\n"), workload(replicas=1, strategy="Recreate")
    )
    assert made.strategy == "Recreate"
    assert found == []


def test_stateful_sets_roll_one_pod_at_a_time() -> None:
    update = '      max_parallel = 2\n      min_healthy_time = "20s"\n'
    made, found = rolled(job_of(group_update=update), workload("kubernetes_stateful_set"))
    assert (made.max_unavailable, made.min_ready_seconds) == (None, 20)
    assert found == [("dropped", 4, "job[x].group[g].update.max_parallel")]


def test_daemon_sets_take_max_unavailable_without_a_surge() -> None:
    made, found = rolled(
        job_of(group_update="      max_parallel = 2\n"), workload("kubernetes_daemon_set_v1")
    )
    assert (made.strategy, made.max_surge, made.max_unavailable) == ("RollingUpdate", None, "2")
    assert found == []


@pytest.mark.parametrize("kind", ["kubernetes_job_v1", "kubernetes_cron_job_v1"])
def test_jobs_are_never_rolled_out(kind: str) -> None:
    made, found = rolled(job_of(job_update="    max_parallel = 2\n"), workload(kind))
    assert made.max_unavailable is None
    assert found == [("dropped", 2, "job[x].update")]


@pytest.mark.parametrize(
    ("value", "code"), [("task_states", "dropped"), ("manual", "unsupported"), ("checks", None)]
)
def test_health_check_modes(value: str, code: str | None) -> None:
    _, found = rolled(job_of(group_update=f'      health_check = "{value}"\n'), workload())
    assert found == ([(code, 4, "job[x].group[g].update.health_check")] if code else [])


def test_canaries_under_recreate_are_unsupported_and_max_parallel_still_reported() -> None:
    update = "    canary = 1\n    auto_promote = true\n    max_parallel = 2\n"
    made, found = rolled(job_of(job_update=update), workload(strategy="Recreate"))
    assert (made.strategy, made.max_surge) == ("Recreate", None)
    assert found == [
        ("unsupported", 3, "job[x].update.canary"),
        ("dropped", 5, "job[x].update.max_parallel"),
    ]
