"""Nomad cron expressions (cronexpr: 5, 6 or 7 fields) → a 5-field CronJob schedule."""

from __future__ import annotations

import pytest

from generator.diagnostics import DiagnosticSink
from generator.settings import Settings
from generator.translate.context import Context
from generator.translate.cron import cron_schedule, kubernetes_schedule


@pytest.mark.parametrize(
    ("cron", "expected"),
    [
        ("0 3 * * *", "0 3 * * *"),
        ("  0  3 * *   * ", "0 3 * * *"),
        # 6 fields: a trailing year (cronexpr prepends second 0).
        ("5 5 * * * *", "5 5 * * *"),
        ("5 5 * * * ?", "5 5 * * *"),
        # 7 fields: a leading second and a trailing year.
        ("0 30 2 * * 1 *", "30 2 * * 1"),
        ("00 */10 * * * * *", "*/10 * * * *"),
        ("@daily", "@daily"),
        ("@Weekly", "@weekly"),
        # Sunday as 7, and ranges through Sunday.
        ("0 0 * * 7", "0 0 * * 0"),
        ("0 0 * * 5-7", "0 0 * * 5,6,0"),
        ("0 0 * * fri-sun", "0 0 * * 5,6,0"),
        ("0 0 * * 1-7/2", "0 0 * * 1,3,5,0"),
        ("0 0 * * MON-FRI", "0 0 * * MON-FRI"),
        ("0 0 * * wed", "0 0 * * wed"),
        # Full names: ParseStandard reads three letters only.
        ("0 0 1 January Sunday", "0 0 1 jan sun"),
    ],
)
def test_a_nomad_cron_becomes_a_five_field_schedule(cron: str, expected: str) -> None:
    result = kubernetes_schedule(cron)
    assert result.schedule == expected
    assert result.changes == []


@pytest.mark.parametrize(
    ("cron", "expected", "lost"),
    [
        ("30 0 3 * * * *", "0 3 * * *", "second '30'"),
        ("*/15 * * * * * *", "* * * * *", "second '*/15'"),
        ("0 3 * * * 2027", "0 3 * * *", "year '2027'"),
    ],
)
def test_what_a_cron_job_cannot_keep_is_reported_with_the_closest_schedule(
    cron: str, expected: str, lost: str
) -> None:
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file="x.nomad.hcl", job_name="x")
    assert cron_schedule(cron, "schedule", 4, ctx) == expected
    [diagnostic] = list(ctx.sink)
    assert (diagnostic.code, diagnostic.line) == ("needs-decision", 4)
    assert lost in diagnostic.message and expected in diagnostic.message


@pytest.mark.parametrize(
    "cron",
    [
        "0 0 L * *",
        "0 0 15W * *",
        "0 0 * * 5#3",
        "0 0 * * 5L",
        "@every 1h",
        "* * * *",
        "",
        "CRON_TZ=UTC 0 3 * *",
        "0 3 * * * * * *",
    ],
)
def test_a_cron_with_no_cron_job_equivalent_leaves_the_variable_without_default(
    cron: str,
) -> None:
    ctx = Context(settings=Settings(), sink=DiagnosticSink(), file="x.nomad.hcl", job_name="x")
    assert cron_schedule(cron, "schedule_2", 4, ctx) is None
    [diagnostic] = list(ctx.sink)
    assert diagnostic.code == "needs-decision"
    assert "var.schedule_2 has no default" in diagnostic.message
