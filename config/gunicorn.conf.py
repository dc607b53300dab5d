"""gunicorn settings for `gunicorn -c config/gunicorn.conf.py wsgi:app`; -b and -w on the command line win."""

import multiprocessing
import os

bind = os.environ.get("TRACER_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TRACER_WORKERS", str(min(4, multiprocessing.cpu_count() * 2))))
worker_class = "gthread"
threads = int(os.environ.get("TRACER_THREADS", "4"))
timeout = 30
graceful_timeout = 10
keepalive = 5
limit_request_line = 8190
limit_request_fields = 100
accesslog = "-" if os.environ.get("TRACER_ACCESS_LOG") else None
errorlog = "-"
forwarded_allow_ips = os.environ.get("TRACER_FORWARDED_ALLOW_IPS", "127.0.0.1")
