"""The citation check in the answering pipeline: the `done` message, the exchange, the APIs."""

import pytest
from django.urls import reverse

from ai.tests.embedding_spy import embedded_batches
from chat.answering import Done, Sources, answer_question, in_thread
from chat.models import Exchange
from chat.tests.factories import ExchangeFactory
from documents.models import Correction
from documents.services import index_correction

CANTEEN_QUESTION = "Quel est le prix du repas à la cantine ?"
TELEWORK_QUESTION = "Combien de jours de télétravail par semaine ?"
BOTH_QUESTION = "Le télétravail des agents à temps partiel et le prix du repas à la cantine"


async def ask(user, category, question: str) -> tuple[Sources, Done]:
    events = [
        event
        async for event in answer_question(
            user_id=user.pk, question=question, category_slug=category.slug
        )
    ]
    return events[0], events[-1]


def number_of(sources: Sources, title: str) -> int:
    return next(source["number"] for source in sources.sources if source["title"] == title)


def flags(done: Done) -> dict[str, list[str]]:
    """The codes of each checked sentence's flags, by sentence."""
    return {
        sentence["text"]: [flag["code"] for flag in sentence["flags"]]
        for sentence in done.checks["sentences"]
    }


@pytest.fixture
def model_says(llm_server):
    def say(text: str) -> None:
        llm_server.chat_answer = lambda request: text

    return say


async def test_a_faithful_paraphrase_is_not_flagged(category, user, model_says):
    model_says(
        "Vous pouvez télétravailler deux jours chaque semaine si vous travaillez à temps "
        "plein [1]. À temps partiel, c'est un jour par semaine [1]."
    )

    _, done = await ask(user, category, TELEWORK_QUESTION)

    assert done.checks["status"] == "checked"
    assert (done.checks["checked"], done.checks["flagged"]) == (2, 0)
    assert all(sentence["support"] >= 0.36 for sentence in done.checks["sentences"])


async def test_a_wrong_amount_is_flagged_with_the_source_it_is_missing_from(
    category, user, model_says
):
    model_says("Le repas coûte 3,50 euros aux agents [1].")

    sources, done = await ask(user, category, CANTEEN_QUESTION)

    assert number_of(sources, "cantine") == 1
    (sentence,) = done.checks["sentences"]
    assert [flag["message"] for flag in sentence["flags"]] == [
        "montant « 3,50 euros » introuvable dans la source [1]"
    ]
    assert done.checks["flagged"] == 1


async def test_the_right_amount_written_otherwise_is_found(category, user, model_says):
    model_says("Le repas coûte 4.50 € aux agents [1].")

    _, done = await ask(user, category, CANTEEN_QUESTION)

    assert done.checks["flagged"] == 0


async def test_a_wrong_citation_number_is_flagged(category, user, model_says):
    sources, _ = await ask(user, category, BOTH_QUESTION)
    canteen = number_of(sources, "cantine")
    model_says(
        f"Les agents à temps partiel peuvent télétravailler un jour par semaine [{canteen}]. "
        "La demande est adressée au chef de service [9]."
    )

    _, done = await ask(user, category, BOTH_QUESTION)

    by_sentence = flags(done)
    wrong, unknown = by_sentence.values()
    assert "unsupported" in wrong and "figure_missing" in wrong
    assert unknown == ["unknown_source"]


async def test_a_sentence_without_citation_is_flagged(category, user, model_says):
    model_says(
        "Le télétravail est autorisé deux jours par semaine [1]. "
        "Il faut prévenir son équipe la veille."
    )

    _, done = await ask(user, category, TELEWORK_QUESTION)

    assert list(flags(done).values()) == [[], ["no_citation"]]
    message = done.checks["sentences"][1]["flags"][0]["message"]
    assert message == "phrase sans citation"


