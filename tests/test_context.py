"""A translation's context: read-only inputs, results collected along the way."""

from __future__ import annotations

import dataclasses

import pytest

from generator.diagnostics import DiagnosticSink
from generator.settings import Settings
from generator.translate.context import Context


def test_inputs_are_read_only() -> None:
    ctx = Context(Settings(), DiagnosticSink(), "x.nomad.hcl", "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ctx.inputs.file = "y"  # type: ignore[misc]


def test_the_job_lookups_make_a_new_context_that_shares_the_results() -> None:
    ctx = Context(Settings(), DiagnosticSink(), "x.nomad.hcl", "x")
    job_ctx = ctx.for_job({"api": ("app-api", 8080)}, {"g": ({"http": 80}, set())})
    assert (ctx.internal_services, ctx.port_numbers) == ({}, {})
    assert job_ctx.internal_services == {"api": ("app-api", 8080)}
    job_ctx.needs_decision("m", 3)
    job_ctx.notes.append("n")
    assert [d.message for d in ctx.sink] == ["m"]
    assert ctx.notes == ["n"]
