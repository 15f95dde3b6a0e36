"""Character rules for the names of filed files."""

import unicodedata

# Unicode general categories rejected in file names. They are the controls
# (Cc), the format characters (Cf), private use (Co), surrogates (Cs) and the
# line and paragraph separators (Zl, Zp). Format characters include the
# bidirectional marks LRM, RLM, ALM and RLO, the zero-width space and the
# byte order mark. These characters are invisible or change how the rest of
# the name is displayed, so "gpj.exe" can look like "exe.jpg" or two
# different names can look the same.
UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})


def find_unsafe_character(name):
    """Return the first rejected character of ``name`` as ``U+XXXX``, or None."""
    for character in name:
        if unicodedata.category(character) in UNSAFE_CATEGORIES:
            return f"U+{ord(character):04X}"
    return None
