"""The container's health probe: GET /healthz on the local gunicorn, exit 0 when it answers 200.

Sent with the first of ALLOWED_HOSTS as Host (Django answers 400 to a host it does not serve).
Standard library only: runs in the image's Python, every 30 s.
"""

import os
import sys
import urllib.request

host = os.environ.get("ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".")
if not host or host == "*":
    host = "localhost"
port = os.environ.get("BIND", "0.0.0.0:8000").rpartition(":")[2]
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - fixed local URL
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
