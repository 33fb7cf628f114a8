"""`python -m tools.bench` over specs/ only: every stage reported, every spec counted."""

from __future__ import annotations

import re

import pytest

from tests.shared_access import REPO
from tools.bench import STAGES, main


def test_bench_reports_every_stage_and_every_spec(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    specs = [p for p in (REPO / "specs").glob("*.yaml") if p.name != "settings.yaml"]

    code = main(["--repeat", "1", "--no-corpus", "--no-startup"])

    output = capsys.readouterr().out
    assert code == 0
    for stage in STAGES:
        assert re.search(rf"^{stage} ", output, re.MULTILINE), f"no row for stage {stage}"
    files = re.search(r"^files (\d+),", output, re.MULTILINE)
    assert files is not None, output
    assert int(files.group(1)) == len(specs)
    assert "crash:" not in output


def test_startup_report_prints_the_three_ratios(tmp_path) -> None:
    from tools import bench_startup

    homelab = tmp_path / "homelab"
    homelab.mkdir()
    for name in ("searxng", "wiki"):
        (homelab / f"{name}.nomad.hcl").write_text(
            (REPO / "specs" / f"{name}.nomad.hcl").read_text(encoding="utf-8"), encoding="utf-8"
        )
    lines = bench_startup.report(REPO, homelab, repeat=1, processes=1)
    text = "\n".join(lines)
    assert re.search(r"^gen-module --help .* target +0\.15 s +\d+\.\d\dx (holds|over)$", text, re.M)
    assert re.search(
        r"^homelab, 2 jobspecs: .* \d+\.\d\d python-hcl2 parses per file\)$", text, re.M
    )
    assert re.search(r"^make regen, nothing changed .* target +0\.50 s", text, re.M)


def test_homelab_generation_parses_each_file_once(tmp_path) -> None:
    from tools import bench_homelab

    files = [REPO / "specs" / f"{name}.nomad.hcl" for name in ("searxng", "wiki")]

    result = bench_homelab.worker_seconds(files, rounds=1)

    assert result["parses_per_file"] == 1.0
    assert len(result["pairs"]) == 1
