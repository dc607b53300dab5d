"""The witness's configuration: one TOML file, paths relative to it.

```toml
name = "witness.example.vn/w1"          # the cosigner name (a schema-less URL)
key_file = "witness.key"                # PRIVATE+KEY+... (type 0x04), made by `witness init`, mode 0600
database = "witness.db"                 # its own SQLite file
logs = ["trace.example.vn/ocop-log+f9c44f00+AUo3..."]   # the logs' verifier keys; origin = key name

# --verify-map mode (or verify_map = true): recompute each log's verifiable map before cosigning
verify_map = false
map_rule = "tracer.events.subjects:subjects_of"  # the log's published subject rule, module:function
mirror = "mirror"                                # where the logs' entries are mirrored
[tiles]                                          # each log's c2sp.org/tlog-tiles prefix
"trace.example.vn/ocop-log" = "https://trace.example.vn/log/"
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tracer.ledger.cosignature import format_cosigner_signer_key, parse_cosigner_signer_key
from tracer.ledger.errors import LedgerError
from tracer.ledger.note import is_valid_name, parse_verifier_key

DEFAULT_RULE = "tracer.events.subjects:subjects_of"


class ConfigError(LedgerError):
    """The witness's configuration is missing or malformed; the message names the setting."""


@dataclass(frozen=True, slots=True)
class WitnessConfig:
    name: str
    key_file: Path
    database: Path
    logs: dict[str, str]  # origin -> the log's verifier key
    verify_map: bool = False
    map_rule: str = DEFAULT_RULE
    mirror: Path = Path("mirror")
    tiles: dict[str, str] = field(default_factory=dict)  # origin -> the log's tiles prefix URL

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
        tiles = data.get("tiles", {})
        if not isinstance(tiles, dict) or not all(
            isinstance(v, str) and v.startswith(("http://", "https://")) for v in tiles.values()
        ):
            raise ConfigError(f"{path}: 'tiles' must map each log's origin to its http(s) tiles prefix")
        unknown = set(tiles) - set(logs)
        if unknown:
            raise ConfigError(f"{path}: tiles: {sorted(unknown)[0]!r} is not one of the logs")
        verify_map, rule = data.get("verify_map", False), data.get("map_rule", DEFAULT_RULE)
        if not isinstance(verify_map, bool) or not isinstance(rule, str):
            raise ConfigError(f"{path}: 'verify_map' must be true or false and 'map_rule' a string")
        return cls(
            name=name,
            key_file=here / str(data.get("key_file", "witness.key")),
            database=here / str(data.get("database", "witness.db")),
            logs=logs,
            verify_map=verify_map,
            map_rule=rule,
            mirror=here / str(data.get("mirror", "mirror")),
            tiles=dict(tiles),
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
