"""The answering events as JSON messages: the websocket contract, also used by the API.

Server → client, for one question (`id` echoes the client's id for that question):
  {"type": "sources", "conversation", "exchange", "question", "sources": [...], "validated"}
  {"type": "token", "text"}                      (any number of times; `text` may hold
   several of the model's tokens, those that came close together, `chat.streaming`: the
   answer is the texts joined, in order)
  {"type": "done", "conversation", "exchange", "answer", "outcome", "validated",
   "provider", "citations", "usage", "timings", "notices", "checks"}  (notices: texts
   to show below the answer, such as a cited document soon out of force; usage:
   {"prompt_tokens", "completion_tokens", "cost", "energy_wh", "currency"}, cost and energy
   null when unknown; checks: each sentence checked against the passages it cites,
   `ai.citation_check.check_answer`)
  or {"type": "error", "code", "message"}  or  {"type": "cancelled"} after a cancel.
"""

from decimal import Decimal

from django.conf import settings

from ai.llm import Usage
from chat.answering import Done, Event, Sources, Token


def event_message(event: Event) -> dict[str, object]:
    if isinstance(event, Token):
        return {"type": "token", "text": event.text}
    if isinstance(event, Sources):
        return {
            "type": "sources",
            "conversation": event.conversation_id,
            "exchange": event.exchange_id,
            "question": event.question,
            "sources": event.sources,
            "validated": event.validated,
        }
    return done_message(event)


def done_message(event: Done) -> dict[str, object]:
    return {
        "type": "done",
        "conversation": event.conversation_id,
        "exchange": event.exchange_id,
        "answer": event.answer,
        "outcome": event.outcome,
        "validated": event.validated,
        "provider": event.provider,
        "citations": event.citations,
        "usage": usage_message(event.usage) if event.usage else None,
        "timings": event.timings,
        "notices": event.notices,
        "checks": event.checks,
    }


def usage_message(usage: Usage) -> dict[str, object]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "cost": _number(usage.cost),
        "energy_wh": _number(usage.energy_wh),
        "currency": settings.COST_CURRENCY,
    }


def _number(value: Decimal | None) -> float | None:
    # JSON has no decimals; a float keeps the 8 places of a cost in euros well enough.
    return float(value) if value is not None else None


def error_message(code: str, message: str) -> dict[str, object]:
    return {"type": "error", "code": code, "message": message}
