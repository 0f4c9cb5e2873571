"""The load: searchers, chatters and uploaders, each a loop that stops at a deadline.

Every request is recorded with its kind and duration; anything but a 2xx answer, or a
question that does not end with `done`, is an error with its detail. Uploaded documents are
followed to their end (indexed or failed) by the uploader that sent them, one at a time, as
a person watching the upload page would.
"""

import asyncio
import json
import random
import string
import time
from collections import defaultdict
from collections.abc import Awaitable
from dataclasses import dataclass, field

import httpx
from fpdf import FPDF
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from testing.sample_corpus import SENTENCES, TOPICS

REQUEST_TIMEOUT = 30.0
ANSWER_TIMEOUT = 60.0  # from the question to `done`
POLL_INTERVAL = 0.5
QUESTIONS_PER_CONNECTION = 10  # then the chatter reconnects: opening and closing is exercised
DESIGNED_TO_FAIL_EVERY = 5  # one upload in five (the 2nd, 7th…) is not a readable document
SUBJECTS = [subject for subjects in TOPICS.values() for subject in subjects]
QUESTION_SHAPES = [
    "Quel est le délai pour {s} ?",
    "Qui contacter à propos de {s} ?",
    "Comment faire une demande de {s} ?",
    "{s} : quels justificatifs ?",
    "Quelles sont les règles de {s} depuis 2024 ?",
]


@dataclass(frozen=True)
class Target:
    """The running deployment, and who the load acts as."""

    base_url: str
    token: str  # API token of the administrator
    session: str  # session cookie of the same administrator (pages, websocket)
    category: str  # slug of the seeded category: searches and questions
    upload_category: str  # slug of the category uploads go to

    @property
    def websocket_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + "/ws/chat/"

    def chat_websocket(self, **options) -> connect:
        """The chat's websocket, opened as the signed-in administrator from the site's own
        origin; `options` go to `websockets`' `connect`."""
        return connect(
            self.websocket_url,
            origin=self.base_url,
            additional_headers={"Cookie": f"sessionid={self.session}"},
            **options,
        )


class Recorder:
    """Durations of the successful requests and details of the failed ones, per kind."""

    def __init__(self) -> None:
        self.durations: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    def succeeded(self, kind: str, seconds: float) -> None:
        self.durations[kind].append(seconds * 1000)

    def failed(self, kind: str, detail: str) -> None:
        self.errors[kind].append(detail)

    @property
    def error_count(self) -> int:
        return sum(len(details) for details in self.errors.values())


@dataclass
class UploadedDocument:
    id: int
    filename: str
    marker: str  # a made-up word found in this document only
    designed_to_fail: bool
    uploaded_at: float
    status: str = "pending"
    error_message: str = ""
    finished_after: float | None = None  # seconds from the upload to indexed or failed
    findable: bool | None = None  # whether a search for its marker finds it (once indexed)

    @property
    def finished(self) -> bool:
        return self.status in ("indexed", "failed")


@dataclass
class Load:
    searchers: int
    chatters: int
    uploaders: int
    recorder: Recorder = field(default_factory=Recorder)
    documents: list[UploadedDocument] = field(default_factory=list)


def question(rng: random.Random) -> str:
    return rng.choice(QUESTION_SHAPES).format(s=rng.choice(SUBJECTS))


async def timed_get(
    client: httpx.AsyncClient, kind: str, recorder: Recorder, url: str, **params
) -> httpx.Response | None:
    """GET `url`; a 2xx is recorded with its duration, anything else as an error."""
    return await _timed(client.get(url, params=params), kind, recorder, url)


async def _timed(
    request: Awaitable[httpx.Response], kind: str, recorder: Recorder, what: str
) -> httpx.Response | None:
    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as error:
        recorder.failed(kind, f"{what}: {error!r}")
        return None
    if not response.is_success:
        recorder.failed(kind, f"{what}: HTTP {response.status_code} {response.text[:300]!r}")
        return None
    recorder.succeeded(kind, time.perf_counter() - started)
    return response


# --- Searchers: the API with the token, and the search page with the session, in turn ------


async def search_until(deadline: float, target: Target, recorder: Recorder, seed: int) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {target.token}"}
    async with (
        httpx.AsyncClient(
            base_url=target.base_url, headers=headers, timeout=REQUEST_TIMEOUT
        ) as api,
        httpx.AsyncClient(
            base_url=target.base_url,
            cookies={"sessionid": target.session},
            timeout=REQUEST_TIMEOUT,
        ) as pages,
    ):
        turn = 0
        while time.monotonic() < deadline:
            turn += 1
            if turn % 2:
                await search_api(api, target, recorder, question(rng))
            else:
                await search_page(pages, target, recorder, question(rng))


async def search_api(
    client: httpx.AsyncClient, target: Target, recorder: Recorder, text: str
) -> None:
    response = await timed_get(
        client, "search API", recorder, "/api/search", q=text, category=target.category
    )
    if response is not None and not response.json().get("results"):
        # Every question is about a subject of the seeded corpus: none found is a fault.
        recorder.failed("search API", f"no passage for {text!r}")


