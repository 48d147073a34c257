"""Word shingles and MinHash signatures of article bodies (datasketch).

Why word shingles on a normalised token stream: syndicated copies differ in headline,
boilerplate ("Reporting by ...", "Sign up for our newsletter"), punctuation, case and the
odd typo or cut paragraph, but share long runs of the same words. Lower-cased word
n-grams see through case and punctuation; a typo spoils only the n shingles that contain
the word. `bench/dedup.py` chose the shingle length and thresholds (docs/monitoring.md).

A `Signature` keeps the MinHash values (uint32: datasketch masks them to 32 bits) and the
number of distinct shingles, so containment (a truncated copy inside the full text) can be
estimated from two signatures without the texts.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from datasketch import MinHash

_WORD = re.compile(r"\w+", re.UNICODE)
_SIZE = struct.Struct("<I")
# datasketch's permutation family (2.x names it); pinned so an upgrade that changes the
# default cannot silently mix incomparable signatures. Its values fit in 32 bits.
MINHASH_SCHEME = "affine32"


@dataclass(frozen=True)
class Scheme:
    """How signatures are made and compared; signatures of different schemes never mix.

    `shingle` words per shingle; `num_perm` MinHash permutations; `threshold` the
    Jaccard similarity at which two articles are one story; `containment` the share of
    the shorter text found in the longer at which they are one story too (a copy cut
    after a few paragraphs); `lsh_threshold` the (lower) Jaccard at which LSH proposes a
    candidate, so such cut copies, whose Jaccard is low, are still compared.
    """

    shingle: int = 3
    num_perm: int = 128
    seed: int = 1
    threshold: float = 0.5
    containment: float = 0.8
    lsh_threshold: float = 0.25

    @property
    def name(self) -> str:
        """The identity of the signatures (thresholds do not change them)."""
        return f"w{self.shingle}:p{self.num_perm}:s{self.seed}:crc32:{MINHASH_SCHEME}"


DEFAULT_SCHEME = Scheme()


@dataclass(frozen=True)
class Signature:
    """A MinHash signature plus the count of distinct shingles it summarises."""

    hashvalues: npt.NDArray[np.uint64]
    size: int

    def to_bytes(self) -> bytes:
        return _SIZE.pack(self.size) + self.hashvalues.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        (size,) = _SIZE.unpack_from(data)
        values = np.frombuffer(data, dtype="<u4", offset=_SIZE.size).astype(np.uint64)
        return cls(hashvalues=values, size=size)

    def jaccard(self, other: Signature) -> float:
        """Estimated Jaccard similarity of the two shingle sets."""
        if self.size == 0 or other.size == 0:
            return 0.0
        return float(np.count_nonzero(self.hashvalues == other.hashvalues)) / len(
            self.hashvalues
        )

    def containment(self, other: Signature, jaccard: float | None = None) -> float:
        """Estimated share of the smaller shingle set found in the larger one:
        |A ∩ B| = J (|A| + |B|) / (1 + J), over min(|A|, |B|)."""
        jac = self.jaccard(other) if jaccard is None else jaccard
        small, large = sorted((self.size, other.size))
        if small == 0:
            return 0.0
        return min(1.0, jac * (small + large) / (1.0 + jac) / small)

    def similarity(self, other: Signature, scheme: Scheme) -> float:
        """The score two articles are grouped on: Jaccard, or, when Jaccard reaches the
        LSH floor and the containment reaches `scheme.containment`, the containment (a
        copy cut after a few paragraphs is the same story though its partner is longer).
        Below the floor, containment is too noisy to trust (few MinHash agreements)."""
        jac = self.jaccard(other)
        if jac < scheme.lsh_threshold:
            return jac
        contained = self.containment(other, jac)
        return contained if contained >= scheme.containment else jac


class Signer:
    """Turns a body into its `Signature` under one `Scheme` (a callable stage).

    Shingles are hashed with numpy rather than by datasketch's per-item SHA-1: each word
    gets a CRC-32 (stable across processes, unlike `hash()`), and a shingle's hash is a
    polynomial of its words' hashes, computed for all shingles at once. This is 4-5x
    faster than hashing shingle strings, and the values only feed MinHash permutations.
    """

    def __init__(self, scheme: Scheme = DEFAULT_SCHEME) -> None:
        self.scheme = scheme
        self._template = MinHash(
            num_perm=scheme.num_perm, seed=scheme.seed, scheme=MINHASH_SCHEME,
            hashfunc=_identity,
        )

    def shingle_hashes(self, text: str) -> npt.NDArray[np.uint64]:
        """The distinct 32-bit hashes of the text's word shingles (sorted)."""
        words = _WORD.findall(text.casefold())
        if not words:
            return np.empty(0, dtype=np.uint64)
        hashes = np.fromiter((zlib.crc32(w.encode()) for w in words), dtype=np.uint64,
                             count=len(words))
        k = min(self.scheme.shingle, len(words))
        count = len(words) - k + 1
        combined = np.zeros(count, dtype=np.uint64)
        for offset in range(k):  # < 2**52 before the mask: no uint64 overflow
            combined = ((combined * _MULTIPLIER) + hashes[offset : offset + count]) & _MASK
        return np.unique(combined)

    def sign(self, text: str) -> Signature:
        shingles = self.shingle_hashes(text)
        minhash = self._template.copy()
        if len(shingles):
            minhash.update_batch(shingles)
        return Signature(hashvalues=minhash.hashvalues.astype(np.uint64), size=len(shingles))

    def __call__(self, texts: list[str]) -> list[Signature]:
        return [self.sign(text) for text in texts]


_MULTIPLIER = np.uint64(1_000_003)
_MASK = np.uint64(0xFFFFFFFF)


def _identity(value: np.uint64) -> np.uint64:
    """datasketch's hash function slot: our values are hashes already."""
    return value
