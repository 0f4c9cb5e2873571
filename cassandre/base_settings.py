"""Settings shared by every environment, all read from environment variables (12-factor).

A service whose variables are unset runs embedded: SQLite instead of PostgreSQL, an
in-process Celery worker on the memory broker instead of Redis, an in-memory channel layer,
local files instead of S3, Qdrant Edge instead of a Qdrant server. `prod_settings` refuses
to start in that state; `dev_settings` welcomes it.
"""

from pathlib import Path

from kombu import Queue

from cassandre.env import env_bool, env_decimal, env_int, env_list, env_rate, env_str
from common.content_security import page_policy

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CASSANDRE_DATA_DIR") or BASE_DIR / "var")

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "storages",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "tailwind",
    "theme",
    "common",
    "documents",
    "ai",
    "chat",
    "backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "common.middleware.ApiErrorsMiddleware",
    "common.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "cassandre.urls"
WSGI_APPLICATION = "cassandre.wsgi.application"
ASGI_APPLICATION = "cassandre.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "common.context_processors.site",
            ],
        },
    },
]

# --- Database: PostgreSQL when DB_HOST is set, else an embedded SQLite file ----------------
DB_HOST = env_str("DB_HOST")
if DB_HOST:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": env_str("DB_NAME", "cassandre"),
            "USER": env_str("DB_USER", "postgres"),
            "PASSWORD": env_str("DB_PASSWORD"),
            "HOST": DB_HOST,
            "PORT": env_int("DB_PORT", 5432),
            "OPTIONS": {"connect_timeout": env_int("DB_CONNECT_TIMEOUT", 5)},
        }
    }
    # A connection pool per process: under ASGI each request (and each answer's worker
    # thread) runs in a thread of its own, and persistent per-thread connections piled up
    # (12 to 39 held by one web process in the soak test). Connections are borrowed for a
    # request and given back; DB_POOL_MAX_SIZE=0 opens one per request instead.
    DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 10)
    if DB_POOL_MAX_SIZE > 0:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": 1,
            "max_size": DB_POOL_MAX_SIZE,
            "timeout": env_int("DB_CONNECT_TIMEOUT", 5),
        }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            # Web requests and the in-process worker share the file: wait for locks. The
            # write-ahead log lets readers go on during a write, and commits without an
            # fsync each (synchronous=NORMAL): recording a question fell from ~35 ms to
            # ~2 ms on a busy machine.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Task queue: Celery on Redis, or on the in-process memory broker ---------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "memory://localhost/")
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 5)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# One queue per kind of work, each consumed by its own worker (embedded: its own worker
# thread), so that answers never wait behind an indexing nor an indexing behind answers:
# twelve queued answers with a slow callback once delayed a small document by a minute.
# Exports share the indexing worker (see README, « Montée en charge »).
INDEXING_QUEUE, ANSWERS_QUEUE, EXPORTS_QUEUE = "indexing", "answers", "exports"
# A worker started without --queues reads all three (tests, `make worker`).
CELERY_TASK_QUEUES = [Queue(name) for name in (INDEXING_QUEUE, ANSWERS_QUEUE, EXPORTS_QUEUE)]
CELERY_TASK_ROUTES = {
    "documents.build_category_export": {"queue": EXPORTS_QUEUE},
    "documents.*": {"queue": INDEXING_QUEUE},
    "chat.*": {"queue": ANSWERS_QUEUE},
}
# A task no route names still reaches a worker.
CELERY_TASK_DEFAULT_QUEUE = INDEXING_QUEUE
CELERY_TASK_IGNORE_RESULT = True
# The memory broker only reaches a worker living in the same process: `manage.py serve`
# starts one inside the web process when this is true.
EMBEDDED_WORKER = CELERY_BROKER_URL.startswith("memory://")
# On: the embedded indexing worker's two slots, one document prepared (read, extracted,
# chunked) while the one before it embeds. Off by default: both threads hold the interpreter
# lock in turn, and size S was indexed 15 % slower with them (README, Benchmarks).
INDEXING_PREPARE_AHEAD = env_bool("INDEXING_PREPARE_AHEAD", False)
if EMBEDDED_WORKER:
    # The memory transport polls; a short interval keeps the in-process queue responsive.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"polling_interval": 0.1}
