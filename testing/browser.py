"""A real Cassandre and Debian's chromium, for the browser tests (cassandre/tests/e2e/browser/).

The deployment is one `manage.py serve` process on 127.0.0.1, on a scratch PostgreSQL
database and a Redis channel layer (live progress and answers go over Redis, as in
production), with no broker: the Celery worker runs inside the served process, so uploads
are indexed into the same Qdrant Edge store the searches read (one process per store).
Answers come from the fake OpenAI-compatible server, streamed slowly enough to be watched.
The site itself has no language model (LLM_PROVIDER=extractive): each category that answers
with one names the fake as its own, so a question asked across every category is answered by
the model the categories use (README, « categories »).

Playwright's wheel ships its driver; the browser is always /usr/bin/chromium, never one
Playwright downloads (there is no network for that).
"""

import json
import os
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from testing.openai_server import FakeOpenAIServer
from testing.processes import manage
from testing.services import (
    BASE_DIR,
    free_port,
    python_command,
    require,
    start_process,
    stop_process,
    wait_until,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The narrowest screen the pages are made for.
NARROW_PHONE = {"width": 360, "height": 740}

USERNAME = "admin"
PASSWORD = "browser-password-not-secret"  # a throwaway deployment, dropped at the end
READER = "agent"
READER_PASSWORD = "agent-password-not-secret"  # a throwaway deployment, deleted at the end
MODEL_KEY = "browser-model-key"
# The name the categories' language model gives the fake in its requests.
CATEGORY_MODEL = "browser-category-model"
# Whom a user who reads no category is told to ask (ACCESS_CONTACT).
ACCESS_CONTACT = "le support informatique (poste 3000)"
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
REDIS_URL = "redis://127.0.0.1:6379"
# Not the suite's broker and channel databases (15, 14) nor the soak's (12, 13); two
# checkouts testing side by side give each its own (BROWSER_REDIS_DATABASE).
REDIS_DATABASE = int(os.environ.get("BROWSER_REDIS_DATABASE", "11"))
# The fake model's pace: slow enough that a test sees the answer grow while it streams.
FIRST_TOKEN_DELAY = 0.3
TOKEN_DELAY = 0.03
SETUP_TIMEOUT = 300
# Failed sign-ins allowed per address and per account in an hour: a window long enough that
# a test's few attempts fall in one.
SIGN_IN_ATTEMPTS = 5
# What the served process logs once its models are warm (ai/services.py).
MODELS_LOADED = "Models loaded."
# Passed through to the deployment: OpenBLAS needs them on some processors.
PASSED_THROUGH = ("PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")
# One Django start for migrate, the administrator, the categories (name -> their fields, and
# "extractive": True for one that answers without a language model, the others answering
# with the fake) and a reader without staff rights; prints the slugs.
PREPARE = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from ai.models import LanguageModel
from documents.models import Category
call_command("migrate", interactive=False, verbosity=0)
call_command("ensure_services", verbosity=0)
call_command("create_superuser")
slugs = {{}}
for name, fields in {categories!r}.items():
    fields = dict(fields)
    if fields.pop("extractive", False):
        fields["language_model"], _ = LanguageModel.objects.get_or_create(
            name="Extraits", kind=LanguageModel.Kind.EXTRACTIVE
        )
    else:
        fields["language_model"], _ = LanguageModel.objects.get_or_create(
            name="Modèle des catégories",
            kind=LanguageModel.Kind.COMPATIBLE,
            base_url={model_url!r},
            api_key={model_key!r},
            model={model_name!r},
            # A tariff (per million tokens) and an energy factor: the dashboard has costs to sum.
            price_per_million_input_tokens="2.5",
            price_per_million_output_tokens="10",
            energy_wh_per_thousand_tokens="0.3",
        )
    slugs[name] = Category.objects.create(name=name, **fields).slug
get_user_model().objects.create_user(username={reader!r}, password={reader_password!r})
print(json.dumps({{"slugs": slugs}}))
"""


@dataclass
class BrowserDeployment:
    url: str
    model: FakeOpenAIServer
    # Category name -> slug.
    categories: dict[str, str]
    # The scratch PostgreSQL database it serves.
    database: str


def require_browser_services() -> None:
    """Skip (or fail, when CI=true) unless PostgreSQL, Redis, chromium and Playwright are here."""
    require(_postgres_answers(), "PostgreSQL on 127.0.0.1:5432")
    require(_redis_answers(), "Redis on 127.0.0.1:6379")
    require(CHROMIUM.exists(), "Debian's chromium (/usr/bin/chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "The playwright package")


@contextmanager
def running_deployment(
    folder: Path, *, categories: dict[str, str], seed: dict[str, Path]
) -> Iterator[BrowserDeployment]:
    """Build, seed and serve a scratch Cassandre in `folder`; drop it all afterwards.

    `categories` maps each category's name to its fields (see PREPARE);
    `seed` maps a category name to a folder of files indexed before the server starts.
    """
    database = f"browser_cassandre_{os.getpid()}"
    model = FakeOpenAIServer(api_key=MODEL_KEY).start()
    model.first_token_delay, model.token_delay = FIRST_TOKEN_DELAY, TOKEN_DELAY
    env = _environment(folder / "data", database=database)
    _flush_redis()
    _create_database(database)
    process = None
    try:
        script = PREPARE.format(
            categories=categories,
            reader=READER,
            reader_password=READER_PASSWORD,
            model_url=model.base_url,
            model_key=MODEL_KEY,
            model_name=CATEGORY_MODEL,
        )
        prepared = json.loads(
            manage("shell", "-c", script, env=env, timeout=SETUP_TIMEOUT).splitlines()[-1]
        )
        # Indexed by the command's own worker on the memory broker, into the store the server
        # opens next.
        seeding_env = {**env, "CELERY_BROKER_URL": "memory://localhost/"}
        for category, files in seed.items():
            manage(
                "index_documents",
                str(files),
                "--category",
                category,
                "--strict",
                env=seeding_env,
                timeout=SETUP_TIMEOUT,
            )
        port = free_port()
        log = folder / "serve.log"
        process = start_process(
            python_command("manage.py", "serve", "--port", str(port)), env=env, log_path=log
        )
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: _healthy(url, process, log), timeout=120, what="manage.py serve")
        # The first question would otherwise wait for the embedding and NER models.
        wait_until(
            lambda: MODELS_LOADED in log.read_text(errors="replace"),
            timeout=120,
            what="the models' warm-up",
        )
        yield BrowserDeployment(
            url=url,
            model=model,
            categories=prepared["slugs"],
            database=database,
        )
    finally:
        if process is not None:
            stop_process(process)
        model.stop()
        _drop_database(database)
        _flush_redis()


def launch_chromium(playwright):
    """Debian's chromium, headless, through Playwright's bundled driver."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def log_in(page, base_url: str, *, username: str = USERNAME, password: str = PASSWORD) -> None:
    """Sign in through the site's login form, as a person would: it leads to the search page."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[data-testid=login-form] [type=submit]")
    page.wait_for_url(f"{base_url}/chat/search/")


def create_user(page, base_url: str, username: str, password: str) -> None:
    """Add a user without staff rights nor any grant, through the admin's form (`page` is
    signed in as the administrator)."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/admin/auth/user/add/")
    page.fill("#id_username", username)
    page.fill("#id_password1", password)
    page.fill("#id_password2", password)
    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()


