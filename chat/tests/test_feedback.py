"""Ratings, correction proposals and their review: the services, then the API."""

import pytest
from django.urls import reverse

from chat.answering import Done, answer_question, in_thread
from chat.feedback import (
    ExchangeNotFound,
    FeedbackRefused,
    ReviewRefused,
    approve_proposal,
    propose_correction,
    rate_answer,
    reject_proposal,
)
from chat.models import CorrectionProposal, Exchange, Feedback
from chat.selectors import pending_proposals
from chat.tests.factories import (
    ConversationFactory,
    CorrectionProposalFactory,
    ExchangeFactory,
    UserFactory,
)
from documents.models import Correction
from documents.services import index_correction
from documents.tests.factories import CorrectionFactory

CURATED = "Deux jours par semaine pour un agent à temps plein, sur demande au chef de service."


@pytest.fixture
def exchange(db) -> Exchange:
    return ExchangeFactory()


@pytest.fixture
def reviewer(db, django_user_model):
    return django_user_model.objects.create_user("relectrice", is_staff=True)


# --- Ratings -----------------------------------------------------------------------------


def test_a_user_rates_their_own_answer(exchange):
    user = exchange.conversation.user
    rate_answer(user=user, exchange_id=exchange.pk, rating=Feedback.Rating.DOWN, comment=" Faux ")
    feedback = Feedback.objects.get()
    assert (feedback.user, feedback.exchange) == (user, exchange)
    assert (feedback.rating, feedback.comment) == (Feedback.Rating.DOWN, "Faux")


def test_rating_again_replaces_the_previous_rating(exchange):
    user = exchange.conversation.user
    rate_answer(user=user, exchange_id=exchange.pk, rating=Feedback.Rating.DOWN, comment="Faux")
    rate_answer(user=user, exchange_id=exchange.pk, rating=Feedback.Rating.UP)
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (Feedback.Rating.UP, "")


def test_another_users_answer_cannot_be_rated(exchange):
    with pytest.raises(ExchangeNotFound):
        rate_answer(user=UserFactory(), exchange_id=exchange.pk, rating=Feedback.Rating.UP)
    assert not Feedback.objects.exists()


def test_a_rating_is_up_or_down(exchange):
    with pytest.raises(FeedbackRefused):
        rate_answer(user=exchange.conversation.user, exchange_id=exchange.pk, rating=5)


# --- Proposals ---------------------------------------------------------------------------


def test_a_proposal_waits_for_review_in_the_category_of_its_conversation(exchange):
    proposal = propose_correction(
        user=exchange.conversation.user, exchange_id=exchange.pk, answer=f"  {CURATED} "
    )
    assert proposal.status == CorrectionProposal.Status.PENDING
    assert proposal.category == exchange.conversation.category
    assert (proposal.answer, proposal.author) == (CURATED, exchange.conversation.user)
    assert not Correction.objects.exists()


def test_a_proposal_is_about_the_question_as_it_was_searched_for(db):
    follow_up = ExchangeFactory(
        question="Et à temps partiel ?",
        standalone_question="Combien de jours de télétravail à temps partiel ?",
    )
    proposal = propose_correction(
        user=follow_up.conversation.user, exchange_id=follow_up.pk, answer="Un jour."
    )
    assert proposal.question == "Combien de jours de télétravail à temps partiel ?"


def test_a_proposal_may_reword_the_question(exchange):
    proposal = propose_correction(
        user=exchange.conversation.user,
        exchange_id=exchange.pk,
        answer=CURATED,
        question="Combien de jours de télétravail   par semaine ?",
    )
    assert proposal.question == "Combien de jours de télétravail par semaine ?"


def test_a_question_asked_in_every_category_cannot_get_a_proposal(db):
    exchange = ExchangeFactory(conversation=ConversationFactory(category=None))
    with pytest.raises(FeedbackRefused, match="une seule catégorie"):
        propose_correction(user=exchange.conversation.user, exchange_id=exchange.pk, answer="…")


