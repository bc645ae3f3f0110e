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


@contextlib.contextmanager
def running_cluster() -> Iterator[str]:
    """Yield a DATABASE_URL for a new, empty cluster; stop and delete it on exit."""
    bin_dir = server_bin_dir()
    run_as = None
    if os.geteuid() == 0:
        run_as = os.environ.get("KAPABEL_PG_USER", "kapabel-pg")
        try:
            pwd.getpwnam(run_as)
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", run_as], check=True)
    workdir = Path(tempfile.mkdtemp(prefix="kapabel-pg-"))
    if run_as:
        shutil.chown(workdir, user=run_as)
    data, log = workdir / "data", workdir / "server.log"
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ],
            run_as,
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=100"
    )
    subprocess.run(
        _as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"], run_as
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], run_as),
            stdout=subprocess.DEVNULL,
            check=False,
        )
        shutil.rmtree(workdir, ignore_errors=True)


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
