from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from chat.feedback import ReviewRefused, approve_proposal, reject_proposal
from chat.models import Conversation, CorrectionProposal, Exchange, Feedback

APPROVE, REJECT = "_approve", "_reject"


class ReadOnlyAdminMixin:
    """What users said and were told is a record: staff read it, and may delete it."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ExchangeInline(ReadOnlyAdminMixin, admin.StackedInline):
    """Each question of the conversation with its answer, what users said of it, its sources."""

    model = Exchange
    fields = [
        ("created_at", "status", "outcome"),
        "question",
        "answer",
        "feedback_given",
        "source_list",
    ]
    readonly_fields = [
        "created_at",
        "status",
        "outcome",
        "question",
        "answer",
        "feedback_given",
        "source_list",
    ]
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exchange]:
        return super().get_queryset(request).prefetch_related("feedback__user")

    @admin.display(description="avis")
    def feedback_given(self, exchange: Exchange) -> str:
        return feedback_summary(exchange.feedback.all())

    @admin.display(description="sources")
    def source_list(self, exchange: Exchange) -> str:
        return source_list(exchange.sources)


def feedback_summary(feedback: Iterable[Feedback]) -> str:
    """Each rating with its author and comment, one per line."""
    lines = format_html_join(
        mark_safe("<br>"),
        "<strong>{}</strong> ({}){}",
        (
            (
                item.get_rating_display(),
                item.user,
                f" : {item.comment}" if item.comment else "",
            )
            for item in feedback
        ),
    )
    return lines or "—"


def source_list(sources: object) -> str:
    """The numbered sources of an answer, each opening the document viewer on its passage."""
    if not isinstance(sources, list) or not sources:
        return "—"
    return format_html(
        "<ol>{}</ol>",
        format_html_join(
            "",
            '<li>[{}] <a href="{}">{}</a>{}</li>',
            (
                (
                    source.get("number", ""),
                    viewer_url(source),
                    source.get("title") or source.get("filename") or "—",
                    f", p. {source['page']}" if source.get("page") else "",
                )
                for source in sources
                if isinstance(source, dict)
            ),
        ),
    )


def viewer_url(source: dict) -> str:
    """The document viewer on the source's page and passage; a correction's admin page."""
    if source.get("document_id") is not None:
        query = {"page": source.get("page"), "passage": source.get("id")}
        return (
            reverse("documents:view", args=[source["document_id"]])
            + "?"
            + urlencode({key: value for key, value in query.items() if value})
        )
    if source.get("correction_id") is not None:
        return reverse("admin:documents_correction_change", args=[source["correction_id"]])
    return ""


class NegativeFeedbackFilter(admin.SimpleListFilter):
    title = "avis négatif"
    parameter_name = "negative_feedback"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Oui"), ("no", "Non")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        disliked = Exists(
            Feedback.objects.filter(
                exchange__conversation=OuterRef("pk"), rating=Feedback.Rating.DOWN
            )
        )
        return _yes_or_no(self.value(), queryset, disliked)


class NoAnswerFilter(admin.SimpleListFilter):
    title = "question sans réponse"
    parameter_name = "no_answer"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [("yes", "Oui"), ("no", "Non")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        unanswered = Exists(
            Exchange.objects.filter(conversation=OuterRef("pk"), outcome=Exchange.Outcome.NO_ANSWER)
        )
        return _yes_or_no(self.value(), queryset, unanswered)


def _yes_or_no(value: str | None, queryset: QuerySet, condition: Exists) -> QuerySet:
    if value == "yes":
        return queryset.filter(condition)
    if value == "no":
        return queryset.filter(~condition)
    return queryset


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "user",
        "category",
        "created_at",
        "exchange_count",
        "last_feedback",
    ]
    list_filter = [NegativeFeedbackFilter, NoAnswerFilter, "created_at", "category"]
    search_fields = ["title", "user__username", "exchanges__question"]
    list_select_related = ["user", "category"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ExchangeInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        latest = Feedback.objects.filter(exchange__conversation=OuterRef("pk")).order_by(
            "-updated_at", "-pk"
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                exchange_count=Count("exchanges", distinct=True),
                last_rating=Subquery(latest.values("rating")[:1]),
                last_comment=Subquery(latest.values("comment")[:1]),
            )
        )

    @admin.display(description="questions", ordering="exchange_count")
    def exchange_count(self, conversation: Conversation) -> int:
        return conversation.exchange_count

    @admin.display(description="dernier avis", ordering="last_rating")
    def last_feedback(self, conversation: Conversation) -> str:
        if conversation.last_rating is None:
            return "—"
        label = Feedback.Rating(conversation.last_rating).label
        comment = Truncator(conversation.last_comment).chars(80)
        return f"{label} : {comment}" if comment else label


class FeedbackInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Feedback
    fields = ["user", "rating", "comment", "updated_at"]
    readonly_fields = fields
    can_delete = False


class ProposalInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CorrectionProposal
    fields = ["answer", "author", "status", "created_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False


@admin.register(Exchange)
class ExchangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "user",
        "category",
        "status",
        "outcome",
        "provider",
        "ratings",
        "created_at",
    ]
    list_filter = ["status", "outcome", "provider", "feedback__rating", "conversation__category"]
    search_fields = ["question", "answer"]
    list_select_related = ["conversation__user", "conversation__category"]
    readonly_fields = ["created_at", "conversation_link", "source_list"]
    inlines = [FeedbackInline, ProposalInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Exchange]:
        return super().get_queryset(request).prefetch_related("feedback")

    @admin.display(description="utilisateur", ordering="conversation__user__username")
    def user(self, exchange: Exchange):
        return exchange.conversation.user

    @admin.display(description="catégorie", ordering="conversation__category__name")
    def category(self, exchange: Exchange):
        return exchange.conversation.category

    @admin.display(description="avis")
    def ratings(self, exchange: Exchange) -> str:
        return ", ".join(feedback.get_rating_display() for feedback in exchange.feedback.all())

    @admin.display(description="conversation")
    def conversation_link(self, exchange: Exchange) -> str:
        url = reverse("admin:chat_conversation_change", args=[exchange.conversation_id])
        return format_html('<a href="{}">{}</a>', url, exchange.conversation)

    @admin.display(description="sources (liens)")
    def source_list(self, exchange: Exchange) -> str:
        return source_list(exchange.sources)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["exchange_link", "user", "rating", "comment", "updated_at"]
    list_filter = ["rating", "exchange__conversation__category", "updated_at"]
    search_fields = ["comment", "exchange__question", "user__username"]
    list_select_related = ["exchange", "user"]
    readonly_fields = ["exchange_link", "created_at", "updated_at"]

    @admin.display(description="question", ordering="exchange__created_at")
    def exchange_link(self, feedback: Feedback) -> str:
        url = reverse("admin:chat_exchange_change", args=[feedback.exchange_id])
        return format_html('<a href="{}">{}</a>', url, feedback.exchange)


class ProposalStatusFilter(admin.SimpleListFilter):
    """The review queue opens on the proposals still to review."""

    title = "état"
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin) -> list[tuple[str, str]]:
        return [*CorrectionProposal.Status.choices, (self.ALL, "Toutes")]

    def choices(self, changelist):
        selected = self.value() or CorrectionProposal.Status.PENDING
        for value, label in self.lookup_choices:
            yield {
                "selected": selected == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        selected = self.value() or CorrectionProposal.Status.PENDING
        return queryset if selected == self.ALL else queryset.filter(status=selected)


@admin.register(CorrectionProposal)
class CorrectionProposalAdmin(admin.ModelAdmin):
    """The review queue. A pending proposal's answer can be edited before it is approved."""

    change_form_template = "admin/chat/correctionproposal/change_form.html"
    list_display = ["__str__", "category", "author", "status", "created_at", "reviewer"]
    list_filter = [ProposalStatusFilter, "category"]
    search_fields = ["question", "answer"]
    list_select_related = ["category", "author", "reviewer"]
    fields = [
        "category",
        "question",
        "original_exchange",
        "answer",
        "author",
        "created_at",
        "status",
        "review_note",
        "reviewer",
        "reviewed_at",
        "correction_link",
    ]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: CorrectionProposal | None = None):
        editable = {"answer", "review_note"}
        if obj is not None and obj.status != CorrectionProposal.Status.PENDING:
            editable = set()
        return [name for name in self.fields if name not in editable]

    @admin.display(description="réponse donnée")
    def original_exchange(self, proposal: CorrectionProposal):
        if proposal.exchange is None:
            return "—"
        url = reverse("admin:chat_exchange_change", args=[proposal.exchange_id])
        answer = Truncator(proposal.exchange.answer).chars(500)
        return format_html('<a href="{}">{}</a>', url, answer or "(vide)")

    @admin.display(description="correction créée")
    def correction_link(self, proposal: CorrectionProposal):
        if proposal.correction_id is None:
            return "—"
        url = reverse("admin:documents_correction_change", args=[proposal.correction_id])
        return format_html('<a href="{}">{}</a>', url, proposal.correction)

    @admin.action(description="Approuver")
    def approve(self, request: HttpRequest, queryset: QuerySet[CorrectionProposal]) -> None:
        approved = sum(self._approve(request, proposal) for proposal in queryset)
        if approved:
            self.message_user(
                request,
                f"{approved} proposition(s) approuvée(s) : leurs réponses sont désormais "
                "les réponses validées de leur catégorie.",
                messages.SUCCESS,
            )

    @admin.action(description="Refuser")
    def reject(self, request: HttpRequest, queryset: QuerySet[CorrectionProposal]) -> None:
        rejected = sum(self._reject(request, proposal) for proposal in queryset)
        if rejected:
            self.message_user(request, f"{rejected} proposition(s) refusée(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: CorrectionProposal, form, change) -> None:
        # A decision is saved by its service, with the edited answer, in `response_change`.
        if APPROVE not in request.POST and REJECT not in request.POST:
            super().save_model(request, obj, form, change)

    def response_change(self, request: HttpRequest, obj: CorrectionProposal) -> HttpResponse:
        if APPROVE in request.POST:
            decided = self._approve(request, obj, answer=obj.answer)
            success = "La proposition est approuvée : sa réponse est désormais la réponse validée."
        elif REJECT in request.POST:
            decided = self._reject(request, obj)
            success = "La proposition est refusée."
        else:
            return super().response_change(request, obj)
        if not decided:
            return HttpResponseRedirect(request.path)
        self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:chat_correctionproposal_changelist"))

    def _approve(
        self, request: HttpRequest, proposal: CorrectionProposal, answer: str | None = None
    ) -> bool:
        try:
            approve_proposal(
                proposal=proposal, reviewer=request.user, answer=answer, note=proposal.review_note
            )
        except ReviewRefused as error:
            self.message_user(request, f"« {proposal} » : {error.message}", messages.ERROR)
            return False
        return True

    def _reject(self, request: HttpRequest, proposal: CorrectionProposal) -> bool:
        try:
            reject_proposal(proposal=proposal, reviewer=request.user, note=proposal.review_note)
        except ReviewRefused as error:
            self.message_user(request, f"« {proposal} » : {error.message}", messages.ERROR)
            return False
        return True
