"""A scratch Cassandre for the soak: built in a temporary folder, served on 127.0.0.1.

Embedded (the default): SQLite, the in-process Celery worker, the in-memory channel layer,
local files and Qdrant Edge, all inside the one `manage.py serve` process.

Real services: a scratch PostgreSQL database, Redis for the broker, the channel layer and
the cache, and a separate `celery worker` process. Qdrant Edge opens a store in one process
only and no Qdrant server can be installed here, so unless a Qdrant server is given
(`qdrant_url`) the worker writes its vectors to a store of its own: its uploads are indexed
but only the seeded corpus is searchable from the web process.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.soak.load import Target
from bench.soak.memory import Trace
from testing.openai_server import FakeOpenAIServer
from testing.processes import BASE_DIR, SETUP_TIMEOUT, SetupFailed, manage
from testing.sample_corpus import write_sample_corpus

USERNAME = "soak-admin"
PASSWORD = "soak-password-not-secret"  # a throwaway deployment, deleted at the end
MODEL_KEY = "soak-model-key"
SEED_CATEGORY = "Soak corpus"
UPLOAD_CATEGORY = "Soak uploads"
# Passed through to the deployment: OpenBLAS needs them on some processors (see the docs).
PASSED_THROUGH = ("PATH", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "LANG", "LC_ALL")
# One Django start instead of four: migrate, the administrator, their API token, the categories.
PREPARE = """
import json
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from documents.models import Category
call_command("migrate", interactive=False, verbosity=0)
call_command("create_superuser")
token, _ = Token.objects.get_or_create(user=get_user_model().objects.get(username={username!r}))
seeded, _ = Category.objects.get_or_create(name={seed!r})
uploads, _ = Category.objects.get_or_create(name={uploads!r})
print(json.dumps({{"token": token.key, "category": seeded.slug, "uploads": uploads.slug}}))
"""


@dataclass(frozen=True)
class DeploymentOptions:
    real_services: bool = False
    # 0: nothing seeded, as when a deployment is served again on the data folder it left.
    seed_documents: int = 30
    # Answers: None for the extractive default, else the fake model's delays in seconds.
    model_delays: tuple[float, float] | None = (0.05, 0.005)
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_user: str = "postgres"
    redis_url: str = "redis://127.0.0.1:6379"
    # Redis databases of the broker and of the channel layer and cache: not the test suite's
    # (15, 14), so that no other worker on this Redis takes the soak's tasks.
    redis_databases: tuple[int, int] = (12, 13)
    qdrant_url: str = ""
    # Variables set last, over the soak's own: to soak another setting (NAME, value).
    extra_env: tuple[tuple[str, str], ...] = ()
    # The checkout whose code is served: another one (an earlier commit's worktree) to
    # measure it beside this one, with this one's Python and packages.
    code_dir: Path = BASE_DIR


class Deployment:
    """Context manager: builds, seeds and serves Cassandre in `folder`; stops it all after."""

    def __init__(
        self, options: DeploymentOptions, folder: Path, *, say: Callable[[str], None] = print
    ) -> None:
        self.options = options
        self.folder = folder
        self.say = say
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.model: FakeOpenAIServer | None = None
        self.server: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.database = f"soak_cassandre_{os.getpid()}"
        self.secret_key = secrets.token_urlsafe(50)
        self.target: Target | None = None
        self._database_created = False
        self._redis_clean: list[int] = []

    # --- what the report reads ---------------------------------------------------------

    @property
    def mode(self) -> str:
        if not self.options.real_services:
            return "embedded (SQLite, in-process worker, in-memory channels, Qdrant Edge)"
        store = "Qdrant server" if self.options.qdrant_url else "Qdrant Edge per process"
        return f"real services (PostgreSQL, Redis, separate Celery worker, {store})"

    @property
    def model_name(self) -> str:
        if self.options.model_delays is None:
            return "extractive (no language model)"
        first, step = self.options.model_delays
        return (
            f"fake OpenAI-compatible server, streamed (first token {first * 1000:.0f} ms, "
            f"then one every {step * 1000:.0f} ms)"
        )

    @property
    def uploads_searchable(self) -> bool:
        """Whether the web process searches the store the worker writes to."""
        return not self.options.real_services or bool(self.options.qdrant_url)

    def traces(self) -> list[Trace]:
        traces = [Trace("server", self.server.pid)]
        if self.worker is not None:
            traces.append(Trace("worker", self.worker.pid))
        return traces

    def log_tail(self, characters: int = 3000) -> str:
        tails = []
        for name in ("serve.log", "worker.log"):
            path = self.folder / name
            if path.exists():
                tails.append(
                    f"--- {name} (end) ---\n{path.read_text(errors='replace')[-characters:]}"
                )
        return "\n".join(tails)

    # --- building and stopping ---------------------------------------------------------

    def __enter__(self) -> "Deployment":
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        for process in (self.server, self.worker):
            if process is not None:
                _stop(process)
        if self.model is not None:
            self.model.stop()
        if self._database_created:
            self._drop_database()
        self._clean_redis()

    def _start(self) -> None:
        started = time.monotonic()
        if self.options.model_delays is not None:
            self.model = FakeOpenAIServer(api_key=MODEL_KEY).start()
            self.model.first_token_delay, self.model.token_delay = self.options.model_delays
        env = self._env(self.folder / "data")
        if self.options.real_services:
            self._create_database()
            self._claim_redis()
        script = PREPARE.format(username=USERNAME, seed=SEED_CATEGORY, uploads=UPLOAD_CATEGORY)
        accounts = json.loads(
            manage("shell", "-c", script, env=env, code_dir=self.options.code_dir).splitlines()[-1]
        )
        if self.options.seed_documents:
            self._seed(env)
            self.say(
                f"Deployment seeded with {self.options.seed_documents} documents in "
                f"{time.monotonic() - started:.0f} s."
            )
        if self.options.real_services:
            self.worker = self._start_worker(env)
        self.server = _start(
            [sys.executable, "manage.py", "serve", "--port", str(self.port)],
            env=env,
            log=self.folder / "serve.log",
            code_dir=self.options.code_dir,
        )
        self._wait_until_healthy()
        self.target = Target(
            base_url=self.base_url,
            token=accounts["token"],
            session=self._log_in(),
            category=accounts["category"],
            upload_category=accounts["uploads"],
        )

    def _seed(self, env: dict[str, str]) -> None:
        corpus = self.folder / "corpus"
        write_sample_corpus(corpus, count=self.options.seed_documents, broken_share=0)
        # The seeding command runs its own worker on the memory broker, in both modes: it
        # writes into the store the web process then opens.
        seeding_env = {**env, "CELERY_BROKER_URL": "memory://localhost/"}
        manage(
            "index_documents",
            str(corpus),
            "--category",
            SEED_CATEGORY,
            "--strict",
            "--timeout",
            str(SETUP_TIMEOUT),
            env=seeding_env,
            code_dir=self.options.code_dir,
        )

    def _env(self, data_dir: Path) -> dict[str, str]:
        # STATIC_ROOT: whitenoise warns in the log when it is missing.
        (data_dir / "static").mkdir(parents=True, exist_ok=True)
        env = {name: os.environ[name] for name in PASSED_THROUGH if name in os.environ}
        env |= {
            "HOME": str(self.folder),
            "DJANGO_SETTINGS_MODULE": "cassandre.dev_settings",
            "CASSANDRE_DATA_DIR": str(data_dir),
            "SECRET_KEY": self.secret_key,
            # As in production: with DEBUG on, Django keeps each connection's last 9,000
            # queries in memory, a growth the soak would report as a leak.
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            # The soak asks, searches and uploads faster than people: no limit.
            "RATE_LIMIT_QUESTIONS": "0/60",
            "RATE_LIMIT_SEARCHES": "0/60",
            "RATE_LIMIT_UPLOADS": "0/60",
            "DJANGO_SUPERUSER_USERNAME": USERNAME,
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        }
        if self.model is not None:
            env |= {
                "LLM_PROVIDER": "compatible",
                "LLM_API_BASE": self.model.base_url,
                "LLM_API_KEY": MODEL_KEY,
                "LLM_MODEL": "soak-model",
            }
        if self.options.real_services:
            broker, channels = self.options.redis_databases
            env |= {
                "DB_HOST": self.options.postgres_host,
                "DB_PORT": str(self.options.postgres_port),
                "DB_USER": self.options.postgres_user,
                "DB_NAME": self.database,
                "CELERY_BROKER_URL": f"{self.options.redis_url}/{broker}",
                "CHANNEL_REDIS": f"{self.options.redis_url}/{channels}",
            }
            if self.options.qdrant_url:
                env["QDRANT_URL"] = self.options.qdrant_url
            else:
                env["EDGE_STORE_PER_PROCESS"] = "true"
        return env | dict(self.options.extra_env)

    def _start_worker(self, env: dict[str, str]) -> subprocess.Popen:
        worker_env = env
        if not self.options.qdrant_url:
            # Its own data folder, hence its own Qdrant Edge store, but the same files.
            worker_data = self.folder / "worker-data"
            worker_env = self._env(worker_data)
            (worker_data / "media").symlink_to(Path(env["CASSANDRE_DATA_DIR"]) / "media")
        # One task at a time in the worker process itself (no prefork children), so that
        # its VmRSS is the whole worker's memory.
        return _start(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "cassandre",
                "worker",
                "--pool=solo",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=worker_env,
            log=self.folder / "worker.log",
            code_dir=self.options.code_dir,
        )

    def _wait_until_healthy(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise SetupFailed(f"manage.py serve exited.\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise SetupFailed(f"/healthz did not answer 200 within {timeout} s.\n{self.log_tail()}")

    def _log_in(self) -> str:
        """The administrator's session cookie, through the admin's login form."""
        with httpx.Client(base_url=self.base_url, timeout=30) as client:
            form = client.get("/admin/login/")
            csrf = form.text.split('name="csrfmiddlewaretoken" value="', 1)[-1].split('"', 1)[0]
            response = client.post(
                "/admin/login/",
                data={
                    "csrfmiddlewaretoken": csrf,
                    "username": USERNAME,
                    "password": PASSWORD,
                    "next": "/admin/",
                },
            )
            session = client.cookies.get("sessionid")
        if response.status_code != 302 or not session:
            raise SetupFailed(f"Logging in failed (HTTP {response.status_code}).")
        return session

    # --- PostgreSQL and Redis: a scratch database, and two Redis databases left clean ----

    def _postgres(self):
        import psycopg

        return psycopg.connect(
            host=self.options.postgres_host,
            port=self.options.postgres_port,
            user=self.options.postgres_user,
            dbname="postgres",
            connect_timeout=5,
            autocommit=True,
        )

    def _create_database(self) -> None:
        connection = self._postgres()
        try:
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{self.database}"')
            self._database_created = True
        finally:
            connection.close()

    def _drop_database(self) -> None:
        try:
            connection = self._postgres()
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            connection.close()
        except Exception as error:  # a failed clean-up must not hide the soak's outcome
            self.say(f"Could not drop the scratch database {self.database}: {error!r}")

    def _claim_redis(self) -> None:
        """Refuse Redis databases in use: their other users' tasks or keys would mix in."""
        import redis

        for number in self.options.redis_databases:
            client = redis.Redis.from_url(f"{self.options.redis_url}/{number}")
            if client.dbsize():
                raise SetupFailed(
                    f"Redis database {number} is not empty: another program uses it. "
                    "Choose free ones with --redis-databases."
                )
            self._redis_clean.append(number)

    def _clean_redis(self) -> None:
        import redis

        for number in self._redis_clean:
            redis.Redis.from_url(f"{self.options.redis_url}/{number}").flushdb()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(
    argv: list[str], *, env: dict[str, str], log: Path, code_dir: Path = BASE_DIR
) -> subprocess.Popen:
    with log.open("wb") as output:
        return subprocess.Popen(
            argv, cwd=code_dir, env=env, stdout=output, stderr=subprocess.STDOUT
        )


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
