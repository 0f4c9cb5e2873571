import asyncio
import json
import logging

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from ai.llm import ProviderError
from chat.answering import QuestionRefused, SearchUnavailable, answer_question, in_thread
from chat.messages import error_message, event_message
from common.ratelimit import QUESTIONS, question_allowed, refusal

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Une erreur inattendue a interrompu la réponse. Réessayez ; si cela se reproduit, "
    "prévenez l'équipe informatique."
)
BUSY = "Une réponse est déjà en cours : attendez-la ou interrompez-la."
TOO_LARGE = "Message trop long : la question est limitée en taille."


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers {"type": "ping"} with {"type": "pong"}, routed through the channel layer.

    The reply travels through the channel layer on purpose, so a pong proves both the
    websocket and the layer (Redis in production) work.
    """

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.channel_layer.send(
                self.channel_name, {"type": "pong.message", "echo": content.get("echo")}
            )
        else:
            await self.send_json({"type": "error", "message": "Unknown message type."})

    async def pong_message(self, event) -> None:
        await self.send_json({"type": "pong", "echo": event.get("echo")})


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Questions in, streamed answers out (contract in `chat.messages`).

    One connection carries many questions, one at a time. The answer streams from the
    provider straight to this socket, in a task of its own so that `cancel` can stop it
    (which closes the request to the language model).
    """

    # Answers stream straight from the provider: no channel-layer subscription, so no Redis
    # connection held per open chat.
    channel_layer_alias = "chat-uses-no-channel-layer"
    answering: asyncio.Task | None = None
    closed = False

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closed = True
        if self.answering is not None:
            self.answering.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # Decoded only below a size any valid message fits in: a question at its longest,
        # every character four UTF-8 bytes (or a six-byte JSON escape), plus the envelope.
        if text_data is None or len(text_data) > 6 * settings.MAX_QUESTION_LENGTH + 1024:
            await self._send(None, error_message("invalid", TOO_LARGE))
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self._send(None, error_message("invalid", "Message illisible (JSON attendu)."))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        request_id = content.get("id") if isinstance(content, dict) else None
        if kind == "ask":
            await self._ask(content, request_id)
        elif kind == "cancel":
            if self.answering is not None:
                self.answering.cancel()
        elif kind == "ping":
            await self.send_json({"type": "pong", "id": request_id})
        else:
            await self._send(request_id, error_message("invalid", "Message inconnu."))

    async def _ask(self, content: dict, request_id: object) -> None:
        if self.answering is not None and not self.answering.done():
            await self._send(request_id, error_message("busy", BUSY))
            return
        question, category, conversation = (
            content.get("question"),
            content.get("category"),
            content.get("conversation"),
        )
        if (
            not isinstance(question, str)
            or not isinstance(category, str | None)
            or not isinstance(conversation, int | None)
        ):
            await self._send(request_id, error_message("invalid", "Question mal formée."))
            return
        if not await in_thread(question_allowed, user_id=self.scope["user"].pk):
            await self._send(request_id, error_message("rate_limited", refusal(QUESTIONS)))
            return
        self.answering = asyncio.create_task(
            self._answer(request_id, question, category or None, conversation)
        )

    async def _answer(
        self, request_id: object, question: str, category: str | None, conversation: int | None
    ) -> None:
        events = answer_question(
            user_id=self.scope["user"].pk,
            question=question,
            category_slug=category,
            conversation_id=conversation,
        )
        try:
            async for event in events:
                await self._send(request_id, event_message(event))
        except asyncio.CancelledError:
            await events.aclose()
            await self._send(request_id, {"type": "cancelled"})
        except QuestionRefused as refused:
            await self._send(request_id, error_message("refused", refused.user_message))
        except ProviderError as error:
            await self._send(request_id, error_message("provider", error.user_message))
        except SearchUnavailable as error:
            await self._send(request_id, error_message("search", error.user_message))
        except Exception:
            logger.exception("Answering a question failed.")
            await self._send(request_id, error_message("internal", UNEXPECTED))

    async def _send(self, request_id: object, message: dict) -> None:
        if self.closed:
            return
        await self.send_json({**message, "id": request_id})
