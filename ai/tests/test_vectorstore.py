"""The vector-store contract, run on both backends: Qdrant Edge (in process) and the Qdrant
server backend (through qdrant-client's local mode, which speaks the server's API)."""

import uuid
from dataclasses import replace

import pytest

from ai.vectorstore import CollectionMissing, SparseVector, VectorPoint, get_vector_store
from ai.vectorstore.edge import EdgeVectorStore, close_all
from ai.vectorstore.qdrant_server import QdrantServerVectorStore, client_for

DIMENSIONS = 4


@pytest.fixture(params=["edge", "qdrant_server"])
def store(request, tmp_path):
    if request.param == "edge":
        store = EdgeVectorStore(root=tmp_path / "qdrant", collection="contract")
    else:
        store = QdrantServerVectorStore(client=client_for(":memory:"), collection="contract")
    store.create_collection(dense_size=DIMENSIONS)
    yield store
    store.drop_collection()


def point(number: int, *, category: int, document: int, vector=None) -> VectorPoint:
    return VectorPoint(
        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"doc/{document}/{number}")),
        dense=vector or [1.0, 0.0, 0.0, float(number)],
        payload={"category_id": category, "document_id": document, "text": f"passage {number}"},
        sparse=SparseVector(indices=[number, 100], values=[1.0, 0.5]),
    )


@pytest.fixture
def filled(store):
    store.upsert([point(n, category=n % 2, document=n // 3) for n in range(9)])
    return store


def test_creating_an_existing_collection_keeps_its_points(filled):
    filled.create_collection(dense_size=DIMENSIONS)
    assert filled.collection_exists()
    assert filled.count() == 9


def test_count_with_and_without_filter(filled):
    assert filled.count() == 9
    assert filled.count({"category_id": 1}) == 4
    assert filled.count({"document_id": [0, 2]}) == 6


def test_upserting_the_same_id_replaces_the_point(filled):
    filled.upsert([point(0, category=0, document=0, vector=[0.0, 1.0, 0.0, 0.0])])
    assert filled.count() == 9
    best = filled.search([0.0, 1.0, 0.0, 0.0], limit=1)[0]
    assert best.payload["text"] == "passage 0"


def test_search_returns_the_nearest_points_with_their_payload(filled):
    hits = filled.search([1.0, 0.0, 0.0, 0.0], limit=3)
    assert [hit.payload["text"] for hit in hits] == ["passage 0", "passage 1", "passage 2"]
    assert hits[0].score == pytest.approx(1.0, abs=1e-5)
    assert hits[0].score >= hits[1].score >= hits[2].score
    assert uuid.UUID(hits[0].id)


def test_search_with_filter_only_returns_matching_points(filled):
    hits = filled.search([1.0, 0.0, 0.0, 0.0], limit=9, payload_filter={"category_id": 1})
    assert {hit.payload["category_id"] for hit in hits} == {1}
    assert len(hits) == 4


def test_search_with_a_score_threshold_drops_weak_points(filled):
    hits = filled.search([1.0, 0.0, 0.0, 0.0], limit=9, score_threshold=0.9)
    assert [hit.payload["text"] for hit in hits] == ["passage 0"]


def test_delete_by_filter_removes_only_matching_points(filled):
    filled.delete({"document_id": 1})
    assert filled.count() == 6
    assert filled.count({"document_id": 1}) == 0


def test_delete_can_spare_the_points_matching_an_exclusion(filled):
    filled.delete({"document_id": [0, 1]}, exclude={"category_id": 1})
    assert filled.count({"document_id": [0, 1]}) == 3
    assert filled.count({"document_id": [0, 1], "category_id": 0}) == 0


def test_scrolling_reads_every_payload_page_by_page_reduced_to_the_fields_asked(filled):
    payloads = list(filled.scroll_payloads(["document_id", "category_id"], page_size=2))
    assert sorted(payload["document_id"] for payload in payloads) == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert all(set(payload) == {"document_id", "category_id"} for payload in payloads)


def test_scrolling_with_a_filter_reads_only_the_matching_points(filled):
    payloads = filled.scroll_payloads(["document_id"], payload_filter={"category_id": 1})
    assert sorted(payload["document_id"] for payload in payloads) == [0, 1, 1, 2]


def test_scrolling_leaves_out_a_field_a_point_does_not_have(filled):
    payloads = list(filled.scroll_payloads(["generation"], page_size=4))
    assert payloads == [{}] * 9


def test_scrolling_points_reads_each_as_written_page_by_page(filled):
    points = {found.id: found for found in filled.scroll_points(page_size=2)}
    written = point(4, category=0, document=1)
    assert len(points) == 9
    read = points[written.id]
    assert read.payload == written.payload
    assert read.sparse == SparseVector(indices=[4, 100], values=[1.0, 0.5])
    # Cosine distance: the engine keeps the vector normalized.
    length = sum(value * value for value in written.dense) ** 0.5
    assert read.dense == pytest.approx([value / length for value in written.dense], abs=1e-6)


def test_scrolling_points_with_a_filter_reads_only_the_matching_ones(filled):
    points = filled.scroll_points(payload_filter={"category_id": 1})
    assert sorted(found.payload["document_id"] for found in points) == [0, 1, 1, 2]


def test_points_read_back_and_written_under_new_ids_are_found_alike(filled):
    copies = [
        replace(found, id=str(uuid.uuid4()), payload={**found.payload, "category_id": 7})
        for found in filled.scroll_points(payload_filter={"category_id": 1})
    ]
    filled.upsert(copies)
    assert filled.count() == 13
    query = [1.0, 0.0, 0.0, 1.0]
    original = filled.search(query, limit=4, payload_filter={"category_id": 1})
    copied = filled.search(query, limit=4, payload_filter={"category_id": 7})
    assert [hit.payload["text"] for hit in copied] == [hit.payload["text"] for hit in original]
    assert [hit.score for hit in copied] == pytest.approx([hit.score for hit in original])
    sparse = SparseVector(indices=[3], values=[1.0])
    assert filled.search_sparse(sparse, limit=1, payload_filter={"category_id": 7})


def test_scrolling_a_missing_collection_says_so(store):
    store.drop_collection()
    with pytest.raises(CollectionMissing):
        list(store.scroll_payloads(["document_id"]))
    with pytest.raises(CollectionMissing):
        list(store.scroll_points())


def test_operations_on_a_missing_collection_say_so(store):
    store.drop_collection()
    assert not store.collection_exists()
    with pytest.raises(CollectionMissing):
        store.count()


def test_ping_answers_with_or_without_a_collection(store):
    store.ping()
    store.drop_collection()
    store.ping()


def test_settings_choose_edge_without_qdrant_url(settings, tmp_path):
    settings.QDRANT_URL = ""
    settings.VECTOR_STORE_PATH = tmp_path / "vectors"
    assert isinstance(get_vector_store(), EdgeVectorStore)


def test_settings_choose_the_qdrant_server_with_qdrant_url(settings):
    settings.QDRANT_URL = ":memory:"
    store = get_vector_store()
    assert isinstance(store, QdrantServerVectorStore)
    assert store.collection == settings.QDRANT_COLLECTION


def test_edge_store_reopens_its_data_in_the_same_process(tmp_path):
    store = EdgeVectorStore(root=tmp_path, collection="persisted")
    store.create_collection(dense_size=DIMENSIONS)
    store.upsert([point(1, category=1, document=1)])
    close_all()
    assert EdgeVectorStore(root=tmp_path, collection="persisted").count() == 1


def test_sparse_search_ranks_points_sharing_the_rarer_terms_first(filled):
    hits = filled.search_sparse(SparseVector(indices=[2, 100], values=[1.0, 1.0]), limit=3)
    assert hits[0].payload["text"] == "passage 2"
    assert len(hits) == 3
    assert hits[0].score > hits[1].score >= hits[2].score > 0


def test_sparse_search_with_filter_only_returns_matching_points(filled):
    query = SparseVector(indices=[2, 100], values=[1.0, 1.0])
    hits = filled.search_sparse(query, limit=9, payload_filter={"category_id": 1})
    assert {hit.payload["category_id"] for hit in hits} == {1}
    assert len(hits) == 4


def test_sparse_search_without_terms_finds_nothing(filled):
    assert filled.search_sparse(SparseVector(indices=[], values=[]), limit=3) == []
    assert filled.search_sparse(SparseVector(indices=[12345], values=[1.0]), limit=3) == []


def test_dense_vectors_are_read_by_point_id_and_an_unknown_id_is_left_out(filled):
    written = point(4, category=0, document=1)
    unknown = str(uuid.uuid4())

    vectors = filled.dense_vectors([written.id, unknown])

    length = sum(value * value for value in written.dense) ** 0.5
    assert list(vectors) == [written.id]
    assert vectors[written.id] == pytest.approx([v / length for v in written.dense], abs=1e-6)
    assert filled.dense_vectors([]) == {}
