"""A small fake of Twilio's Messages API on 127.0.0.1, for integration tests.

It answers `POST /2010-04-01/Accounts/<sid>/Messages.json` like Twilio (201 and a message
resource with a fresh "SM…" sid), records every request (path, form fields, Basic auth user)
and can be told to fail: answer 500 (or any error, e.g. 400/21211) for the next N requests, or
hang for a few seconds (a bounded sleep) so that a client timeout is exercised. `hold_next`
accepts a message at once (recorded, its status callback sent) and holds the answer: a client
killed meanwhile never learns the sid, as with Twilio when a worker dies mid-send. With
`status_callbacks=True` it posts a signed "sent" callback to each accepted message's
StatusCallback URL, as Twilio does.

    with FakeTwilio(account_sid="AC…", auth_token="…") as fake:
        settings.TWILIO_API_BASE_URL = fake.url
        fake.fail_next(2, status=500)
        ...
        fake.wait_for_requests(3)
"""

import base64
import email.utils
import json
import re
import select
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account>AC[0-9a-zA-Z]+)/Messages\.json$")
# A hang never lasts longer than this, whatever a test asks: a test must not stall the suite.
MAX_HANG_SECONDS = 5.0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    form: dict
    auth_user: str
    # What the fake answered: the HTTP status and, on success, the message sid it returned.
    status: int
    sid: str = ""

    @property
    def outbox_id(self) -> int | None:
        """The outbox row named by the StatusCallback URL (`?outbox=<id>`)."""
        match = re.search(r"[?&]outbox=(\d+)", self.form.get("StatusCallback", ""))
        return int(match.group(1)) if match else None