async def search_page(
    client: httpx.AsyncClient, target: Target, recorder: Recorder, text: str
) -> None:
    response = await timed_get(
        client, "search page", recorder, "/chat/search/", q=text, category=target.category
    )
    if response is not None and "/login/" in str(response.url):
        recorder.failed("search page", "sent to the login page: the session was lost")


# --- Chatters: one websocket, a few questions in turn, then a new websocket -----------------


async def chat_until(deadline: float, target: Target, recorder: Recorder, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        await chat_on_one_connection(deadline, target, recorder, rng)


async def chat_on_one_connection(
    deadline: float,
    target: Target,
    recorder: Recorder,
    rng: random.Random,
    *,
    questions: int = QUESTIONS_PER_CONNECTION,
) -> None:
    try:
        async with target.chat_websocket(open_timeout=REQUEST_TIMEOUT) as websocket:
            for number in range(questions):
                if time.monotonic() >= deadline:
                    break
                if not await ask(websocket, target, recorder, question(rng), request_id=number):
                    break
    except (OSError, TimeoutError, WebSocketException) as error:
        recorder.failed("chat", f"websocket: {error!r}")
        await asyncio.sleep(1)  # a server refusing connections is not hammered


async def ask(
    websocket: ClientConnection,
    target: Target,
    recorder: Recorder,
    text: str,
    *,
    request_id: int,
) -> bool:
    """One question, read to its end: `sources`, `token`*, then `done`, all with its id.

    False when the connection is no longer usable (an answer that never ended, or one
    mixed with another's): the chatter then opens a new one.
    """
    started = time.perf_counter()
    message = {"type": "ask", "id": request_id, "question": text, "category": target.category}
    await websocket.send(json.dumps(message))
    kinds = []
    try:
        async with asyncio.timeout(ANSWER_TIMEOUT):
            while True:
                reply = json.loads(await websocket.recv())
                kinds.append(reply["type"])
                if reply.get("id") != request_id:
                    recorder.failed("chat", f"{text!r}: a message for id {reply.get('id')!r}")
                    return False
                if reply["type"] == "token" and kinds.count("token") == 1:
                    recorder.succeeded("chat first token", time.perf_counter() - started)
                if reply["type"] in ("done", "error"):
                    break
    except TimeoutError:
        recorder.failed("chat", f"{text!r}: no `done` within {ANSWER_TIMEOUT:.0f} s ({kinds})")
        return False
    if reply["type"] == "error":
        recorder.failed("chat", f"{text!r}: error {reply.get('code')}: {reply.get('message')}")
    elif kinds[0] != "sources" or not reply.get("answer"):
        recorder.failed("chat", f"{text!r}: ended with `done` but {kinds[:3]}…, no answer")
    else:
        recorder.succeeded("chat", time.perf_counter() - started)
    return True


# --- Uploaders: one document at a time, followed until it is indexed or failed --------------


async def upload_until(
    deadline: float,
    drain_deadline: float,
    target: Target,
    load: Load,
    seed: int,
) -> None:
    rng = random.Random(seed)
    headers = {"Authorization": f"Token {target.token}"}
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=headers, timeout=REQUEST_TIMEOUT
    ) as client:
        number = 0
        while time.monotonic() < deadline:
            number += 1
            document = await upload(
                client,
                target,
                load.recorder,
                load.documents,
                rng,
                designed_to_fail=number % DESIGNED_TO_FAIL_EVERY == 2,
            )
            if document is None:
                await asyncio.sleep(1)
                continue
            await follow(client, document, load.recorder, until=drain_deadline)


async def upload(
    client: httpx.AsyncClient,
    target: Target,
    recorder: Recorder,
    documents: list[UploadedDocument],
    rng: random.Random,
    *,
    designed_to_fail: bool,
) -> UploadedDocument | None:
    marker = "soak" + "".join(rng.choices(string.ascii_lowercase, k=12))
    # A broken file still looks like a PDF from its first bytes, or the upload refuses it
    # (documents.filetypes): it must reach the worker, and fail there with a reason.
    filename, content = (
        (f"casse-{marker}.pdf", b"%PDF-1.7\n" + rng.randbytes(4096))
        if designed_to_fail
        else sample_document(rng, marker)
    )
    response = await _timed(
        client.post(
            "/api/documents/",
            data={"category": target.upload_category},
            files={"file": (filename, content)},
        ),
        "upload",
        recorder,
        f"upload {filename}",
    )
    if response is None:
        return None
    created = response.json()["created"]
    if len(created) != 1:
        recorder.failed("upload", f"{filename}: {response.json()}")
        return None
    document = UploadedDocument(
        id=created[0]["id"],
        filename=filename,
        marker=marker,
        designed_to_fail=designed_to_fail,
        uploaded_at=time.monotonic(),
    )
    documents.append(document)
    return document


