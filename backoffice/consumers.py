from channels.generic.websocket import AsyncJsonWebsocketConsumer

from documents.progress import PROGRESS_GROUP


class DocumentProgressConsumer(AsyncJsonWebsocketConsumer):
    """Streams indexing progress of every document to staff pages (live progress bars)."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_staff:
            await self.close(code=4403)
            return
        await self.channel_layer.group_add(PROGRESS_GROUP, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(PROGRESS_GROUP, self.channel_name)

    async def document_progress(self, event: dict) -> None:
        await self.send_json({key: value for key, value in event.items() if key != "type"})
