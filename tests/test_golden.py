"""End-to-end golden record: every example spec's module, as committed in modules-k8s/.

`pytest --force-regen tests/test_golden.py` (or `make regen`) rewrites them; the
diff is what a reviewer reads.
"""

from __future__ import annotations

import pytest

from generator.cli import resolve_jobspec
from generator.pipeline import Generation, generate
from generator.regen import service_specs
from generator.settings import load_settings
from generator.writer import MANIFEST
from tests.shared_access import REPO
from tests.terraform_fmt import terraform_fmt

SPECS = REPO / "specs"
SERVICES = service_specs(SPECS)


def _generate(service: str) -> Generation:
    """As `make regen` does: from the repository root, paths relative to it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        specs = SPECS.relative_to(REPO)
        settings = load_settings(specs / "settings.yaml")
        jobspec, spec = resolve_jobspec(service, None, specs)
        return generate(service, jobspec, settings, spec, specs_dir=specs)


@pytest.fixture(scope="module", params=SERVICES)
def generation(request: pytest.FixtureRequest) -> Generation:
    return _generate(request.param)


def test_every_generated_file_matches_its_golden_copy(
    generation: Generation, file_regression
) -> None:
    for name, content in sorted(generation.files.items()):
        file_regression.check(
            content,
            fullpath=REPO / "modules-k8s" / generation.service / name,
            binary=False,
        )


def test_no_golden_file_is_left_over(generation: Generation) -> None:
    folder = REPO / "modules-k8s" / generation.service
    committed = {p.name for p in folder.iterdir() if p.name != MANIFEST}
    assert committed == set(generation.files)


def test_every_tf_file_is_terraform_fmt_canonical(generation: Generation) -> None:
    for name, content in generation.files.items():
        if name.endswith(".tf"):
            assert terraform_fmt(content) == content, f"{generation.service}/{name}"


def test_generation_is_deterministic(generation: Generation) -> None:
    assert _generate(generation.service).files == generation.files
