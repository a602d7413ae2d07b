"""The strict form of a file's lines: text PostgreSQL can COPY straight into typed columns.

The typing statement (fields.py) accepts more than one spelling of a value (surrounding
whitespace, null markers, aliases, upper-case booleans, dates without the calendar's days
checked) and PostgreSQL's own input functions accept yet others, so typed columns cannot simply
be COPYed into. A file whose every line matches the pattern built here can: each field is empty,
or a value in the one spelling on which both readings agree (a date YYYY-MM-DD, a time HH:MM[:SS],
digits, t/f, a listed code, a lower-case address, text without surrounding whitespace that is no
null marker). The pattern is matched in C over a few megabytes at a time, no Python per line; the
values left to check (lengths, ranges, future dates, a calendar day PostgreSQL refuses) are
checked by the typing statement or refused by COPY itself, and any refusal sends the file down
the careful path (rawcopy.py, fields.py).

Python's regular expressions read these patterns at about 10 MB/s, most of the time a first import
spent outside the database. RE2 (google-re2: a maintained linear-time automaton, no backtracking)
reads them ten times faster but has no lookaround, so ``StrictForm`` also states the form for what
nearly every piece is, ASCII text with no null marker anywhere in it, without lookaround. That
pattern's language lies within the full one's (tests/sis/test_strict_staging.py): a piece it
accepts is in the strict form, and a piece it refuses is asked of the full pattern.
"""

import re

import re2

from students.sis.format import NULL_MARKERS, Column, FileSpec

# Whitespace Python's str.strip() removes that is not ASCII, as UTF-8: a field must neither start
# nor end with one (the typing statement trims them; COPY would keep them). Tested only where a
# field starts or ends with a byte past ASCII, so that plain ASCII text costs one test at each end.
_WIDE = [re.escape(chr(code).encode()) for code in range(0x80, 0x3001) if chr(code).isspace()]
_START = rb"(?:[\x21-\x7e]|(?!" + b"|".join(_WIDE) + rb")[\x80-\xff])"  # a first character that is no space
_END = rb"(?:(?<=[\x21-\x7e])|(?<=[\x80-\xff])" + b"".join(b"(?<!" + space + b")" for space in _WIDE) + rb")"
_ENDS = rb"(?=[,\r\n]|\Z)"  # the field ends here: a delimiter, the line's end or the piece's


def _not_null_marker(closing: bytes) -> bytes:
    """The text ahead is none of the null markers the typing statement reads as a missing value."""
    return b"".join(b"(?!" + re.escape(marker.encode()) + closing + b")" for marker in sorted(NULL_MARKERS) if marker)


_UNQUOTED_TEXT = _not_null_marker(_ENDS) + rb'(?![,"])' + _START + rb'[^,"\r\n\x00]*+' + _END
# Quoted whole, inner quotes doubled: the csv module and COPY both read the text between the quotes.
# Quoted and empty, COPY reads the empty string where the careful path reads a missing value: the
# typing statement nulls it (fields.py).
_QUOTED_TEXT = (
    rb'"(?:"'
    + _ENDS
    + rb"|"
    + _not_null_marker(rb'"(?!")')
    + rb'(?:""|(?!")'
    + _START
    + rb')(?:[^"\r\n\x00]++|"")*+'
    + _END
    + rb'")'
)
_ANY_FIELD = rb'(?:[^,"\r\n\x00]++|"(?:[^"\r\n\x00]++|"")*+")?'  # a column the format does not know

_UNQUOTED = {
    "date": rb"(?!0000)[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])",
    "time": rb"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?",
    "int": rb"-?[0-9]{1,9}",
    "decimal": rb"-?[0-9]{1,15}(?:\.[0-9]{1,15})?",
    "bool": rb"(?:true|false|t|f|1|0)",
    "email": rb"[a-z0-9._%+'-]++@[a-z0-9-]++(?:\.[a-z0-9-]++)++",
}
TYPED_KINDS = frozenset(_UNQUOTED) - {"email"}  # COPY types these itself; email, enum and text stay text


def _listed_codes(column: Column) -> list[bytes]:
    """The column's codes as listed, longest first; a code that is also an alias is left to the careful path."""
    aliased = {alias.upper() for alias in column.aliases}
    codes = sorted((code for code in column.choices if code and code.upper() not in aliased), key=len, reverse=True)
    return [re.escape(code.encode()) for code in codes]


def _codes(column: Column) -> bytes:
    codes = _listed_codes(column)
    if not codes:
        return rb"(?!)"
    return rb"(?:" + b"|".join(codes) + rb")" + _ENDS


