"""Stories: near-duplicate articles (syndicated copies of one report) grouped in the store.

Every article an ingest stores is assigned to a story (`stories`, `story_articles`), so
analyses can count an event once per story rather than once per copy. The assignment is
incremental: the MinHash signature of each article is stored (`article_minhash`), and
the LSH index that finds an article's story is rebuilt from those rows when a `Stories`
first assigns, then kept current from rows other writers add (`seq` > last seen).

An article joins the story of the stored articles it copies. When those sit in more
than one story (copies that arrived before their original, each founding a story), the
stories are merged into the oldest (lowest id): the others' rows are deleted and their
articles move. So story ids are stable for the first story of a group, but a later id
can disappear; analyses should join `story_articles` at query time, not cache ids.

Assignment runs in one write transaction per batch, under `BEGIN IMMEDIATE` on SQLite
and a transaction-scoped advisory lock on PostgreSQL, so two ingests running at once
take turns instead of both founding a story for the same report. The signatures are
computed before the transaction opens: no hashing while other writers wait.

    stories = Stories(store)
    stories.assign(articles)          # after store.add_articles(...)
    stories.assign_missing()          # articles stored without a story (older runs, kills)
    for row in stories.rows(min_articles=2): ...
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flashpoint.dedup import DEFAULT_SCHEME, Scheme, Signature, Signer, StoryIndex
from flashpoint.model import Article
from flashpoint.store import schema as tables
from flashpoint.store.rows import _Row
from flashpoint.store.store import Store
from flashpoint.store.writes import dialect_insert

_PG_STORY_LOCK = 0x0F1A5_0002  # serialises story assignment across PostgreSQL writers
_IN_CHUNK = 500


@dataclass(frozen=True)
class Assignment(_Row):
    """The story one article was put in; `new` when the article founded it."""

    article_id: str
    story_id: int
    similarity: float
    new: bool


@dataclass(frozen=True)
class StoryRow(_Row):
    """One story as listed: its first article's title, sizes and the sources it ran in."""

    id: int
    title: str | None
    first_article_id: str | None
    first_seen: dt.datetime
    n_articles: int
    n_sources: int


@dataclass(frozen=True)
class StoryMember(_Row):
    """One article of a story."""

    article_id: str
    title: str | None
    url: str | None
    source: str | None
    published: dt.date | None
    similarity: float


@dataclass
class _Batch:
    """What one `assign` call has decided, before it is written."""

    done: set[str]
    assigned: list[Assignment] = field(default_factory=list)
    members: dict[str, int] = field(default_factory=dict)
    similarity: dict[str, float] = field(default_factory=dict)
    signatures: dict[str, bytes] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    new: dict[int, dict[str, Any]] = field(default_factory=dict)  # provisional id -> row


def _age(story_id: int) -> tuple[int, int]:
    """Older first: stored stories by id, then this batch's in founding order."""
    return (0, story_id) if story_id > 0 else (1, -story_id)


