"""``gunicorn tracer.witness.wsgi:app`` with ``TRACER_WITNESS_CONFIG=/path/witness.toml``."""

from __future__ import annotations

import os
from pathlib import Path

from tracer.witness.app import create_witness_app
from tracer.witness.config import WitnessConfig

app = create_witness_app(WitnessConfig.load(Path(os.environ["TRACER_WITNESS_CONFIG"])))
