"""Near-duplicate detection: syndicated copies of one report grouped into one story.

    >>> from flashpoint.dedup import Signer, StoryIndex
    >>> signer = Signer()                      # shingling + MinHash settings (one scheme)
    >>> index = StoryIndex(signer.scheme)      # MinHash LSH over stories' articles
    >>> sig = signer.sign(article.text)
    >>> match = index.match(sig)               # best story above the threshold, or None

Pure compute, no database: `flashpoint.store.stories` persists signatures and story
membership, and rebuilds a `StoryIndex` from them when a run starts.
"""

from __future__ import annotations

from flashpoint.dedup.index import Match, StoryIndex
from flashpoint.dedup.minhash import DEFAULT_SCHEME, Scheme, Signature, Signer

__all__ = ["DEFAULT_SCHEME", "Match", "Scheme", "Signature", "Signer", "StoryIndex"]
