"""File checksums."""

import hashlib


def sha256_hex(data):
    """Return the SHA-256 of ``data`` (bytes) as 64 lower-case hexadecimal digits."""
    return hashlib.sha256(data or b"").hexdigest()