else:
    # Redis hands a task whose worker vanished (killed, machine lost) to another worker
    # after this long: keep it above the longest indexing and the longest retry countdown.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
    }

# How often the database and the vector store are compared and their drift repaired
# (`documents.index_check`), in seconds; 0: never. With a separate worker, Celery beat
# queues the check (`celery -A cassandre beat`, or a worker started with --beat); the
# embedded worker queues it itself, on a timer.
INDEX_CHECK_INTERVAL = env_int("INDEX_CHECK_INTERVAL", 3600)
CELERY_BEAT_SCHEDULE = {}
if INDEX_CHECK_INTERVAL > 0:
    CELERY_BEAT_SCHEDULE["check-index"] = {
        "task": "documents.check_index",
        "schedule": float(INDEX_CHECK_INTERVAL),
        # A check queued while no worker ran is not worth running late: the next one comes.
        "options": {"expires": INDEX_CHECK_INTERVAL},
    }
# How often the folder and bucket synchronisations scheduled in the admin (FolderSync) are
# looked at, in seconds; each runs when its own interval has passed. 0: never.
# How often a worker looks for documents the web could not queue (broker down meanwhile,
# or `index_documents` run beside the embedded server), in seconds.
PENDING_SWEEP_INTERVAL = max(1, env_int("PENDING_SWEEP_INTERVAL", 60))
FOLDER_SYNC_CHECK_INTERVAL = env_int("FOLDER_SYNC_CHECK_INTERVAL", 60)
if FOLDER_SYNC_CHECK_INTERVAL > 0:
    CELERY_BEAT_SCHEDULE["sync-folders"] = {
        "task": "documents.sync_due_folders",
        "schedule": float(FOLDER_SYNC_CHECK_INTERVAL),
        "options": {"expires": FOLDER_SYNC_CHECK_INTERVAL},
    }
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

# --- Channel layer: channels-redis, or in memory for the single embedded process ----------
CHANNEL_REDIS = env_str("CHANNEL_REDIS")
if CHANNEL_REDIS:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [CHANNEL_REDIS]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Cache (rate-limit counters): Redis, by default the channel layer's, or in memory ------
# Every web process must see the same counters; an in-memory cache counts per process.
CACHE_REDIS = env_str("CACHE_REDIS") or CHANNEL_REDIS
if CACHE_REDIS:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS,
            # Apart from the channel layer's keys ("asgi:...") when they share a database.
            "KEY_PREFIX": "cassandre",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Rate limits per user: (count, seconds) from "COUNT/SECONDS"; a count of 0: no limit ---
# Questions (websocket and answering API), searches (page and API), uploads (page and API).
RATE_LIMIT_QUESTIONS = env_rate("RATE_LIMIT_QUESTIONS", "30/60")
RATE_LIMIT_SEARCHES = env_rate("RATE_LIMIT_SEARCHES", "60/60")
RATE_LIMIT_UPLOADS = env_rate("RATE_LIMIT_UPLOADS", "30/60")
# Ratings and proposed corrections, together.
RATE_LIMIT_FEEDBACK = env_rate("RATE_LIMIT_FEEDBACK", "30/60")
# Sign-in attempts per IP address (site and admin login forms): slows password guessing.
RATE_LIMIT_LOGINS = env_rate("RATE_LIMIT_LOGINS", "10/300")

# --- Files: S3 / Minio when MINIO_URL is set, else a local folder -------------------------
MINIO_URL = env_str("MINIO_URL")
MINIO_STORAGE_BUCKET_NAME = env_str("MINIO_STORAGE_BUCKET_NAME", "cassandre")
MINIO_ACCESS_KEY_ID = env_str("MINIO_ACCESS_KEY_ID")
MINIO_SECRET_ACCESS_KEY = env_str("MINIO_SECRET_ACCESS_KEY")
MINIO_REGION = env_str("MINIO_REGION", "us-east-1")
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"
if MINIO_URL:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": MINIO_URL,
            "access_key": MINIO_ACCESS_KEY_ID,
            "secret_key": MINIO_SECRET_ACCESS_KEY,
            "bucket_name": MINIO_STORAGE_BUCKET_NAME,
            "region_name": MINIO_REGION,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
