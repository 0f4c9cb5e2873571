"""The figures of the backoffice dashboard over the last days, each aggregated by the database.

Days are those of the site's time zone (TIME_ZONE, Europe/Paris): a question asked at
00:30 in Paris counts for that day, though it is still the day before in UTC.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from ai.citations import CITED_AFTER, CITED_BEFORE
from chat.models import CorrectionProposal, Exchange, Feedback
from documents.models import Document, IndexCheck
from documents.selectors import latest_index_check

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
LATEST_UNANSWERED = 10
TOP_DOCUMENTS = 10


@dataclass(frozen=True)
class Period:
    days: int
    first: date
    last: date

    @property
    def dates(self) -> list[date]:
        return [self.first + timedelta(days=offset) for offset in range(self.days)]

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


def period_for(days: object, *, today: date | None = None) -> Period:
    """The last `days` days up to today included; an unknown value gives the default."""
    try:
        days = int(str(days))
    except ValueError:
        days = DEFAULT_PERIOD
    if days not in PERIODS:
        days = DEFAULT_PERIOD
    last = today or timezone.localdate()
    return Period(days=days, first=last - timedelta(days=days - 1), last=last)


@dataclass(frozen=True)
class DaySpend:
    day: date
    answers: int
    cost: Decimal
    energy_wh: Decimal
    unpriced: int


@dataclass(frozen=True)
class QuestionDays:
    """Per day: the questions, those left unanswered, and what their answers cost — in
    COST_CURRENCY and Wh, summed over the answers whose cost is known (`unpriced`: the
    others, from a model without a tariff or whose tokens were not counted)."""

    asked: list[int]
    no_answer: list[int]
    failed: list[int]
    cost: list[Decimal]
    energy_wh: list[Decimal]
    unpriced: list[int]
    checked: list[int]
    flagged: list[int]

    @property
    def unanswered(self) -> list[int]:
        return [no + failed for no, failed in zip(self.no_answer, self.failed, strict=True)]

    @property
    def asked_total(self) -> int:
        return sum(self.asked)

    @property
    def unanswered_total(self) -> int:
        return sum(self.no_answer) + sum(self.failed)

    @property
    def cost_total(self) -> Decimal:
        return sum(self.cost, Decimal(0))

    @property
    def energy_wh_total(self) -> Decimal:
        return sum(self.energy_wh, Decimal(0))

    @property
    def unpriced_total(self) -> int:
        return sum(self.unpriced)


def unpriced_filter() -> Q:
    """Finished answers whose cost is unknown (still streaming, it is not known yet)."""
    return Q(cost__isnull=True) & ~Q(status=Exchange.Status.STREAMING)


def unanswered_filter() -> Q:
    """Questions no passage answered, and questions whose answer failed."""
    return Q(outcome=Exchange.Outcome.NO_ANSWER) | Q(status=Exchange.Status.FAILED)


def questions_per_day(period: Period) -> QuestionDays:
    rows = (
        _in_period(Exchange.objects.all(), "created_at", period)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            asked=Count("pk"),
            no_answer=Count("pk", filter=Q(outcome=Exchange.Outcome.NO_ANSWER)),
            failed=Count("pk", filter=Q(status=Exchange.Status.FAILED)),
            total_cost=Sum("cost"),
            total_energy_wh=Sum("energy_wh"),
            unpriced=Count("pk", filter=unpriced_filter()),
            checked=Count("pk", filter=Q(checks__status="checked")),
            flagged=Count("pk", filter=Q(checks__status="checked", checks__flagged__gt=0)),
        )
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    days = period.dates
    return QuestionDays(
        asked=[by_day.get(day, {}).get("asked", 0) for day in days],
        no_answer=[by_day.get(day, {}).get("no_answer", 0) for day in days],
        failed=[by_day.get(day, {}).get("failed", 0) for day in days],
        cost=[by_day.get(day, {}).get("total_cost") or Decimal(0) for day in days],
        energy_wh=[by_day.get(day, {}).get("total_energy_wh") or Decimal(0) for day in days],
        unpriced=[by_day.get(day, {}).get("unpriced", 0) for day in days],
        checked=[by_day.get(day, {}).get("checked", 0) for day in days],
        flagged=[by_day.get(day, {}).get("flagged", 0) for day in days],
    )


def spend_by_day(period: Period, questions: QuestionDays) -> list[DaySpend]:
    """The days questions were asked on, latest first, with what their answers cost."""
    return [
        DaySpend(day, asked, cost, energy_wh, unpriced)
        for day, asked, cost, energy_wh, unpriced in zip(
            period.dates,
            questions.asked,
            questions.cost,
            questions.energy_wh,
            questions.unpriced,
            strict=True,
        )
        if asked
    ][::-1]


@dataclass(frozen=True)
class CategorySpend:
    category: str | None
    """None: the conversations across every category."""
    answers: int
    cost: Decimal
    energy_wh: Decimal
    unpriced: int


def spend_per_category(period: Period) -> list[CategorySpend]:
    """What the answers of the period cost in each category, the costliest first."""
    rows = (
        _in_period(Exchange.objects.all(), "created_at", period)
        .values(category=F("conversation__category__name"))
        .annotate(
            answers=Count("pk"),
            total_cost=Sum("cost"),
            total_energy_wh=Sum("energy_wh"),
            unpriced=Count("pk", filter=unpriced_filter()),
        )
        .order_by(F("total_cost").desc(nulls_last=True), F("category").asc(nulls_first=True))
    )
    return [
        CategorySpend(
            category=row["category"],
            answers=row["answers"],
            cost=row["total_cost"] or Decimal(0),
            energy_wh=row["total_energy_wh"] or Decimal(0),
            unpriced=row["unpriced"],
        )
        for row in rows
    ]


def latest_unanswered(period: Period, *, limit: int = LATEST_UNANSWERED) -> list[Exchange]:
    return list(
        _in_period(Exchange.objects.filter(unanswered_filter()), "created_at", period)
        .select_related("conversation__user", "conversation__category")
        .order_by("-created_at", "-pk")[:limit]
    )


@dataclass(frozen=True)
class FeedbackRatio:
    up: int
    down: int

    @property
    def total(self) -> int:
        return self.up + self.down

    @property
    def up_percent(self) -> float:
        return round(100 * self.up / self.total, 1) if self.total else 0.0

    @property
    def down_percent(self) -> float:
        return round(100 * self.down / self.total, 1) if self.total else 0.0


def feedback_ratio(period: Period) -> FeedbackRatio:
    """Thumbs up and down given during the period."""
    counts = _in_period(Feedback.objects.all(), "created_at", period).aggregate(
        up=Count("pk", filter=Q(rating=Feedback.Rating.UP)),
        down=Count("pk", filter=Q(rating=Feedback.Rating.DOWN)),
    )
    return FeedbackRatio(up=counts["up"], down=counts["down"])


@dataclass(frozen=True)
class FlaggedAnswers:
    """Generated answers whose citations were checked, and those with a flagged sentence."""

    checked: int
    flagged: int

    @property
    def flagged_percent(self) -> float:
        return round(100 * self.flagged / self.checked, 1) if self.checked else 0.0


def flagged_answers(questions: QuestionDays) -> FlaggedAnswers:
    """The share of the period's checked answers with a sentence to verify
    (`ai.citation_check`); answers from before the check are not counted."""
    return FlaggedAnswers(checked=sum(questions.checked), flagged=sum(questions.flagged))


@dataclass(frozen=True)
class CitedDocument:
    document_id: int
    title: str
    served: int
    """Answers that had it among their sources."""
    cited: int
    """Answers that cited it ([n])."""
    exists: bool


_TOP_DOCUMENTS_SQL = {
    "postgresql": """
        SELECT (source ->> 'document_id')::integer AS document_id,
               COUNT(*) AS served,
               COUNT(*) FILTER (
                   WHERE exchange.answer ~ (%s || (source ->> 'number') || %s)
               ) AS cited
        FROM {table} AS exchange
        CROSS JOIN LATERAL jsonb_array_elements(exchange.sources) AS source
        WHERE exchange.created_at >= %s AND exchange.created_at < %s
          AND source ->> 'document_id' IS NOT NULL
        GROUP BY 1
        ORDER BY cited DESC, served DESC, 1
        LIMIT %s
    """,
    "sqlite": """
        SELECT json_extract(source.value, '$.document_id') AS document_id,
               COUNT(*) AS served,
               SUM(CASE WHEN exchange.answer
                        REGEXP (%s || json_extract(source.value, '$.number') || %s)
                   THEN 1 ELSE 0 END) AS cited
        FROM {table} AS exchange, json_each(exchange.sources) AS source
        WHERE exchange.created_at >= %s AND exchange.created_at < %s
          AND json_extract(source.value, '$.document_id') IS NOT NULL
        GROUP BY 1
        ORDER BY cited DESC, served DESC, 1
        LIMIT %s
    """,
}


def top_documents(period: Period, *, limit: int = TOP_DOCUMENTS) -> list[CitedDocument]:
    """The documents most cited by the answers of the period, then most served as sources.

    The sources are a JSON list in each exchange: the database unfolds and counts them
    (PostgreSQL or SQLite), rather than Python reading every answer of the period.
    """
    sql = _TOP_DOCUMENTS_SQL[connection.vendor].format(table=Exchange._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [CITED_BEFORE, CITED_AFTER, adapt(period.start), adapt(period.end), limit],
        )
        rows = [(int(document_id), served, cited or 0) for document_id, served, cited in cursor]
    titles = {
        document.pk: str(document)
        for document in Document.objects.filter(pk__in=[row[0] for row in rows]).only(
            "title", "original_filename"
        )
    }
    return [
        CitedDocument(
            document_id=document_id,
            title=titles.get(document_id, f"document {document_id}"),
            served=served,
            cited=cited,
            exists=document_id in titles,
        )
        for document_id, served, cited in rows
    ]


@dataclass(frozen=True)
class IndexingDays:
    documents: list[int]
    chunks: list[int]

    @property
    def documents_total(self) -> int:
        return sum(self.documents)

    @property
    def chunks_total(self) -> int:
        return sum(self.chunks)


def indexing_per_day(period: Period) -> IndexingDays:
    """Documents indexed each day (by their last indexing), and their passages."""
    rows = (
        _in_period(Document.objects.all(), "indexed_at", period)
        .annotate(day=TruncDate("indexed_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(documents=Count("pk"), chunks=Sum("chunk_count"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    days = period.dates
    return IndexingDays(
        documents=[by_day.get(day, {}).get("documents", 0) for day in days],
        chunks=[by_day.get(day, {}).get("chunks") or 0 for day in days],
    )


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


def documents_by_status() -> list[StatusCount]:
    """Every document counted by status, all statuses listed (0 included)."""
    counts = dict(Document.objects.order_by().values_list("status").annotate(count=Count("pk")))
    return [
        StatusCount(status=value, label=label, count=counts.get(value, 0))
        for value, label in Document.Status.choices
    ]


def pending_proposals() -> int:
    return CorrectionProposal.objects.filter(status=CorrectionProposal.Status.PENDING).count()


@dataclass(frozen=True)
class Dashboard:
    period: Period
    questions: QuestionDays
    latest_unanswered: list[Exchange]
    feedback: FeedbackRatio
    top_documents: list[CitedDocument]
    indexing: IndexingDays
    documents_by_status: list[StatusCount]
    pending_proposals: int
    index_check: IndexCheck | None
    spend_per_category: list[CategorySpend]

    @property
    def spend_by_day(self) -> list[DaySpend]:
        return spend_by_day(self.period, self.questions)

    @property
    def flagged_answers(self) -> FlaggedAnswers:
        return flagged_answers(self.questions)


def dashboard(period: Period) -> Dashboard:
    """Every figure of the dashboard: ten queries, whatever the data."""
    return Dashboard(
        period=period,
        questions=questions_per_day(period),
        latest_unanswered=latest_unanswered(period),
        feedback=feedback_ratio(period),
        top_documents=top_documents(period),
        indexing=indexing_per_day(period),
        documents_by_status=documents_by_status(),
        pending_proposals=pending_proposals(),
        index_check=latest_index_check(),
        spend_per_category=spend_per_category(period),
    )


def _in_period(queryset: QuerySet, field: str, period: Period) -> QuerySet:
    return queryset.filter(**{f"{field}__gte": period.start, f"{field}__lt": period.end})
