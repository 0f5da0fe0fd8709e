"""Log hygiene: the secrets that travel in public URLs never reach the logs.

A landing page token (/r/<token>) or a capteur space secret (/c/<secret>) in a log line would
tie a visitor's request to a capteur; Django's request logger writes paths for 4xx answers.
"""

import logging
import re
from collections.abc import Mapping

SECRET_PATH = re.compile(r"/(r|c)/[A-Za-z0-9_-]{16,}")


def redact(text: str) -> str:
    return SECRET_PATH.sub(r"/\1/…", text)


class RedactSecretPathsFilter(logging.Filter):
    def filter(self, record):
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, Mapping):
            # "%(name)s"-style messages (Celery's) carry their arguments as one mapping.
            record.args = {
                k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()
            }
        elif record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True
