"""Moving a test database between migrations, for the tests of data migrations."""

from django.db.migrations.executor import MigrationExecutor


def migrate(executor: MigrationExecutor, target: tuple[str, str]):
    """Migrate to `target`; return that state's apps."""
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps
