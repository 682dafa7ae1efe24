"""What the server's access log may say: method, path and status — never a query string.

A status lookup carries the receipt's verification code (a secret) in its query, and a query
can carry anything a client typed; the path of a lookup form can too. So the access log gets
the path without its query, and the status page's number path is reduced to its route.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
_PATH_ARG = 2  # uvicorn's access record: (client, method, path with query, http version, status)


def redact_path(path: str) -> str:
    path = path.split("?", 1)[0]
    if path.startswith("/status/") and path != "/status/lookup":
        return "/status/{case_no}"
    return path


class RedactAccessLog(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) > _PATH_ARG:
            path = args[_PATH_ARG]
            if isinstance(path, str):
                record.args = (*args[:_PATH_ARG], redact_path(path), *args[_PATH_ARG + 1 :])
        return True


def install_access_log_redaction() -> None:
    """Idempotent: every app (and every worker) calls it at start-up, after uvicorn has
    configured its loggers."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(existing, RedactAccessLog) for existing in logger.filters):
        logger.addFilter(RedactAccessLog())
