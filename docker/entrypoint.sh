#!/bin/sh
# Container entrypoint for the Cassandre image: prepares the web role, then
# runs the given command (daphne by default, celery for the worker).
set -e

# The web role: the image's daphne, or the dev profile's autoreloading
# `python manage.py runserver` (docker-compose.yml).
case "$1 $2 $3" in
    "daphne "* | "python manage.py runserver")
        # Only the web role migrates and provisions, so scaling workers can never
        # race a migration. All three commands are idempotent.
        python manage.py migrate --noinput
        python manage.py ensure_services
        python manage.py create_superuser
        ;;
esac

# exec: the server becomes PID 1 and receives docker's stop signal directly.
exec "$@"
