from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The measurement harness as a Django app, so that its commands (`make_sample_corpus`,
    `benchmark_ingestion`, `build_eval_set`) run through manage.py. Installed by the
    development and test settings only: the production image holds no harness."""

    name = "bench"
    verbose_name = "Bancs d'essai"
