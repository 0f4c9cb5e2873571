"""The viewer's search for a cited passage in a PDF page's text layer
(static/js/documents/passage_match.js), tested under node: documents/tests/js/*.test.mjs."""

from pathlib import Path

from testing.node import run_node_tests


def test_the_passage_is_found_whatever_the_layout_of_the_page():
    run_node_tests(Path(__file__).parent / "js")
