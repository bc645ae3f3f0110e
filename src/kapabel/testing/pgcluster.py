"""A throwaway PostgreSQL cluster for tests and benchmarks.

    python -m kapabel.testing.pgcluster -- pytest ...     # runs the command with DATABASE_URL set

Starts a fresh cluster on a free loopback port in a temporary directory, and stops and removes it
afterwards. PostgreSQL refuses to run as root, so as root the server runs as an unprivileged user
(`KAPABEL_PG_USER`, default "kapabel-pg", created if missing)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path


def server_bin_dir() -> Path:
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda path: int(path.split("/")[4])
    )
    if not candidates:
        raise RuntimeError(
            "No PostgreSQL server found under /usr/lib/postgresql/*/bin. "
            "Install it: apt-get install postgresql"
        )
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


class Cluster:
    """A throwaway cluster in a temporary directory on a free loopback port, which can be stopped and
    started again (the fault tests take the database away under a running application)."""

    def __init__(self) -> None:
        self.bin_dir = server_bin_dir()
        self.run_as: str | None = None
        if os.geteuid() == 0:
            self.run_as = os.environ.get("KAPABEL_PG_USER", "kapabel-pg")
            try:
                pwd.getpwnam(self.run_as)
            except KeyError:
                subprocess.run(["useradd", "--system", "--no-create-home", self.run_as], check=True)
        self.workdir = Path(tempfile.mkdtemp(prefix="kapabel-pg-"))
        if self.run_as:
            shutil.chown(self.workdir, user=self.run_as)
        self.data, self.log = self.workdir / "data", self.workdir / "server.log"
        self.port = _free_port()
        subprocess.run(
            _as_server_user(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    "postgres",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ],
                self.run_as,
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log)]
                + ["-w", "start"],
                self.run_as,
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"], self.run_as
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def running_cluster() -> Iterator[str]:
    """Yield a DATABASE_URL for a new, empty cluster; stop and delete it on exit."""
    with started_cluster() as cluster:
        yield cluster.url


@contextlib.contextmanager
def started_cluster() -> Iterator[Cluster]:
    """A new, running cluster; stopped and deleted on exit."""
    cluster = Cluster()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__)
        return 2
    with running_cluster() as url:
        print(f"PostgreSQL test cluster at {url}", flush=True)
        return subprocess.run(argv, env={**os.environ, "DATABASE_URL": url}).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