def field_pattern(column: Column) -> bytes:
    """A field of ``column`` in its strict form, or empty (a missing value, as the careful path reads it)."""
    if column.kind == "text":
        forms = [_UNQUOTED_TEXT, _QUOTED_TEXT]
    elif column.kind in TYPED_KINDS:
        forms = [_UNQUOTED[column.kind] + _ENDS]
    else:  # staged as text: the empty string is nulled like a quoted empty text
        forms = [_codes(column) if column.kind == "enum" else _UNQUOTED[column.kind] + _ENDS, rb'""' + _ENDS]
    return rb"(?:" + b"|".join(forms) + rb")?"


def line_pattern(spec: FileSpec, header: list[str]) -> re.Pattern:
    """Every data line of a file with this header in the strict form, each line a full record."""
    columns = {column.name: column for column in spec.columns}
    fields = [field_pattern(columns[name]) if name in columns else _ANY_FIELD for name in header]
    line = b",".join(fields) + rb"\r?"
    return re.compile(rb"(?:" + line + rb"\n)*+(?:" + line + rb")?")


def typed_columns(spec: FileSpec, header: list[str]) -> list[str]:
    """The SQL type of each of the header's columns when COPYed in the strict form."""
    kinds = {column.name: column for column in spec.columns}
    return [kinds[name].sql_type if name in kinds and kinds[name].kind in TYPED_KINDS else "text" for name in header]


# --- the same form without lookaround, for ASCII pieces with no null marker (RE2) ----------------------
_IN_FIELD = rb"[\x01-\x09\x0b\x0c\x0e-\x21\x23-\x2b\x2d-\x7f]"  # [^,"\r\n\x00], in ASCII
_FIELD_EDGE = rb"[\x21\x23-\x2b\x2d-\x7e]"  # an unquoted field's first or last character: no space, quote, comma
_IN_QUOTES = rb'(?:[\x01-\x09\x0b\x0c\x0e-\x21\x23-\x7f]|"")'  # [^"\r\n\x00] or a doubled quote
_QUOTED_EDGE = rb'(?:[\x21\x23-\x7e]|"")'  # a quoted text's first or last character: no space
_ASCII_TEXT = [
    _FIELD_EDGE + rb"(?:" + _IN_FIELD + rb"*" + _FIELD_EDGE + rb")?",
    rb'"(?:' + _QUOTED_EDGE + rb"(?:" + _IN_QUOTES + rb"*" + _QUOTED_EDGE + rb')?)?"',
]
_ASCII_ANY_FIELD = rb"(?:" + _IN_FIELD + rb'+|"' + _IN_QUOTES + rb'*")?'
_ASCII_UNQUOTED = {
    **_UNQUOTED,
    "date": rb"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])",
    "email": rb"[a-z0-9._%+'-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+",
}
_MARKERS = [marker.encode() for marker in NULL_MARKERS if marker]
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20  # the automaton's cache for a wide file's alternatives


def _ascii_field_pattern(column: Column) -> bytes:
    """``field_pattern`` for a field of ASCII text that is no null marker, without lookaround."""
    if column.kind == "text":
        forms = _ASCII_TEXT
    elif column.kind in TYPED_KINDS:
        forms = [_ASCII_UNQUOTED[column.kind]]
    elif column.kind == "enum":
        forms = [*_listed_codes(column), rb'""']
    else:
        forms = [_ASCII_UNQUOTED[column.kind], rb'""']
    return rb"(?:" + b"|".join(forms) + rb")?"


def ascii_line_pattern(spec: FileSpec, header: list[str]) -> bytes:
    """``line_pattern``'s text for ASCII lines with no null marker, without lookaround (RE2's syntax)."""
    columns = {column.name: column for column in spec.columns}
    fields = [_ascii_field_pattern(columns[name]) if name in columns else _ASCII_ANY_FIELD for name in header]
    line = b",".join(fields) + rb"\r?"
    return rb"(?:" + line + rb"\n)*(?:" + line + rb")?"


class StrictForm:
    """Whether pieces of a file with this header are in the strict form: RE2 first, the full pattern if it refuses."""

    def __init__(self, spec: FileSpec, header: list[str]):
        self.full = line_pattern(spec, header)
        self.ascii = re2.compile(ascii_line_pattern(spec, header), _RE2_OPTIONS)

    def fast_match(self, piece: bytes, start: int = 0) -> bool:
        """The piece (from ``start``) is ASCII, holds no null marker and matches the pattern without lookaround."""
        return (
            piece.isascii()
            and not any(marker in piece for marker in _MARKERS)
            and self.ascii.fullmatch(piece, start) is not None
        )

    def matches(self, piece: bytes, start: int = 0) -> bool:
        return self.fast_match(piece, start) or self.full.fullmatch(piece, start) is not None
