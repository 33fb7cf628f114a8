"""How a container is stopped: Nomad's `shutdown_delay` and `kill_signal` as a preStop hook.

Nomad waits `shutdown_delay` after deregistering the task, sends `kill_signal`
(SIGTERM for Docker) to the container's main process, and kills it `kill_timeout`
later. The kubelet runs the preStop hook, then sends SIGTERM (or the image's
STOPSIGNAL), and kills the container at the end of the grace period. So the hook
sleeps the delay, and for another signal sends it to PID 1 itself and waits for the
process to exit: a SIGTERM right after it would cut short the shutdown the signal
asked for (nginx's SIGQUIT, postgres's SIGINT).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model import Group, Task
from generator.translate.context import Context

# Signals a server takes as "stop" in some way; `kill -s` names them without SIG.
_STOP_SIGNALS = frozenset({"HUP", "INT", "QUIT", "USR1", "USR2", "WINCH", "ALRM", "PWR"})
_KUBELET_SIGNAL = "TERM"


@dataclass(frozen=True)
class PreStop:
    command: list[str]
    sleep_seconds: int | None  # counted in the grace period


def pre_stop(task: Task, group: Group, ctx: Context) -> PreStop | None:
    """The container's preStop hook, with the findings it needs; None when it has none."""
    if task.is_init:
        return None
    delay = task.shutdown_delay_seconds or group.shutdown_delay_seconds
    signal = _stop_signal(task, ctx)
    if signal is None:
        if not delay:
            return None
        ctx.needs_decision(
            f"shutdown_delay becomes a preStop `sleep {delay}` in {task.name!r}: its image"
            " needs a sleep binary",
            task.line if task.shutdown_delay_seconds else group.line,
            f"task[{task.name}].shutdown_delay",
        )
        return PreStop(["sleep", str(delay)], delay)
    script = (f"sleep {delay}; " if delay else "") + (
        f"kill -s {signal} 1; while kill -0 1 2>/dev/null; do sleep 1; done"
    )
    ctx.needs_decision(
        f"kill_signal SIG{signal} becomes a preStop hook in {task.name!r} that"
        + (f" sleeps {delay} s (shutdown_delay), then" if delay else "")
        + f" sends SIG{signal} to the main process and waits for it to exit, as Nomad"
        " sends it instead of SIGTERM: its image needs /bin/sh and sleep (without them the"
        " kubelet reports FailedPreStopHook and stops it with SIGTERM), and the kubelet may"
        " report the hook as failed when the process exits under it",
        task.kill_signal_line or task.line,
        f"task[{task.name}].kill_signal",
    )
    return PreStop(["/bin/sh", "-c", script], delay or None)


def _stop_signal(task: Task, ctx: Context) -> str | None:
    """The signal to send from the hook, without SIG; None when the kubelet's SIGTERM is it."""
    if task.kill_signal is None:
        return None
    name = task.kill_signal.strip().upper().removeprefix("SIG")
    if name == _KUBELET_SIGNAL:
        return None
    if name in _STOP_SIGNALS:
        return name
    ctx.unsupported(
        f"kill_signal {task.kill_signal!r} is not a signal a preStop hook sends to stop a"
        " process; set STOPSIGNAL in the image",
        task.kill_signal_line or task.line,
        f"task[{task.name}].kill_signal",
    )
    return None