# Hashed, compressed names for long browser caching; used wherever DEBUG is off in production.
MANIFEST_STATIC_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Vectors: a Qdrant server when QDRANT_URL is set, else Qdrant Edge in process ---------
QDRANT_URL = env_str("QDRANT_URL")
QDRANT_API_KEY = env_str("QDRANT_API_KEY")
QDRANT_COLLECTION = env_str("QDRANT_COLLECTION", "cassandre")
QDRANT_TIMEOUT = env_int("QDRANT_TIMEOUT", 10)
VECTOR_STORE_PATH = DATA_DIR / "qdrant"
# Soaks and tests only: with a separate worker and no Qdrant server, each process keeps its
# own Qdrant Edge store (search does not see what the worker indexes). Off, `serve` refuses.
EDGE_STORE_PER_PROCESS = env_bool("EDGE_STORE_PER_PROCESS", False)

# --- Language models and chunking ---------------------------------------------------------
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
PARADIGM_API_KEY = env_str("PARADIGM_API_KEY")
PARADIGM_HOST = env_str("PARADIGM_HOST")
TEXTSYNTH_API_KEY = env_str("TEXTSYNTH_API_KEY")
# Vertex AI: a service account's JSON key (read when a question is asked), its Google Cloud
# project (empty: the key's) and region ("global" for the global endpoint).
VERTEX_SERVICE_ACCOUNT_FILE = env_str("VERTEX_SERVICE_ACCOUNT_FILE")
VERTEX_PROJECT = env_str("VERTEX_PROJECT")
VERTEX_LOCATION = env_str("VERTEX_LOCATION", "europe-west1")
SPLIT_CHUNK_SIZE = env_int("SPLIT_CHUNK_SIZE", 1000)
SPLIT_CHUNK_OVERLAP = env_int("SPLIT_CHUNK_OVERLAP", 100)
# The most passages one document may give: beyond, it fails with a reason instead of holding
# the worker for hours (a 10 MB text gives about 12,000 passages; a 1,000-page PDF ~3,000).
DOCUMENT_MAX_PASSAGES = env_int("DOCUMENT_MAX_PASSAGES", 5000)
# Most passages the documents of one upload (an archive, a batch of files) give together.
UPLOAD_MAX_PASSAGES = env_int("UPLOAD_MAX_PASSAGES", 20000)
# Where browsers open the websocket; empty means the page's own host (ws:// or wss://).
WEBSOCKET_URL = env_str("WEBSOCKET_URL")

# --- Ingestion: upload limits, OCR, embeddings ------------------------------------------
MEGABYTE = 1024 * 1024
UPLOAD_MAX_FILE_SIZE = env_int("UPLOAD_MAX_FILE_SIZE_MB", 100) * MEGABYTE
ZIP_MAX_ENTRIES = env_int("ZIP_MAX_ENTRIES", 2000)
ZIP_MAX_TOTAL_SIZE = env_int("ZIP_MAX_TOTAL_SIZE_MB", 2048) * MEGABYTE
# Office and OpenDocument files are ZIP containers too, checked before a library parses them
# (documents/extraction/containers.py): zip bombs stop here.
OFFICE_MAX_ENTRIES = env_int("OFFICE_MAX_ENTRIES", 10000)
OFFICE_MAX_UNCOMPRESSED_SIZE = env_int("OFFICE_MAX_UNCOMPRESSED_SIZE_MB", 1024) * MEGABYTE
OFFICE_MAX_COMPRESSION_RATIO = env_int("OFFICE_MAX_COMPRESSION_RATIO", 200)
OCR_LANGUAGES = env_str("OCR_LANGUAGES", "fra+eng")
# "local": the multilingual model shipped in a pip package (offline, no torch).
# "openai": any OpenAI-compatible embeddings API (OpenAI, vLLM, Ollama, TEI...).
EMBEDDING_BACKEND = env_str("EMBEDDING_BACKEND", "local")
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL")
EMBEDDING_API_BASE = env_str("EMBEDDING_API_BASE")
EMBEDDING_API_KEY = env_str("EMBEDDING_API_KEY") or OPENAI_API_KEY
EMBEDDING_BATCH_SIZE = env_int("EMBEDDING_BATCH_SIZE", 32)
EMBEDDING_TIMEOUT = env_int("EMBEDDING_TIMEOUT", 30)
EMBEDDING_MAX_RETRIES = env_int("EMBEDDING_MAX_RETRIES", 2)

