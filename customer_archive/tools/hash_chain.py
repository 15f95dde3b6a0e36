"""SHA-256 hash chain making an append-only log tamper-evident.

Each entry stores the hash of the entry before it and its own hash, computed
over that previous hash and the entry's content. Changing, removing or
reordering an entry breaks the chain from that entry on.
"""

import hashlib
import json

GENESIS_HASH = "0" * 64


def entry_hash(previous_hash, content):
    """Return the SHA-256 of ``previous_hash`` and ``content`` (a dict).

    The content is serialised as JSON with sorted keys and every value turned
    into text, so the same entry always hashes the same way.
    """
    canonical = json.dumps(
        {key: "" if value is None else str(value) for key, value in content.items()},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def first_broken_entry(entries, previous_hash=GENESIS_HASH):
    """Return the key of the first entry that breaks the chain, or ``None``.

    ``entries`` yields ``(key, stored_previous_hash, stored_hash, content)``
    in chain order; ``previous_hash`` is the hash the first entry must point
    to.
    """
    expected_previous = previous_hash
    for key, stored_previous, stored_hash, content in entries:
        if stored_previous != expected_previous:
            return key
        if stored_hash != entry_hash(stored_previous, content):
            return key
        expected_previous = stored_hash
    return None