def test_an_empty_proposal_is_refused(exchange):
    with pytest.raises(FeedbackRefused, match="vide"):
        propose_correction(user=exchange.conversation.user, exchange_id=exchange.pk, answer=" ")


def test_another_users_answer_cannot_get_a_proposal(exchange):
    with pytest.raises(ExchangeNotFound):
        propose_correction(user=UserFactory(), exchange_id=exchange.pk, answer=CURATED)


# --- Review ------------------------------------------------------------------------------


def test_approving_a_proposal_makes_it_the_categorys_correction(db, reviewer):
    proposal = CorrectionProposalFactory(answer=CURATED)
    correction = approve_proposal(proposal=proposal, reviewer=reviewer, note="Vérifié.")
    assert (correction.category, correction.question) == (proposal.category, proposal.question)
    assert (correction.answer, correction.author) == (CURATED, proposal.author)
    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.APPROVED
    assert (proposal.reviewer, proposal.review_note) == (reviewer, "Vérifié.")
    assert proposal.reviewed_at is not None
    assert proposal.correction == correction


def test_the_reviewer_may_edit_the_answer_and_the_proposal_keeps_what_was_proposed(db, reviewer):
    proposal = CorrectionProposalFactory(answer="Deux jours.")
    correction = approve_proposal(proposal=proposal, reviewer=reviewer, answer=CURATED)
    assert correction.answer == CURATED
    proposal.refresh_from_db()
    assert proposal.answer == "Deux jours."


def test_approving_updates_the_correction_of_the_same_normalised_question(db, reviewer):
    proposal = CorrectionProposalFactory(answer=CURATED)
    existing = CorrectionFactory(
        category=proposal.category, question="combien de JOURS de teletravail", answer="Ancien."
    )
    correction = approve_proposal(proposal=proposal, reviewer=reviewer)
    assert correction.pk == existing.pk
    assert Correction.objects.get().answer == CURATED


def test_a_proposal_cannot_be_approved_twice(db, reviewer):
    proposal = CorrectionProposalFactory()
    approve_proposal(proposal=proposal, reviewer=reviewer)
    with pytest.raises(ReviewRefused, match="déjà été approuvée"):
        approve_proposal(proposal=proposal, reviewer=reviewer, answer="Autre chose.")
    assert Correction.objects.get().answer == proposal.answer


def test_a_rejected_proposal_makes_no_correction_and_cannot_be_approved(db, reviewer):
    proposal = CorrectionProposalFactory()
    reject_proposal(proposal=proposal, reviewer=reviewer, note="Le règlement a changé.")
    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.REJECTED
    assert (proposal.reviewer, proposal.review_note) == (reviewer, "Le règlement a changé.")
    with pytest.raises(ReviewRefused, match="déjà été refusée"):
        approve_proposal(proposal=proposal, reviewer=reviewer)
    assert not Correction.objects.exists()


def test_an_approval_needs_an_answer(db, reviewer):
    proposal = CorrectionProposalFactory()
    with pytest.raises(ReviewRefused, match="vide"):
        approve_proposal(proposal=proposal, reviewer=reviewer, answer="  ")
    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.PENDING


def test_the_review_queue_holds_the_pending_proposals_oldest_first(db, reviewer):
    first, reviewed, second = CorrectionProposalFactory.create_batch(3)
    reject_proposal(proposal=reviewed, reviewer=reviewer)
    assert list(pending_proposals()) == [first, second]