class Stories:
    """Story assignment and listing for one Store, with the scheme's LSH index."""

    def __init__(self, store: Store, scheme: Scheme = DEFAULT_SCHEME) -> None:
        self.store = store
        self.scheme = scheme
        self.signer = Signer(scheme)
        self._db = store._db
        self._index: StoryIndex | None = None
        self._last_seq = 0

    # -- writing -------------------------------------------------------------------------

    def assign(self, articles: Sequence[Article]) -> list[Assignment]:
        """Put each stored article without a story into one; returns what was done.

        Articles must already be stored (`Store.add_articles`); ones that already have a
        story are left where they are and not reported. A reported `story_id` is the
        article's story at the end of the batch (a later batch may still merge it into
        an older one: `story_of` gives the current one).
        """
        if not articles:
            return []
        signatures = self.signer([article.text for article in articles])
        try:
            with self._db.write() as conn:
                self._lock(conn)
                index = self._refresh(conn)
                batch = _Batch(done=_existing(conn, [a.id for a in articles]))
                now = dt.datetime.now(dt.UTC)
                for article, signature in zip(articles, signatures, strict=True):
                    if article.id in batch.done or article.id in index:
                        continue
                    batch.done.add(article.id)
                    batch.assigned.append(
                        self._assign_one(conn, index, article, signature, now, batch)
                    )
                self._write(conn, batch)
                self._last_seq = int(
                    conn.scalar(sa.select(sa.func.max(tables.article_minhash.c.seq))) or 0
                )
        except BaseException:
            self._index = None  # it may hold rows that were rolled back: rebuild next time
            raise
        return batch.assigned

    def assign_missing(self, batch_size: int = 200) -> int:
        """Assign every stored article that has no story yet; returns how many."""
        missing = sa.select(tables.articles).where(
            ~sa.exists().where(tables.story_articles.c.article_id == tables.articles.c.id)
        ).order_by(tables.articles.c.seq)
        total = 0
        last = 0
        while True:
            with self._db.read() as conn:
                rows = conn.execute(
                    missing.where(tables.articles.c.seq > last).limit(batch_size)
                ).all()
            if not rows:
                return total
            last = rows[-1].seq
            batch = [Article(id=r.id, url=r.url, title=r.title, published=r.published,
                             source=r.source, text=r.text) for r in rows]
            total += len(self.assign(batch))

    def _assign_one(
        self, conn: Connection, index: StoryIndex, article: Article, signature: Signature,
        now: dt.datetime, batch: _Batch,
    ) -> Assignment:
        """Join the story of the articles this one copies; when they sit in different
        stories (two copies that came before their original), merge those into the
        oldest, so a story gathers every copy whatever order they arrive in.

        Rows are collected in `batch` and written by `_write` in a few statements; a
        story founded in this batch has a provisional negative id until then. The story
        of an article placed earlier in the batch is read from `batch`, of older ones
        from the database.
        """
        matches = index.matches(signature)
        member = tables.story_articles
        stories = {batch.members[m.article_id] for m in matches if m.article_id in batch.members}
        stored = [m.article_id for m in matches if m.article_id not in batch.members]
        if stored:
            stories.update(conn.scalars(
                sa.select(member.c.story_id).where(member.c.article_id.in_(stored[:_IN_CHUNK]))
            ))
        if not stories:
            story_id, similarity, new = -(len(batch.new) + 1), 1.0, True
            batch.new[story_id] = {"first_article_id": article.id, "title": article.title,
                                   "first_seen": now, "n_articles": 1, "n_sources": 1}
        else:
            story_id = min(stories, key=_age)
            similarity, new = matches[0].similarity, False
            others = sorted(stories - {story_id})
            stored_others = [o for o in others if o > 0]
            if stored_others:
                conn.execute(member.update().where(member.c.story_id.in_(stored_others))
                             .values(story_id=story_id))
                conn.execute(tables.stories.delete().where(
                    tables.stories.c.id.in_(stored_others)))
            for other in others:
                batch.new.pop(other, None)
                batch.touched.discard(other)
            for key, value in batch.members.items():
                if value in others:
                    batch.members[key] = story_id
        batch.members[article.id] = story_id
        batch.similarity[article.id] = similarity
        batch.signatures[article.id] = signature.to_bytes()
        if story_id > 0:
            batch.touched.add(story_id)
        index.add(article.id, signature)
        return Assignment(article_id=article.id, story_id=story_id,
                          similarity=similarity, new=new)

    def _write(self, conn: Connection, batch: _Batch) -> None:
        """Insert the batch's new stories (real ids replace provisional ones), its
        membership and signature rows, then recount the stories it touched."""
        real: dict[int, int] = {}
        if batch.new:
            provisional = sorted(batch.new, reverse=True)  # -1, -2, ...: founding order
            result = conn.execute(
                tables.stories.insert().returning(tables.stories.c.id,
                                                  sort_by_parameter_order=True),
                [batch.new[p] for p in provisional],
            )
            real = dict(zip(provisional, (int(r[0]) for r in result), strict=True))
            batch.touched.update(real.values())
        if batch.members:
            conn.execute(tables.story_articles.insert(), [
                {"article_id": key, "story_id": real.get(story, story),
                 "similarity": batch.similarity[key]}
                for key, story in batch.members.items()
            ])
            table = tables.article_minhash
            stmt = dialect_insert(self.store.dialect, table)
            conn.execute(stmt.on_conflict_do_update(
                index_elements=[table.c.article_id],
                set_={"scheme": stmt.excluded.scheme, "signature": stmt.excluded.signature},
            ), [{"article_id": key, "scheme": self.scheme.name, "signature": value}
                for key, value in batch.signatures.items()])
        for n, done in enumerate(batch.assigned):  # the story each ended up in
            final = batch.members[done.article_id]
            batch.assigned[n] = dataclasses.replace(done, story_id=real.get(final, final))
        _update_counts(conn, batch.touched)

    def _lock(self, conn: Connection) -> None:
        if self.store.dialect == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_STORY_LOCK)))

    def _refresh(self, conn: Connection) -> StoryIndex:
        """The index, built on first use and brought up to date with rows added since."""
        if self._index is None:
            self._index = StoryIndex(self.scheme)
            self._last_seq = 0
            self._resign_other_schemes(conn)
        sig = tables.article_minhash
        query = (
            sa.select(sig.c.seq, sig.c.article_id, sig.c.signature)
            .where(sig.c.seq > self._last_seq, sig.c.scheme == self.scheme.name)
            .order_by(sig.c.seq)
        )
        for row in conn.execute(query):
            self._index.add(row.article_id, Signature.from_bytes(row.signature))
            self._last_seq = row.seq
        return self._index

    def _resign_other_schemes(self, conn: Connection) -> None:
        """Signatures made under another scheme (shingle length, permutations) are
        recomputed from the stored texts, so a scheme change needs no manual step."""
        sig = tables.article_minhash
        query = (
            sa.select(sig.c.article_id, tables.articles.c.text)
            .join(tables.articles, tables.articles.c.id == sig.c.article_id)
            .where(sig.c.scheme != self.scheme.name)
        )
        for row in conn.execute(query).all():
            conn.execute(sig.update().where(sig.c.article_id == row.article_id).values(
                scheme=self.scheme.name, signature=self.signer.sign(row.text).to_bytes(),
            ))

    # -- reading -------------------------------------------------------------------------

    def rows(
        self, *, limit: int = 20, offset: int = 0, min_articles: int = 1
    ) -> list[StoryRow]:
        """Stories, most recently started first; `min_articles=2` shows only groups."""
        query = (
            sa.select(tables.stories).where(tables.stories.c.n_articles >= min_articles)
            .order_by(tables.stories.c.first_seen.desc(), tables.stories.c.id.desc())
            .limit(limit).offset(offset)
        )
        with self._db.read() as conn:
            return [StoryRow(**row._mapping) for row in conn.execute(query)]

    def count(self, *, min_articles: int = 1) -> int:
        query = sa.select(sa.func.count()).select_from(tables.stories).where(
            tables.stories.c.n_articles >= min_articles
        )
        with self._db.read() as conn:
            return int(conn.scalar(query) or 0)

    def members(self, story_id: int) -> list[StoryMember]:
        """The articles of a story in ingestion order."""
        art, member = tables.articles, tables.story_articles
        query = (
            sa.select(art.c.id.label("article_id"), art.c.title, art.c.url, art.c.source,
                      art.c.published, member.c.similarity)
            .join(member, member.c.article_id == art.c.id)
            .where(member.c.story_id == story_id).order_by(art.c.seq)
        )
        with self._db.read() as conn:
            return [StoryMember(**row._mapping) for row in conn.execute(query)]

    def story_of(self, article_id: str) -> int | None:
        query = sa.select(tables.story_articles.c.story_id).where(
            tables.story_articles.c.article_id == article_id
        )
        with self._db.read() as conn:
            value = conn.scalar(query)
        return int(value) if value is not None else None


