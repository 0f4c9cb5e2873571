"""The answering pipeline, below every interface: events, records, rules."""

from chat.answering import Done, Sources, Token, answer_question, in_thread
from chat.models import Exchange


async def collect(**kwargs) -> list:
    return [event async for event in answer_question(**kwargs)]


async def test_a_question_gets_sources_then_tokens_then_done(category, user, llm_server):
    events = await collect(
        user_id=user.pk, question="Combien de jours de télétravail ?", category_slug=category.slug
    )
    sources, *tokens, done = events
    assert isinstance(sources, Sources) and isinstance(done, Done)
    assert len(tokens) > 3 and all(isinstance(token, Token) for token in tokens)
    assert sources.sources[0]["title"] == "teletravail"
    assert done.citations == [1]
    assert done.answer == "".join(token.text for token in tokens)
    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.status == Exchange.Status.DONE
    assert exchange.completion_tokens == len(tokens)
