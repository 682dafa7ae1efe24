"""Credentials: long random tokens, stored only as hashes, looked up by hash.

A token carries 256 random bits, so SHA-256 (not a slow password hash) is the right tool: an
attacker with the table cannot invert it, and lookup stays one indexed query per request.
"""

from __future__ import annotations

import hashlib
import secrets

TERMINAL_PREFIX = "dnwt_"
UNIT_PREFIX = "dnwu_"
OFFICE_PREFIX = "dnwo_"


def new_token(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
