"""The test OpenID Connect provider (testing/oidc_provider) in a child process on 127.0.0.1."""

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from testing.services import free_port, python_command, start_process, stop_process, wait_until


@dataclass(frozen=True)
class OIDCProvider:
    issuer: str
    client_id: str
    client_secret: str
    username: str
    password: str
    email: str
    data_dir: Path

    def set_groups(self, groups: list[str]) -> None:
        """What the provider's groups claim says for its person from the next sign-in on."""
        (self.data_dir / "groups.json").write_text(json.dumps({self.username: groups}))

    def environment(self) -> dict[str, str]:
        """The variables that point a Cassandre at this provider."""
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": self.client_id,
            "OIDC_CLIENT_SECRET": self.client_secret,
            "OIDC_SIGN_IN_LABEL": "Annuaire de test",
        }


def _discoverable(issuer: str, process: subprocess.Popen, log: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"The test provider stopped:\n{log.read_text()[-3000:]}")
    try:
        return requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok
    except requests.RequestException:
        return False


@contextmanager
def running_oidc_provider(
    data_dir: Path, *, redirect_uri: str, post_logout_redirect_uri: str
) -> Iterator[OIDCProvider]:
    """A provider with one confidential client (whose sign-in returns to `redirect_uri`) and
    one person, who belongs to no group until `set_groups`."""
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    provider = OIDCProvider(
        issuer=f"http://127.0.0.1:{port}/o",
        client_id="cassandre-tests",
        client_secret="cassandre-tests-client-secret",
        username="camille",
        password="mot de passe du fournisseur 7",
        email="camille@example.org",
        data_dir=data_dir,
    )
    client_file = data_dir / "client.json"
    client_file.write_text(
        json.dumps(
            {
                "client_id": provider.client_id,
                "client_secret": provider.client_secret,
                "redirect_uri": redirect_uri,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "username": provider.username,
                "password": provider.password,
                "email": provider.email,
            }
        )
    )
    provider.set_groups([])
    process = start_process(
        python_command("-m", "testing.oidc_provider", str(port), str(data_dir), str(client_file)),
        env={"PATH": "/usr/bin:/bin", "HOME": str(data_dir)},
        log_path=data_dir / "provider.log",
    )
    try:
        wait_until(
            lambda: _discoverable(provider.issuer, process, data_dir / "provider.log"),
            timeout=60,
            what="the OpenID Connect test provider",
        )
        yield provider
    finally:
        stop_process(process)