async def follow(
    client: httpx.AsyncClient, document: UploadedDocument, recorder: Recorder, *, until: float
) -> None:
    """Poll the document until it is indexed or failed, or `until` passes (then it is lost)."""
    while time.monotonic() < until:
        response = await timed_get(
            client, "document poll", recorder, f"/api/documents/{document.id}/"
        )
        if response is not None:
            body = response.json()
            document.status, document.error_message = body["status"], body["error_message"]
            if document.finished:
                document.finished_after = time.monotonic() - document.uploaded_at
                recorder.succeeded("indexing (upload to end)", document.finished_after)
                return
        await asyncio.sleep(POLL_INTERVAL)


def sample_document(rng: random.Random, marker: str) -> tuple[str, bytes]:
    """A short French document carrying `marker`, as TXT, Markdown, HTML or PDF."""
    subject = rng.choice(SUBJECTS)
    paragraphs = [
        " ".join(
            rng.choice(SENTENCES).format(
                sujet=subject, n=rng.randint(2, 60), annee=rng.randint(2015, 2026)
            )
            for _ in range(rng.randint(3, 6))
        )
        for _ in range(rng.randint(2, 5))
    ]
    paragraphs.append(f"Référence du dépôt : {marker}.")
    title = f"Note {subject} {marker}"
    kind = rng.choice(["txt", "md", "html", "pdf"])
    if kind == "md":
        body = "\n\n".join([f"# {title}", *paragraphs])
    elif kind == "html":
        body = (
            f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
            + "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
            + "</body></html>"
        )
    elif kind == "pdf":
        return f"{marker}.pdf", _pdf(title, paragraphs)
    else:
        body = "\n\n".join([title, *paragraphs])
    return f"{marker}.{kind}", body.encode()


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    document = FPDF()
    document.set_font("Helvetica", size=11)
    document.add_page()
    document.multi_cell(0, 6, title + "\n\n" + "\n\n".join(paragraphs))
    return bytes(document.output())


async def check_findable(
    target: Target, documents: list[UploadedDocument], recorder: Recorder
) -> None:
    """Search each indexed document's marker: an indexed document nobody can find is lost."""
    headers = {"Authorization": f"Token {target.token}"}
    async with httpx.AsyncClient(
        base_url=target.base_url, headers=headers, timeout=REQUEST_TIMEOUT
    ) as client:
        for document in documents:
            if document.status != "indexed":
                continue
            response = await timed_get(
                client,
                "upload found by search",
                recorder,
                "/api/search",
                q=document.marker,
                category=target.upload_category,
                mode="bm25",
                limit=5,
            )
            if response is not None:
                found = {result["document_id"] for result in response.json()["results"]}
                document.findable = document.id in found


async def run_load(load: Load, target: Target, *, seconds: float, drain_seconds: float) -> None:
    """Every searcher, chatter and uploader at once for `seconds`; the uploads then have
    `drain_seconds` more to finish."""
    deadline = time.monotonic() + seconds
    drain_deadline = deadline + drain_seconds
    recorder = load.recorder
    await asyncio.gather(
        *(
            _guarded("search", search_until(deadline, target, recorder, seed), recorder)
            for seed in range(load.searchers)
        ),
        *(
            _guarded("chat", chat_until(deadline, target, recorder, 1000 + seed), recorder)
            for seed in range(load.chatters)
        ),
        *(
            _guarded(
                "upload",
                upload_until(deadline, drain_deadline, target, load, 2000 + seed),
                recorder,
            )
            for seed in range(load.uploaders)
        ),
    )


async def _guarded(kind: str, work: Awaitable[None], recorder: Recorder) -> None:
    """Run `work`; anything unforeseen it raises (a reply that is not JSON, a message
    without a type) is an error of `kind`, and stops only that searcher, chatter or
    uploader."""
    try:
        await work
    except Exception as error:
        recorder.failed(kind, f"stopped by {error!r}")


async def warm_up(load: Load, target: Target, *, drain_seconds: float) -> None:
    """One of each, before the measures: the server loads its models, opens its stores.

    Their durations are left out; their errors count, and so does the uploaded document.
    """
    recorder = Recorder()
    headers = {"Authorization": f"Token {target.token}"}
    async with (
        httpx.AsyncClient(base_url=target.base_url, headers=headers, timeout=120) as api,
        httpx.AsyncClient(
            base_url=target.base_url, cookies={"sessionid": target.session}, timeout=120
        ) as pages,
    ):
        await search_api(api, target, recorder, question(random.Random(0)))
        await search_page(pages, target, recorder, question(random.Random(1)))
        await chat_on_one_connection(
            time.monotonic() + ANSWER_TIMEOUT, target, recorder, random.Random(3), questions=1
        )
        document = await upload(
            api, target, recorder, load.documents, random.Random(2), designed_to_fail=False
        )
        if document is not None:
            await follow(api, document, recorder, until=time.monotonic() + drain_seconds)
    for kind, details in recorder.errors.items():
        load.recorder.errors[f"warm-up: {kind}"].extend(details)
