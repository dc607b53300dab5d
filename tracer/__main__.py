"""``python -m tracer COMMAND`` from the repository root, no install step needed."""

from flask.cli import ScriptInfo

from tracer import create_app
from tracer.cli.main import cli

if __name__ == "__main__":  # label workers may re-import this module (forkserver): only run as a program
    cli.main(prog_name="python -m tracer", obj=ScriptInfo(create_app=create_app))
