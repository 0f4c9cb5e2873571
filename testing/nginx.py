"""The repository's nginx.conf, served by Debian's nginx in front of a test daphne.

The file is used as it is written, with only what binds it to a machine rewritten: the
upstream address, the port it listens on, where it logs, keeps its pid and finds the static
files. Every header and limit it sets is the one production runs.
"""

import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testing.services import BASE_DIR, free_port, port_open, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_binary() -> str | None:
    return NGINX if Path(NGINX).exists() else None


def local_config(*, upstream_port: int, port: int, folder: Path) -> str:
    """nginx.conf bound to 127.0.0.1 ports and to files under `folder`."""
    config = (BASE_DIR / "nginx.conf").read_text()
    replacements = [
        (r"server web:8000;", f"server 127.0.0.1:{upstream_port};"),
        (r"listen 80;", f"listen 127.0.0.1:{port};"),
        (r"/var/log/nginx/", f"{folder}/"),
        (r"alias /app/var/static/;", f"alias {folder}/static/;"),
    ]
    for pattern, replacement in replacements:
        config, count = re.subn(re.escape(pattern), replacement, config)
        assert count, f"nginx.conf no longer holds {pattern!r}"
    return f"pid {folder}/nginx.pid;\n" + config


@contextmanager
def running_nginx(*, upstream_port: int, folder: Path) -> Iterator[int]:
    """nginx in front of 127.0.0.1:`upstream_port`; yields the port it listens on."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "static").mkdir(exist_ok=True)
    port = free_port()
    config = folder / "nginx.conf"
    config.write_text(local_config(upstream_port=upstream_port, port=port, folder=folder))
    command = [NGINX, "-c", str(config), "-p", str(folder), "-g", "daemon off;"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: port_open(port), timeout=15, what="nginx")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
