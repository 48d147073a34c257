"""Stable identifiers: canonical URLs and content hashes.

An article's id must not change when the same story is read again from another feed,
with tracking parameters, another fragment or an upper-case host, so ids are hashes of
the canonical URL, or of the normalised text when there is no URL. Re-ingesting the same
input therefore changes nothing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the page itself.
_TRACKING_EXACT = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "ref_src", "cmpid", "ocid",
        "smid", "smtyp", "ito", "at_medium", "at_campaign", "share", "ns_mchannel",
        "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "spm", "guccounter",
    }
)
_TRACKING_PREFIXES = ("utm_", "mtm_", "pk_", "at_", "hsa_")
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_WS = re.compile(r"\s+")


def _is_tracking(name: str) -> bool:
    low = name.lower()
    return low in _TRACKING_EXACT or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """The form of `url` used for identity: lower-case scheme and host, no credentials,
    no default port, no fragment, no tracking parameters, remaining parameters sorted.

    >>> canonical_url("HTTPS://News.Example.COM:443/a/b?utm_source=x&id=2#top")
    'https://news.example.com/a/b?id=2'
    """
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    netloc = host
    if parts.port is not None and _DEFAULT_PORTS.get(scheme) != str(parts.port):
        netloc = f"{host}:{parts.port}"
    path = parts.path or "/"
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if not _is_tracking(k))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def normalized_for_hash(text: str) -> str:
    """Text reduced to what identifies it: NFKC, case-folded, whitespace collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def digest(value: str, length: int = 20) -> str:
    """A short hex SHA-256 digest; 20 hex chars (80 bits) is ample for a news archive."""
    # surrogatepass: a lone surrogate in text given to extract() must not crash hashing
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def text_hash(text: str) -> str:
    """Hash of the normalised text: two articles with equal bodies are exact duplicates."""
    return digest(normalized_for_hash(text), 32)


def article_id(url: str | None, text: str) -> str:
    """Stable article id: from the canonical URL when there is one, else from the text."""
    if url and urlsplit(url.strip()).hostname:
        return "a" + digest("url:" + canonical_url(url))
    return "a" + digest("text:" + normalized_for_hash(text))
