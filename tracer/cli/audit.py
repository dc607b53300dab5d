"""``audit URL --key VKEY``: check a running service's log from its public endpoints alone, into a local
mirror that each run brings up to date (``tracer.ledger.mirror``). Nothing of this service's database is used:
an inspector or a journalist runs it against the programme's public address with the key they pinned."""

from __future__ import annotations

import hashlib
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import click

from tracer.events.subjects import subjects_of
from tracer.ledger.errors import VerificationError
from tracer.ledger.mirror import Fetch, Mirror
from tracer.ledger.policy import WitnessPolicy

TIMEOUT = 30.0  # seconds for one request
MAX_BODY = 16 * 1024 * 1024  # bytes: no single endpoint answers more


def http_fetch(base: str) -> Fetch:
    """A ``Fetch`` of the log below ``base`` (``https://host/api/v1/ledger/``) over HTTP(S)."""

    def fetch(path: str) -> bytes:
        url = base + path
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT) as response:  # noqa: S310 (http and https only)
                body: bytes = response.read(MAX_BODY + 1)
        except urllib.error.HTTPError as error:
            raise VerificationError(f"{url}: HTTP {error.code}") from None
        except (urllib.error.URLError, TimeoutError) as error:
            raise VerificationError(f"{url}: {getattr(error, 'reason', error)}") from None
        if len(body) > MAX_BODY:
            raise VerificationError(f"{url}: the answer is larger than {MAX_BODY} bytes")
        return body

    return fetch


@click.command("audit")
@click.argument("url")
@click.option("--key", required=True, help="the log's C2SP verifier key, as pinned (origin+hash+key)")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="the mirror's folder (default: ./audit-mirror/<host>-<key hash>)")  # fmt: skip
@click.option("--via", type=click.Choice(["tiles", "json"]), default="tiles", show_default=True,
              help="entries from tlog-tiles bundles (/log/) or one a request (/api/v1/ledger)")  # fmt: skip
@click.option("--witnesses", "policy_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="a witness policy file (witness, quorum, freshness lines) to require")  # fmt: skip
def audit(url: str, key: str, folder: Path | None, via: str, policy_file: Path | None) -> None:
    """Check the log at URL (the service's address) from its public endpoints, into a local mirror."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise click.BadParameter("give the service's http:// or https:// address", param_hint="URL")
    root = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    base, tiles = f"{root}/api/v1/ledger/", f"{root}/log/"
    if folder is None:
        tag = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
        folder = Path("audit-mirror") / f"{parts.netloc.replace(':', '_')}-{tag}"
    policy = None if policy_file is None else WitnessPolicy.parse(policy_file.read_text(encoding="utf-8"))
    report = Mirror(folder, key, subjects_of).update(
        http_fetch(base), http_fetch(tiles) if via == "tiles" else None, policy, int(time.time())
    )
    witnessed = "" if policy is None else f", {report.witnesses} fresh witness cosignatures"
    mapped = ", map root recomputed" if report.map_checked else ", no map committed yet"
    click.echo(
        f"ok: {report.origin}: {report.size} entries verified ({report.new_entries} new){mapped}{witnessed}, "
        f"mirror in {folder}"
    )
