"""The interface in English: the committed catalogue is complete, current and compiled, the
pages switch language by browser preference or by the switcher, French stays the default, and
dates are Paris time in either language.

When a test here fails after a change of wording, refresh the catalogue:
`python manage.py makemessages -l en ...` (README, "Languages"), translate, `compilemessages`.
"""

import ast
import io
import os
import re
import tokenize
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation.template import templatize

from chat.consumers import ChatConsumer
from chat.models import Exchange
from chat.tests.factories import ExchangeFactory
from chat.views import page_strings
from documents.tests.factories import CategoryFactory

CATALOGUE = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"
SEARCH_URL = reverse("chat:search")
# What makemessages is told to skip, plus what git ignores.
SKIPPED_FOLDERS = {"node_modules", "var", "artifacts", "static_src", "__pycache__"}
PYTHON_KEYWORDS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}
CONTEXT_KEYWORDS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}
TEMPLATE_CALLS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}

Key = tuple[str | None, str]


def po() -> polib.POFile:
    return polib.pofile(str(CATALOGUE / "django.po"))


def entries(catalogue: polib.POFile | polib.MOFile) -> dict[Key, object]:
    return {
        (entry.msgctxt, entry.msgid): (entry.msgstr, sorted(entry.msgstr_plural.items()))
        for entry in catalogue
        if entry.msgid and not entry.obsolete and "fuzzy" not in entry.flags
    }


def source_files(*suffixes: str) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(settings.BASE_DIR):
        subfolders[:] = [
            name for name in subfolders if not name.startswith(".") and name not in SKIPPED_FOLDERS
        ]
        for name in names:
            if name.endswith(suffixes):
                yield Path(folder) / name


