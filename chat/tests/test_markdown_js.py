"""The search page's scripts (the answer renderer static/js/markdown.js, the source cards,
the notes below an answer), tested under node with a minimal DOM: chat/tests/js/*.test.mjs."""

from pathlib import Path

from testing.node import run_node_tests


def test_the_page_scripts_build_safe_nodes():
    run_node_tests(Path(__file__).parent / "js")
