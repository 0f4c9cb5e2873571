"""A small OpenID Connect provider for the tests (django-oauth-toolkit's OIDC mode), run in
its own process by `python -m testing.oidc_provider` (see `testing.oidc` for the fixture
side). Its people's groups are read from a JSON file at each sign-in, so a test changes
what the provider says between two sign-ins."""
