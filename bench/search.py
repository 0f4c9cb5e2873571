"""Search: the API end to end (HTTP in, JSON out) and the vector store's queries alone.

The API runs hybrid search: the question embedded, the store's queries (dense and sparse
over the passages, sparse over the document summaries, then the candidates' summaries by
their vectors), grouping, fusion, the offline reranker, highlighting. The raw figure times
only the store queries of the same questions, with their vectors computed beforehand: what
the engine itself costs at this corpus size.
"""

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import httpx

from bench.soak.load import Target
from bench.stats import Latencies, summarize

RESULTS = 5
WARM_UP = 10


def api_latencies(
    target: Target, questions: Sequence[str], *, clients: int, category: str
) -> Latencies:
    """`clients` clients at once, each asking its share of `questions` in turn; `category`
    "" searches every category the administrator reads (all of them)."""
    headers = {"Authorization": f"Token {target.token}"}

    async def client_loop(share: Sequence[str]) -> list[float]:
        durations = []
        async with httpx.AsyncClient(
            base_url=target.base_url, headers=headers, timeout=60
        ) as client:
            for question in share:
                params = {"q": question, "category": category, "limit": RESULTS}
                sent = time.perf_counter()
                response = await client.get("/api/search", params=params)
                durations.append((time.perf_counter() - sent) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"Search: HTTP {response.status_code}: {response.text}")
        return durations

    async def run() -> tuple[list[float], float]:
        await client_loop(questions[:WARM_UP])
        started = time.perf_counter()
        shares = await asyncio.gather(
            *(client_loop(questions[start::clients]) for start in range(clients))
        )
        return [duration for share in shares for duration in share], time.perf_counter() - started

    durations, seconds = asyncio.run(run())
    return summarize(durations, seconds=seconds)


def store_latencies(
    questions: Sequence[str], *, category_id: int | None, threads: int
) -> Latencies:
    """The store queries of each question's search, `threads` at once; in every category
    when `category_id` is None (as the API searches for staff without a category)."""
    from ai.embeddings import get_embedder
    from ai.lexical import query_sparse_vector
    from ai.passages import passage_store, summary_store
    from ai.retrieval import CANDIDATES, RERANKED

    store, summaries = passage_store(), summary_store()
    limit = max(RESULTS * 4, CANDIDATES)
    payload_filter = None if category_id is None else {"category_id": [category_id]}
    vectors = [
        (dense, query_sparse_vector(question))
        for question, dense in zip(questions, get_embedder().embed(list(questions)), strict=True)
    ]

    def query(pair) -> float:
        dense, sparse = pair
        sent = time.perf_counter()
        store.search(dense, limit=limit, payload_filter=payload_filter)
        store.search_sparse(sparse, limit=limit, payload_filter=payload_filter)
        summaries.search_sparse(sparse, limit=limit, payload_filter=payload_filter)
        summaries.search(dense, limit=RERANKED, payload_filter=payload_filter)
        return (time.perf_counter() - sent) * 1000

    for pair in vectors[:WARM_UP]:
        query(pair)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        durations = list(pool.map(query, vectors))
    return summarize(durations, seconds=time.perf_counter() - started)
