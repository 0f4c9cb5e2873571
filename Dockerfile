# ---------------------------------------------------------------------------
# Stage "css": build the Tailwind stylesheet and copy PDF.js (`npm run build`). Node stays
# out of the runtime. Node 24: pdfjs-dist asks for 22.13 or later.
# ---------------------------------------------------------------------------
FROM node:24-slim AS css
WORKDIR /app

# Lockfile first, so dependencies are only reinstalled when they change.
COPY theme/static_src/package.json theme/static_src/package-lock.json theme/static_src/
RUN cd theme/static_src && npm ci

# Tailwind scans templates across the project (via the top-level
# tailwind.config.js), so it needs the whole source, not just theme/.
COPY . .
RUN cd theme/static_src && npm run build

# ---------------------------------------------------------------------------
# Stage "runtime": the Django app (daphne for web, celery for the worker).
# ---------------------------------------------------------------------------
FROM python:3.11-slim AS runtime

# The production settings unless the operator says otherwise (the compose dev profile
# does): a container started as documented never runs with DEBUG on.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CASSANDRE_DATA_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=cassandre.prod_settings

# Runtime system packages only: tesseract reads scanned PDFs (French and English).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Requirements first: the dependency layer survives source-only changes.
COPY requirements/ requirements/
RUN pip install -r requirements/prod.txt

COPY . .
COPY --from=css /app/theme/static/css/dist/ /app/theme/static/css/dist/
COPY --from=css /app/theme/static/pdfjs/ /app/theme/static/pdfjs/

# collectstatic with cassandre.build_settings: no service needed, prod's hashed static
# names. SECRET_KEY is set for this command only, so no key is generated into the image.
RUN SECRET_KEY=collectstatic-build-only DJANGO_SETTINGS_MODULE=cassandre.build_settings \
    python manage.py collectstatic --noinput \
    && chmod 0755 /app/docker/entrypoint.sh \
    && groupadd --system --gid 10001 cassandre \
    && useradd --system --uid 10001 --gid cassandre --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cassandre \
    && mkdir -p /app/var \
    && chown -R cassandre:cassandre /app/var

USER cassandre

EXPOSE 8000

# Generous start period: the web entrypoint runs migrations first.
# urlopen raises on any non-2xx (e.g. 503), which fails the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

ENTRYPOINT ["/app/docker/entrypoint.sh"]
# --proxy-headers: client addresses from nginx's X-Forwarded-For. No access log here: it
# would hold full URLs, and a search URL holds the question; nginx logs without them.
CMD ["daphne", "--proxy-headers", "--access-log", "/dev/null", "-b", "0.0.0.0", "-p", "8000", \
     "cassandre.asgi:application"]
