"""The PWA offers only the status moves the server accepts: its copy of the lifecycle
(frontend/src/lib/workflow.json) is the table of backend/referrals/enums.py."""

import json

from django.conf import settings

from backend.referrals.enums import STATUS_TRANSITIONS


def test_the_apps_lifecycle_is_the_servers():
    mirror = json.loads(
        (settings.BASE_DIR / "frontend" / "src" / "lib" / "workflow.json").read_text()
    )

    assert {status: set(moves) for status, moves in mirror.items()} == {
        status.value: {target.value for target in targets}
        for status, targets in STATUS_TRANSITIONS.items()
    }
