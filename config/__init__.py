"""Deployment configuration: typed settings read from TRACER_* variables, and gunicorn's settings."""
