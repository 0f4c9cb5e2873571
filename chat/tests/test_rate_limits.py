"""Over their rate, searches and questions are refused with a 429 and a French message."""

import pytest
from django.urls import reverse

from chat.tests.factories import UserFactory
from documents.tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

TOO_MANY_SEARCHES = "Trop de recherches en peu de temps. Réessayez dans"
TOO_MANY_QUESTIONS = "Trop de questions en peu de temps. Réessayez dans"


@pytest.fixture
def agent(client):
    """Signed in, reading one category: open to every signed-in user."""
    CategoryFactory()
    client.force_login(UserFactory())
    return client


@pytest.fixture
def one_search_a_minute(settings):
    settings.RATE_LIMIT_SEARCHES = (1, 60)


@pytest.fixture
def one_question_a_minute(settings):
    settings.RATE_LIMIT_QUESTIONS = (1, 60)


def test_the_search_page_says_when_searches_are_too_frequent(agent, one_search_a_minute):
    query = {"q": "report des congés"}
    assert agent.get(reverse("chat:search"), query).status_code == 200
    response = agent.get(reverse("chat:search"), query)
    assert response.status_code == 429
    assert TOO_MANY_SEARCHES in response.content.decode()


def test_the_search_api_answers_429_with_retry_after(agent, one_search_a_minute):
    url = reverse("chat_api:search")
    assert agent.get(url, {"q": "congés"}).status_code == 200
    response = agent.get(url, {"q": "congés"})
    assert response.status_code == 429
    assert response.json()["detail"].startswith(TOO_MANY_SEARCHES)
    assert 0 < int(response["Retry-After"]) <= 60


def test_searches_are_counted_per_user(client, one_search_a_minute):
    url = reverse("chat_api:search")
    for _ in range(2):
        client.force_login(UserFactory())
        assert client.get(url, {"q": "congés"}).status_code == 200


def test_the_answer_api_answers_429_over_the_questions_rate(agent, one_question_a_minute):
    url = reverse("api_v1:answer", args=["inconnue"])
    body = {"question": "Combien de jours de télétravail ?"}
    # Every question counts, even one refused afterwards.
    assert agent.post(url, body, content_type="application/json").status_code == 404
    response = agent.post(url, body, content_type="application/json")
    assert response.status_code == 429
    assert response.json()["detail"].startswith(TOO_MANY_QUESTIONS)
    assert "Retry-After" in response


def test_the_asynchronous_answer_api_shares_the_questions_rate(agent, one_question_a_minute):
    answer_url = reverse("api_v1:answer", args=["inconnue"])
    body = {"question": "Combien de jours de télétravail ?"}
    agent.post(answer_url, body, content_type="application/json")
    response = agent.post(
        reverse("api_v1:answer-task-create"),
        {**body, "category": "inconnue"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json()["detail"].startswith(TOO_MANY_QUESTIONS)


def test_polling_a_task_is_not_a_question(agent, one_question_a_minute):
    url = reverse("api_v1:answer-task", args=["6f1c1a86-0000-4000-8000-000000000000"])
    assert [agent.get(url).status_code for _ in range(3)] == [404, 404, 404]
