"""The answering API (v1): answers at once, tasks polled or called back, and its schema."""

import hashlib
import hmac
import json
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from celery import current_app as celery_app
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from chat import tasks
from chat.callbacks import (
    NO_CALLBACKS,
    NOT_ALLOWED,
    SIGNATURE_HEADER,
    CallbackRefused,
    callback_secret,
    check_callback_url,
    retry_delay,
)
from chat.complete_answers import run_answer_task
from chat.models import AnswerTask, Conversation, Exchange
from documents.tests.factories import CategoryFactory
from testing.callback_receiver import CallbackReceiver
from testing.services import free_port

QUESTION = "Combien de jours de télétravail par semaine ?"
ASYNC_URL = reverse("api_v1:answer-task-create")
SCHEMA_URL = reverse("api_v1:schema")


def answer_url(slug: str) -> str:
    return reverse("api_v1:answer", args=[slug])


@pytest.fixture
def agent_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def unindexed_category(transactional_db):
    """For the requests refused before any search."""
    return CategoryFactory(name="Cantine")


@pytest.fixture
def language_model_down(settings, llm_server):
    settings.LLM_API_BASE = f"http://127.0.0.1:{free_port()}/v1"


@pytest.fixture
def receiver(settings):
    with CallbackReceiver() as receiver:
        settings.ANSWER_CALLBACK_ALLOWED_URLS = [receiver.prefix]
        yield receiver


def queue_question(client, category, **body) -> AnswerTask:
    response = client.post(
        ASYNC_URL,
        {"question": QUESTION, "category": category.slug, **body},
        content_type="application/json",
    )
    assert response.status_code == 202, response.content
    return AnswerTask.objects.get(pk=response.json()["task"])


# --- An answer at once --------------------------------------------------------------------


def test_an_answer_comes_with_its_sources_and_citations(client, category, user, llm_server):
    token = Token.objects.create(user=user)
    response = client.post(
        answer_url(category.slug),
        {"question": QUESTION},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    answer = response.json()
    assert (
        answer["answer"] == "D'après les documents, la réponse figure dans le premier extrait [1]."
    )
    assert answer["citations"] == [1]
    assert answer["sources"][0]["number"] == 1
    assert answer["sources"][0]["title"] == "teletravail"
    assert answer["outcome"] == "generated"
    assert answer["validated"] is False
    assert answer["usage"]["completion_tokens"] > 0
    assert answer["timings"]["total_ms"] >= 0
    assert answer["notices"] == []
    assert Conversation.objects.get(pk=answer["conversation"]).user == user
    assert answer["exchange"]


def test_the_usage_gives_the_cost_and_energy_of_the_answer(
    agent_client, category, llm_server, settings
):
    settings.LLM_PRICE_INPUT = Decimal("1")
    settings.LLM_PRICE_OUTPUT = Decimal("4")
    settings.LLM_ENERGY_WH = Decimal("2")
    response = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    )
    usage = response.json()["usage"]
    read, written = usage["prompt_tokens"], usage["completion_tokens"]
    assert usage["cost"] == pytest.approx((read * 1 + written * 4) / 1_000_000)
    assert usage["energy_wh"] == pytest.approx((read + written) * 2 / 1000)
    assert usage["currency"] == "EUR"
    exchange = Exchange.objects.get(pk=response.json()["exchange"])
    assert float(exchange.cost) == pytest.approx(usage["cost"])


def test_the_usage_says_null_for_the_cost_of_a_model_without_a_price(
    agent_client, category, llm_server
):
    response = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    )
    usage = response.json()["usage"]
    assert usage["completion_tokens"] > 0
    assert usage["cost"] is None and usage["energy_wh"] is None


def test_the_timings_count_the_models_wait_before_its_first_token(
    agent_client, category, llm_server
):
    # A deliberate delay gives the measured wait a floor; no upper bound on anything.
    llm_server.first_token_delay = 0.3

    response = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    )

    timings = response.json()["timings"]

    assert timings["model_wait_ms"] >= 300
    assert timings["first_token_ms"] >= timings["model_wait_ms"]
    assert timings["total_ms"] >= timings["first_token_ms"]
    assert timings["overhead_ms"] == timings["first_token_ms"] - timings["model_wait_ms"]


