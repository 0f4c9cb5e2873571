"""The benchmark's results as a markdown table, its targets checked, and its JSON file."""

import json
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.real_services import REAL_SERVICES, deployment_mode, describe_mode

# The scale work's targets (README, Benchmarks): each figure's goal and the sizes it holds at.
MIN_INGESTION_VS_RAW = 0.9
INGESTION_TARGET_SIZES = ("S", "M")
MIN_INGESTION_VS_LANGCHAIN = 1.5
MAX_SEARCH_P95_MS = 30.0
MIN_SEARCH_SHARE_OF_STORE = 0.5
MAX_SEARCH_CONCURRENT_P95_MS = 150.0
MAX_CHAT_OVERHEAD_P50_MS = 150.0
MAX_CHAT_OVERHEAD_P95_MS = 400.0
CHAT_TARGET_CONVERSATIONS = "64"
MAX_PEAK_RSS_MB = 700.0
AT_M = ("M",)


@dataclass(frozen=True)
class TargetCheck:
    name: str
    value: float | None
    goal: str
    met: bool | None  # None: not measured at this size


def ingestion_ratios(results: dict) -> dict[str, float] | None:
    """Cassandre's throughput over the raw embedding (chunks/s: the same passages) and over
    LangChain (documents/s: the same files, chunked its own way); None at a scaled size,
    where the references are not run (`bench.scale`)."""
    ingestion = results["ingestion"]
    if "raw_embedding" not in ingestion:
        return None
    cassandre = ingestion["cassandre"]
    return {
        "vs_raw": cassandre["chunks_per_second"] / ingestion["raw_embedding"]["chunks_per_second"],
        "vs_langchain": cassandre["documents_per_second"]
        / ingestion["langchain"]["documents_per_second"],
    }


def check_targets(results: dict) -> list[TargetCheck]:
    size = results["size"]
    ratios = ingestion_ratios(results) or {}
    search = results["search"]
    concurrent = search[_concurrent_key(search, "api_")]
    store = search[_concurrent_key(search, "store_")]
    chat = results["chat"].get(CHAT_TARGET_CONVERSATIONS)
    overhead = chat["first_token_overhead"] if chat else {}
    peak = max(results["memory_peak_mb"].values())

    def target(name, value, goal: str, met, sizes: Sequence[str] | None = None) -> TargetCheck:
        applies = value is not None and (sizes is None or size in sizes)
        where = "" if sizes is None else f" at {', '.join(sizes)}"
        return TargetCheck(name, value, goal + where, met(value) if applies else None)

    return [
        target(
            "ingestion / raw embedding",
            ratios.get("vs_raw"),
            f">= {MIN_INGESTION_VS_RAW}",
            lambda value: value >= MIN_INGESTION_VS_RAW,
            INGESTION_TARGET_SIZES,
        ),
        target(
            "ingestion / LangChain",
            ratios.get("vs_langchain"),
            f">= {MIN_INGESTION_VS_LANGCHAIN}",
            lambda value: value >= MIN_INGESTION_VS_LANGCHAIN,
            AT_M,
        ),
        target(
            "search p95, 1 client (ms)",
            search["api_1"]["p95"],
            f"< {MAX_SEARCH_P95_MS:.0f}",
            lambda value: value < MAX_SEARCH_P95_MS,
            AT_M,
        ),
        target(
            "search, 16 clients: req/s / the store's q/s",
            concurrent["per_second"] / store["per_second"],
            f">= {MIN_SEARCH_SHARE_OF_STORE}",
            lambda value: value >= MIN_SEARCH_SHARE_OF_STORE,
        ),
        target(
            "search p95, 16 clients (ms)",
            concurrent["p95"],
            f"< {MAX_SEARCH_CONCURRENT_P95_MS:.0f}",
            lambda value: value < MAX_SEARCH_CONCURRENT_P95_MS,
        ),
        target(
            f"chat first-token overhead p50, {CHAT_TARGET_CONVERSATIONS} conversations (ms)",
            overhead.get("p50"),
            f"< {MAX_CHAT_OVERHEAD_P50_MS:.0f}",
            lambda value: value < MAX_CHAT_OVERHEAD_P50_MS,
        ),
        target(
            f"chat first-token overhead p95, {CHAT_TARGET_CONVERSATIONS} conversations (ms)",
            overhead.get("p95"),
            f"< {MAX_CHAT_OVERHEAD_P95_MS:.0f}",
            lambda value: value < MAX_CHAT_OVERHEAD_P95_MS,
        ),
        target(
            "peak RSS, one process (MB)",
            peak,
            f"<= {MAX_PEAK_RSS_MB:.0f}",
            lambda value: value <= MAX_PEAK_RSS_MB,
            AT_M,
        ),
    ]


