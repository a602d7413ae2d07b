"""One spelling per email address: what is stored, looked up and throttled is the normalized form.

Normalized means Unicode NFKC with case folded (NFKC_Casefold, in effect): full-width letters,
ligatures and compatibility characters become their plain forms and case is folded beyond ASCII
(``ß`` → ``ss``, the Kelvin sign → ``k``), so an address typed another way reaches the same row,
the same throttle counter and the same audit identity. Lookups compare the normalized form
exactly, never case-insensitively: PostgreSQL's ``UPPER()`` under a libc collation such as
en_US.UTF-8 turns the dotless ``ı`` of ``teacher.bıology`` into ``I``, so an ``iexact`` lookup
let a look-alike reach another person's account under a different throttle counter.

Normalization keeps ``ı`` and ``i`` apart (they are different letters), so a look-alike address is
a different address. New accounts must therefore use plain ASCII addresses: a district's staff
addresses are ASCII, and a non-ASCII one that reads like a colleague's is refused, not stored.
"""

import unicodedata

from django.core.exceptions import ValidationError

LOOK_ALIKE_MESSAGE = (
    "Use the plain (ASCII) spelling of the address: {address!r} contains {characters}, which can make "
    "it read like someone else's address."
)


def normalize_email(address: str) -> str:
    """The one stored spelling of an address: trimmed, NFKC, case-folded."""
    folded = unicodedata.normalize("NFKC", address.strip()).casefold()
    return unicodedata.normalize("NFKC", folded)


def validate_new_account_email(address: str) -> str:
    """The normalized address for a new account; ValidationError if it has non-ASCII characters."""
    normalized = normalize_email(address)
    unusual = sorted({character for character in normalized if not character.isascii()})
    if unusual:
        characters = ", ".join(f"{character!r} (U+{ord(character):04X})" for character in unusual)
        raise ValidationError(LOOK_ALIKE_MESSAGE.format(address=normalized, characters=characters), code="look_alike")
    return normalized
