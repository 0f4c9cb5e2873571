"""The chat websocket: one connection, many questions, answers streamed as they come."""

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chat.answering import in_thread
from chat.consumers import ChatConsumer
from chat.models import Conversation, Exchange
from common import ratelimit
from documents.models import Correction
from documents.services import index_correction
from documents.tests.factories import CategoryFactory
from testing.openai_server import error_reply
from testing.services import free_port

QUESTION = "Combien de jours de télétravail par semaine ?"


async def connect(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def receive_until(communicator, *kinds: str, timeout: float = 10) -> list[dict]:
    """Every message up to and including the first whose type is one of `kinds`."""
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        messages.append(message)
        if message["type"] in kinds:
            return messages


async def ask(communicator, question: str = QUESTION, **fields) -> list[dict]:
    await communicator.send_json_to({"type": "ask", "id": "q1", "question": question, **fields})
    return await receive_until(communicator, "done", "error", "cancelled")


async def test_an_anonymous_visitor_is_refused():
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect()
    assert not connected and code == 4401


async def test_the_answer_streams_after_its_sources_and_cites_them(
    category, user, llm_server, settings
):
    settings.CHAT_TOKEN_FLUSH_MS = 0  # one frame per token
    llm_server.chat_answer = lambda request: (
        "Le télétravail est autorisé deux jours par semaine [1], sur demande au chef de "
        "service [1]."
    )
    communicator = await connect(user)
    sources, *tokens, done = await ask(communicator, category=category.slug)
    assert sources["type"] == "sources" and sources["id"] == "q1"
    assert sources["sources"][0]["title"] == "teletravail"
    assert len(tokens) > 5 and {token["type"] for token in tokens} == {"token"}
    assert done["type"] == "done" and done["citations"] == [1]
    assert done["answer"] == "".join(token["text"] for token in tokens)
    assert done["usage"]["completion_tokens"] == len(tokens)
    prompt = llm_server.requests_to("/v1/chat/completions")[-1].body["messages"][-1]["content"]
    assert "[1] teletravail" in prompt and "deux jours par semaine" in prompt
    await communicator.disconnect()


async def test_the_done_message_warns_of_a_cited_document_soon_out_of_force(
    category, user, llm_server
):
    end = timezone.localdate() + timedelta(days=10)
    await in_thread(category.documents.filter(title="teletravail").update, valid_until=end)
    communicator = await connect(user)
    *_, done = await ask(communicator, category=category.slug)
    assert done["citations"] == [1]
    [notice] = done["notices"]
    assert notice.startswith("Attention : « teletravail » n'est plus en vigueur après le ")
    await communicator.disconnect()


async def test_one_connection_carries_several_questions(category, user, llm_server):
    communicator = await connect(user)
    first = await ask(communicator, category=category.slug)
    second = await ask(
        communicator, "Quel est le prix du repas ?", conversation=first[-1]["conversation"]
    )
    assert second[-1]["type"] == "done"
    assert second[-1]["conversation"] == first[-1]["conversation"]
    await communicator.disconnect()


async def test_cancel_stops_the_answer_and_closes_the_request_to_the_model(
    category, user, llm_server
):
    llm_server.chat_answer = lambda request: " ".join(["mot"] * 200)
    llm_server.token_delay = 0.05
    communicator = await connect(user)
    await communicator.send_json_to(
        {"type": "ask", "id": "q1", "question": QUESTION, "category": category.slug}
    )
    await receive_until(communicator, "token")
    await communicator.send_json_to({"type": "cancel"})
    messages = await receive_until(communicator, "cancelled", "done")
    assert messages[-1]["type"] == "cancelled"
    await asyncio.sleep(0.5)
    assert llm_server.abandoned_streams == 1
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.CANCELLED
    assert exchange.answer.startswith("mot")
    await communicator.disconnect()


async def test_tokens_that_come_together_share_a_frame_and_join_into_the_answer(
    category, user, llm_server, settings
):
    settings.CHAT_TOKEN_FLUSH_MS = 3_600_000  # no window passes: only the first leaves alone
    communicator = await connect(user)
    _, *tokens, done = await ask(communicator, category=category.slug)
    assert {token["type"] for token in tokens} == {"token"}
    assert len(tokens) <= 2 < done["usage"]["completion_tokens"]
    assert "".join(token["text"] for token in tokens) == done["answer"]
    await communicator.disconnect()


async def test_cancel_sends_the_held_tokens_then_cancelled(category, user, llm_server, settings):
    settings.CHAT_TOKEN_FLUSH_MS = 3_600_000
    llm_server.chat_answer = lambda request: " ".join(["mot"] * 200)
    llm_server.token_delay = 0.02
    communicator = await connect(user)
    await communicator.send_json_to(
        {"type": "ask", "id": "q1", "question": QUESTION, "category": category.slug}
    )
    *_, first = await receive_until(communicator, "token")
    await asyncio.sleep(0.1)  # more tokens come, held by the window
    await communicator.send_json_to({"type": "cancel"})
    *held, last = await receive_until(communicator, "cancelled", "done")
    assert last["type"] == "cancelled"
    assert len(held) <= 1
    # The client has exactly what was kept of the answer.
    exchange = await in_thread(Exchange.objects.get)
    assert first["text"] + "".join(token["text"] for token in held) == exchange.answer
    await communicator.disconnect()


async def test_a_second_question_while_one_streams_is_refused(category, user, llm_server):
    llm_server.token_delay = 0.2
    communicator = await connect(user)
    await communicator.send_json_to({"type": "ask", "question": QUESTION})
    await receive_until(communicator, "sources")
    await communicator.send_json_to({"type": "ask", "id": "q2", "question": QUESTION})
    (busy,) = [m for m in await receive_until(communicator, "error") if m["type"] == "error"]
    assert busy["code"] == "busy" and busy["id"] == "q2"
    await communicator.send_json_to({"type": "cancel"})
    await receive_until(communicator, "cancelled", "done")
    await communicator.disconnect()


async def test_a_dead_model_gives_a_message_and_keeps_the_sources(category, user, settings):
    settings.LLM_PROVIDER = "compatible"
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"
    settings.LLM_MODEL = "test-model"
    settings.LLM_MAX_RETRIES = 0
    communicator = await connect(user)
    sources, error = await ask(communicator, category=category.slug)
    assert sources["type"] == "sources" and sources["sources"]
    assert error["type"] == "error" and error["code"] == "provider"
    assert "ne répond pas" in error["message"]
    exchange = await in_thread(Exchange.objects.get)
    assert exchange.status == Exchange.Status.FAILED and "ne répond pas" in exchange.error_message
    await communicator.disconnect()


async def test_a_wrong_key_tells_the_user_to_warn_the_administrator_without_the_key(
    category, user, llm_server, settings
):
    settings.LLM_API_KEY = "sk-wrong-secret-key"
    communicator = await connect(user)
    *_, error = await ask(communicator, category=category.slug)
    assert error["code"] == "provider"
    assert "clé d'API" in error["message"] and "administrateur" in error["message"]
    assert "sk-wrong" not in error["message"]
    await communicator.disconnect()


async def test_a_model_error_mid_stream_is_reported(category, user, llm_server):
    llm_server.failures.append(error_reply(503, "overloaded"))
    communicator = await connect(user)
    *_, error = await ask(communicator, category=category.slug)
    assert error["type"] == "error" and error["code"] == "provider"
    await communicator.disconnect()


async def test_with_no_relevant_passage_the_answer_says_so_and_names_who_to_ask(
    category, user, llm_server
):
    await in_thread(type(category).objects.filter(pk=category.pk).update, relevance_threshold=0.99)
    communicator = await connect(user)
    sources, *_, done = await ask(
        communicator, "Quelle est la couleur du ciel sur Mars ?", category=category.slug
    )
    assert sources["sources"] == []
    assert done["outcome"] == "no_answer"
    assert "aucun passage" in done["answer"] and "le service RH (poste 1234)" in done["answer"]
    assert llm_server.requests_to("/v1/chat/completions") == []
    await communicator.disconnect()


async def test_a_follow_up_is_rewritten_with_the_history_before_retrieval(
    category, user, llm_server
):
    def answer(request) -> str:
        if request.body.get("stream"):
            return "Le repas coûte 4,50 euros [1]."
        return "Quel est le prix du repas à la cantine ?"

    llm_server.chat_answer = answer
    communicator = await connect(user)
    first = await ask(
        communicator, "Quels sont les horaires de la cantine ?", category=category.slug
    )
    conversation = first[-1]["conversation"]
    sources, *_, done = await ask(communicator, "Et combien ça coûte ?", conversation=conversation)
    rewrite = llm_server.requests_to("/v1/chat/completions")[-2]
    assert not rewrite.body.get("stream")
    assert "horaires de la cantine" in rewrite.body["messages"][-1]["content"]
    assert sources["question"] == "Quel est le prix du repas à la cantine ?"
    assert sources["sources"][0]["title"] == "cantine"
    assert done["timings"]["model_wait_ms"] >= 0
    await communicator.disconnect()


async def test_a_curated_correction_comes_first_and_is_marked_validated(category, user, llm_server):
    correction = await in_thread(
        Correction.objects.create,
        category=category,
        question="Combien de jours de télétravail par semaine ?",
        answer="Deux jours par semaine, trois pour les agents en situation de handicap.",
    )
    await in_thread(index_correction, correction_id=correction.pk)
    communicator = await connect(user)
    sources, *_, done = await ask(
        communicator, "combien de jours de TELETRAVAIL par semaine", category=category.slug
    )
    assert sources["validated"] and done["validated"] and done["outcome"] == "correction"
    assert done["answer"] == correction.answer
    assert llm_server.requests_to("/v1/chat/completions") == []
    await communicator.disconnect()


async def test_someone_elses_conversation_cannot_be_resumed(
    category, user, llm_server, django_user_model
):
    other = await in_thread(django_user_model.objects.create_user, username="autre")
    theirs = await in_thread(Conversation.objects.create, user=other, category=category)
    communicator = await connect(user)
    (error,) = await ask(communicator, conversation=theirs.pk)
    assert error["code"] == "refused" and "n'existe pas" in error["message"]
    await communicator.disconnect()


@pytest.mark.parametrize(
    "message",
    [
        {"type": "ask"},
        {"type": "ask", "question": 3},
        {"type": "ask", "question": "Congés ?", "conversation": True},
        {"type": "sing"},
        ["ask"],
    ],
)
async def test_malformed_messages_get_an_error_and_the_connection_stays(message, user):
    communicator = await connect(user)
    await communicator.send_json_to(message)
    reply = await communicator.receive_json_from()
    assert reply["type"] == "error" and reply["code"] == "invalid"
    await communicator.send_json_to({"type": "ping", "id": 7})
    assert await communicator.receive_json_from() == {"type": "pong", "id": 7}
    await communicator.disconnect()


async def test_an_oversized_question_is_refused_with_the_limit(user, settings):
    settings.MAX_QUESTION_LENGTH = 50
    communicator = await connect(user)
    (error,) = await ask(communicator, "x" * 51)
    assert error["code"] == "refused" and "50" in error["message"]
    await communicator.disconnect()


async def test_an_unknown_category_is_refused(transactional_db, user):
    await in_thread(CategoryFactory)
    communicator = await connect(user)
    (error,) = await ask(communicator, category="inconnue")
    assert error["code"] == "refused"
    await communicator.disconnect()


async def test_a_nearly_identical_question_also_gets_the_curated_correction(
    category, user, llm_server
):
    correction = await in_thread(
        Correction.objects.create,
        category=category,
        question="Combien de jours de télétravail par semaine ?",
        answer="Deux jours par semaine.",
    )
    await in_thread(index_correction, correction_id=correction.pk)
    communicator = await connect(user)
    *_, done = await ask(
        communicator, "Combien de jours de télétravail par semaine, svp ?", category=category.slug
    )
    assert done["validated"] and done["answer"] == "Deux jours par semaine."
    *_, other = await ask(communicator, "Le télétravail est-il possible le lundi ?")
    assert not other["validated"] and other["outcome"] == "generated"
    await communicator.disconnect()


async def test_conversations_on_two_connections_stream_at_the_same_time(category, user, llm_server):
    llm_server.chat_answer = lambda request: " ".join(["mot"] * 20)
    llm_server.token_delay = 0.05
    first, second = await connect(user), await connect(user)
    for communicator in (first, second):
        await communicator.send_json_to({"type": "ask", "question": QUESTION})
    await receive_until(first, "token")
    await receive_until(second, "token")
    # The second answer started while the first was still streaming: neither waited.
    rest_of_first = await receive_until(first, "done")
    assert len([m for m in rest_of_first if m["type"] == "token"]) > 5
    await receive_until(second, "done")
    for communicator in (first, second):
        await communicator.disconnect()


async def test_an_oversized_message_is_refused_before_it_is_decoded(user, settings):
    settings.MAX_QUESTION_LENGTH = 100
    communicator = await connect(user)
    await communicator.send_to(text_data='{"type": "ask", "question": "' + "x" * 5000 + '"}')
    reply = await communicator.receive_json_from()
    assert reply["code"] == "invalid" and "trop long" in reply["message"]
    await communicator.send_to(text_data="{pas du json")
    assert (await communicator.receive_json_from())["code"] == "invalid"
    await communicator.disconnect()


async def test_too_many_questions_are_refused_until_the_window_ends(
    category, user, settings, monkeypatch
):
    settings.LLM_PROVIDER = "extractive"
    settings.RATE_LIMIT_QUESTIONS = (2, 60)
    # The counters' clock: 20 seconds into a minute, so the window ends 40 seconds later.
    now = [60 * 1_000_000 + 20.0]
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now[0]))
    communicator = await connect(user)
    assert (await ask(communicator))[-1]["type"] == "done"
    assert (await ask(communicator))[-1]["type"] == "done"
    (refused,) = await ask(communicator)
    assert refused["code"] == "rate_limited" and "Réessayez dans 40 s" in refused["message"]

    now[0] += 39
    (still_refused,) = await ask(communicator)
    assert still_refused["code"] == "rate_limited"

    now[0] += 1
    assert (await ask(communicator))[-1]["type"] == "done"
    await communicator.disconnect()


@pytest.mark.parametrize("question", ["Congés\x00 ?", "Congés \ud800 ?"])
async def test_a_nul_byte_or_a_lone_surrogate_is_refused_not_an_internal_error(question, user):
    communicator = await connect(user)

    (reply,) = await ask(communicator, question)

    assert reply["type"] == "error" and reply["code"] == "refused"
    assert "caractères invalides" in reply["message"]
    await communicator.disconnect()