def markdown_report(results: dict) -> str:
    corpus = results["corpus"]
    ingestion = results["ingestion"]
    ratios = ingestion_ratios(results)
    model = results["model"]
    machine = results["machine"]
    lines = [
        f"## Cassandre benchmark, size {results['size']} ({results['date']})",
        "",
        f"Corpus: {corpus['documents']} man pages rendered to text, HTML and PDF "
        f"({corpus['bytes'] / 1e6:.1f} MB, digest {corpus['digest'][:12]}); "
        f"{machine['cpus']} CPUs, load {machine['load_average_at_start'][0]:.1f} at start.",
        "",
        f"Mode: {describe_mode(_mode(results))}.",
        "",
        *_scale_lines(results),
        "| figure | Cassandre | reference | ratio |",
        "|---|---|---|---|",
        *_ingestion_rows(ingestion, ratios),
    ]
    lines += _search_rows(results["search"], scope="")
    if "search_all_categories" in results:
        lines += _search_rows(results["search_all_categories"], scope=", every category")
    chats = [(results["chat"], "")]
    if "chat_all_categories" in results:
        chats.append((results["chat_all_categories"], ", every category"))
    levels = [(level, scope) for chat, scope in chats for level in chat.values()]
    for level, scope in levels:
        who = _conversations(level) + scope
        lines.append(
            _row(
                f"chat first token, {who}",
                f"p50 {level['first_token']['p50']:.0f} / p95 {level['first_token']['p95']:.0f} ms",
                f"model's first token {model['first_token_ms']:.0f} ms",
                f"overhead p50 {level['first_token_overhead']['p50']:.0f} / "
                f"p95 {level['first_token_overhead']['p95']:.0f} ms "
                f"(server's own count: p50 {level['server_overhead']['p50']:.0f})",
            )
        )
        lines.append(
            _row(
                f"chat whole answer, {who}",
                f"p50 {level['total']['p50']:.0f} / p95 {level['total']['p95']:.0f} ms, "
                f"{level['answers_per_second']:.1f} answers/s",
                f"model's answer {model['total_ms']:.0f} ms",
                f"overhead p50 {level['total_overhead']['p50']:.0f} / "
                f"p95 {level['total_overhead']['p95']:.0f} ms",
            )
        )
    memory = results["memory_peak_mb"]
    lines.append(
        _row(
            "peak RSS, web + worker (one process)",
            " / ".join(
                f"{phase.removeprefix('embedded_process_during_')} {megabytes:.0f} MB"
                for phase, megabytes in memory.items()
            ),
            "",
            "",
        )
    )
    lines += ["", "| target | value | goal | met |", "|---|---|---|---|"]
    for check in check_targets(results):
        value = "—" if check.value is None else f"{check.value:.2f}"
        met = {True: "yes", False: "**no**", None: "n/a at this size"}[check.met]
        lines.append(_row(check.name, value, check.goal, met))
    return "\n".join(lines)


def repeated_figures(results: dict) -> dict[str, float]:
    """The figures a repeated benchmark sums up: each a ratio or a figure measured beside its
    reference in the same run."""
    ratios = ingestion_ratios(results)
    search = results["search"]
    api, store = search[_concurrent_key(search, "api_")], search[_concurrent_key(search, "store_")]
    figures = {}
    if ratios is not None:
        figures["ingestion / raw embedding"] = ratios["vs_raw"]
        figures["ingestion / LangChain"] = ratios["vs_langchain"]
    figures |= {
        "search p95, 1 client (ms)": search["api_1"]["p95"],
        "search p95, 1 client / store's own p95": search["api_1"]["p95"] / search["store_1"]["p95"],
        "search req/s, concurrent clients / store's own q/s": api["per_second"]
        / store["per_second"],
        "search p95, concurrent clients (ms)": api["p95"],
    }
    if "search_all_categories" in results:
        figures["search p95, 1 client, every category (ms)"] = results["search_all_categories"][
            "api_1"
        ]["p95"]
    for key, level in results["chat"].items():
        figures[f"chat first-token overhead p50, {key} (ms)"] = level["first_token_overhead"]["p50"]
        figures[f"chat first-token overhead p95, {key} (ms)"] = level["first_token_overhead"]["p95"]
    figures["peak RSS (MB)"] = max(results["memory_peak_mb"].values())
    return figures


