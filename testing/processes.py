"""This project's management commands run in child processes, for scratch deployments.

Plain Python, no Django set up here: the soak and benchmark scripts use it before any
settings exist.
"""

import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SETUP_TIMEOUT = 600


class SetupFailed(RuntimeError):
    """The scratch deployment could not be built or started."""


def manage(
    *args: str,
    env: dict[str, str],
    timeout: float | None = SETUP_TIMEOUT,
    code_dir: Path = BASE_DIR,
) -> str:
    """Run a management command of this project (or of the checkout `code_dir`) for a
    scratch deployment; its output. `timeout` None: no limit."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=code_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise SetupFailed(
            f"manage.py {args[0]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result.stdout