# --- Questions ------------------------------------------------------------------------------
# Replace personal data (names, phones, e-mails, NUMEN, NIR, IBAN) in questions before they
# are embedded, logged or sent to a language model.
ANONYMIZE_QUESTIONS = env_bool("ANONYMIZE_QUESTIONS", True)
MAX_QUESTION_LENGTH = env_int("MAX_QUESTION_LENGTH", 2000)
# Tokens of an answer arriving within this many milliseconds of the last websocket frame are
# joined into the next one (the first token is sent at once): each frame costs the serving
# process's processor, shared by every conversation. 0: one frame per token.
CHAT_TOKEN_FLUSH_MS = env_int("CHAT_TOKEN_FLUSH_MS", 25)
# Serving processes load the embedding and NER models in a thread at start (cassandre/asgi.py).
WARM_UP_MODELS = True
# Categories marked "public" can be searched without an account only when this is true.
PUBLIC_CATEGORIES = env_bool("PUBLIC_CATEGORIES", False)
# Whom a signed-in user who reads no category is told to ask for access, e.g. "Marie Martin
# (support@exemple.fr)". Empty: the site's administrator, in general terms.
ACCESS_CONTACT = env_str("ACCESS_CONTACT")
# How many earlier questions and answers of a conversation a follow-up question is read with.
CONVERSATION_HISTORY_TURNS = env_int("CONVERSATION_HISTORY_TURNS", 3)
# Conversations untouched for this many days are deleted by `manage.py purge_conversations`,
# with their questions, answers and ratings, and finished API tasks as old. 0: kept forever.
CONVERSATION_RETENTION_DAYS = env_int("CONVERSATION_RETENTION_DAYS", 365)

# --- Answers: the site's default language model -------------------------------------------
# "openai", "paradigm", "textsynth", "vertex", "compatible" (any OpenAI-compatible server:
# vLLM, Ollama, llama.cpp) or "extractive" (no model: the best passages, labelled as such).
# Unset: the first of OpenAI, Paradigm, TextSynth and Vertex AI whose key is set, else
# extractive.
LLM_PROVIDER = env_str("LLM_PROVIDER") or next(
    (
        provider
        for provider, key in (
            ("openai", OPENAI_API_KEY),
            ("paradigm", PARADIGM_API_KEY),
            ("textsynth", TEXTSYNTH_API_KEY),
            ("vertex", VERTEX_SERVICE_ACCOUNT_FILE),
        )
        if key
    ),
    "extractive",
)
LLM_MODEL = env_str("LLM_MODEL")
LLM_API_BASE = env_str("LLM_API_BASE")
LLM_API_KEY = env_str("LLM_API_KEY")
LLM_CONTEXT_WINDOW = env_int("LLM_CONTEXT_WINDOW", 16000)
LLM_MAX_ANSWER_TOKENS = env_int("LLM_MAX_ANSWER_TOKENS", 1000)
LLM_TEMPERATURE = float(env_str("LLM_TEMPERATURE") or 0.2)
LLM_TIMEOUT = env_int("LLM_TIMEOUT", 60)
LLM_CONNECT_TIMEOUT = env_int("LLM_CONNECT_TIMEOUT", 5)
LLM_MAX_RETRIES = env_int("LLM_MAX_RETRIES", 2)
# The site model's price per million tokens read (input) and written (output), in
# COST_CURRENCY, and its energy in Wh per thousand tokens: unset, the cost (or energy) of its
# answers is unknown. A category's own model carries its own in the backoffice.
LLM_PRICE_INPUT = env_decimal("LLM_PRICE_INPUT")
LLM_PRICE_OUTPUT = env_decimal("LLM_PRICE_OUTPUT")
LLM_ENERGY_WH = env_decimal("LLM_ENERGY_WH")
COST_CURRENCY = env_str("COST_CURRENCY", "EUR")

# --- Relevance: reranking the best candidates, and the score under which nothing fits -----
# A reranking API in the common /rerank format (Cohere's: Text Embeddings Inference, vLLM,
# Infinity, Albert). Empty: Cassandre's offline reranker. A category may choose another.
RERANK_API_BASE = env_str("RERANK_API_BASE")
RERANK_MODEL = env_str("RERANK_MODEL")
RERANK_API_KEY = env_str("RERANK_API_KEY")
RERANK_TIMEOUT = float(env_str("RERANK_TIMEOUT") or 5)
# The relevance (0 to 1, the scale of the scores shown) a passage needs to be kept; under
# it, "nothing found". Empty: the value chosen on the evaluation sets (ai.relevance). A
# category may set its own.
RELEVANCE_THRESHOLD = (
    float(env_str("RELEVANCE_THRESHOLD")) if env_str("RELEVANCE_THRESHOLD") else None
)

