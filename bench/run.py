"""One benchmark run at one corpus size: every figure and its reference, as one dict.

The order matters on a 2-core machine: the served deployment is measured first (ingestion,
search, chat), then stopped, and only then does this process open its vector store (raw
queries), embed its passages (the limit) and run the LangChain pipeline, so that no two
measures share the processor.
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
from bench.ingestion import indexed_passage_texts, raw_embedding, upload_and_wait
from bench.model_server import model_total_ms
from bench.real_services import deployment_mode
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
    corpus = build_corpus(SIZES[options.size], seed=options.seed, cache=options.cache)
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
    with (
        model_server(options.model) as model_url,
        serving(folder, model_url=model_url, extra_env=services_env) as deployment,
    ):
        target = deployment.target
        pid = deployment.server.pid
        say("Deployment served; uploading the corpus.")
        with peak_rss(pid) as ingestion_memory:
            ingestion = upload_and_wait(target, corpus.paths(), timeout=INGESTION_TIMEOUT)
        say(f"Indexed {ingestion.documents} documents, {ingestion.chunks} chunks.")
        with peak_rss(pid) as search_memory:
            search = {
                f"api_{clients}": asdict(
                    api_latencies(
                        target,
                        _cycle(questions, options.search_requests),
                        clients=clients,
                        category=target.upload_category,
                    )
                )
                for clients in (1, options.search_clients)
            }
        say("Search measured.")
        with peak_rss(pid) as chat_memory:
            chat = _chat(target, questions, options)
        say("Chat measured.")
    results["memory_peak_mb"] = {
        "embedded_process_during_ingestion": ingestion_memory.peak_mb,
        "embedded_process_during_search": search_memory.peak_mb,
        "embedded_process_during_chat": chat_memory.peak_mb,
    }
    results["search"] = search | _store_queries(target.upload_category, questions, options)
    results["chat"] = chat
    results["ingestion"] = _ingestion_references(ingestion, target.upload_category, corpus, say)
    return results


def _questions(corpus: Corpus, *, seed: int) -> list[str]:
    questions = [document.description for document in corpus.documents if document.description]
    random.Random(seed).shuffle(questions)
    return questions


def _cycle(questions: list[str], count: int) -> list[str]:
    return [questions[number % len(questions)] for number in range(count)]


def _chat(target, questions: list[str], options: BenchOptions) -> dict:
    """Each level of conversations spread over one answer's time, as people arrive; and the
    burst of the issue's level, everyone asking in the same instant (the worst case)."""
    model = options.model
    answer_seconds = model_total_ms(**asdict(model)) / 1000
    chat_answers(target, questions[:3], conversations=1, category=target.upload_category)
    runs = [(str(level), level, answer_seconds) for level in options.chat_levels]
    runs.append((f"{BURST_LEVEL} burst", BURST_LEVEL, 0.0))
    levels = {}
    for name, conversations, spread in runs:
        asked = _cycle(questions, conversations * options.chat_questions_per_conversation)
        answers, seconds = chat_answers(
            target,
            asked,
            conversations=conversations,
            category=target.upload_category,
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


def _store_queries(category_slug: str, questions: list[str], options: BenchOptions) -> dict:
    from documents.models import Category

    category_id = Category.objects.get(slug=category_slug).pk
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
        name: asdict(run)
        | {
            "documents_per_second": run.documents_per_second,
            "chunks_per_second": run.chunks_per_second,
        }
        for name, run in (
            ("cassandre", ingestion),
            ("raw_embedding", raw),
            ("langchain", langchain),
        )
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
