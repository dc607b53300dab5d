"""Infrastructure every area stands on: database and fast reads, errors and their HTTP mapping, messages,
languages, security headers, rate limits, migrations, provisioning, backup, health, the ledger handle."""
