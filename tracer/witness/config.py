"""The witness's configuration: one TOML file, paths relative to it.

```toml
name = "witness.example.vn/w1"          # the cosigner name (a schema-less URL)
key_file = "witness.key"                # PRIVATE+KEY+... (type 0x04), made by `witness init`, mode 0600
database = "witness.db"                 # its own SQLite file
logs = ["trace.example.vn/ocop-log+f9c44f00+AUo3..."]   # the logs' verifier keys; origin = key name
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.ledger.cosignature import format_cosigner_signer_key, parse_cosigner_signer_key
from tracer.ledger.errors import LedgerError
from tracer.ledger.note import is_valid_name, parse_verifier_key


class ConfigError(LedgerError):
    """The witness's configuration is missing or malformed; the message names the setting."""


@dataclass(frozen=True, slots=True)
class WitnessConfig:
    name: str
    key_file: Path
    database: Path
    logs: dict[str, str]  # origin -> the log's verifier key

    @classmethod
    def load(cls, path: Path) -> WitnessConfig:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: {error}") from None
        here = path.parent
        name = data.get("name")
        if not isinstance(name, str) or not is_valid_name(name):
            raise ConfigError(f"{path}: 'name' must be a cosigner name without spaces or '+'")
        logs: dict[str, str] = {}
        raw_logs = data.get("logs", [])
        if not isinstance(raw_logs, list) or not all(isinstance(k, str) for k in raw_logs):
            raise ConfigError(f"{path}: 'logs' must be a list of the logs' verifier keys")
        for vkey in raw_logs:
            try:
                logs[parse_verifier_key(vkey).name] = vkey
            except LedgerError as error:
                raise ConfigError(f"{path}: logs: {error}") from None
        return cls(
            name=name,
            key_file=here / str(data.get("key_file", "witness.key")),
            database=here / str(data.get("database", "witness.db")),
            logs=logs,
        )

    def private_key(self) -> Ed25519PrivateKey:
        """The witness's key from ``key_file``; ConfigError if missing or made for another name."""
        try:
            name, key = parse_cosigner_signer_key(self.key_file.read_text(encoding="ascii"))
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{self.key_file}: {error} (run `witness init`)") from None
        if name != self.name:
            raise ConfigError(f"{self.key_file} holds the key of {name!r}, not of {self.name!r}")
        return key

    def create_key(self) -> bool:
        """Make the witness's key file (mode 0600) unless it exists; whether it was made."""
        if self.key_file.exists():
            return False
        self.key_file.parent.mkdir(parents=True, exist_ok=True)
        text = format_cosigner_signer_key(self.name, Ed25519PrivateKey.generate()) + "\n"
        fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(text)
        return True
