"""``python -m tracer COMMAND`` from the repository root, no install step needed."""

import sys

from flask.cli import ScriptInfo

from tracer import create_app
from tracer.cli.main import cli

if __name__ == "__main__":  # label workers may re-import this module (forkserver): only run as a program
    if sys.argv[1:2] == ["witness"]:  # a witness needs nothing of the service: no app, no database
        from tracer.witness.cli import witness

        witness.main(args=sys.argv[2:], prog_name="python -m tracer witness")
    cli.main(prog_name="python -m tracer", obj=ScriptInfo(create_app=create_app))
