"""What users say about answers, and the review that turns their proposals into corrections.

A rating or a proposal only ever concerns the user's own questions: someone else's exchange
is "not found", like a missing one, so that ids leak nothing. A proposal becomes a curated
`Correction` only when staff approve it.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import CorrectionProposal, Exchange, Feedback
from common.errors import NotFound, UserError
from common.text import question_hash
from documents.models import Correction

COMMENT_MAX_LENGTH = Feedback._meta.get_field("comment").max_length
# A proposed answer is read by staff and may become the category's answer: a few pages at
# most. Ten 9 MB proposals once filled the database by 100 MB.
PROPOSAL_MAX_LENGTH = 10_000


class ExchangeNotFound(NotFound):
    default_message = _("Cette question n'existe pas ou ne vous appartient pas.")


class FeedbackRefused(UserError):
    """The rating or the proposal is not valid as it stands."""

    code = "refused"


class ReviewRefused(UserError):
    """The proposal cannot be approved or rejected (already reviewed, empty answer)."""

    code = "refused"


def rate_answer(
    *, user: AbstractBaseUser, exchange_id: int, rating: int, comment: str = ""
) -> Feedback:
    """Record the user's rating of one of their answers; rating again replaces it."""
    if rating not in Feedback.Rating.values:
        raise FeedbackRefused(_("L'avis doit être « utile » ou « pas utile »."))
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise FeedbackRefused(
            _("Le commentaire est trop long (%(length)s caractères, %(most)s au plus)."),
            {"length": len(comment), "most": COMMENT_MAX_LENGTH},
        )
    exchange = _own_exchange(user=user, exchange_id=exchange_id)
    feedback, _created = Feedback.objects.update_or_create(
        exchange=exchange, user=user, defaults={"rating": rating, "comment": comment}
    )
    return feedback


def propose_correction(
    *, user: AbstractBaseUser, exchange_id: int, answer: str, question: str | None = None
) -> CorrectionProposal:
    """Propose a better answer to one of the user's questions, for staff to review.

    Without `question`, the proposal is about the question as the answer was searched for:
    the standalone one, rewritten from the conversation and anonymised. That is the text a
    correction is matched against later, and a correction is shown to everyone, so the
    user's raw wording (which may name someone) is not the default.
    """
    exchange = _own_exchange(user=user, exchange_id=exchange_id)
    category = exchange.conversation.category
    if category is None:
        raise FeedbackRefused(
            _(
                "Cette question a été posée dans toutes les catégories à la fois ; une "
                "correction appartient à une seule catégorie. Posez la question dans la "
                "catégorie concernée, puis proposez votre réponse."
            )
        )
    question = " ".join((question or exchange.standalone_question or exchange.question).split())
    answer = answer.strip()
    if not question:
        raise FeedbackRefused(_("La question est vide."))
    if not answer:
        raise FeedbackRefused(_("La réponse proposée est vide."))
    for text, most in ((question, settings.MAX_QUESTION_LENGTH), (answer, PROPOSAL_MAX_LENGTH)):
        if len(text) > most:
            raise FeedbackRefused(
                _("Le texte proposé est trop long (%(length)s caractères, %(most)s au plus)."),
                {"length": len(text), "most": most},
            )
    return CorrectionProposal.objects.create(
        exchange=exchange, category=category, question=question, answer=answer, author=user
    )


def approve_proposal(
    *,
    proposal: CorrectionProposal,
    reviewer: AbstractBaseUser,
    answer: str | None = None,
    note: str = "",
) -> Correction:
    """Turn a pending proposal into the category's correction for its question.

    `answer` is the reviewer's version (default: the proposed one); the proposal keeps what
    was proposed. A correction that already answers the same question (once normalised) in
    the category is updated rather than duplicated.
    """
    with transaction.atomic():
        proposal = _pending(proposal)
        answer = (proposal.answer if answer is None else answer).strip()
        if not answer:
            raise ReviewRefused(_("La réponse est vide : rien à approuver."))
        correction, _created = Correction.objects.update_or_create(
            category_id=proposal.category_id,
            question_hash=question_hash(proposal.question),
            defaults={"answer": answer},
            create_defaults={
                "question": proposal.question,
                "answer": answer,
                "author": proposal.author or reviewer,
            },
        )
        _close(
            proposal,
            CorrectionProposal.Status.APPROVED,
            reviewer=reviewer,
            note=note,
            correction=correction,
        )
    return correction


def reject_proposal(
    *, proposal: CorrectionProposal, reviewer: AbstractBaseUser, note: str = ""
) -> None:
    """Refuse a pending proposal; `note` can tell its author why."""
    with transaction.atomic():
        _close(_pending(proposal), CorrectionProposal.Status.REJECTED, reviewer=reviewer, note=note)


def _own_exchange(*, user: AbstractBaseUser, exchange_id: int) -> Exchange:
    exchange = (
        Exchange.objects.select_related("conversation__category")
        .filter(pk=exchange_id, conversation__user=user)
        .first()
    )
    if exchange is None:
        raise ExchangeNotFound()
    return exchange


def _pending(proposal: CorrectionProposal) -> CorrectionProposal:
    """The proposal, locked until the transaction ends, if nobody reviewed it yet."""
    locked = CorrectionProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != CorrectionProposal.Status.PENDING:
        raise ReviewRefused(
            _("Cette proposition a déjà été %(status)s."),
            {"status": locked.get_status_display()},
        )
    return locked


def _close(
    proposal: CorrectionProposal,
    status: str,
    *,
    reviewer: AbstractBaseUser,
    note: str,
    correction: Correction | None = None,
) -> None:
    proposal.status = status
    proposal.reviewer = reviewer
    proposal.review_note = note.strip()
    proposal.reviewed_at = timezone.now()
    proposal.correction = correction
    proposal.save(update_fields=["status", "reviewer", "review_note", "reviewed_at", "correction"])
