"""A throwaway PostgreSQL server for the test session; works as root and as a normal user.

``initdb`` and ``pg_ctl`` refuse to run as root, so as root the data directory is handed to
the ``postgres`` user and the commands run through ``runuser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    for candidate in (shutil.which("pg_config"),):
        if candidate:
            out = subprocess.run([candidate, "--bindir"], capture_output=True, text=True)
            if out.returncode == 0 and (Path(out.stdout.strip()) / "initdb").exists():
                return Path(out.stdout.strip())
    for path in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (path / "initdb").exists():
            return path
    raise PostgresUnavailable("no PostgreSQL binaries found (initdb, pg_ctl)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    directory: Path
    port: int
    bindir: Path
    as_root: bool

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str, driver: str = "psycopg") -> str:
        return f"postgresql+{driver}://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, cwd=self.directory, capture_output=True, text=True, timeout=60
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.directory, ignore_errors=True)


def start_postgres() -> PostgresServer:
    bindir = _bindir()
    as_root = os.geteuid() == 0
    directory = Path(tempfile.mkdtemp(prefix="changlang-pg-"))
    if as_root:
        shutil.chown(directory, "postgres", "postgres")
    server = PostgresServer(directory=directory, port=0, bindir=bindir, as_root=as_root)
    init = server._run(
        "initdb",
        "-D",
        str(directory / "data"),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-locale",
        "--no-sync",
    )
    if init.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {init.stderr.strip()}")
    last_error = ""
    for _attempt in range(5):
        server.port = _free_port()
        options = (
            f"-p {server.port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        started = server._run(
            "pg_ctl",
            "-D",
            str(directory / "data"),
            "-l",
            str(directory / "log"),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )
        if started.returncode == 0:
            return server
        last_error = started.stderr.strip() or started.stdout.strip()
    shutil.rmtree(directory, ignore_errors=True)
    raise PostgresUnavailable(f"pg_ctl start failed: {last_error}")
