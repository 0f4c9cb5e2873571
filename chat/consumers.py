from channels.generic.websocket import AsyncJsonWebsocketConsumer


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
