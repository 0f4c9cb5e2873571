"""The dashboard: the use of the site per day of Paris, over the last 7, 30 or 90 days."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.charts import TOP, Series, bar_chart, nice_ceiling
from backoffice.dashboard import (
    DEFAULT_PERIOD,
    documents_by_status,
    feedback_ratio,
    flagged_answers,
    indexing_per_day,
    latest_unanswered,
    pending_proposals,
    period_for,
    questions_per_day,
    spend_by_day,
    spend_per_category,
    top_documents,
)
from chat.models import CorrectionProposal, Exchange, Feedback
from chat.tests.factories import (
    ConversationFactory,
    CorrectionProposalFactory,
    ExchangeFactory,
)
from documents.models import Document, IndexCheck
from documents.tests.factories import CategoryFactory, DocumentFactory

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("backoffice:dashboard")
TODAY = date(2026, 11, 21)
WEEK = period_for(7, today=TODAY)


def asked_at(moment: datetime, **fields) -> Exchange:
    exchange = ExchangeFactory(**fields)
    Exchange.objects.filter(pk=exchange.pk).update(created_at=moment)
    exchange.refresh_from_db()
    return exchange


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_the_period_is_7_30_or_90_days_ending_today():
    assert (WEEK.first, WEEK.last, len(WEEK.dates)) == (date(2026, 11, 15), TODAY, 7)
    assert period_for("90", today=TODAY).days == 90
    assert period_for("12", today=TODAY).days == DEFAULT_PERIOD
    assert period_for(None, today=TODAY).days == DEFAULT_PERIOD


def test_questions_are_counted_on_their_day_in_paris():
    asked_at(utc(20, 23, 30))  # 00:30 on the 21st in Paris
    asked_at(utc(21, 9))
    asked_at(utc(20, 12))
    asked_at(utc(14, 12))  # before the week

    days = questions_per_day(WEEK)

    assert days.asked == [0, 0, 0, 0, 0, 1, 2]
    assert days.asked_total == 3


def test_unanswered_questions_are_those_without_passages_and_the_failed_ones():
    asked_at(utc(19, 10), outcome=Exchange.Outcome.NO_ANSWER, question="Sans passage")
    asked_at(utc(20, 10), status=Exchange.Status.FAILED, question="En échec")
    asked_at(utc(20, 11), question="Répondue")

    days = questions_per_day(WEEK)

    assert days.no_answer == [0, 0, 0, 0, 1, 0, 0]
    assert days.failed == [0, 0, 0, 0, 0, 1, 0]
    assert days.unanswered_total == 2
    assert [exchange.question for exchange in latest_unanswered(WEEK)] == [
        "En échec",
        "Sans passage",
    ]


@pytest.fixture
def spent():
    """Answers of the week in two categories and across all of them, some without a tariff."""
    payroll = ConversationFactory(category=CategoryFactory(name="Paie"))
    leave = ConversationFactory(category=CategoryFactory(name="Congés"))
    everywhere = ConversationFactory(category=None)
    asked_at(utc(20, 9), conversation=payroll, cost=Decimal("0.0125"), energy_wh=Decimal("1.5"))
    asked_at(
        utc(20, 23, 30), conversation=payroll, cost=Decimal("0.0075"), energy_wh=Decimal("0.5")
    )
    asked_at(utc(19, 8), conversation=leave, cost=Decimal("0.001"), energy_wh=None)
    asked_at(utc(19, 9), conversation=leave, cost=None, energy_wh=None)
    asked_at(
        utc(21, 10),
        conversation=everywhere,
        cost=Decimal(0),
        energy_wh=Decimal(0),
        outcome=Exchange.Outcome.EXTRACTIVE,
    )
    asked_at(utc(21, 11), conversation=everywhere, cost=None, status=Exchange.Status.STREAMING)
    asked_at(utc(14, 12), conversation=payroll, cost=Decimal(5))  # before the week


def test_the_cost_and_energy_are_summed_per_day_in_paris(spent):
    days = questions_per_day(WEEK)

    assert days.cost[-3:] == [Decimal("0.001"), Decimal("0.0125"), Decimal("0.0075")]
    assert days.energy_wh[-3:] == [Decimal(0), Decimal("1.5"), Decimal("0.5")]
    assert days.cost_total == Decimal("0.021")
    assert days.energy_wh_total == Decimal("2")


def test_answers_without_a_tariff_are_counted_apart_not_as_free(spent):
    days = questions_per_day(WEEK)

    # The one from a model without a price; the one still streaming has no cost yet.
    assert days.unpriced == [0, 0, 0, 0, 1, 0, 0]
    assert days.unpriced_total == 1


def test_the_days_with_answers_are_listed_latest_first_with_their_cost(spent):
    rows = spend_by_day(WEEK, questions_per_day(WEEK))

    assert [(row.day.day, row.answers, row.cost, row.unpriced) for row in rows] == [
        (21, 3, Decimal("0.0075"), 0),
        (20, 1, Decimal("0.0125"), 0),
        (19, 2, Decimal("0.001"), 1),
    ]


def test_the_cost_and_energy_are_summed_per_category_the_costliest_first(spent):
    rows = spend_per_category(WEEK)

    assert [(row.category, row.answers, row.cost, row.energy_wh, row.unpriced) for row in rows] == [
        ("Paie", 2, Decimal("0.02"), Decimal("2"), 0),
        ("Congés", 2, Decimal("0.001"), Decimal(0), 1),
        (None, 2, Decimal(0), Decimal(0), 0),
    ]


def test_staff_see_the_cost_and_energy_per_day_and_per_category(admin_client, spent):
    page = admin_client.get(DASHBOARD_URL, {"days": 90}).content.decode()

    assert 'data-testid="total-cost">5,0210 EUR<' in page
    assert 'data-testid="total-energy">2,00 Wh<' in page
    assert 'data-testid="spend-by-day"' in page
    assert "Paie" in page and "toutes les catégories" in page
    assert "1 réponse sans tarif" in page


def test_the_feedback_ratio_counts_thumbs_up_and_down():
    for rating in [Feedback.Rating.UP, Feedback.Rating.UP, Feedback.Rating.DOWN]:
        exchange = ExchangeFactory()
        Feedback.objects.create(exchange=exchange, user=exchange.conversation.user, rating=rating)

    ratio = feedback_ratio(period_for(7))

    assert (ratio.up, ratio.down, ratio.total) == (2, 1, 3)
    assert (ratio.up_percent, ratio.down_percent) == (66.7, 33.3)


def answer_checks(flagged: int) -> dict:
    return {"status": "checked", "checked": 3, "flagged": flagged, "sentences": []}


def test_the_share_of_flagged_answers_counts_only_the_checked_ones(admin_client):
    ExchangeFactory(checks=answer_checks(flagged=1))
    ExchangeFactory(checks=answer_checks(flagged=0))
    ExchangeFactory(checks=answer_checks(flagged=0))
    ExchangeFactory(checks={"status": "extractive", "checked": 0, "flagged": 0})
    ExchangeFactory(checks={})  # answered before the check existed

    flagged = flagged_answers(questions_per_day(period_for(7)))

    assert (flagged.checked, flagged.flagged, flagged.flagged_percent) == (3, 1, 33.3)
    page = admin_client.get(DASHBOARD_URL).content.decode()
    card = page.split('data-testid="flagged-answers">')[1].split("</dd>")[0]
    assert "33,3 %" in card
    assert "1 sur 3 réponses générées" in card


def test_without_checked_answers_the_share_of_flagged_ones_is_a_dash(admin_client):
    ExchangeFactory(checks={"status": "correction", "checked": 0, "flagged": 0})

    assert flagged_answers(questions_per_day(period_for(7))).flagged_percent == 0.0
    page = admin_client.get(DASHBOARD_URL).content.decode()
    assert page.split('data-testid="flagged-answers">')[1].split("<span")[0].strip() == "—"


def test_documents_are_ranked_by_the_answers_citing_them_then_serving_them():
    guide, note, deleted_id = DocumentFactory(title="Guide"), DocumentFactory(title="Note"), 999999
    sources = [
        {"number": 1, "document_id": guide.pk, "title": "Guide"},
        {"number": 2, "document_id": note.pk, "title": "Note"},
        {"number": 3, "document_id": deleted_id, "title": "Ancien"},
        {"number": 4, "correction_id": 1, "title": "Réponse validée"},
    ]
    asked_at(utc(20, 10), answer="Deux jours [2].", sources=sources)
    asked_at(utc(20, 11), answer="Selon [1, 2], oui.", sources=sources)
    asked_at(utc(20, 12), answer="Voir [12] et [21].", sources=sources)
    asked_at(utc(1, 12), answer="Avant la période [1].", sources=sources)

    ranked = top_documents(WEEK)

    assert [(doc.title, doc.cited, doc.served) for doc in ranked] == [
        ("Note", 2, 3),
        ("Guide", 1, 3),
        (f"document {deleted_id}", 0, 3),
    ]
    assert [doc.exists for doc in ranked] == [True, True, False]


def test_indexing_counts_documents_and_their_passages_per_day():
    first, second, _pending = DocumentFactory(), DocumentFactory(), DocumentFactory()
    Document.objects.filter(pk=first.pk).update(indexed_at=utc(20, 23, 30), chunk_count=12)
    Document.objects.filter(pk=second.pk).update(indexed_at=utc(21, 8), chunk_count=3)

    indexing = indexing_per_day(WEEK)

    assert indexing.documents[-2:] == [0, 2]
    assert indexing.chunks[-2:] == [0, 15]
    assert (indexing.documents_total, indexing.chunks_total) == (2, 15)


def test_documents_are_counted_by_status_every_status_listed():
    DocumentFactory.create_batch(2, status=Document.Status.INDEXED)
    DocumentFactory(status=Document.Status.FAILED)

    counts = {row.status: row.count for row in documents_by_status()}

    assert counts == {"pending": 0, "processing": 0, "indexed": 2, "failed": 1}


def test_pending_proposals_are_those_still_to_review():
    CorrectionProposalFactory.create_batch(2)
    CorrectionProposalFactory(status=CorrectionProposal.Status.APPROVED)

    assert pending_proposals() == 2


@pytest.fixture
def seeded():
    """A little of everything, asked today."""
    guide = DocumentFactory(title="Guide du télétravail", status=Document.Status.INDEXED)
    sources = [{"number": 1, "document_id": guide.pk, "title": guide.title, "page": 2}]
    for _ in range(3):
        exchange = ExchangeFactory(answer="Deux jours [1].", sources=sources)
        Feedback.objects.create(
            exchange=exchange, user=exchange.conversation.user, rating=Feedback.Rating.UP
        )
    ExchangeFactory(question="Où est la cantine ?", outcome=Exchange.Outcome.NO_ANSWER)
    CorrectionProposalFactory()
    return guide


def test_staff_see_the_figures_and_the_charts(admin_client, seeded):
    page = admin_client.get(DASHBOARD_URL).content.decode()

    assert 'data-testid="dashboard"' in page
    for name in ["questions", "unanswered", "indexing", "chunks", "feedback"]:
        assert f'<svg data-testid="chart-{name}" role="img" aria-label="' in page
    assert 'data-testid="total-questions">5<' in page
    assert 'data-testid="total-unanswered">1<' in page
    assert "Où est la cantine ?" in page
    assert reverse("admin:documents_document_change", args=[seeded.pk]) in page
    assert "100,0 %" in page or "100 %" in page
    assert f"{reverse('admin:documents_document_changelist')}?status__exact=indexed" in page
    assert 'class="sr-only"' in page


def test_the_chart_labels_are_page_text_not_drawing_text(admin_client, seeded):
    """SVG text shrinks with its drawing (to about 7 px on a phone); HTML text keeps its size."""
    page = admin_client.get(DASHBOARD_URL).content.decode()

    assert "<text" not in page
    assert 'data-testid="chart-label"' in page
    assert 'preserveAspectRatio="none"' in page


def test_the_period_selector_marks_the_chosen_period(admin_client):
    page = admin_client.get(DASHBOARD_URL, {"days": 7}).content.decode()

    assert 'href="?days=7" data-testid="period-7"' in page
    assert page.count('aria-current="page"') == 1
    current = page.split('aria-current="page"')[0].rsplit("<a ", 1)[1]
    assert 'data-testid="period-7"' in current


def test_the_dashboard_takes_a_bounded_number_of_queries(
    admin_client, seeded, django_assert_max_num_queries
):
    ExchangeFactory.create_batch(10, outcome=Exchange.Outcome.NO_ANSWER)

    with django_assert_max_num_queries(12):
        assert admin_client.get(DASHBOARD_URL, {"days": 90}).status_code == 200


@pytest.mark.parametrize(
    ("highest", "top", "ticks"),
    [(0, 1, ["0", "1"]), (2, 2, ["0", "1", "2"]), (7, 10, ["0", "2", "4", "6", "8", "10"])],
)
def test_the_scale_of_a_bar_chart_is_a_round_number_in_whole_ticks(highest, top, ticks):
    chart = bar_chart(
        name="test",
        title="Test",
        summary="",
        labels=["a", "b"],
        long_labels=["A", "B"],
        series=[Series("questions", [highest, 0], "#000")],
    )

    assert nice_ceiling(highest) == top
    assert [tick.label for tick in chart.y_ticks] == ticks


def test_stacked_bars_pile_the_series_from_the_baseline():
    chart = bar_chart(
        name="test",
        title="Test",
        summary="",
        labels=["a"],
        long_labels=["lundi"],
        series=[Series("sans passage", [3], "#f00"), Series("erreurs", [2], "#00f")],
    )

    lower, upper = chart.segments
    assert lower.y + lower.height == pytest.approx(chart.baseline)
    assert upper.y + upper.height == pytest.approx(lower.y)
    assert upper.y == pytest.approx(TOP)  # 3 + 2 reaches the top of the scale, 5
    assert lower.tooltip == "lundi — sans passage : 3"
    assert chart.rows[0].values == [3, 2]


def test_a_bar_chart_s_coordinates_are_percentages_of_its_box():
    chart = bar_chart(
        name="test",
        title="Test",
        summary="",
        labels=["a", "b", "c", "d"],
        long_labels=["A", "B", "C", "D"],
        series=[Series("questions", [1, 2, 3, 4], "#000")],
    )

    assert (chart.width, chart.height, chart.baseline) == (100, 100, 100)
    assert [tick.position for tick in chart.x_ticks] == [12.5, 37.5, 62.5, 87.5]
    assert chart.y_ticks[0].position == 100
    assert all(0 <= segment.x <= segment.x + segment.width <= 100 for segment in chart.segments)


def checked(**fields) -> IndexCheck:
    return IndexCheck.objects.create(finished_at=timezone.now(), **fields)


def test_the_last_index_check_is_shown_per_kind_with_what_it_repaired(admin_client):
    checked(found={"orphan_passages": 1, "stale_generations": 0})
    checked(
        repair=True,
        found={"orphan_passages": 2, "stale_category": 0},
        repaired={"orphan_passages": 2},
    )

    page = admin_client.get(DASHBOARD_URL).content.decode()
    section = page.split('data-testid="index-check"')[1]

    assert "Passages de documents supprimés" in section
    assert "Passages sous une ancienne catégorie" not in section
    assert '<td class="py-1 pr-2 text-right">2</td>' in section
    assert '<td class="py-1 text-right">2</td>' in section
    assert 'data-testid="index-check-unrepaired"' not in section


def test_drift_the_last_check_left_unrepaired_is_flagged(admin_client):
    checked(found={"missing_passages": 3})

    page = admin_client.get(DASHBOARD_URL).content.decode()

    assert 'data-testid="index-check-unrepaired"' in page
    assert "Documents indexés dont des passages manquent" in page


def test_a_check_that_failed_says_why_and_flags_its_drift(admin_client):
    checked(repair=True, found={"orphan_corrections": 1}, error="VectorStoreError: injoignable")

    page = admin_client.get(DASHBOARD_URL).content.decode()

    assert "VectorStoreError: injoignable" in page
    assert 'data-testid="index-check-unrepaired"' in page


def test_an_index_in_step_is_said_so_and_no_check_yet_too(admin_client):
    assert "pas encore été comparé" in admin_client.get(DASHBOARD_URL).content.decode()

    checked(repair=True, found={"orphan_passages": 0})

    assert "correspond à la base" in admin_client.get(DASHBOARD_URL).content.decode()
