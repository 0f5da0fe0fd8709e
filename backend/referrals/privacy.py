"""The privacy notice shown to referred people, and its version stored with each consent.

Bump PRIVACY_NOTICE_VERSION whenever the notice's text changes in substance.
"""

PRIVACY_NOTICE_VERSION = "2026-12"
