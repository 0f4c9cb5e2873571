import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chat.answering import answer_question, in_thread
from chat.streaming import TokenFrames
from chat.websocket_messages import error_message, event_message
from common.errors import UserError
from common.i18n import language_of
from common.ratelimit import check_question_rate

logger = logging.getLogger(__name__)

UNEXPECTED = _(
    "Une erreur inattendue a interrompu la réponse. Réessayez ; si cela se reproduit, "
    "prévenez l'équipe informatique."
)


def signed_in(scope: dict) -> bool:
    """Whether the handshake's session is a signed-in user's: sockets are theirs only."""
    user = scope.get("user")
    return user is not None and user.is_authenticated


class PingConsumer(AsyncJsonWebsocketConsumer):
    """Answers {"type": "ping"} with {"type": "pong"}, routed through the channel layer.

    The reply travels through the channel layer on purpose, so a pong proves both the
    websocket and the layer (Redis in production) work. Signed-in users only (4401 for a
    visitor): nothing a visitor needs, and each socket holds a connection and a channel.
    """

    async def connect(self) -> None:
        if not signed_in(self.scope):
            await self.close(code=4401)
            return
        await self.accept()

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.channel_layer.send(
                self.channel_name, {"type": "pong.message", "echo": content.get("echo")}
            )
        else:
            await self.send_json({"type": "error", "message": "Unknown message type."})

    async def pong_message(self, event) -> None:
        await self.send_json({"type": "pong", "echo": event.get("echo")})


class InvalidMessage(UserError):
    """A websocket message that is not one of the contract's."""

    code = "invalid"


class Busy(UserError):
    code = "busy"
    default_message = _("Une réponse est déjà en cours : attendez-la ou interrompez-la.")


def decoded(text_data: str | None) -> object:
    """The JSON of a text frame, decoded only below a size any valid message fits in: a
    question at its longest, every character four UTF-8 bytes (or a six-byte JSON escape),
    plus the envelope."""
    if text_data is None or len(text_data) > 6 * settings.MAX_QUESTION_LENGTH + 1024:
        raise InvalidMessage(_("Message trop long : la question est limitée en taille."))
    try:
        return json.loads(text_data)
    except ValueError as error:
        raise InvalidMessage(_("Message illisible (JSON attendu).")) from error


@dataclass
class _Reply:
    """Which request an error answers: known once the message is decoded."""

    request_id: object = None


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Questions in, streamed answers out (contract in `chat.websocket_messages`).

    One connection carries many questions, one at a time. The answer streams from the
    provider straight to this socket, in a task of its own so that `cancel` can stop it
    (which closes the request to the language model), its tokens joined into fewer frames
    (`chat.streaming`). Every refusal and failure reaches
    the client as an `error` message, in the language of its pages (`_replying`).
    """

    # Answers stream straight from the provider: no channel-layer subscription, so no Redis
    # connection held per open chat.
    channel_layer_alias = "chat-uses-no-channel-layer"
    answering: asyncio.Task | None = None
    closed = False
    language = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        if not signed_in(self.scope):
            await self.close(code=4401)
            return
        self.language = language_of(self.scope)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        self.closed = True
        if self.answering is not None:
            self.answering.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        async with self._replying() as reply:
            content = decoded(text_data)
            if not isinstance(content, dict):
                raise InvalidMessage(_("Message inconnu."))
            reply.request_id = content.get("id")
            kind = content.get("type")
            if kind == "ask":
                await self._ask(content, reply.request_id)
            elif kind == "cancel":
                if self.answering is not None:
                    self.answering.cancel()
            elif kind == "ping":
                await self.send_json({"type": "pong", "id": reply.request_id})
            else:
                raise InvalidMessage(_("Message inconnu."))

    async def _ask(self, content: dict, request_id: object) -> None:
        if self.answering is not None and not self.answering.done():
            raise Busy()
        question, category, conversation = (
            content.get("question"),
            content.get("category"),
            content.get("conversation"),
        )
        if (
            not isinstance(question, str)
            or not isinstance(category, str | None)
            # JSON's true is a Python int: it is no conversation id.
            or isinstance(conversation, bool)
            or not isinstance(conversation, int | None)
        ):
            raise InvalidMessage(_("Question mal formée."))
        await in_thread(check_question_rate, user_id=self.scope["user"].pk)
        self.answering = asyncio.create_task(
            self._answer(request_id, question, category or None, conversation)
        )

    async def _answer(
        self, request_id: object, question: str, category: str | None, conversation: int | None
    ) -> None:
        async with self._replying(request_id):
            events = TokenFrames(
                answer_question(
                    user_id=self.scope["user"].pk,
                    question=question,
                    category_slug=category,
                    conversation_id=conversation,
                ),
                window=settings.CHAT_TOKEN_FLUSH_MS / 1000,
            )
            try:
                async for event in events:
                    await self._send(request_id, event_message(event))
            except asyncio.CancelledError:
                for held in await events.aclose():
                    await self._send(request_id, event_message(held))
                await self._send(request_id, {"type": "cancelled"})

    @contextlib.asynccontextmanager
    async def _replying(self, request_id: object = None) -> AsyncIterator[_Reply]:
        """Handle a message in the client's language; a refusal or a failure becomes an
        `error` message for `reply.request_id`: the one place where errors meet the socket."""
        reply = _Reply(request_id)
        with translation.override(self.language):
            try:
                yield reply
            except UserError as error:
                await self._send(reply.request_id, error_message(error.code, error.message))
            except Exception:
                logger.exception("Answering a websocket message failed.")
                await self._send(reply.request_id, error_message("internal", str(UNEXPECTED)))

    async def _send(self, request_id: object, message: dict) -> None:
        if self.closed:
            return
        await self.send_json({**message, "id": request_id})
