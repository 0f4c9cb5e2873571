"""What the chat writes to the logs: never a question, an answer or a client's secret."""

import logging

import pytest

from chat.callbacks import CallbackUnavailable, post_callback
from testing.services import free_port


def test_a_failed_callback_logs_its_host_but_not_its_path_or_token(settings, caplog):
    base = f"http://127.0.0.1:{free_port()}"
    settings.ANSWER_CALLBACK_ALLOWED_URLS = [f"{base}/hooks"]
    url = f"{base}/hooks/T0KEN-in-path?token=s3cr3t-in-query"
    with (
        caplog.at_level(logging.WARNING, logger="chat.callbacks"),
        pytest.raises(CallbackUnavailable, match="échec"),
    ):
        post_callback(url, {"answer": "Trois jours."})
    assert base in caplog.text
    assert "T0KEN-in-path" not in caplog.text and "s3cr3t-in-query" not in caplog.text
