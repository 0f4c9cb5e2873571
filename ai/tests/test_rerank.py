"""A reranking API in the common /rerank format, over real HTTP to a fake server: scores in
the passages' order, either shape of answer, logits squashed, and every failure a
RerankUnavailable that never quotes the key."""

import json
import logging
import math
import socket
import time

import pytest

from ai.models import RerankModel
from ai.rerank import SITE_RERANKER_NAME, RerankAPI, RerankUnavailable, reranker_for
from testing.rerank_server import FakeRerankServer

KEY = "rerank-secret-0123456789"
QUERY = "combien de jours de télétravail"
PASSAGES = [
    "La cantine du siège ferme à 14 heures.",
    "Le télétravail est autorisé deux jours par semaine.",
    "Les congés annuels non pris peuvent être reportés.",
]


@pytest.fixture
def server():
    with FakeRerankServer(api_key=KEY) as server:
        yield server


@pytest.fixture
def api(server) -> RerankAPI:
    return RerankAPI(name="TEI interne", base_url=server.base_url, api_key=KEY, timeout=2.0)


def unavailable(api: RerankAPI, caplog) -> str:
    """The reason the API gave up, once checked that neither it nor the log names the key."""
    with (
        caplog.at_level(logging.WARNING, logger="ai.rerank.api"),
        pytest.raises(RerankUnavailable) as raised,
    ):
        api.rerank(QUERY, PASSAGES)
    reason = raised.value.reason
    assert reason and KEY not in reason and KEY not in caplog.text
    return reason


def sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- Scores ---------------------------------------------------------------------------------


def test_scores_come_back_in_the_order_of_the_passages_whatever_order_the_server_answers_in(
    api, server
):
    best_first = [(1, 0.9), (2, 0.5), (0, 0.1)]
    server.body = json.dumps(
        {"results": [{"index": index, "relevance_score": score} for index, score in best_first]}
    ).encode()

    assert api.rerank(QUERY, PASSAGES) == [0.1, 0.9, 0.5]


def test_each_passage_gets_its_own_score(api, server):
    server.scores = {PASSAGES[0]: 0.1, PASSAGES[1]: 0.9, PASSAGES[2]: 0.5}

    assert api.rerank(QUERY, PASSAGES) == [0.1, 0.9, 0.5]


def test_the_request_carries_the_query_the_passages_and_the_model(server):
    api = RerankAPI(name="vLLM", base_url=server.base_url, model="bge-reranker-v2-m3", api_key=KEY)

    api.rerank(QUERY, PASSAGES)

    (request,) = server.requests
    assert request.path == "/v1/rerank"
    assert request.body == {
        "model": "bge-reranker-v2-m3",
        "query": QUERY,
        "documents": PASSAGES,
        "texts": PASSAGES,
        "top_n": 3,
        "return_documents": False,
    }


def test_an_empty_model_is_left_out_of_the_request(api, server):
    api.rerank(QUERY, PASSAGES)

    assert "model" not in server.requests[0].body


def test_a_base_url_ending_with_rerank_is_not_doubled(server):
    api = RerankAPI(name="TEI", base_url=f"{server.base_url}/rerank/", api_key=KEY)

    api.rerank(QUERY, PASSAGES)

    assert server.requests[0].path == "/v1/rerank"


def test_the_tei_bare_list_is_understood():
    with FakeRerankServer(shape="tei") as tei:
        tei.scores = {PASSAGES[0]: 0.2, PASSAGES[1]: 0.8, PASSAGES[2]: 0.4}
        api = RerankAPI(name="TEI interne", base_url=tei.base_url)

        assert api.rerank(QUERY, PASSAGES) == [0.2, 0.8, 0.4]


def test_the_default_fake_score_ranks_the_passage_sharing_the_query_words_first(api):
    scores = api.rerank(QUERY, PASSAGES)

    assert max(scores) == scores[1]