def python_msgids(source: str) -> set[Key]:
    """The strings marked for translation in Python code, as xgettext finds them."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        texts = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if name in PYTHON_KEYWORDS and texts and isinstance(texts[0], str):
            found.add((None, texts[0]))
        elif name in CONTEXT_KEYWORDS and len(texts) > 1 and isinstance(texts[1], str):
            found.add((texts[0], texts[1]))
    return found


def template_msgids(source: str, origin: str) -> set[Key]:
    """The strings of {% translate %} and {% blocktranslate %}, through Django's own
    template-to-gettext conversion (what makemessages hands to xgettext)."""
    found = set()
    for line in templatize(source, origin=origin).splitlines():
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
        for at, token in enumerate(tokens):
            if token.type == tokenize.NAME and token.string in TEMPLATE_CALLS:
                strings = []
                for argument in tokens[at + 2 :]:
                    if argument.string == ")":
                        break
                    if argument.type == tokenize.STRING:
                        strings.append(ast.literal_eval(argument.string))
                context = strings.pop(0) if token.string.startswith(("p", "np")) else None
                found.add((context, strings[0]))
    return found


def used_msgids() -> set[Key]:
    used = set()
    for path in source_files(".py"):
        used |= python_msgids(path.read_text())
    for path in source_files(".html", ".txt"):
        used |= template_msgids(path.read_text(), origin=str(path))
    return used


def test_the_compiled_catalogue_is_the_po_file_compiled():
    compiled = polib.mofile(str(CATALOGUE / "django.mo"))

    assert entries(compiled) == entries(po()), "run `python manage.py compilemessages`"


def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete():
    catalogue = po()

    assert not catalogue.metadata_is_fuzzy
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []


@pytest.mark.parametrize(
    "placeholder", [r"%\(\w+\)s", r"\{\w+\}"], ids=["python-format", "brace-format"]
)
def test_translations_keep_the_placeholders_of_the_french(placeholder):
    for entry in po():
        translations = [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()
        for translation_ in translations:
            assert sorted(re.findall(placeholder, translation_)) == sorted(
                re.findall(placeholder, entry.msgid)
            ), entry.msgid


def test_every_string_marked_in_the_code_and_templates_is_in_the_catalogue():
    catalogue = {(entry.msgctxt, entry.msgid) for entry in po()}

    missing = used_msgids() - catalogue

    assert not missing, f"run `python manage.py makemessages -l en ...`: {sorted(missing)}"


def test_the_key_strings_of_the_interface_are_in_the_catalogue():
    with translation.override("en"):
        assert translation.gettext("Votre question") == "Your question"
        assert translation.gettext("Envoyer") == "Ask"
        assert translation.gettext("Tableau de bord") == "Dashboard"
        assert translation.gettext("Déposer des documents") == "Upload documents"
        assert translation.gettext("Cassandre rencontre un problème") == (
            "Cassandre has run into a problem"
        )


def test_the_search_page_scripts_texts_are_all_translated():
    with translation.override("fr"):
        french = page_strings()
    english = {entry.msgid: entry.msgstr for entry in po()}

    with translation.override("en"):
        assert page_strings() == {key: english[text] for key, text in french.items()}
        assert page_strings()["copy"] == "Copy the answer"


@pytest.fixture
def agent_client(client, django_user_model):
    """Signed in, reading one category: open to every signed-in user."""
    CategoryFactory()
    client.force_login(django_user_model.objects.create_user("agent", password="secret-agent-1"))
    return client


@pytest.mark.django_db
def test_the_search_page_is_in_french_by_default(agent_client):
    page = agent_client.get(SEARCH_URL).content.decode()

    assert '<html lang="fr">' in page
    assert "Votre question" in page and ">Envoyer<" in page
    assert '"you": "Vous"' in page


@pytest.mark.django_db
def test_a_browser_preferring_english_gets_the_search_page_in_english(agent_client):
    page = agent_client.get(SEARCH_URL, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()

    assert '<html lang="en">' in page
    assert "Your question" in page and ">Ask<" in page
    assert "Votre question" not in page
    assert '"you": "You"' in page and '"language": "en"' in page


@pytest.mark.django_db
def test_the_language_switcher_keeps_english_for_the_next_pages(agent_client):
    response = agent_client.post(
        reverse("set_language"), {"language": "en", "next": SEARCH_URL}, HTTP_REFERER=SEARCH_URL
    )
    assert response.status_code == 302 and response["Location"] == SEARCH_URL
    assert agent_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    page = agent_client.get(SEARCH_URL, HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Your question" in page and "Skip to content" in page


@pytest.mark.django_db
def test_dates_on_the_dashboard_are_paris_time_in_either_language(admin_client):
    asked = (timezone.now() - timedelta(days=2)).replace(hour=23, minute=30, second=0)
    exchange = ExchangeFactory(question="Où est la cantine ?", outcome=Exchange.Outcome.NO_ANSWER)
    Exchange.objects.filter(pk=exchange.pk).update(created_at=asked)
    in_paris = asked.astimezone(ZoneInfo("Europe/Paris"))

    french = admin_client.get(reverse("backoffice:dashboard")).content.decode()
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client.get(reverse("backoffice:dashboard")).content.decode()

    assert settings.TIME_ZONE == "Europe/Paris"
    for page in (french, english):
        assert f"{in_paris.day} " in page and in_paris.strftime("%H:%M") in page
        assert "23:30" not in page
    assert "(heure de Paris)" in french and "(Paris time)" in english
    assert "Dashboard" in english and "Tableau de bord" not in english
    assert "Questions sans réponse par jour : 1 question sans réponse sur la période" in french
    assert "Unanswered questions per day: 1 unanswered question over the period" in english


def test_the_error_page_follows_the_language():
    with translation.override("en"):
        english = render_to_string("500.html")
    with translation.override("fr"):
        french = render_to_string("500.html")

    assert '<html lang="en">' in english and "Cassandre has run into a problem" in english
    assert '<html lang="fr">' in french and "Cassandre rencontre un problème" in french


# --- Errors in the reader's language ----------------------------------------------------
# A person whose browser prefers English reads every refusal and failure in English: over
# the websocket (its handshake's Accept-Language or language cookie) and over the API.

ENGLISH = [(b"accept-language", b"en-GB,en;q=0.9")]


async def websocket_error(user, question: str = "Combien de jours de congés ?") -> dict:
    """The `error` answering one question asked from an English browser."""
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/", headers=ENGLISH)
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_json_to({"type": "ask", "id": 1, "question": question})
    while (message := await communicator.receive_json_from(timeout=15))["type"] != "error":
        assert message["type"] in {"sources", "token"}, message
    await communicator.disconnect()
    return message


@pytest.fixture
def staff(transactional_db, django_user_model):
    return django_user_model.objects.create_user("staff", password="secret-staff-1", is_staff=True)


@pytest.fixture
def dead_vector_store(settings):
    settings.QDRANT_URL = "http://127.0.0.1:9"
    settings.QDRANT_TIMEOUT = 1


async def test_a_refused_question_is_explained_in_english_on_the_websocket(staff):
    error = await websocket_error(staff, question="   ")

    assert (error["code"], error["message"]) == ("refused", "The question is empty.")


async def test_a_search_engine_down_is_explained_in_english_on_the_websocket(
    staff, dead_vector_store
):
    error = await websocket_error(staff)

    assert error["code"] == "search"
    assert error["message"].startswith("Searching the documents is unavailable for the moment.")


async def test_the_question_rate_limit_is_explained_in_english_on_the_websocket(staff, settings):
    settings.RATE_LIMIT_QUESTIONS = (1, 60)
    await websocket_error(staff, question="   ")

    error = await websocket_error(staff)

    assert error["code"] == "rate_limited"
    assert re.fullmatch(
        r"Too many questions in a short time\. Try again in \d+ seconds?\.", error["message"]
    )


@pytest.mark.django_db
def test_a_refused_question_is_explained_in_english_by_the_api(admin_client):
    response = admin_client.post(
        reverse("api_v1:answer", args=["nulle-part"]),
        {"question": "Combien de jours ?"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": "The category “nulle-part” does not exist.",
        "code": "refused",
    }


@pytest.mark.django_db
def test_a_search_engine_down_is_explained_in_english_by_the_api(admin_client, dead_vector_store):
    response = admin_client.get("/api/search", {"q": "congés"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 503
    assert response.json()["code"] == "search"
    assert response.json()["detail"].startswith("Searching the documents is unavailable")


@pytest.mark.django_db
def test_the_search_rate_limit_is_explained_in_english_by_the_api(admin_client, settings):
    settings.RATE_LIMIT_SEARCHES = (1, 60)
    admin_client.get("/api/search", {"q": "congés"}, HTTP_ACCEPT_LANGUAGE="en")

    response = admin_client.get("/api/search", {"q": "congés"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert response.json()["code"] == "rate_limited"
    assert response.json()["detail"].startswith("Too many searches in a short time.")


@pytest.mark.django_db
def test_a_refused_upload_is_explained_in_english_by_the_api(admin_client):
    category = CategoryFactory()
    program = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00" + bytes(200))

    response = admin_client.post(
        "/api/documents/",
        {"file": program, "category": category.slug},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    (rejected,) = response.json()["rejected"]
    assert rejected["file"] == "facture.pdf"
    assert rejected["detail"] == (
        "Its content (a Windows program) does not match the extension .pdf. "
        "Rename the file with the right extension, or upload the right file."
    )


# --- French plurals ----------------------------------------------------------------------

FRENCH = settings.BASE_DIR / "locale" / "fr" / "LC_MESSAGES"


def test_every_text_with_a_plural_is_in_the_french_catalogue_and_compiled():
    """French counts 0 in the singular, but a text missing from every French catalogue falls
    back to the English rule: locale/fr holds each plural text as it is written."""
    french = polib.pofile(str(FRENCH / "django.po"))
    plurals = {(entry.msgid, entry.msgid_plural) for entry in po() if entry.msgid_plural}
    assert {(entry.msgid, entry.msgid_plural) for entry in french} == plurals
    assert all(entry.msgstr_plural == {0: entry.msgid, 1: entry.msgid_plural} for entry in french)
    assert entries(polib.mofile(str(FRENCH / "django.mo"))) == entries(french)


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0 doublon"), (1, "1 doublon"), (2, "2 doublons")]
)
def test_french_counts_zero_in_the_singular(count, expected):
    with translation.override("fr"):
        text = translation.ngettext("%(counter)s doublon", "%(counter)s doublons", count)
    assert text % {"counter": count} == expected
