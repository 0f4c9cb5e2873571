from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from chat.answer_api import AnswerTaskCreateView, AnswerTaskView, AnswerView

app_name = "api_v1"
urlpatterns = [
    path("search/<slug:category>/", AnswerView.as_view(), name="answer"),
    path("async_search/", AnswerTaskCreateView.as_view(), name="answer-task-create"),
    path("tasks/<uuid:task_id>/", AnswerTaskView.as_view(), name="answer-task"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
