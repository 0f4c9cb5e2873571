"""The backoffice of conversations, and the review queue of correction proposals."""

import pytest
from django.urls import reverse

from chat.models import CorrectionProposal, Feedback
from chat.tests.factories import CorrectionProposalFactory, ExchangeFactory
from documents.models import Correction

pytestmark = pytest.mark.django_db

EDITED = "Deux jours par semaine, sur demande au chef de service."


def changelist(model: str) -> str:
    return reverse(f"admin:chat_{model}_changelist")


def change(proposal: CorrectionProposal) -> str:
    return reverse("admin:chat_correctionproposal_change", args=[proposal.pk])


@pytest.mark.parametrize("model", ["conversation", "exchange", "feedback", "correctionproposal"])
def test_every_model_has_working_admin_pages(admin_client, model):
    proposal = CorrectionProposalFactory()
    exchange = proposal.exchange
    Feedback.objects.create(
        exchange=exchange, user=exchange.conversation.user, rating=Feedback.Rating.DOWN
    )
    objects = {
        "conversation": exchange.conversation,
        "exchange": exchange,
        "feedback": exchange.feedback.get(),
        "correctionproposal": proposal,
    }
    assert admin_client.get(changelist(model)).status_code == 200
    page = reverse(f"admin:chat_{model}_change", args=[objects[model].pk])
    assert admin_client.get(page).status_code == 200


def test_an_answer_shows_its_rating_and_can_be_filtered_by_it(admin_client):
    disliked = ExchangeFactory(question="Question mal répondue")
    liked = ExchangeFactory(question="Question bien répondue")
    for exchange, rating in [(disliked, Feedback.Rating.DOWN), (liked, Feedback.Rating.UP)]:
        Feedback.objects.create(exchange=exchange, user=exchange.conversation.user, rating=rating)

    page = admin_client.get(changelist("exchange"), {"feedback__rating": "-1"}).content.decode()

    assert "Question mal répondue" in page and "pas utile" in page
    assert "Question bien répondue" not in page


def test_the_review_queue_opens_on_the_pending_proposals(admin_client):
    CorrectionProposalFactory(question="À relire")
    CorrectionProposalFactory(question="Déjà refusée", status=CorrectionProposal.Status.REJECTED)

    page = admin_client.get(changelist("correctionproposal")).content.decode()
    everything = admin_client.get(changelist("correctionproposal"), {"status": "all"})

    assert "À relire" in page and "Déjà refusée" not in page
    assert "Déjà refusée" in everything.content.decode()


def test_the_approve_action_makes_the_correction(admin_client, admin_user):
    proposal = CorrectionProposalFactory()

    response = admin_client.post(
        changelist("correctionproposal"),
        {"action": "approve", "_selected_action": [proposal.pk]},
        follow=True,
    )

    assert "1 proposition(s) approuvée(s)" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.APPROVED
    assert proposal.reviewer == admin_user
    assert Correction.objects.get().answer == proposal.answer


def test_the_approve_action_says_why_a_proposal_cannot_be_approved(admin_client):
    proposal = CorrectionProposalFactory(status=CorrectionProposal.Status.REJECTED)

    response = admin_client.post(
        changelist("correctionproposal") + "?status=all",
        {"action": "approve", "_selected_action": [proposal.pk]},
        follow=True,
    )

    assert "déjà été refusée" in response.content.decode()
    assert not Correction.objects.exists()


def test_the_reject_action_refuses_without_making_a_correction(admin_client):
    proposal = CorrectionProposalFactory()

    admin_client.post(
        changelist("correctionproposal"), {"action": "reject", "_selected_action": [proposal.pk]}
    )

    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.REJECTED
    assert not Correction.objects.exists()


def test_staff_edit_the_answer_then_approve_it_from_the_proposal_page(admin_client):
    proposal = CorrectionProposalFactory(answer="Deux jours.")

    response = admin_client.post(
        change(proposal), {"answer": EDITED, "review_note": "Précisé.", "_approve": "1"}
    )

    assert response.status_code == 302
    assert Correction.objects.get().answer == EDITED
    proposal.refresh_from_db()
    assert proposal.status == CorrectionProposal.Status.APPROVED
    assert (proposal.answer, proposal.review_note) == ("Deux jours.", "Précisé.")


def test_a_proposal_can_be_rejected_from_its_page_with_a_note(admin_client):
    proposal = CorrectionProposalFactory()

    admin_client.post(
        change(proposal),
        {"answer": proposal.answer, "review_note": "Hors sujet.", "_reject": "1"},
    )

    proposal.refresh_from_db()
    assert (proposal.status, proposal.review_note) == ("rejected", "Hors sujet.")


def test_a_reviewed_proposal_can_no_longer_be_edited(admin_client):
    proposal = CorrectionProposalFactory(status=CorrectionProposal.Status.APPROVED)

    page = admin_client.get(change(proposal)).content.decode()

    assert 'name="answer"' not in page
    assert 'name="_approve"' not in page
