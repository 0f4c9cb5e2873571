from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from backoffice.consumers import DocumentProgressConsumer
from documents.models import Document
from documents.progress import publish_progress


def communicator_for(user: User) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        DocumentProgressConsumer.as_asgi(), "/ws/backoffice/progress/"
    )
    communicator.scope["user"] = user
    return communicator


async def test_staff_receive_live_indexing_progress(redis_channel_layer):
    communicator = communicator_for(User(username="admin", is_staff=True))
    connected, _ = await communicator.connect()
    assert connected
    document = Document(pk=7, category_id=3)
    await sync_to_async(publish_progress)(
        document, status=Document.Status.PROCESSING, progress=40, chunks=12
    )
    message = await communicator.receive_json_from(timeout=5)
    assert message == {
        "document": 7,
        "category": 3,
        "status": "processing",
        "progress": 40,
        "chunks": 12,
        "error": "",
        "near_duplicate": None,
    }
    await communicator.disconnect()


async def test_non_staff_users_are_refused():
    connected, code = await communicator_for(User(username="agent")).connect()
    assert not connected and code == 4403