def repeated_report(runs: Sequence[dict]) -> str:
    """Each figure of paired runs as its median (min-max): one run's figure moves with the
    load of the machine, the median of several runs with it less."""
    figures = [repeated_figures(results) for results in runs]
    lines = [
        f"## {len(runs)} runs, size {runs[0]['size']}, {_mode(runs[0])['name']}: median (min-max)",
        "",
        "| figure | median (min-max) |",
        "|---|---|",
    ]
    for name in figures[0]:
        values = [run[name] for run in figures if name in run]
        lines.append(
            _row(
                name,
                f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})",
            )
        )
    return "\n".join(lines)


def results_name(*, date: str, size: str, real_services: bool, run: int | None = None) -> str:
    """`<date>-<size>.json`, `-real` before `.json` in the real-services mode, and
    `-run<N>` last for one of several runs. `date="*"` gives the pattern of a run's file."""
    mode = "-real" if real_services else ""
    suffix = "" if run is None else f"-run{run}"
    return f"{date}-{size}{mode}{suffix}.json"


def write_results(results: dict, *, folder: Path, run: int | None = None) -> Path:
    """The results in `folder`, under `results_name`."""
    folder.mkdir(parents=True, exist_ok=True)
    name = results_name(
        date=results["date"][:10],
        size=results["size"],
        real_services=_mode(results)["name"] == REAL_SERVICES,
        run=run,
    )
    path = folder / name
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    return path


def _mode(results: dict) -> dict[str, str]:
    # Results written before the mode was recorded are all embedded.
    return results.get("mode") or deployment_mode({})


def _scale_lines(results: dict) -> list[str]:
    scale = results.get("scale")
    if scale is None:
        return []
    return [
        f"Size {results['size']} built from {scale['base']}: the corpus above ingested, then "
        f"copied {scale['copies']} times into new categories ({scale['documents_copied']} "
        f"documents, {scale['copy_seconds']:.0f} s); the store holds "
        f"{scale['store_passages']} passages. Ingestion references "
        f"{scale['ingestion_references']}.",
        "",
    ]


def _ingestion_rows(ingestion: dict, ratios: dict[str, float] | None) -> list[str]:
    if ratios is None:
        return [
            _row(
                "ingestion of the base corpus, upload → indexed",
                _throughput(ingestion["cassandre"]),
                "not measured at this size",
                "",
            )
        ]
    return [
        _row(
            "ingestion, upload → indexed",
            _throughput(ingestion["cassandre"]),
            "raw embedding, same passages: " + _throughput(ingestion["raw_embedding"]),
            f"{ratios['vs_raw']:.2f} (chunks/s)",
        ),
        _row(
            "ingestion vs typical pipeline",
            f"{ingestion['cassandre']['documents_per_second']:.2f} docs/s",
            "LangChain: " + _throughput(ingestion["langchain"]),
            f"{ratios['vs_langchain']:.2f} (docs/s)",
        ),
    ]


def _search_rows(search: dict, *, scope: str) -> list[str]:
    rows = []
    concurrent = (_concurrent_key(search, "api_"), _concurrent_key(search, "store_"))
    for api_key, store_key in (("api_1", "store_1"), concurrent):
        clients = api_key.removeprefix("api_")
        api, store = search[api_key], search[store_key]
        rows.append(
            _row(
                f"search p50/p95/p99, {clients} client{'s' if clients != '1' else ''}{scope}",
                f"{_percentiles(api)} ms, {api['per_second']:.0f} req/s",
                f"store queries alone: {_percentiles(store)} ms, {store['per_second']:.0f} q/s",
                f"{api['p95'] / store['p95']:.1f} x (p95)",
            )
        )
    return rows


def _concurrent_key(search: dict, prefix: str) -> str:
    keys = [key for key in search if key.startswith(prefix)]
    return max(keys, key=lambda key: int(key.removeprefix(prefix)))


def _conversations(level: dict) -> str:
    count = level["conversations"]
    if count == 1:
        return "1 conversation"
    if not level["start_spread_s"]:
        return f"{count} conversations, all asking at the same instant"
    return f"{count} conversations"


def _row(*cells: str) -> str:
    return "| " + " | ".join(cells) + " |"


def _throughput(run: dict) -> str:
    return (
        f"{run['documents_per_second']:.2f} docs/s, {run['chunks_per_second']:.1f} chunks/s "
        f"({run['chunks']} chunks, {run['seconds']:.0f} s)"
    )


def _percentiles(latencies: dict) -> str:
    return f"{latencies['p50']:.1f} / {latencies['p95']:.1f} / {latencies['p99']:.1f}"