def test_logits_are_squashed_into_0_1_keeping_their_order(api, server):
    server.scores = {PASSAGES[0]: 3.2, PASSAGES[1]: -1.5, PASSAGES[2]: 0.9}

    scores = api.rerank(QUERY, PASSAGES)

    assert scores == pytest.approx([sigmoid(3.2), sigmoid(-1.5), sigmoid(0.9)])
    assert all(0 < score < 1 for score in scores)
    assert scores[0] > scores[2] > scores[1]


def test_a_huge_logit_is_squashed_without_overflow(api, server):
    server.scores = {PASSAGES[0]: 1e6, PASSAGES[1]: -1e6, PASSAGES[2]: 0.0}

    assert api.rerank(QUERY, PASSAGES) == pytest.approx([1.0, 0.0, 0.5])


def test_scores_already_in_0_1_are_kept_as_they_are(api, server):
    server.scores = {PASSAGES[0]: 0.0, PASSAGES[1]: 1.0, PASSAGES[2]: 0.25}

    assert api.rerank(QUERY, PASSAGES) == [0.0, 1.0, 0.25]


def test_no_passages_no_request(api, server):
    assert api.rerank(QUERY, []) == []
    assert server.requests == []


# --- The key --------------------------------------------------------------------------------


def test_the_key_is_sent_as_a_bearer_token(api, server):
    api.rerank(QUERY, PASSAGES)

    assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"


def test_no_authorization_header_is_sent_without_a_key():
    with FakeRerankServer() as open_server:
        RerankAPI(name="TEI", base_url=open_server.base_url).rerank(QUERY, PASSAGES)

        assert "authorization" not in open_server.requests[0].headers


def test_the_key_is_not_in_the_reranker_s_repr(api):
    assert KEY not in repr(api)


# --- Failures -------------------------------------------------------------------------------


def test_a_server_slower_than_the_timeout_is_given_up_at_the_timeout(server, caplog):
    server.delay = 2.0
    api = RerankAPI(name="lent", base_url=server.base_url, api_key=KEY, timeout=0.3)

    started = time.monotonic()
    reason = unavailable(api, caplog)

    assert time.monotonic() - started < 1.0
    assert "0.3 s" in reason


def test_an_answer_still_arriving_at_the_timeout_is_dropped(server, caplog):
    # The server answers at once, then sends its body 4 bytes every 0.1 s: no single wait
    # outlasts the timeout, the whole answer would take seconds.
    server.drip = 0.1
    api = RerankAPI(name="goutte", base_url=server.base_url, api_key=KEY, timeout=0.5)

    started = time.monotonic()
    unavailable(api, caplog)

    assert time.monotonic() - started < 1.2


def test_a_server_error_is_unavailable_without_quoting_the_server(api, server, caplog):
    server.status = 500  # its body quotes the key it was given

    assert unavailable(api, caplog) == "HTTP 500"


def test_a_refused_key_is_unavailable_without_quoting_it(server, caplog):
    api = RerankAPI(name="TEI", base_url=server.base_url, api_key=f"{KEY}-wrong")

    reason = unavailable(api, caplog)

    assert reason.startswith("HTTP 401")
    assert "wrong" not in reason and "wrong" not in caplog.text


def test_an_unknown_path_is_unavailable(server, caplog):
    api = RerankAPI(name="TEI", base_url=f"{server.base_url}/nowhere", api_key=KEY)

    assert unavailable(api, caplog).startswith("HTTP 404")


def test_a_body_that_is_not_json_is_unavailable(api, server, caplog):
    server.body = b"<html>Bad gateway</html>"

    assert "JSON" in unavailable(api, caplog)