@contextmanager
def categories_closed(deployment: BrowserDeployment) -> Iterator[None]:
    """Every category open to all signed-in users (or to everyone) made readable by its
    groups and users only for the block's length, then opened again as it was: the
    deployment is shared by the suite. Straight in the database, as no signal follows a
    category's access (its passages keep their category, not its visibility)."""
    with _postgres(deployment.database) as connection:
        closed = connection.execute(
            "UPDATE documents_category AS category SET visibility = 'groups'"
            " FROM documents_category AS before"
            " WHERE category.id = before.id AND before.visibility <> 'groups'"
            " RETURNING category.id, before.visibility"
        ).fetchall()
    try:
        yield
    finally:
        with _postgres(deployment.database) as connection:
            for category_id, visibility in closed:
                connection.execute(
                    "UPDATE documents_category SET visibility = %s WHERE id = %s",
                    (visibility, category_id),
                )


def forget_sign_in_failures(who: str = "*") -> None:
    """Drop the deployment's counts of failed sign-ins for `who` (« ip:127.0.0.1 »,
    « account:name »; all by default), kept in its Redis cache (`common.ratelimit`): every
    test signs in from the same address, which a test's guesses must not leave locked."""
    client = _redis()
    for key in client.scan_iter(match=f"*ratelimit:logins:{who}:*"):
        client.delete(key)


