"""`StoryIndex`: MinHash LSH over indexed articles, answering "which articles is this a
copy of?".

The index knows articles and their signatures only; which story each belongs to is the
store's business (`store.stories`), because stories change when an article bridges two
of them (see there). `matches` returns every indexed article whose similarity
(`Signature.similarity`: Jaccard, or containment for cut copies) reaches the scheme's
threshold, best first.

The index lives in memory and is rebuilt from stored signatures; it holds nothing the
database does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from datasketch import LeanMinHash, MinHashLSH

from flashpoint.dedup.minhash import DEFAULT_SCHEME, MINHASH_SCHEME, Scheme, Signature


@dataclass(frozen=True)
class Match:
    """An indexed article similar enough to a query to be the same story."""

    article_id: str
    similarity: float


class StoryIndex:
    """Indexed articles' signatures, with an LSH for candidate lookup."""

    def __init__(self, scheme: Scheme = DEFAULT_SCHEME) -> None:
        self.scheme = scheme
        self._lsh = MinHashLSH(threshold=scheme.lsh_threshold, num_perm=scheme.num_perm)
        self._signatures: dict[str, Signature] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._signatures

    def add(self, article_id: str, signature: Signature) -> None:
        """Index one article (no-op if already indexed)."""
        if article_id in self._signatures:
            return
        self._signatures[article_id] = signature
        if signature.size:  # an empty body matches nothing, so it is never a candidate
            self._lsh.insert(article_id, self._lean(signature), check_duplication=False)

    def matches(self, signature: Signature) -> list[Match]:
        """Indexed articles at or above the threshold, best first (ties by id)."""
        if not signature.size or not self._signatures:
            return []
        found = []
        for key in self._lsh.query(self._lean(signature)):
            score = signature.similarity(self._signatures[key], self.scheme)
            if score >= self.scheme.threshold:
                found.append(Match(article_id=key, similarity=score))
        return sorted(found, key=lambda m: (-m.similarity, m.article_id))

    def _lean(self, signature: Signature) -> LeanMinHash:
        return LeanMinHash(
            seed=self.scheme.seed, hashvalues=signature.hashvalues, scheme=MINHASH_SCHEME
        )