async def test_the_checks_are_kept_on_the_exchange(category, user, model_says):
    model_says("Le repas coûte 3,50 euros aux agents [1].")

    _, done = await ask(user, category, CANTEEN_QUESTION)

    exchange = await in_thread(Exchange.objects.get, pk=done.exchange_id)
    assert exchange.checks == done.checks
    assert done.timings["check_ms"] >= 0


async def test_an_extractive_answer_is_marked_as_such_not_checked(category, user, extractive):
    _, done = await ask(user, category, TELEWORK_QUESTION)

    assert done.checks == {"status": "extractive", "checked": 0, "flagged": 0, "sentences": []}


async def test_a_curated_correction_is_marked_as_such_not_checked(category, user, llm_server):
    correction = await in_thread(
        Correction.objects.create,
        category=category,
        question=TELEWORK_QUESTION,
        answer="Deux jours par semaine, sans citation.",
    )
    await in_thread(index_correction, correction_id=correction.pk)

    _, done = await ask(user, category, TELEWORK_QUESTION)

    assert done.outcome == Exchange.Outcome.CORRECTION
    assert done.checks["status"] == "correction"
    assert done.checks["sentences"] == []


def test_the_answering_api_gives_the_checks(client, category, user, model_says):
    model_says("Le repas coûte 3,50 euros aux agents [1]. Pensez à réserver votre repas la veille.")
    client.force_login(user)

    response = client.post(
        reverse("api_v1:answer", args=[category.slug]),
        {"question": CANTEEN_QUESTION},
        content_type="application/json",
    )

    checks = response.json()["checks"]
    assert (checks["status"], checks["checked"], checks["flagged"]) == ("checked", 2, 2)
    assert [flag["code"] for s in checks["sentences"] for flag in s["flags"]] == [
        "figure_missing",
        "no_citation",
    ]


def test_a_reopened_conversation_shows_its_checks(client, category, user, model_says):
    model_says("Le repas coûte 3,50 euros aux agents [1].")
    client.force_login(user)
    answer = client.post(
        reverse("api_v1:answer", args=[category.slug]),
        {"question": CANTEEN_QUESTION},
        content_type="application/json",
    ).json()

    conversation = client.get(reverse("api_v1:conversation", args=[answer["conversation"]]))

    (exchange,) = conversation.json()["exchanges"]
    assert exchange["checks"] == answer["checks"]
    assert exchange["checks"]["flagged"] == 1


def test_an_exchange_from_before_the_check_has_none(client, user):
    exchange = ExchangeFactory(conversation__user=user)
    client.force_login(user)

    response = client.get(reverse("api_v1:conversation", args=[exchange.conversation_id]))

    assert response.json()["exchanges"][0]["checks"] is None


async def test_the_check_reads_the_cited_passages_vectors_from_the_store_not_embedding_them(
    category, user, model_says, monkeypatch
):
    """The stored vector is the whole passage's view: only the answer's sentences and the
    passages' own sentences are embedded."""
    batches = embedded_batches(monkeypatch)
    sources, _ = await ask(user, category, BOTH_QUESTION)
    canteen = number_of(sources, "cantine")
    model_says(f"Les agents à temps partiel télétravaillent un jour par semaine [{canteen}].")

    sources, done = await ask(user, category, BOTH_QUESTION)

    cited = next(source for source in sources.sources if source["number"] == canteen)
    embedded = [text for batch in batches for text in batch]
    assert embedded and cited["text"] not in embedded
    assert [codes[0] for codes in flags(done).values()] == ["unsupported"]


async def test_without_the_store_the_check_embeds_the_whole_passage_itself(
    category, user, model_says, monkeypatch
):
    sources, _ = await ask(user, category, BOTH_QUESTION)
    canteen = number_of(sources, "cantine")
    model_says(f"Les agents à temps partiel télétravaillent un jour par semaine [{canteen}].")
    monkeypatch.setattr("chat.answering.stored_passage_vectors", lambda ids: {})

    _, done = await ask(user, category, BOTH_QUESTION)

    assert [codes[0] for codes in flags(done).values()] == ["unsupported"]