# Where asynchronous answers may be POSTed (URL prefixes, comma-separated). Empty: nowhere.
ANSWER_CALLBACK_ALLOWED_URLS = env_list("ANSWER_CALLBACK_ALLOWED_URLS")
ANSWER_CALLBACK_TIMEOUT = env_int("ANSWER_CALLBACK_TIMEOUT", 10)
# Empty: a secret derived from SECRET_KEY (chat.callbacks.callback_secret).
ANSWER_CALLBACK_SECRET = env_str("ANSWER_CALLBACK_SECRET", "")
ANSWER_CALLBACK_RETRIES = env_int("ANSWER_CALLBACK_RETRIES", 5)
ANSWER_CALLBACK_RETRY_DELAY = env_int("ANSWER_CALLBACK_RETRY_DELAY", 30)

# --- Static files and CSS ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
TAILWIND_APP_NAME = "theme"
NPM_BIN_PATH = env_str("NPM_BIN_PATH", "npm")

# --- First administrator (manage.py create_superuser) -------------------------------------
DJANGO_SUPERUSER_USERNAME = env_str("DJANGO_SUPERUSER_USERNAME", "admin")
DJANGO_SUPERUSER_EMAIL = env_str("DJANGO_SUPERUSER_EMAIL")
DJANGO_SUPERUSER_PASSWORD = env_str("DJANGO_SUPERUSER_PASSWORD")

# --- Auth, i18n ----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Everyone signs in on the site's page; the admin keeps its own form, for staff.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "chat:search"
LOGOUT_REDIRECT_URL = "login"
# Local accounts always sign in (the embedded default, the administrator); OpenID Connect
# is added when the provider's issuer and this site's client id are set (common.oidc).
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
OIDC_ISSUER = env_str("OIDC_ISSUER")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_GROUPS_CLAIM = env_str("OIDC_GROUPS_CLAIM", "groups")
OIDC_SIGN_IN_LABEL = env_str("OIDC_SIGN_IN_LABEL", "OpenID Connect")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("common.oidc.ProviderBackend")
OIDC_USE_PKCE = True
# Kept in the session for the provider's sign-out (its id_token_hint).
OIDC_STORE_ID_TOKEN = True
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "fr")
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
# The interface is written in French; locale/ holds the English catalogue (kept compiled).
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Uploads -------------------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Security defaults that hold everywhere ------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Pages run the site's own script files only; "off" sends no policy.
CONTENT_SECURITY_POLICY = env_str("CONTENT_SECURITY_POLICY") or page_policy(
    websocket_url=WEBSOCKET_URL
)
if CONTENT_SECURITY_POLICY == "off":
    CONTENT_SECURITY_POLICY = ""

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record is written with the configured secrets (keys, passwords) blanked out.
    "filters": {"redact_secrets": {"()": "common.logging.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Never at DEBUG: the OpenAI client then logs request bodies, i.e. the prompts
        # (questions and document passages).
        "openai": {"level": "INFO"},
        # Its INFO lines carry full URLs, and an answer callback's URL may hold a token.
        "httpx": {"level": "WARNING"},
        # The copy of httpx the OpenAI client ships with logs the same way.
        "httpx2": {"level": "WARNING"},
    },
}

# --- REST API: tokens (created in the admin) or the browser session ----------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        # Session requests must carry the CSRF token, like any form of the site.
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: each endpoint opens itself to the permission it needs.
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # A service's UserError answers with its message (translated), code and status.
    "EXCEPTION_HANDLER": "common.errors.api_exception_handler",
}
# The OpenAPI schema, served at /api/v1/schema/ to authenticated users.
SPECTACULAR_SETTINGS = {
    "TITLE": "Cassandre API",
    "DESCRIPTION": "Search the documents and get cited answers from them.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "AnswerTaskStatusEnum": "chat.models.AnswerTask.Status",
        "DocumentStatusEnum": "documents.models.Document.Status",
    },
}