def test_an_answer_citing_a_document_soon_out_of_force_carries_a_notice(
    agent_client, category, llm_server
):
    category.documents.filter(title="teletravail").update(
        valid_until=timezone.localdate() + timedelta(days=30)
    )
    answer = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    ).json()
    assert answer["citations"] == [1]
    [notice] = answer["notices"]
    assert notice.startswith("Attention : « teletravail » n'est plus en vigueur après le ")


def test_a_follow_up_continues_its_conversation(agent_client, category, llm_server):
    first = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    ).json()
    follow_up = agent_client.post(
        answer_url(category.slug),
        {"question": "Et à temps partiel ?", "conversation": first["conversation"]},
        content_type="application/json",
    ).json()
    assert follow_up["conversation"] == first["conversation"]
    assert follow_up["exchange"] != first["exchange"]


def test_an_unknown_category_is_a_404(agent_client, category, llm_server):
    response = agent_client.post(
        answer_url("inconnue"), {"question": QUESTION}, content_type="application/json"
    )
    assert response.status_code == 404
    assert "inconnue" in response.json()["detail"]


def test_another_users_conversation_is_refused_with_a_400(
    agent_client, category, llm_server, django_user_model
):
    other = django_user_model.objects.create_user("collègue")
    conversation = Conversation.objects.create(user=other, category=category)
    response = agent_client.post(
        answer_url(category.slug),
        {"question": QUESTION, "conversation": conversation.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "n'existe pas ou ne vous appartient pas" in response.json()["detail"]


def test_a_conversation_of_another_category_is_refused_with_a_400(
    agent_client, category, user, llm_server
):
    elsewhere = Conversation.objects.create(user=user, category=CategoryFactory())
    response = agent_client.post(
        answer_url(category.slug),
        {"question": QUESTION, "conversation": elsewhere.pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "Ressources humaines" in response.json()["detail"]


def test_an_unreachable_language_model_is_a_502_with_its_message(
    agent_client, category, language_model_down
):
    response = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    )
    assert response.status_code == 502
    assert "ne répond pas pour le moment" in response.json()["detail"]


def test_a_dead_vector_store_is_a_503_with_its_message(
    agent_client, category, llm_server, settings
):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1
    response = agent_client.post(
        answer_url(category.slug), {"question": QUESTION}, content_type="application/json"
    )
    assert response.status_code == 503
    assert "indisponible" in response.json()["detail"]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", answer_url("rh")),
        ("post", ASYNC_URL),
        ("get", reverse("api_v1:answer-task", args=["5f0c8e2a-2c4e-4c59-9a57-1c1f7a1e0b11"])),
        ("get", SCHEMA_URL),
    ],
)
def test_anonymous_users_are_refused(client, db, method, url):
    assert getattr(client, method)(url).status_code in (401, 403)


# --- Answers later: tasks -----------------------------------------------------------------


def test_a_queued_question_is_answered_by_its_task(agent_client, category, user, llm_server):
    response = agent_client.post(
        ASYNC_URL,
        {"question": QUESTION, "category": category.slug},
        content_type="application/json",
    )
    assert response.status_code == 202
    created = response.json()
    assert created["status"] == "pending"
    assert created["url"] == f"/api/v1/tasks/{created['task']}/"

    run_answer_task(task_id=created["task"])

    task = agent_client.get(created["url"]).json()
    assert task["status"] == "done"
    assert task["question"] == QUESTION
    assert task["category"] == category.slug
    assert task["result"]["citations"] == [1]
    assert task["result"]["sources"][0]["title"] == "teletravail"
    assert task["finished_at"] is not None
    assert task["callback_status"] == ""


def test_a_failed_answer_is_kept_in_its_task(agent_client, category, language_model_down):
    task = queue_question(agent_client, category)
    run_answer_task(task_id=task.pk)
    task.refresh_from_db()
    assert task.status == AnswerTask.Status.FAILED
    assert "ne répond pas pour le moment" in task.error_message
    assert task.result is None


def test_a_finished_task_is_not_answered_again(agent_client, category, llm_server):
    task = queue_question(agent_client, category)
    run_answer_task(task_id=task.pk)
    run_answer_task(task_id=task.pk)
    assert len(llm_server.requests_to("/v1/chat/completions")) == 1


def test_a_task_is_only_shown_to_its_owner(client, unindexed_category, user, django_user_model):
    task = AnswerTask.objects.create(user=user, category=unindexed_category, question=QUESTION)
    url = reverse("api_v1:answer-task", args=[task.pk])
    client.force_login(django_user_model.objects.create_user("collègue"))
    assert client.get(url).status_code == 404
    client.force_login(user)
    assert client.get(url).json()["status"] == "pending"


def test_a_task_in_an_unknown_category_is_refused(agent_client, unindexed_category):
    response = agent_client.post(
        ASYNC_URL, {"question": QUESTION, "category": "inconnue"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["category"] == ["Catégorie inconnue : « inconnue »."]


# --- Callbacks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "callback_url",
    [
        "https://evil.example.com/hooks",
        "https://ok.example.org.evil.com/hooks",
        "http://ok.example.org/hooks",
        "https://ok.example.org@evil.com/hooks",
        "https://ok.example.org:8443/hooks",
        "https://ok.example.org/hooksevil",
        "https://ok.example.org/hooks/../admin",
        "https://ok.example.org/hooks/%2e%2e/admin",
        "ftp://ok.example.org/hooks",
    ],
)
def test_a_callback_outside_the_allowed_urls_is_refused(
    agent_client, unindexed_category, settings, callback_url
):
    settings.ANSWER_CALLBACK_ALLOWED_URLS = ["https://ok.example.org/hooks"]
    response = agent_client.post(
        ASYNC_URL,
        {"question": QUESTION, "category": unindexed_category.slug, "callback_url": callback_url},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"callback_url": [NOT_ALLOWED]}
    assert not AnswerTask.objects.exists()


@pytest.mark.parametrize(
    "callback_url",
    [
        "https://ok.example.org/hooks",
        "https://ok.example.org/hooks/cassandre?request=42",
        "https://OK.example.org:443/hooks/cassandre",
    ],
)
def test_a_callback_under_an_allowed_url_is_accepted(settings, callback_url):
    settings.ANSWER_CALLBACK_ALLOWED_URLS = ["https://ok.example.org/hooks"]
    check_callback_url(callback_url)


def test_without_allowed_urls_every_callback_is_refused(settings):
    settings.ANSWER_CALLBACK_ALLOWED_URLS = []
    with pytest.raises(CallbackRefused) as refused:
        check_callback_url("https://ok.example.org/hooks")
    assert refused.value.message == NO_CALLBACKS


def test_an_allowed_callback_receives_the_task_without_our_credentials(
    client, category, user, llm_server, receiver
):
    token = Token.objects.create(user=user)
    client.force_login(user)
    task = queue_question(
        client,
        category,
        callback_url=f"{receiver.prefix}/cassandre",
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    run_answer_task(task_id=task.pk)

    ((headers, body),) = receiver.received
    assert body["task"] == str(task.pk)
    assert body["status"] == "done"
    assert body["result"]["citations"] == [1]
    assert headers["content-type"] == "application/json"
    assert "authorization" not in headers
    assert "cookie" not in headers
    task.refresh_from_db()
    assert task.callback_status == "200"


def test_a_failed_answer_is_posted_too(agent_client, category, language_model_down, receiver):
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")
    run_answer_task(task_id=task.pk)
    ((_, body),) = receiver.received
    assert body["status"] == "failed"
    assert "ne répond pas pour le moment" in body["error"]


def test_a_callback_redirect_is_not_followed(agent_client, category, llm_server, receiver):
    receiver.redirect_to = f"{receiver.prefix}/elsewhere"
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")
    run_answer_task(task_id=task.pk)
    assert len(receiver.received) == 1
    task.refresh_from_db()
    assert task.callback_status == "302"


def test_the_allowed_urls_are_checked_again_when_sending(
    agent_client, category, llm_server, receiver, settings
):
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")
    settings.ANSWER_CALLBACK_ALLOWED_URLS = ["https://ok.example.org/hooks"]
    run_answer_task(task_id=task.pk)
    assert receiver.received == []
    task.refresh_from_db()
    assert task.status == AnswerTask.Status.DONE
    assert task.callback_status.startswith("refusé")


def test_an_unreachable_callback_is_recorded(agent_client, category, llm_server, settings):
    url = f"http://127.0.0.1:{free_port()}/hooks"
    settings.ANSWER_CALLBACK_ALLOWED_URLS = [url]
    task = queue_question(agent_client, category, callback_url=url)
    run_answer_task(task_id=task.pk)
    task.refresh_from_db()
    assert task.callback_status == "échec : ConnectError"


def verify(body: bytes, header: str, secret: str, tolerance: int = 300) -> bool:
    """The receiver's check, as the README gives it."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])


@pytest.fixture
def through_celery():
    """The Celery task runs at once, its retries too (their countdown skipped)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_a_callback_is_signed_with_the_callback_secret(
    agent_client, category, llm_server, receiver, settings
):
    settings.ANSWER_CALLBACK_SECRET = "whsec-partagé-avec-le-destinataire"
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")
    run_answer_task(task_id=task.pk)

    ((headers, _),) = receiver.received
    signature = headers[SIGNATURE_HEADER.lower()]
    assert verify(receiver.bodies[0], signature, "whsec-partagé-avec-le-destinataire")
    assert not verify(receiver.bodies[0] + b" ", signature, "whsec-partagé-avec-le-destinataire")
    assert not verify(receiver.bodies[0], signature, "un-autre-secret")


def test_without_a_callback_secret_one_is_derived_from_the_secret_key(settings):
    settings.ANSWER_CALLBACK_SECRET = ""
    derived = callback_secret()
    assert len(derived) >= 32 and settings.SECRET_KEY not in derived
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    assert callback_secret() != derived


def test_a_callback_answered_by_a_server_error_is_tried_again_until_received(
    agent_client, category, llm_server, receiver, through_celery
):
    receiver.failures = 2
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")

    assert len(receiver.received) == 3
    assert receiver.received[0][1] == receiver.received[2][1]
    task.refresh_from_db()
    assert (task.callback_status, task.callback_attempts) == ("200", 3)


def test_an_unreachable_callback_is_given_up_after_its_retries_and_recorded(
    agent_client, category, llm_server, settings, through_celery
):
    url = f"http://127.0.0.1:{free_port()}/hooks"
    settings.ANSWER_CALLBACK_ALLOWED_URLS = [url]
    settings.ANSWER_CALLBACK_RETRIES = 2
    task = queue_question(agent_client, category, callback_url=url)

    task.refresh_from_db()
    assert task.status == AnswerTask.Status.DONE
    assert (task.callback_status, task.callback_attempts) == ("échec : ConnectError", 3)


def test_a_callback_refused_by_its_receiver_is_not_tried_again(
    agent_client, category, llm_server, receiver, through_celery
):
    receiver.failures, receiver.failing_status = 1, 400
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")

    assert len(receiver.received) == 1
    task.refresh_from_db()
    assert (task.callback_status, task.callback_attempts) == ("400", 1)


def test_a_task_redelivered_after_its_callback_was_received_posts_nothing_more(
    agent_client, category, llm_server, receiver
):
    task = queue_question(agent_client, category, callback_url=f"{receiver.prefix}/cassandre")
    run_answer_task(task_id=task.pk)
    tasks.run_answer_task.apply(args=[str(task.pk)])
    assert len(receiver.received) == 1


def test_retries_wait_longer_each_time_within_a_bound(settings):
    settings.ANSWER_CALLBACK_RETRY_DELAY = 10
    assert [retry_delay(attempt) for attempt in range(1, 5)] == [10, 20, 40, 80]
    assert retry_delay(30) == 3600


# --- Schema -------------------------------------------------------------------------------


def test_the_schema_describes_the_answering_api(agent_client):
    response = agent_client.get(SCHEMA_URL, {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["info"]["title"] == "Cassandre API"
    assert {
        "/api/v1/search/{category}/",
        "/api/v1/async_search/",
        "/api/v1/tasks/{task_id}/",
    } <= set(schema["paths"])