def print_page_errors(page) -> None:
    """Print the page's script errors as they happen: pytest shows them when a test fails."""

    def console(message) -> None:
        if message.type == "error":
            print(f"Console error on {page.url}: {message.text}")

    page.on("pageerror", lambda error: print(f"Script error on {page.url}: {error}"))
    page.on("console", console)


def record_policy_violations(page, violations: list[str]) -> None:
    """Append to `violations` what the page's Content-Security-Policy blocked: Chromium says
    so on the console (an inline script or handler, an eval, a connection elsewhere)."""

    def console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", console)


def ask(page, question: str):
    """Ask through the search page's form; returns the locator of the new exchange."""
    exchanges = page.get_by_test_id("exchange")
    before = exchanges.count()
    page.locator("#question").fill(question)
    page.get_by_test_id("ask-button").click()
    exchange = exchanges.nth(before)
    exchange.wait_for()
    return exchange


def screenshot_dir() -> Path:
    """Where the tests save their screenshots (CI keeps the folder as an artifact)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR") or BASE_DIR / "artifacts" / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(page, name: str, *, full_page: bool = True) -> Path:
    path = screenshot_dir() / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def _environment(data_dir: Path, *, database: str) -> dict[str, str]:
    # STATIC_ROOT: whitenoise warns in the log when it is missing.
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
    return env | {
        "HOME": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
        "CASSANDRE_DATA_DIR": str(data_dir),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "LOG_LEVEL": "INFO",
        "RATE_LIMIT_QUESTIONS": "0/60",
        "RATE_LIMIT_SEARCHES": "0/60",
        "RATE_LIMIT_UPLOADS": "0/60",
        "RATE_LIMIT_LOGINS": f"{SIGN_IN_ATTEMPTS}/3600",
        "DJANGO_SUPERUSER_USERNAME": USERNAME,
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        "DB_HOST": POSTGRES["host"],
        "DB_PORT": str(POSTGRES["port"]),
        "DB_USER": POSTGRES["user"],
        "DB_NAME": database,
        "CHANNEL_REDIS": f"{REDIS_URL}/{REDIS_DATABASE}",
        "LLM_PROVIDER": "extractive",
        "ACCESS_CONTACT": ACCESS_CONTACT,
    }


def _healthy(url: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(
            f"manage.py serve exited with status {process.returncode}:\n"
            + log.read_text(errors="replace")[-3000:]
        )
    try:
        return httpx.get(f"{url}/healthz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _postgres(database: str = "postgres"):
    import psycopg

    return psycopg.connect(**POSTGRES, dbname=database, connect_timeout=3, autocommit=True)


def _postgres_answers() -> bool:
    try:
        _postgres().close()
    except Exception:
        return False
    return True


def _create_database(name: str) -> None:
    with _postgres() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _drop_database(name: str) -> None:
    with _postgres() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _redis():
    import redis

    return redis.Redis.from_url(f"{REDIS_URL}/{REDIS_DATABASE}", socket_connect_timeout=3)


def _redis_answers() -> bool:
    try:
        return bool(_redis().ping())
    except Exception:
        return False


def _flush_redis() -> None:
    _redis().flushdb()