async def test_an_approved_proposal_answers_the_question_again_without_the_language_model(
    category, user, llm_server, django_user_model
):
    async def ask(question: str) -> Done:
        events = [
            event
            async for event in answer_question(
                user_id=user.pk, question=question, category_slug=category.slug
            )
        ]
        return events[-1]

    first = await ask("Combien de jours de télétravail ?")
    assert first.outcome == Exchange.Outcome.GENERATED
    proposal = await in_thread(
        propose_correction, user=user, exchange_id=first.exchange_id, answer=CURATED
    )
    reviewer = await in_thread(django_user_model.objects.create_user, username="relectrice")
    correction = await in_thread(approve_proposal, proposal=proposal, reviewer=reviewer)
    await in_thread(index_correction, correction_id=correction.pk)
    generated = len(llm_server.requests_to("/v1/chat/completions"))

    again = await ask("combien de jours de TELETRAVAIL")

    assert (again.answer, again.outcome, again.validated) == (CURATED, "correction", True)
    assert len(llm_server.requests_to("/v1/chat/completions")) == generated
    exchange = await in_thread(Exchange.objects.get, pk=again.exchange_id)
    assert exchange.correction_id == correction.pk


# --- API ---------------------------------------------------------------------------------


def feedback_url(exchange: Exchange) -> str:
    return reverse("api_v1:exchange-feedback", args=[exchange.pk])


def proposals_url(exchange: Exchange) -> str:
    return reverse("api_v1:exchange-proposals", args=[exchange.pk])


def test_anonymous_users_cannot_rate(client, exchange):
    response = client.post(
        feedback_url(exchange), {"rating": "up"}, content_type="application/json"
    )
    assert response.status_code in (401, 403)


def test_the_api_rates_an_answer_up_or_down(client, exchange):
    client.force_login(exchange.conversation.user)
    response = client.post(
        feedback_url(exchange),
        {"rating": "down", "comment": "Il manque le temps partiel."},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["rating"] == "down"
    assert Feedback.objects.get().rating == Feedback.Rating.DOWN


def test_the_api_refuses_an_unknown_rating(client, exchange):
    client.force_login(exchange.conversation.user)
    response = client.post(feedback_url(exchange), {"rating": 1}, content_type="application/json")
    assert response.status_code == 400
    assert "rating" in response.json()


def test_another_users_answer_is_not_found_by_the_api(client, exchange):
    client.force_login(UserFactory())
    response = client.post(
        feedback_url(exchange), {"rating": "up"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Cette question n'existe pas ou ne vous appartient pas."


def test_the_api_takes_a_proposal_for_review(client, exchange):
    client.force_login(exchange.conversation.user)
    response = client.post(
        proposals_url(exchange), {"answer": CURATED}, content_type="application/json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending"
    assert body["question"] == exchange.question
    assert body["category"] == exchange.conversation.category.slug
    assert CorrectionProposal.objects.get().answer == CURATED


def test_the_api_explains_why_a_proposal_is_refused(client, db):
    exchange = ExchangeFactory(conversation=ConversationFactory(category=None))
    client.force_login(exchange.conversation.user)
    response = client.post(
        proposals_url(exchange), {"answer": CURATED}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "une seule catégorie" in response.json()["detail"]


def test_a_proposal_on_another_users_answer_is_not_found_by_the_api(client, exchange):
    client.force_login(UserFactory())
    response = client.post(
        proposals_url(exchange), {"answer": CURATED}, content_type="application/json"
    )
    assert response.status_code == 404
    assert not CorrectionProposal.objects.exists()


def test_a_proposal_of_several_megabytes_is_refused_and_nothing_is_stored(client, exchange):
    client.force_login(exchange.conversation.user)
    response = client.post(
        proposals_url(exchange), {"answer": "x" * 9_000_000}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "trop long" in response.json()["detail"]
    assert not CorrectionProposal.objects.exists()


def test_a_flood_of_ratings_and_proposals_is_refused_past_the_rate(client, exchange, settings):
    settings.RATE_LIMIT_FEEDBACK = (3, 60)
    client.force_login(exchange.conversation.user)
    statuses = [
        client.post(url, body, content_type="application/json").status_code
        for url, body in [
            (feedback_url(exchange), {"rating": "up"}),
            (proposals_url(exchange), {"answer": CURATED}),
            (feedback_url(exchange), {"rating": "down"}),
            (proposals_url(exchange), {"answer": CURATED}),
        ]
    ]
    assert statuses == [200, 201, 200, 429]
    assert CorrectionProposal.objects.count() == 1
