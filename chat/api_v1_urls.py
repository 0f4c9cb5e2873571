from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from chat.answer_api import AnswerTaskCreateView, AnswerTaskView, AnswerView
from chat.conversation_api import (
    ConversationDetailView,
    ConversationExportView,
    ConversationListView,
)
from chat.feedback_api import ExchangeFeedbackView, ExchangeProposalView

app_name = "api_v1"
urlpatterns = [
    path("search/<slug:category>/", AnswerView.as_view(), name="answer"),
    path("async_search/", AnswerTaskCreateView.as_view(), name="answer-task-create"),
    path("tasks/<uuid:task_id>/", AnswerTaskView.as_view(), name="answer-task"),
    path(
        "exchanges/<int:exchange_id>/feedback/",
        ExchangeFeedbackView.as_view(),
        name="exchange-feedback",
    ),
    path(
        "exchanges/<int:exchange_id>/proposals/",
        ExchangeProposalView.as_view(),
        name="exchange-proposals",
    ),
    path("conversations/", ConversationListView.as_view(), name="conversations"),
    path(
        "conversations/<int:conversation_id>/",
        ConversationDetailView.as_view(),
        name="conversation",
    ),
    path(
        "conversations/<int:conversation_id>/export/",
        ConversationExportView.as_view(),
        name="conversation-export",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
