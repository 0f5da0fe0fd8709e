"""The fast JSON renderer answers what DRF's renderer answers (the map's clients parse both)."""

import datetime
import json
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from backend.core.renderers import FastJSONRenderer


def test_it_encodes_what_drf_encodes():
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "id": 1,
                "geometry": {"type": "Point", "coordinates": [-0.770532, 43.490781]},
                "properties": {"name": "Café « Chez Léa »", "activity": None, "referrals": 3},
            }
        ],
        "label": gettext_lazy("Récapitulatif"),
        "latitude": Decimal("43.490781"),
        "day": datetime.date(2026, 12, 3),
    }

    fast = FastJSONRenderer().render(data)

    assert json.loads(fast) == json.loads(JSONRenderer().render(data))
    assert "Léa".encode() in fast  # UTF-8, not \\u escapes


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""
