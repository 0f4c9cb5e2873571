import asyncio

from django.core.management.base import CommandError

from ai.llm import Provider
from chat.answering import Done, Sources, Token, answer_question
from chat.management.commands.base import CATEGORY_PROVIDER, PROVIDER_HELP, AnswerCommand
from common.errors import UserError


class Command(AnswerCommand):
    help = (
        "Ask a question as the chat does: the answer streams as it is written, then come its "
        "sources, the provider, the timings and the tokens."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("question")
        self.add_answer_arguments(parser)
        parser.add_argument("--provider", default=CATEGORY_PROVIDER, help=f"{PROVIDER_HELP}.")

    def handle(self, *args, question: str, category: str, provider: str, **options) -> None:
        user_id = self.find_user_id(options["user"])
        slug = self.find_category(category).slug
        chosen = self.find_provider(provider)
        try:
            sources, done = asyncio.run(
                self.stream_answer(
                    user_id=user_id, question=question, category_slug=slug, provider=chosen
                )
            )
        except UserError as error:
            raise CommandError(error.message) from error
        for notice in done.notices:
            self.stdout.write(notice)
        self.write_sources(sources)
        self.write_summary(done)

    async def stream_answer(
        self, *, user_id: int, question: str, category_slug: str, provider: Provider | None
    ) -> tuple[list[dict], Done]:
        """Write the tokens as they come; return the sources and the last event."""
        events = answer_question(
            user_id=user_id, question=question, category_slug=category_slug, provider=provider
        )
        sources: list[dict] = []
        try:
            async for event in events:
                if isinstance(event, Sources):
                    sources = event.sources
                elif isinstance(event, Token):
                    self.stdout.write(event.text, ending="")
                    self.stdout.flush()
                else:
                    done = event
        finally:
            self.stdout.write("")  # ends the answer's line, even one cut short by an error
        return sources, done

    def write_sources(self, sources: list[dict]) -> None:
        if not sources:
            return
        self.stdout.write("\nSources:")
        for source in sources:
            page = f", p. {source['page']}" if source["page"] else ""
            url = f" — {source['url']}" if source["url"] else ""
            self.stdout.write(f"  [{source['number']}] {source['title']}{page}{url}")

    def write_summary(self, done: Done) -> None:
        timings = done.timings
        usage = done.usage
        tokens = (
            f"{usage.prompt_tokens} prompt + {usage.completion_tokens} completion tokens"
            if usage and usage.prompt_tokens is not None
            else "tokens not reported"
        )
        self.stdout.write(
            f"\n{done.provider} · {done.outcome} · first token {timings['first_token_ms']} ms "
            f"(model {timings['model_wait_ms']} ms, Cassandre {timings['overhead_ms']} ms) · "
            f"total {timings['total_ms']} ms · {tokens}"
        )
