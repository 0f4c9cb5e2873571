"""One benchmark run at one corpus size: every figure and its reference, as one dict.

The order matters on a 2-core machine: the served deployment is measured first (ingestion,
search, chat), then stopped, and only then does this process open its vector store (raw
queries), embed its passages (the limit) and run the LangChain pipeline, so that no two
measures share the processor.

At a scaled size (L, `bench.scale`), the base corpus (M) is ingested as above; the deployment
is then stopped, this process copies what was indexed into more categories (Qdrant Edge
opens in one process only), and the deployment is served again on the same data folder for
search and chat, measured both in one category (as at S and M) and across every category.
The ingestion references (raw embedding, LangChain) are not run: the ingestion measured is
the base corpus's, already measured at its own size.
"""

import os
import random
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench.chat import chat_answers
from bench.corpus import SIZES, Corpus, build_corpus
from bench.deployment import ModelLatency, model_server, serving
from bench.ingestion import Throughput, indexed_passage_texts, raw_embedding, upload_and_wait
from bench.model_server import model_total_ms
from bench.real_services import deployment_mode
from bench.scale import ScaledSize, grow_store
from bench.search import api_latencies, store_latencies
from bench.soak.memory import Sampler, Trace
from bench.stats import minus, summarize

INGESTION_TIMEOUT = 4 * 3600
BURST_LEVEL = 16


@dataclass(frozen=True)
class BenchOptions:
    size: str = "S"
    seed: int = 1
    search_requests: int = 200  # per search measure
    search_clients: int = 16
    chat_levels: tuple[int, ...] = (1, 16, 64)
    chat_questions_per_conversation: int = 3
    model: ModelLatency = field(default_factory=lambda: ModelLatency(200, 10))
    cache: Path = Path("var/bench")
    # A size built by copying a smaller one (`bench.scale`); None: ingested as it is.
    scale: ScaledSize | None = None


def run_bench(
    options: BenchOptions,
    *,
    folder: Path,
    say: Callable[[str], None],
    services_env: Mapping[str, str] | None = None,
) -> dict:
    """Measure at `options.size` with a scratch deployment in `folder`, on the services
    `services_env` sets up (`bench.real_services`; none: the embedded default)."""
    services_env = dict(services_env or {})
    scale = options.scale
    corpus = build_corpus(
        SIZES[scale.base if scale else options.size], seed=options.seed, cache=options.cache
    )
    say(f"Corpus {corpus.size}: {len(corpus.documents)} documents, {corpus.bytes / 1e6:.1f} MB.")
    questions = _questions(corpus, seed=options.seed)
    results: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "size": options.size,
        "mode": deployment_mode(services_env),
        "machine": {"cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()},
        "corpus": {
            "documents": len(corpus.documents),
            "bytes": corpus.bytes,
            "seed": corpus.seed,
            "packages": corpus.packages,
            "digest": corpus.digest,
        },
        "model": asdict(options.model) | {"total_ms": model_total_ms(**asdict(options.model))},
    }
    with model_server(options.model) as model_url:
        with serving(folder, model_url=model_url, extra_env=services_env) as deployment:
            category = deployment.target.upload_category
            ingestion, ingestion_memory = _ingest(deployment, corpus, say)
            if scale is None:
                served = _measure_served(
                    deployment, questions, options, scopes=(category,), say=say
                )
        if scale is not None:
            results["scale"] = _grow(category, scale, say)
            with serving(
                folder, model_url=model_url, extra_env=services_env, again=True
            ) as deployment:
                say("Deployment served again on the grown store.")
                scopes = (category, ALL_CATEGORIES)
                served = _measure_served(deployment, questions, options, scopes=scopes, say=say)
    results["memory_peak_mb"] = {
        "embedded_process_during_ingestion": ingestion_memory.peak_mb,
        "embedded_process_during_search": served.search_memory.peak_mb,
        "embedded_process_during_chat": served.chat_memory.peak_mb,
    }
    for scope, search in served.search.items():
        store = _store_queries(scope, questions, options)
        results[_scoped("search", scope)] = search | store
    for scope, chat in served.chat.items():
        results[_scoped("chat", scope)] = chat
    if scale is None:
        results["ingestion"] = _ingestion_references(ingestion, category, corpus, say)
    else:
        results["ingestion"] = {"cassandre": _throughput(ingestion)}
    return results


# The scope of searches and questions without a category: every category the administrator
# reads, that is all of them.
ALL_CATEGORIES = ""


def _scoped(figure: str, scope: str) -> str:
    """Where a scope's figures go: "search" in one category (as at every size),
    "search_all_categories" across every category (scaled sizes)."""
    return f"{figure}_all_categories" if scope == ALL_CATEGORIES else figure


def _ingest(deployment, corpus: Corpus, say: Callable[[str], None]) -> tuple[Throughput, "_Peak"]:
    say("Deployment served; uploading the corpus.")
    with peak_rss(deployment.server.pid) as memory:
        ingestion = upload_and_wait(deployment.target, corpus.paths(), timeout=INGESTION_TIMEOUT)
    say(f"Indexed {ingestion.documents} documents, {ingestion.chunks} chunks.")
    return ingestion, memory


