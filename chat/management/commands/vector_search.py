import json

from django.core.management.base import BaseCommand

from ai.embeddings import get_embedder
from ai.passages import passage_store
from chat.management.commands.base import category_ids_option


class Command(BaseCommand):
    help = "Raw dense retrieval (no fusion, no collapsing), to debug what the vectors find."

    def add_arguments(self, parser) -> None:
        parser.add_argument("query")
        parser.add_argument("--category", action="append", default=[], help="Slug; repeatable.")
        parser.add_argument("--limit", type=int, default=10)

    def handle(self, *args, query: str, category: list[str], limit: int, **options) -> None:
        category_ids = category_ids_option(category)
        payload_filter = None if category_ids is None else {"category_id": category_ids}
        embedder = get_embedder()
        store = passage_store()
        self.stdout.write(f"model {embedder.model_id}, collection {store.collection}")
        hits = store.search(embedder.embed([query])[0], limit=limit, payload_filter=payload_filter)
        for rank, hit in enumerate(hits, start=1):
            summary = {key: hit.payload.get(key) for key in ("document_id", "title", "page")}
            text = " ".join(str(hit.payload.get("text", "")).split())[:160]
            self.stdout.write(
                f"{rank:2}. {hit.score:.4f} {json.dumps(summary, ensure_ascii=False)}"
            )
            self.stdout.write(f"    {text}")
