"""``python -m tracer COMMAND`` from the repository root, no install step needed."""

from tracer.cli.base import cli, register_commands

register_commands()
cli(prog_name="python -m tracer")