def _grow(category_slug: str, scale: ScaledSize, say: Callable[[str], None]) -> dict:
    """Copy the ingested category until the store holds `scale.passages` (no server runs);
    let go of the store for the server that opens it next."""
    from ai.vectorstore.edge import close_all
    from documents.models import Category

    say(f"Copying {category_slug} until the store holds {scale.passages} passages.")
    try:
        growth = grow_store(
            Category.objects.get(slug=category_slug), passages=scale.passages, say=say
        )
    finally:
        close_all()
    say(f"Store grown to {growth.passages} passages in {growth.seconds:.0f} s.")
    return {
        "base": scale.base,
        "passages_wanted": scale.passages,
        **growth.as_dict(),
        "ingestion_references": (
            f"not measured at {scale.name}: the store is {scale.base}'s ingestion copied into "
            f"more categories; the ingestion figure is {scale.base}'s"
        ),
    }


@dataclass(frozen=True)
class _Served:
    search: dict[str, dict]  # per scope (a category's slug, or ALL_CATEGORIES)
    chat: dict[str, dict]
    search_memory: "_Peak"
    chat_memory: "_Peak"


def _measure_served(
    deployment, questions: list[str], options: BenchOptions, *, scopes, say
) -> _Served:
    """Search then chat, in each of `scopes`, against the served deployment."""
    target, pid = deployment.target, deployment.server.pid
    with peak_rss(pid) as search_memory:
        search = {
            scope: {
                f"api_{clients}": asdict(
                    api_latencies(
                        target,
                        _cycle(questions, options.search_requests),
                        clients=clients,
                        category=scope,
                    )
                )
                for clients in (1, options.search_clients)
            }
            for scope in scopes
        }
    say("Search measured.")
    with peak_rss(pid) as chat_memory:
        chat = {scope: _chat(target, questions, options, category=scope) for scope in scopes}
    say("Chat measured.")
    return _Served(search, chat, search_memory, chat_memory)


def _questions(corpus: Corpus, *, seed: int) -> list[str]:
    questions = [document.description for document in corpus.documents if document.description]
    random.Random(seed).shuffle(questions)
    return questions


def _cycle(questions: list[str], count: int) -> list[str]:
    return [questions[number % len(questions)] for number in range(count)]


def _chat(target, questions: list[str], options: BenchOptions, *, category: str) -> dict:
    """Each level of conversations spread over one answer's time, as people arrive; and the
    burst of the issue's level, everyone asking in the same instant (the worst case)."""
    model = options.model
    answer_seconds = model_total_ms(**asdict(model)) / 1000
    chat_answers(target, questions[:3], conversations=1, category=category)
    runs = [(str(level), level, answer_seconds) for level in options.chat_levels]
    runs.append((f"{BURST_LEVEL} burst", BURST_LEVEL, 0.0))
    levels = {}
    for name, conversations, spread in runs:
        asked = _cycle(questions, conversations * options.chat_questions_per_conversation)
        answers, seconds = chat_answers(
            target,
            asked,
            conversations=conversations,
            category=category,
            spread=spread,
            seed=options.seed,
        )
        first_tokens = [answer.first_token_ms for answer in answers]
        totals = [answer.total_ms for answer in answers]
        levels[name] = {
            "conversations": conversations,
            "start_spread_s": spread,
            "answers": len(answers),
            "answers_per_second": len(answers) / seconds,
            "first_token": asdict(summarize(first_tokens)),
            "first_token_overhead": asdict(summarize(minus(first_tokens, model.first_token_ms))),
            "total": asdict(summarize(totals)),
            "total_overhead": asdict(summarize(minus(totals, model_total_ms(**asdict(model))))),
            "server_overhead": asdict(summarize([answer.server_overhead_ms for answer in answers])),
        }
    return levels


def _store_queries(scope: str, questions: list[str], options: BenchOptions) -> dict:
    from documents.models import Category

    category_id = None if scope == ALL_CATEGORIES else Category.objects.get(slug=scope).pk
    asked = _cycle(questions, options.search_requests)
    return {
        f"store_{threads}": asdict(store_latencies(asked, category_id=category_id, threads=threads))
        for threads in (1, options.search_clients)
    }


def _ingestion_references(ingestion, category_slug: str, corpus: Corpus, say) -> dict:
    from bench.langchain_reference import run_langchain_pipeline

    texts = indexed_passage_texts(category_slug)
    say("Raw embedding of the same passages.")
    raw = raw_embedding(texts)
    say("LangChain pipeline on the same corpus.")
    langchain = run_langchain_pipeline(corpus.paths())
    return {
        name: _throughput(run)
        for name, run in (
            ("cassandre", ingestion),
            ("raw_embedding", raw),
            ("langchain", langchain),
        )
    }


def _throughput(run: Throughput) -> dict:
    return asdict(run) | {
        "documents_per_second": run.documents_per_second,
        "chunks_per_second": run.chunks_per_second,
    }


@dataclass
class _Peak:
    trace: Trace

    @property
    def peak_mb(self) -> float:
        return round(self.trace.peak_rss_kb / 1024, 1)


@contextmanager
def peak_rss(pid: int) -> Iterator[_Peak]:
    """Sample the process's resident memory while the block runs; its peak after."""
    trace = Trace("process", pid)
    with Sampler([trace], interval=0.25):
        yield _Peak(trace)
        time.sleep(0.3)
