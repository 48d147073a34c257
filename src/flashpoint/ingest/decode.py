"""Bytes to text: tell text from binary junk, then decode it without mangling words.

News archives mix UTF-8 with Windows-1252 (scraped or exported on Windows, the BBC
corpus), Latin-1, and the odd Cyrillic or CJK legacy encoding. A wrong guess corrupts the
very names an event coder keys on ("café" read as "cafĂ©"), so the order of trust is:

1. a byte-order mark;
2. strict UTF-8 (bytes that decode as UTF-8 and contain non-ASCII are almost never
   anything else);
3. the charset an HTML page or XML prolog declares;
4. charset-normalizer's guess for non-Latin scripts (Cyrillic, Greek, CJK, ...); when
   it answers with a Latin-script code page we use cp1252, as browsers do: on short
   Western text it says cp1250, cp775 or even UTF-16 and mangles the accents;
5. cp1252, then Latin-1, which decodes any byte string, so decoding never fails.

Binary input (an image renamed .txt, an archive, random bytes) is recognised before
decoding, by magic numbers and NUL bytes, and after it by the share of control
characters, and raised as `BinaryInputError`.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from flashpoint.errors import BinaryInputError, EmptyInputError

SNIFF_BYTES = 8192
_WHITESPACE = b" \t\r\n\x0b\x0c"
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"OggS", "Ogg media"),
    (b"ID3", "an MP3 file"),
    (b"wOFF", "a web font"),
)
# Unicode category Cc minus the whitespace controls (tab, newlines, form feed).
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Most of a text is letters and spaces; random bytes decoded as cp1252 are ~11 % C0
# controls. A few stray controls in real text (pasted from Word) stay under this.
_MAX_CONTROL_SHARE = 0.05
# Latin-script single-byte code pages (and BOM-less UTF-16/32, which short Western
# text is sometimes taken for): charset-normalizer's answers we replace by cp1252.
_LATIN = frozenset(
    {
        "cp1250", "cp1252", "cp1254", "cp1257", "cp1258", "latin_1", "iso8859_2", "iso8859_3",
        "iso8859_4", "iso8859_9", "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15",
        "iso8859_16", "mac_roman", "mac_latin2", "mac_iceland", "mac_turkish", "hp_roman8",
        "cp437", "cp775", "cp850", "cp852", "cp857", "cp858", "cp860", "cp861", "cp863",
        "cp865", "utf_16", "utf_16_be", "utf_16_le", "utf_32", "utf_32_be", "utf_32_le",
        "ascii",
    }
)
# <meta charset="x">, <meta http-equiv="Content-Type" content="text/html; charset=x">,
# <?xml version="1.0" encoding="x"?>
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9._:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9._:-]+)""",
    re.IGNORECASE,
)
# The WHATWG Encoding Standard reads these labels as windows-1252, as browsers do.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` announces, if any."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    return None


def check_text(data: bytes) -> None:
    """Raise `EmptyInputError` or `BinaryInputError` when `data` is not an article's text.

    Looks at the first `SNIFF_BYTES` only, so it is cheap enough to call on every file
    of a directory.
    """
    head = data[:SNIFF_BYTES]
    if not head.strip(_WHITESPACE) and not data.strip(_WHITESPACE):
        raise EmptyInputError(
            "the input is empty (whitespace only)" if data else "the input is empty (0 bytes)"
        )
    if bom_encoding(head) is None:
        for magic, what in _MAGIC:
            if head.startswith(magic):
                raise BinaryInputError(f"binary content ({what}), not text")
        if b"\x00" in head:
            raise BinaryInputError("binary content (NUL bytes), not text")
    sample = decode_bytes(head, complete=False)
    if len(data) <= SNIFF_BYTES and not sample.strip():
        raise EmptyInputError("the input is empty (whitespace only)")
    controls = len(_CONTROLS.findall(sample))
    if controls > _MAX_CONTROL_SHARE * len(sample):
        raise BinaryInputError(
            f"binary content ({controls} control characters in the first {len(sample)}), "
            "not text"
        )


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML `<meta>` or XML prolog declares in the first bytes, if any."""
    match = _DECLARED.search(data[:4096])
    if match is None:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def decode_bytes(data: bytes, declared: str | None = None, *, complete: bool = True) -> str:
    """Decode `data` to text following the order of trust in the module docstring.

    `declared` is a charset the container states (an HTML meta tag). `complete=False`
    says `data` may end in the middle of a character (a sniffed prefix).
    """
    bom = bom_encoding(data)
    if bom is not None:
        return data.decode(bom, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return data[: exc.start].decode("utf-8")
    if declared is not None and declared not in ("utf-8", "utf_8"):
        try:
            return data.decode(declared)
        except (UnicodeDecodeError, LookupError):
            pass
    guess = _guess(data)
    if guess is not None:
        try:
            return data.decode(guess)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _guess(data: bytes) -> str | None:
    """charset-normalizer's guess, or None to fall back on cp1252 (see module docstring).

    On short Latin-script text it is unreliable (cp1252 bytes come back as cp1250,
    cp775 or mac_iceland), so any Latin single-byte answer, or cp1252 among its
    candidates, means cp1252. Cyrillic, Greek, CJK, ... guesses are kept.
    """
    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    if best.encoding in _LATIN or any(match.encoding == "cp1252" for match in results):
        return None
    return best.encoding
