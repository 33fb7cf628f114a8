"""Loopback addresses that only worked beside a Consul Connect sidecar.

In a Connect group the Envoy sidecar shares the task's network namespace: it
reaches the task on `127.0.0.1` (`local_service_address` defaults to it), and each
upstream listens on `127.0.0.1:<local_bind_port>` (what `NOMAD_UPSTREAM_ADDR_<name>`
holds). In a pod no sidecar is there: the Service and the kubelet's probes connect to
the pod IP, and an upstream is another Service. So an upstream's literal loopback
address, in an env value, an argument or a template, becomes the upstream's Service
(as `NOMAD_UPSTREAM_ADDR_<name>` does), and an env var or an argument that tells the
task to listen on loopback (`HOST=127.0.0.1`, `--bind 127.0.0.1:8080`,
`listen_addresses=127.0.0.1`) listens on every address instead; any other loopback
address is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from generator.diagnostics import Severity
from generator.translate.context import Context

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_HOST = r"(?:127\.0\.0\.1|localhost|\[::1\])"
# The address an env var tells a server to listen on, by the var's name.
LISTEN_NAME = re.compile(
    r"^(?:HOST|BIND|LISTEN|(?:\w+_)?(?:HTTP_HOST|BIND_ADDR|BIND_ADDRESS|BIND_HOST"
    r"|LISTEN_ADDR|LISTEN_ADDRESS|LISTEN_ADDRESSES|LISTEN_HOST|LISTEN_IP))$"
)
_LISTEN_VALUE = re.compile(rf"^{_HOST}(:\d+)?$")
_ANY_LOOPBACK = re.compile(rf"(?<![\w.\-$]){_HOST}(?![\w\-])")


def _literal(replacement: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: replacement


def upstream_addresses(
    text: str, upstreams: Mapping[str, int], ctx: Context, line: int | None, path: str
) -> str:
    """`127.0.0.1:<local_bind_port>` of an upstream → `<name>.service.consul:<port>`, the
    Consul name the cluster-DNS rewrite then turns into the upstream's Service."""
    for name, port in upstreams.items():
        if not port:
            continue
        pattern = re.compile(rf"(?<![\w.\-$]){_HOST}:{port}(?!\d)")
        if not pattern.search(text):
            continue
        text = pattern.sub(_literal(f"{name}.service.consul:{port}"), text)
        ctx.report(
            Severity.INFO,
            "connect-loopback",
            f"127.0.0.1:{port} is upstream {name!r} through the Connect sidecar; it becomes"
            f" the Service address, as ${{NOMAD_UPSTREAM_ADDR_{name}}} does",
            line,
            path,
        )
    return text


def listen_address(name: str, value: str, ctx: Context, line: int | None, path: str) -> str:
    """An env var that makes the task listen on loopback only, made to listen everywhere."""
    match = _LISTEN_VALUE.match(value)
    if not LISTEN_NAME.match(name) or match is None:
        return value
    listen = "0.0.0.0" + (match.group(1) or "")
    ctx.report(
        Severity.INFO,
        "connect-loopback",
        f"env {name}={value}: behind the Connect sidecar the task listened on loopback only;"
        " in a pod the Service and the probes connect to the pod IP, so it listens on"
        f" {listen}",
        line,
        path,
    )
    return listen


def listen_arguments(
    arguments: list[object], ctx: Context, line: int | None, path: str
) -> list[object]:
    """Arguments that make the task listen on loopback only, made to listen everywhere.

    A listen option is `--name=ADDRESS`, `name=ADDRESS` (`-c listen_addresses=...`) or
    `--name ADDRESS`, its name read as an env var's (`--bind-address` as BIND_ADDRESS).
    """
    out = list(arguments)
    for index, argument in enumerate(out):
        if not isinstance(argument, str):
            continue
        name, separator, value = argument.partition("=")
        if separator and _listens(name):
            listen = _listen_value(value)
            if listen is not None:
                out[index] = f"{name}={listen}"
                _report_listen(argument, f"{name}={listen}", ctx, line, path)
                continue
        previous = out[index - 1] if index else None
        if isinstance(previous, str) and previous.startswith("-") and _listens(previous):
            listen = _listen_value(argument)
            if listen is not None:
                out[index] = listen
                _report_listen(f"{previous} {argument}", f"{previous} {listen}", ctx, line, path)
                continue
        report_other_loopback(argument, ctx, line, path)
    return out


def _listens(option: str) -> bool:
    name = option.lstrip("-").upper().replace("-", "_").replace(".", "_")
    return bool(LISTEN_NAME.match(name))


def _listen_value(value: str) -> str | None:
    match = _LISTEN_VALUE.match(value)
    return None if match is None else "0.0.0.0" + (match.group(1) or "")


def _report_listen(written: str, listen: str, ctx: Context, line: int | None, path: str) -> None:
    ctx.report(
        Severity.INFO,
        "connect-loopback",
        f"argument {written!r}: behind the Connect sidecar the task listened on loopback"
        " only; in a pod the Service and the probes connect to the pod IP, so it becomes"
        f" {listen!r}",
        line,
        path,
    )


def report_other_loopback(text: str, ctx: Context, line: int | None, path: str) -> None:
    if _ANY_LOOPBACK.search(text):
        ctx.needs_decision(
            f"{text!r} addresses loopback in a Connect group: the sidecar's listeners are not in"
            " the pod, so loopback reaches only this pod's containers; name the Service instead"
            " if it meant another task or upstream",
            line,
            path,
        )
