"""Start the test provider: `python -m testing.oidc_provider PORT DATA_DIR CLIENT.json`.

CLIENT.json describes the one client (the Cassandre under test) and the one person:
{"client_id", "client_secret", "redirect_uri", "post_logout_redirect_uri", "username",
"password", "email"}. The database is built afresh, then the provider serves on 127.0.0.1.
"""

import json
import os
import sys
from pathlib import Path


def main(port: str, data_dir: str, client_file: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "testing.oidc_provider.settings"
    os.environ["OIDC_PROVIDER_DIR"] = data_dir
    os.environ["OIDC_PROVIDER_ISSUER"] = f"http://127.0.0.1:{port}/o"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    client = json.loads(Path(client_file).read_text())
    call_command("migrate", verbosity=0, interactive=False)
    get_user_model().objects.create_user(
        client["username"], email=client["email"], password=client["password"]
    )
    Application.objects.create(
        name="Cassandre",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=client["redirect_uri"],
        post_logout_redirect_uris=client["post_logout_redirect_uri"],
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, skip_checks=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
