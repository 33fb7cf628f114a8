"""A Terraform provider plugin (protocol 6) that only knows its schema.

This file is copied, with a shebang naming the validating interpreter, into a
temporary `dev_overrides` directory as `terraform-provider-<name>`; Terraform
core starts it and talks gRPC to it. It depends on the standard library and
`grpcio` only and serves precomputed protobuf bytes:

- `GetProviderSchema` answers the serialized response stored next to the
  executable (`<executable>.schema.pb`, written by `plugin_install`);
- every other unary `tfplugin6.Provider` call (the Validate* calls,
  `GetMetadata`, `GetResourceIdentitySchemas`, `StopProvider`...) answers an
  empty message: no diagnostics, nothing to report;
- the go-plugin controller's `Shutdown` stops the process.

Handshake (go-plugin): one stdout line `1|6|unix|<socket>|grpc|`.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
CORE_PROTOCOL_VERSION = 1
APP_PROTOCOL_VERSION = 6

PROVIDER_SERVICE = "/tfplugin6.Provider/"
SCHEMA_METHOD = PROVIDER_SERVICE + "GetProviderSchema"
SHUTDOWN_METHOD = "/plugin.GRPCController/Shutdown"
STDIO_METHOD = "/plugin.GRPCStdio/StreamStdio"
HEALTH_METHOD = "/grpc.health.v1.Health/Check"
HEALTH_SERVING = b"\x08\x01"  # HealthCheckResponse{status: SERVING}
SCHEMA_SUFFIX = ".schema.pb"


def _identity(data: bytes) -> bytes:
    return data


class _Handlers:
    def __init__(self, schema: bytes, stop: Callable[[], None]) -> None:
        import grpc

        self._grpc = grpc
        self._schema = schema
        self._stop = stop

    def lookup(self, method: str) -> Any:
        grpc = self._grpc
        if method == STDIO_METHOD:
            return grpc.unary_stream_rpc_method_handler(
                self._no_stdio, request_deserializer=_identity, response_serializer=_identity
            )
        if method == SCHEMA_METHOD:
            answer = self._schema
        elif method == SHUTDOWN_METHOD:
            return grpc.unary_unary_rpc_method_handler(
                self._shutdown, request_deserializer=_identity, response_serializer=_identity
            )
        elif method == HEALTH_METHOD:
            answer = HEALTH_SERVING
        elif method.startswith(PROVIDER_SERVICE):
            answer = b""
        else:
            return None
        return grpc.unary_unary_rpc_method_handler(
            lambda _request, _context: answer,
            request_deserializer=_identity,
            response_serializer=_identity,
        )

    def _shutdown(self, _request: bytes, _context: Any) -> bytes:
        threading.Timer(0.01, self._stop).start()  # after the answer is sent
        return b""

    @staticmethod
    def _no_stdio(_request: bytes, _context: Any) -> Iterator[bytes]:
        return iter(())


def serve(schema_path: Path) -> int:
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE_VALUE:
        print(
            "This binary is a Terraform provider plugin for schema validation; "
            "Terraform starts it, it is not meant to be run directly.",
            file=sys.stderr,
        )
        return 1
    import grpc

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Terraform handles Ctrl-C and stops us
    schema = schema_path.read_bytes()
    socket_dir = tempfile.mkdtemp(prefix="tfplugin-", dir=os.environ.get("PLUGIN_UNIX_SOCKET_DIR"))
    socket_path = os.path.join(socket_dir, "plugin.sock")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    stopped = threading.Event()

    def stop() -> None:
        stopped.set()

    handlers = _Handlers(schema, stop)

    class Generic(grpc.GenericRpcHandler):
        def service(self, handler_call_details: Any) -> Any:
            return handlers.lookup(handler_call_details.method)

    server.add_generic_rpc_handlers((Generic(),))
    server.add_insecure_port("unix:" + socket_path)
    server.start()
    line = f"{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|unix|{socket_path}|grpc|"
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
    parent = os.getppid()
    try:
        while not stopped.wait(0.2):
            if os.getppid() != parent:  # Terraform went away without a Shutdown
                break
    finally:
        server.stop(grace=None)
        try:
            os.unlink(socket_path)
            os.rmdir(socket_dir)
        except OSError:
            pass
    return 0


def main() -> None:
    executable = Path(sys.argv[0]).resolve()
    sys.exit(serve(executable.with_name(executable.name + SCHEMA_SUFFIX)))


if __name__ == "__main__":
    main()
