"""Archive numbers: a folder prefix followed by a zero-padded sequence number."""

import re

PREFIX_PATTERN = re.compile(r"^[A-Z][A-Z0-9]{0,9}$")
DEFAULT_PADDING = 5


def is_valid_prefix(prefix):
    """Return whether ``prefix`` is 1 to 10 upper-case letters or digits.

    The first character must be a letter.
    """
    return bool(prefix) and bool(PREFIX_PATTERN.match(prefix))


def format_archive_number(prefix, number, padding=DEFAULT_PADDING):
    """Build an archive number such as ``BEV-00042``.

    :raises ValueError: when the prefix is invalid or the number is not positive.
    """
    if not is_valid_prefix(prefix):
        raise ValueError(f"invalid archive prefix {prefix!r}")
    if number < 1:
        raise ValueError(f"archive sequence number must be positive, got {number}")
    return f"{prefix}-{number:0{padding}d}"
