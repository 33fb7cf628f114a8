"""`python -m tools.bench_hostile`: seconds and peak memory of `gen-module` per hostile input.

Each input (tools/hostile.py) runs in its own `gen-module` process; its wall time
and peak RSS (`os.wait4`'s rusage) are printed in a table. A guard (address-space
limit, timeout) keeps a runaway input from taking the machine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tools.hostile import HOSTILE, Hostile, write_hostile

GUARD_BYTES = 4 << 30
GUARD_SECONDS = 60.0
_RUN_CLI = "from generator.cli import main; main(prog_name='gen-module')"


@dataclass(frozen=True)
class Measure:
    name: str
    outcome: str
    seconds: float
    cpu_seconds: float
    peak_mib: float
    message: str


def _guard() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (GUARD_BYTES, GUARD_BYTES))


def measure(item: Hostile, folder: Path, timeout: float = GUARD_SECONDS) -> Measure:
    jobspec = write_hostile(item, folder)
    command = [sys.executable, "-c", _RUN_CLI, "hostile", "--jobspec", str(jobspec)]
    command += ["--out", str(folder / "out"), "--specs", str(folder / "specs"), "--quiet"]
    stderr_path = folder / "stderr.txt"
    start = time.perf_counter()
    with open(stderr_path, "wb") as stderr:
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=stderr, preexec_fn=_guard, cwd=folder
        )
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.01)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    lines = stderr_path.read_text(errors="replace").strip().splitlines()
    message = lines[-1] if lines else ""
    return Measure(
        item.name,
        _outcome(process.returncode, seconds, timeout),
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,
        message.replace(str(folder) + "/", ""),
    )


def _outcome(code: int, seconds: float, timeout: float) -> str:
    if code == 0:
        return "module"
    if code == 2:
        return "refused"
    if code == -signal.SIGKILL and seconds >= timeout:
        return "timeout"
    return f"exit {code}"


def table(measures: Sequence[Measure]) -> list[str]:
    lines = [f"{'input':<17} {'outcome':<8} {'wall s':>6} {'cpu s':>6} {'peak MiB':>8}  message"]
    for row in measures:
        shown = row.message if len(row.message) <= 80 else row.message[:77] + "..."
        lines.append(
            f"{row.name:<17} {row.outcome:<8} {row.seconds:6.2f} {row.cpu_seconds:6.2f}"
            f" {row.peak_mib:8.1f}  {shown}"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench_hostile", description=__doc__)
    parser.add_argument("names", nargs="*", help="only these inputs (default: all)")
    parser.add_argument("--timeout", type=float, default=GUARD_SECONDS)
    arguments = parser.parse_args(argv)
    chosen = [item for item in HOSTILE if not arguments.names or item.name in arguments.names]
    print(
        f"hostile inputs: each in its own gen-module process (guard: 4 GiB, "
        f"{arguments.timeout:.0f} s); cpu s = user + system; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    print("\n".join(table([])))
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as temp:
        for item in chosen:
            row = measure(item, Path(temp) / item.name, arguments.timeout)
            print(table([row])[1], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
