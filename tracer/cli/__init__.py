"""Command-line interface: ``python -m tracer COMMAND``; ``main`` assembles the commands of the modules
here."""
