"""Fuzz: damaged jobspecs give a module or one clean input error, never a traceback."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.diagnostics import InputError
from generator.pipeline import generate
from generator.service_spec import ServiceSpec
from generator.settings import Settings
from tests.shared_access import REPO

SOURCES = [REPO / "specs" / name for name in ("static-sites.nomad.hcl", "notes.nomad.hcl")]
NOISE = st.text(alphabet='{}[]()"=#$%\\\n abc0.:,<-*`', min_size=1, max_size=6)


@st.composite
def damaged(draw) -> str:
    text = draw(st.sampled_from(SOURCES)).read_text()
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["delete", "insert", "swap_lines"]))
        position = draw(st.integers(0, len(text)))
        if kind == "delete":
            text = text[:position] + text[position + draw(st.integers(1, 8)) :]
        elif kind == "insert":
            text = text[:position] + draw(NOISE) + text[position:]
        else:
            lines = text.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
    return text


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=damaged())
def test_damaged_jobspecs_yield_a_module_or_one_input_error(tmp_path: Path, text: str) -> None:
    jobspec = tmp_path / "fuzz.nomad.hcl"
    jobspec.write_text(text)
    try:
        generation = generate("fuzz", jobspec, Settings(), ServiceSpec())
    except InputError as error:
        line = error.one_line()
        assert "\n" not in line
        assert error.code and error.message
        assert line.startswith(str(jobspec))
        return
    assert "main.tf" in generation.files
