"""`gen-module --help` and usage errors import no part of the pipeline."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pydantic", "jinja2", "hcl2", "lark", "yaml", "generator.pipeline")

PROBE = """
import sys
from generator.cli import main
try:
    main(["--help"])
except SystemExit:
    pass
print(" ".join(sorted(name for name in sys.modules if name.split(".")[0] in {heavy})))
"""


def test_help_imports_no_pipeline() -> None:
    roots = {name.split(".")[0] for name in HEAVY} | {"generator"}
    probe = PROBE.format(heavy=sorted(roots))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "Usage:" in result.stdout
    loaded = set(result.stdout.splitlines()[-1].split())
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
