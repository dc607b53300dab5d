"""``python -m tracer.witness ...``: the witness's commands alone."""

from tracer.witness.cli import witness

if __name__ == "__main__":
    witness.main(prog_name="python -m tracer.witness")