@dataclass
class _Plan:
    """What the next requests get: an error for `count` of them, or a hang."""

    count: int = 0
    status: int = 500
    code: int | None = None
    message: str = "Internal Server Error"
    hang_count: int = 0
    hang_seconds: float = 0.0
    hold_seconds: float = 0.0
    # One entry per request to hold: True accepts it first, False only if the client is still
    # there when the hold ends (a client gone meanwhile: the message never existed).
    holds: list = field(default_factory=list)


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 32
    auth_token: str = "fake-auth-token"
    requests: list = field(default_factory=list)
    # Post Twilio's "sent" status callback (signed with auth_token) for each accepted message.
    status_callbacks: bool = False
    callback_delay: float = 0.2

    def __post_init__(self):
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._plan = _Plan()
        self.held = 0  # answers being held right now (hold_next)
        self.callbacks: list = []  # (outbox url, HTTP status or the error's name)
        self._server = None
        self._thread = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self):
        fake = self

        class Handler(_Handler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- behaviour -------------------------------------------------------------------------

    def reset(self):
        """Forgets recorded requests and any planned failure (between tests)."""
        with self._lock:
            self.requests.clear()
            self._plan = _Plan()

    def fail_next(self, count, *, status=500, code=None, message="Internal Server Error"):
        """The next `count` requests get `status` with a Twilio error body (`code`)."""
        with self._lock:
            self._plan.count = count
            self._plan.status = status
            self._plan.code = code
            self._plan.message = message

    def hang_next(self, count, *, seconds):
        """The next `count` requests wait `seconds` (at most MAX_HANG_SECONDS), then answer."""
        with self._lock:
            self._plan.hang_count = count
            self._plan.hang_seconds = min(float(seconds), MAX_HANG_SECONDS)

    def hold_next(self, count, *, seconds, accept_first=True):
        """The next `count` requests are held `seconds` (at most MAX_HANG_SECONDS). With
        `accept_first`, the message is accepted (recorded, its callback sent) before the hold:
        a client killed meanwhile never learns its sid. Without, it is accepted after the hold
        only if the client still waits: a client killed meanwhile sent nothing."""
        with self._lock:
            self._plan.holds += [accept_first] * count
            self._plan.hold_seconds = min(float(seconds), MAX_HANG_SECONDS)

    def stop_holding(self):
        """Forgets the holds not started yet (those in progress run their course)."""
        with self._lock:
            self._plan.holds.clear()

    # --- observation -----------------------------------------------------------------------

    def wait_for_requests(self, count, *, timeout=15.0) -> list:
        """Waits until at least `count` requests arrived (bounded); returns them all."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._arrived.wait(remaining)
            return list(self.requests)

    def wait_for_held(self, count=1, *, timeout=15.0) -> bool:
        """Waits until `count` requests are being held (clients mid-request)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while self.held < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrived.wait(remaining)
            return True

    def messages(self) -> list:
        """The requests that created a message (answered 201)."""
        with self._lock:
            return [r for r in self.requests if r.status == 201]

    # --- called by the handler -------------------------------------------------------------

    def _take_plan(self):
        with self._lock:
            hang = 0.0
            if self._plan.hang_count > 0:
                self._plan.hang_count -= 1
                hang = self._plan.hang_seconds
            error = None
            if self._plan.count > 0:
                self._plan.count -= 1
                error = (self._plan.status, self._plan.code, self._plan.message)
            hold, accept_first = 0.0, True
            if error is None and self._plan.holds:
                accept_first = self._plan.holds.pop(0)
                hold = self._plan.hold_seconds
            return hang, error, hold, accept_first

    def _holding(self, delta):
        with self._arrived:
            self.held += delta
            self._arrived.notify_all()

    def _send_status_callback(self, url, sid, form):
        """Twilio's status callback: form-encoded, signed over the URL and the parameters."""
        from urllib.parse import urlencode
        from urllib.request import Request, urlopen

        from twilio.request_validator import RequestValidator

        params = {
            "AccountSid": self.account_sid,
            "MessageSid": sid,
            "SmsSid": sid,
            "MessageStatus": "sent",
            "SmsStatus": "sent",
            "To": form.get("To", ""),
            "ApiVersion": "2010-04-01",
        }
        signature = RequestValidator(self.auth_token).compute_signature(url, params)
        request = Request(  # noqa: S310 - the URL is the app's own, on 127.0.0.1 in tests
            url,
            data=urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
            method="POST",
        )
        time.sleep(self.callback_delay)
        try:
            with urlopen(request, timeout=5) as response:  # noqa: S310 - as above
                outcome = response.status
        except Exception as exc:  # the app may be down: Twilio would retry, we record it
            outcome = type(exc).__name__
        with self._lock:
            self.callbacks.append((url, outcome))

    def _record(self, request):
        with self._arrived:
            self.requests.append(request)
            self._arrived.notify_all()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTwilio
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass  # quiet: pytest shows what matters

    def do_GET(self):
        self._json(404, _error(20404, "The requested resource was not found", 404))

    def do_POST(self):
        fake = self.fake
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        auth_user, auth_token = _basic_auth(self.headers.get("Authorization", ""))

        def record(status, sid=""):
            fake._record(
                RecordedRequest(
                    method="POST",
                    path=parts.path,
                    query=parts.query,
                    form=form,
                    auth_user=auth_user,
                    status=status,
                    sid=sid,
                )
            )

        match = MESSAGES_PATH.match(parts.path)
        if not match:
            record(404)
            return self._json(404, _error(20404, "The requested resource was not found", 404))
        if (auth_user, auth_token) != (fake.account_sid, fake.auth_token) or (
            match["account"] != fake.account_sid
        ):
            record(401)
            return self._json(401, _error(20003, "Authenticate", 401))

        hang, error, hold, accept_first = fake._take_plan()
        if hang:
            time.sleep(hang)
        if error:
            status, code, message = error
            record(status)
            return self._json(status, _error(code, message, status))
        if hold and not accept_first:
            fake._holding(+1)
            try:
                time.sleep(hold)
            finally:
                fake._holding(-1)
            if self._client_gone():
                return record(499)  # nginx's "client closed request": no message created
            hold = 0.0

        sid = "SM" + uuid.uuid4().hex
        now = email.utils.formatdate(usegmt=True)
        record(201, sid)
        if fake.status_callbacks and form.get("StatusCallback"):
            threading.Thread(
                target=fake._send_status_callback,
                args=(form["StatusCallback"], sid, form),
                daemon=True,
            ).start()
        if hold:
            fake._holding(+1)
            try:
                time.sleep(hold)
            finally:
                fake._holding(-1)
        self._json(
            201,
            {
                "account_sid": fake.account_sid,
                "api_version": "2010-04-01",
                "body": form.get("Body", ""),
                "date_created": now,
                "date_sent": None,
                "date_updated": now,
                "direction": "outbound-api",
                "error_code": None,
                "error_message": None,
                "from": form.get("From"),
                "messaging_service_sid": form.get("MessagingServiceSid"),
                "num_media": "0",
                "num_segments": "1",
                "price": None,
                "price_unit": "EUR",
                "sid": sid,
                "status": "queued",
                "subresource_uris": {
                    "media": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}/Media.json"
                },
                "to": form.get("To", ""),
                "uri": f"/2010-04-01/Accounts/{fake.account_sid}/Messages/{sid}.json",
            },
        )

    def _client_gone(self) -> bool:
        """True when the client closed its connection (a killed process's socket reads EOF)."""
        readable, _, _ = select.select([self.connection], [], [], 0)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _json(self, status, payload):
        body = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)


def _error(code, message, status):
    """Twilio's error body (what TwilioRestException reads its code and message from)."""
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


def _basic_auth(header):
    if not header.startswith("Basic "):
        return "", ""
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return "", ""
    return user, password
