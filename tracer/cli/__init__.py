"""Command-line interface: ``python -m tracer COMMAND``. Commands live in the modules beside this one."""

from tracer.cli.base import cli

__all__ = ["cli"]
