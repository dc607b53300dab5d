"""``python -m tracer COMMAND`` from the repository root, no install step needed."""

from tracer.cli.base import cli, register_commands

if __name__ == "__main__":  # label workers may re-import this module (forkserver): only run as a program
    register_commands()
    cli(prog_name="python -m tracer")
