"""The staff's insight pages: the dashboard of the site's use and the retrieval inspector."""

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ai.retrieval import Mode
from backoffice.charts import (
    AMBER,
    EMERALD,
    INDIGO,
    RED,
    SKY,
    BarChart,
    Part,
    RatioChart,
    Series,
    bar_chart,
    ratio_chart,
)
from backoffice.dashboard import PERIODS, Dashboard, dashboard, period_for
from backoffice.inspector import MODES, inspect_retrieval
from common.accounts import staff_required
from documents.selectors import readable_categories, readable_category_ids

ALL_MODES = "all"
MAX_PASSAGES = 50


@staff_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    """The use of the site over the last 7, 30 or 90 days (`?days=`)."""
    figures = dashboard(period_for(request.GET.get("days")))
    return render(
        request,
        "backoffice/dashboard.html",
        {
            "dashboard": figures,
            "periods": PERIODS,
            "currency": settings.COST_CURRENCY,
            **_charts(figures),
        },
    )


def _charts(figures: Dashboard) -> dict[str, BarChart | RatioChart]:
    days = figures.period.dates
    labels = [date_format(day, "d/m") for day in days]
    long_labels = [date_format(day, "l j F Y") for day in days]
    questions, indexing = figures.questions, figures.indexing
    return {
        "questions_chart": bar_chart(
            name="questions",
            title=_("Questions posées par jour"),
            summary=ngettext(
                "%(count)s question sur la période",
                "%(count)s questions sur la période",
                questions.asked_total,
            )
            % {"count": questions.asked_total},
            labels=labels,
            long_labels=long_labels,
            series=[Series(_("questions"), questions.asked, INDIGO)],
        ),
        "unanswered_chart": bar_chart(
            name="unanswered",
            title=_("Questions sans réponse par jour"),
            summary=ngettext(
                "%(count)s question sans réponse sur la période",
                "%(count)s questions sans réponse sur la période",
                questions.unanswered_total,
            )
            % {"count": questions.unanswered_total},
            labels=labels,
            long_labels=long_labels,
            series=[
                Series(_("aucun passage pertinent"), questions.no_answer, AMBER),
                Series(_("erreurs"), questions.failed, RED),
            ],
        ),
        "indexing_chart": bar_chart(
            name="indexing",
            title=_("Documents indexés par jour"),
            summary=_("%(documents)s documents et %(chunks)s passages indexés sur la période")
            % {"documents": indexing.documents_total, "chunks": indexing.chunks_total},
            labels=labels,
            long_labels=long_labels,
            series=[Series(_("documents"), indexing.documents, EMERALD)],
        ),
        "chunks_chart": bar_chart(
            name="chunks",
            title=_("Passages indexés par jour"),
            summary=ngettext(
                "%(count)s passage indexé sur la période",
                "%(count)s passages indexés sur la période",
                indexing.chunks_total,
            )
            % {"count": indexing.chunks_total},
            labels=labels,
            long_labels=long_labels,
            series=[Series(_("passages"), indexing.chunks, SKY)],
        ),
        "feedback_chart": ratio_chart(
            name="feedback",
            title=_("Avis des utilisateurs sur les réponses"),
            summary=_(
                "%(up)s avis positifs (%(up_percent)s %%), %(down)s négatifs (%(down_percent)s %%)"
            )
            % {
                "up": figures.feedback.up,
                "down": figures.feedback.down,
                "up_percent": number_format(figures.feedback.up_percent, 1),
                "down_percent": number_format(figures.feedback.down_percent, 1),
            },
            parts=[
                Part(_("utiles"), figures.feedback.up, EMERALD),
                Part(_("pas utiles"), figures.feedback.down, RED),
            ],
        ),
    }


class InspectorForm(forms.Form):
    question = forms.CharField(
        label=gettext_lazy("Question"), max_length=2000, widget=forms.Textarea
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Catégorie"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Toutes les catégories"),
    )
    k = forms.IntegerField(
        label=gettext_lazy("Nombre de passages"),
        min_value=1,
        max_value=MAX_PASSAGES,
        required=False,
        help_text=gettext_lazy("Vide : le nombre d'extraits de la catégorie (5 pour toutes)."),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"),
        choices=[
            (ALL_MODES, gettext_lazy("les trois, côte à côte")),
            (Mode.HYBRID, gettext_lazy("hybride")),
            (Mode.DENSE, gettext_lazy("dense (vecteurs)")),
            (Mode.BM25, gettext_lazy("bm25 (mots-clés)")),
        ],
        initial=ALL_MODES,
        required=False,
    )
    include_out_of_force = forms.BooleanField(
        label=gettext_lazy("Inclure les documents qui ne sont pas en vigueur"),
        required=False,
        help_text=gettext_lazy(
            "Expirés, abrogés ou pas encore en vigueur : la recherche et le chat les écartent."
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = readable_categories(user)


@staff_required
def inspect_retrieval_page(request: HttpRequest) -> HttpResponse:
    """Search a question with every mode and show the passages each one ranks."""
    inspection = None
    form = InspectorForm(request.GET or None, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        category = data["category"]
        inspection = inspect_retrieval(
            question=data["question"],
            # The form only offers the categories the user reads.
            category_ids=[category.pk] if category else readable_category_ids(request.user),
            limit=data["k"],
            modes=[Mode(data["mode"])] if data["mode"] not in ("", ALL_MODES) else MODES,
            include_out_of_force=data["include_out_of_force"],
        )
    return render(request, "backoffice/inspector.html", {"form": form, "inspection": inspection})