def source_key(source: str | None, url: str | None) -> str:
    """What counts as one source: the site name, else the URL's host, else "unknown"."""
    if source and source.strip():
        return source.strip().casefold()
    if url:
        host = urlsplit(url).hostname
        if host:
            return host.removeprefix("www.")
    return "unknown"


def _existing(conn: Connection, ids: list[str]) -> set[str]:
    found: set[str] = set()
    column = tables.story_articles.c.article_id
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        found.update(conn.scalars(sa.select(column).where(column.in_(chunk))))
    return found


def _update_counts(conn: Connection, story_ids: Iterable[int]) -> None:
    """Recount articles and distinct sources of the stories a batch touched."""
    ids = sorted(story_ids)
    art, member = tables.articles, tables.story_articles
    members: dict[int, list[str]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        rows = conn.execute(
            sa.select(member.c.story_id, art.c.source, art.c.url)
            .join(art, art.c.id == member.c.article_id)
            .where(member.c.story_id.in_(chunk))
        ).all()
        for row in rows:
            members.setdefault(row.story_id, []).append(source_key(row.source, row.url))
    if members:
        story = tables.stories
        conn.execute(
            story.update().where(story.c.id == sa.bindparam("story_id")).values(
                n_articles=sa.bindparam("articles"), n_sources=sa.bindparam("sources")),
            [{"story_id": key, "articles": len(keys), "sources": len(set(keys))}
             for key, keys in members.items()],
        )
