"""The front end never turns text into HTML: nodes are built with createElement and
textContent, so an answer, a passage or a title cannot inject markup or script."""

from pathlib import Path

import pytest
from django.conf import settings

FORBIDDEN = ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write")
ROOT = Path(settings.BASE_DIR, "static", "js")
SCRIPTS = sorted(ROOT.rglob("*.js"))


def test_there_are_scripts_to_check():
    assert SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_script_writes_html(script):
    source = script.read_text(encoding="utf-8")
    assert not [name for name in FORBIDDEN if name in source]