def test_a_passage_left_without_a_score_is_unavailable(api, server, caplog):
    results = [{"index": 0, "relevance_score": 0.3}, {"index": 2, "relevance_score": 0.6}]
    server.body = json.dumps({"results": results}).encode()

    assert "1 passage(s) sans score" in unavailable(api, caplog)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"data": []}, id="no results"),
        pytest.param({"results": {"index": 0}}, id="results not a list"),
        pytest.param({"results": [1, 2, 3]}, id="results not objects"),
        pytest.param([{"index": "0", "score": 0.5}], id="index as text"),
        pytest.param([{"index": True, "score": 0.5}], id="index as boolean"),
        pytest.param([{"score": 0.5}], id="no index"),
        pytest.param([{"index": 0}], id="no score"),
        pytest.param([{"index": 0, "score": "high"}], id="score as text"),
        pytest.param([{"index": 0, "score": None}], id="score null"),
        pytest.param([{"index": i, "score": 0.5} for i in (0, 1, 1)], id="an index twice"),
        pytest.param([{"index": i, "score": 0.5} for i in (0, 1, 3)], id="index out of range"),
        pytest.param([{"index": i, "score": 0.5} for i in (0, 1, -1)], id="negative index"),
    ],
)
def test_a_malformed_answer_is_unavailable(api, server, caplog, body):
    server.body = json.dumps(body).encode()

    assert unavailable(api, caplog).startswith("réponse")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_score_that_is_not_a_finite_number_is_unavailable(api, server, caplog, literal):
    server.body = f'[{{"index": 0, "score": {literal}}}]'.encode()

    assert unavailable(api, caplog).startswith("réponse")


def test_a_closed_port_is_unavailable(caplog):
    api = RerankAPI(name="éteint", base_url=f"http://127.0.0.1:{free_port()}", api_key=KEY)

    assert "connexion" in unavailable(api, caplog)


def test_a_key_that_cannot_be_written_in_a_header_is_unavailable(server, caplog):
    api = RerankAPI(name="TEI", base_url=server.base_url, api_key="clé-à-accent")

    with pytest.raises(RerankUnavailable) as raised:
        api.rerank(QUERY, PASSAGES)

    assert "clé-à-accent" not in raised.value.reason


def test_a_failure_is_logged_with_the_host_only(server, caplog):
    api = RerankAPI(name="TEI", base_url=f"{server.base_url}?token={KEY}", api_key=KEY)
    server.status = 503

    unavailable(api, caplog)

    (record,) = caplog.records
    port = server.base_url.split(":")[2].split("/")[0]
    assert record.levelno == logging.WARNING
    assert f"127.0.0.1:{port}" in record.getMessage()
    assert "/v1" not in record.getMessage()


# --- Which reranker -------------------------------------------------------------------------


def test_without_rerank_api_base_the_site_has_no_reranker(settings):
    settings.RERANK_API_BASE = ""

    assert reranker_for(None) is None


def test_the_site_s_reranker_is_the_rerank_api_of_the_settings(settings, server):
    settings.RERANK_API_BASE = server.base_url
    settings.RERANK_MODEL = "bge-reranker-v2-m3"
    settings.RERANK_API_KEY = KEY
    settings.RERANK_TIMEOUT = 3.0

    reranker = reranker_for(None)

    assert reranker == RerankAPI(
        name=SITE_RERANKER_NAME,
        base_url=server.base_url,
        model="bge-reranker-v2-m3",
        api_key=KEY,
        timeout=3.0,
    )
    assert len(reranker.rerank(QUERY, PASSAGES)) == 3
    assert server.requests[0].body["model"] == "bge-reranker-v2-m3"


@pytest.mark.django_db
def test_a_category_s_model_wins_over_the_site_s(settings, server):
    settings.RERANK_API_BASE = "http://127.0.0.1:9/unused"
    model = RerankModel.objects.create(
        name="TEI interne", base_url=server.base_url, api_key=KEY, timeout=2.5
    )

    reranker = reranker_for(model)

    assert reranker == RerankAPI(
        name="TEI interne", base_url=server.base_url, model="", api_key=KEY, timeout=2.5
    )
    assert len(reranker.rerank(QUERY, PASSAGES)) == 3
    assert len(server.requests) == 1


@pytest.mark.django_db
def test_a_model_without_a_key_sends_none_not_the_site_s(settings, server):
    settings.RERANK_API_BASE = server.base_url
    settings.RERANK_API_KEY = KEY
    server.api_key = ""
    model = RerankModel.objects.create(name="Infinity", base_url=server.base_url)

    reranker_for(model).rerank(QUERY, PASSAGES)

    assert "authorization" not in server.requests[0].headers
