"""Near-duplicate stories: MinHash signatures, the LSH index, and story rows in the store."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from flashpoint.dedup import Scheme, Signature, Signer, StoryIndex
from flashpoint.model import Article
from flashpoint.store import Store
from flashpoint.store import schema as tables
from flashpoint.store.stories import Stories, source_key

WORDS = (
    "minister", "border", "troops", "talks", "crossing", "army", "government", "said",
    "president", "capital", "ceasefire", "aid", "refugees", "election", "parliament", "vote",
    "protest", "police", "city", "region", "officials", "agreement", "sanctions", "oil", "gas",
    "pipeline", "attack", "killed", "wounded", "village", "province", "rebels", "commander",
    "spokesman", "statement", "meeting", "summit", "foreign", "defence", "week", "month",
    "year", "monday", "tuesday", "friday", "local", "national", "international", "report",
)


def article_text(seed: int, paragraphs: int = 6) -> str:
    rng = random.Random(seed)
    return "\n\n".join(
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(35, 60))).capitalize() + "."
        for _ in range(paragraphs)
    )


def syndicated(text: str) -> str:
    """A copy as another outlet runs it: a paragraph dropped, a line of boilerplate."""
    paragraphs = text.split("\n\n")
    return "\n\n".join(paragraphs[:2] + paragraphs[3:] + ["Reporting by the wire desk."])


def test_signature_round_trips_through_bytes() -> None:
    signature = Signer().sign(article_text(1))
    again = Signature.from_bytes(signature.to_bytes())
    assert again.size == signature.size
    assert again.jaccard(signature) == 1.0


def test_near_copies_score_high_and_different_texts_low() -> None:
    signer = Signer()
    original = signer.sign(article_text(1))
    assert signer.sign(syndicated(article_text(1))).jaccard(original) > 0.6
    assert signer.sign(article_text(2)).jaccard(original) < 0.1


def test_truncated_copy_matches_by_containment() -> None:
    scheme = Scheme()
    signer = Signer(scheme)
    full = signer.sign(article_text(3, paragraphs=8))
    first_third = signer.sign("\n\n".join(article_text(3, paragraphs=8).split("\n\n")[:3]))
    assert full.jaccard(first_third) < scheme.threshold
    assert full.containment(first_third) > 0.9
    assert full.similarity(first_third, scheme) >= scheme.threshold


def test_empty_body_matches_nothing() -> None:
    index = StoryIndex()
    index.add("a", Signer().sign(""))
    assert index.matches(Signer().sign("")) == []


def test_index_ranks_matches() -> None:
    signer, index = Signer(), StoryIndex()
    index.add("a", signer.sign(article_text(1)))
    index.add("b", signer.sign(article_text(2)))
    index.add("b2", signer.sign(syndicated(syndicated(article_text(2)))))
    matches = index.matches(signer.sign(syndicated(article_text(2))))
    assert {m.article_id for m in matches} == {"b", "b2"}
    assert matches[0].similarity >= matches[1].similarity >= Scheme().threshold
    assert index.matches(signer.sign(article_text(9))) == []


def test_shared_paragraphs_alone_do_not_make_a_story() -> None:
    """Two reports that share a background paragraph or two are different stories."""
    scheme = Scheme()
    signer = Signer(scheme)
    first = article_text(4).split("\n\n")
    second = article_text(5).split("\n\n")
    mixed = "\n\n".join(second[:4] + first[:2])
    score = signer.sign(mixed).similarity(signer.sign(article_text(4)), scheme)
    assert score < scheme.threshold


def _articles() -> list[Article]:
    return [
        Article(id="wire", title="Troops at the border", text=article_text(1), source="Wire"),
        Article(id="copy1", title="Border troops", text=syndicated(article_text(1)),
                url="https://www.daily.example/a"),
        Article(id="copy2", title="Border", text=syndicated(article_text(1)) + " Extra.",
                source="wire"),
        Article(id="other", title="Vote", text=article_text(2), source="Herald"),
    ]


def test_store_groups_copies_into_one_story(store: Store) -> None:
    articles = _articles()
    store.add_articles(articles)
    stories = Stories(store)
    assigned = {a.article_id: a for a in stories.assign(articles)}
    assert assigned["wire"].new and assigned["other"].new
    assert assigned["copy1"].story_id == assigned["copy2"].story_id == assigned["wire"].story_id
    assert not assigned["copy1"].new and 0.5 <= assigned["copy1"].similarity < 1.0
    rows = {row.id: row for row in stories.rows()}
    wire = rows[assigned["wire"].story_id]
    # "Wire" and "wire" are one source; the copy without a site name counts by its host.
    assert (wire.n_articles, wire.n_sources, wire.title) == (3, 2, "Troops at the border")
    assert rows[assigned["other"].story_id].n_articles == 1
    assert [m.article_id for m in stories.members(wire.id)] == ["wire", "copy1", "copy2"]
    assert [r.id for r in stories.rows(min_articles=2)] == [wire.id]
    assert stories.story_of("copy2") == wire.id
    assert stories.assign(articles) == []  # already assigned: nothing moves


def test_new_process_rebuilds_the_index_from_the_store(store_url: str) -> None:
    first = _articles()[:1]
    with Store(store_url) as store:
        store.add_articles(first)
        (founded,) = Stories(store).assign(first)
    later = _articles()[1:2]
    with Store(store_url) as store:  # a later run: fresh index, built from article_minhash
        store.add_articles(later)
        (joined,) = Stories(store).assign(later)
    assert joined.story_id == founded.story_id and not joined.new


def test_index_sees_stories_written_by_another_writer(store: Store) -> None:
    one, two = Stories(store), Stories(store)
    articles = _articles()
    store.add_articles(articles)
    one.assign(articles[:1])
    two.assign([articles[3]])  # builds its index now: sees "wire"
    one.assign([articles[1]])  # must see "other", written by `two`, before assigning
    (joined,) = two.assign([articles[2]])
    assert joined.story_id == one.story_of("wire")
    assert store.stats()["articles"] == 4


def test_copies_before_their_original_are_merged_into_one_story(store: Store) -> None:
    paragraphs = article_text(6, paragraphs=8).split("\n\n")
    first_half = Article(id="first", title="A", text="\n\n".join(paragraphs[:4]))
    second_half = Article(id="second", title="B", text="\n\n".join(paragraphs[4:]))
    original = Article(id="full", title="C", text="\n\n".join(paragraphs))
    store.add_articles([first_half, second_half, original])
    stories = Stories(store)
    one, two = stories.assign([first_half, second_half])
    assert one.new and two.new and one.story_id < two.story_id
    (full,) = stories.assign([original])
    assert full.story_id == one.story_id and not full.new
    assert [r.id for r in stories.rows()] == [one.story_id]  # the second story is gone
    assert [m.article_id for m in stories.members(one.story_id)] == ["first", "second", "full"]
    assert stories.rows()[0].n_articles == 3


def test_merge_within_one_batch(store: Store) -> None:
    paragraphs = article_text(7, paragraphs=8).split("\n\n")
    batch = [Article(id="first", text="\n\n".join(paragraphs[:4])),
             Article(id="other", text=article_text(8)),
             Article(id="second", text="\n\n".join(paragraphs[4:])),
             Article(id="full", text="\n\n".join(paragraphs))]
    store.add_articles(batch)
    stories = Stories(store)
    assigned = {a.article_id: a for a in stories.assign(batch)}
    assert assigned["first"].story_id == assigned["second"].story_id == assigned["full"].story_id
    assert assigned["other"].story_id != assigned["first"].story_id
    rows = {r.id: r.n_articles for r in stories.rows()}
    assert rows == {assigned["first"].story_id: 3, assigned["other"].story_id: 1}
    assert stories.story_of("second") == assigned["first"].story_id


def test_assign_missing_covers_articles_stored_without_story(store: Store) -> None:
    store.add_articles(_articles())
    stories = Stories(store)
    assert stories.assign_missing(batch_size=2) == 4
    assert stories.count() == 2 and stories.count(min_articles=2) == 1
    assert stories.assign_missing() == 0


def test_scheme_change_resigns_stored_articles(store: Store) -> None:
    articles = _articles()
    store.add_articles(articles)
    Stories(store).assign(articles[:1])
    longer = Scheme(shingle=4)
    (joined,) = Stories(store, longer).assign(articles[1:2])
    assert not joined.new
    with store._db.read() as conn:
        schemes = set(conn.scalars(sa.select(tables.article_minhash.c.scheme)))
    assert schemes == {longer.name}


def test_deleting_an_article_removes_its_membership(store: Store) -> None:
    store.add_articles(_articles())
    Stories(store).assign_missing()
    with store._db.write() as conn:
        conn.execute(tables.articles.delete().where(tables.articles.c.id == "copy1"))
    with store._db.read() as conn:
        members = set(conn.scalars(sa.select(tables.story_articles.c.article_id)))
    assert "copy1" not in members and "wire" in members


@pytest.mark.parametrize(("source", "url", "key"), [
    ("Reuters ", None, "reuters"),
    (None, "https://www.bbc.co.uk/news/1", "bbc.co.uk"),
    ("", None, "unknown"),
])
def test_source_key(source: str | None, url: str | None, key: str) -> None:
    assert source_key(source, url) == key


def test_ingest_assigns_stories(store: Store, tmp_path: Path) -> None:
    from flashpoint.ingest_run import ingest

    folder = tmp_path
    (folder / "wire.txt").write_text("Troops at the border\n\n" + article_text(1) + "\n")
    (folder / "copy.txt").write_text("Border troops\n\n" + syndicated(article_text(1)) + "\n")
    (folder / "other.txt").write_text("A vote\n\n" + article_text(2) + "\n")
    report = ingest(store, [str(folder)], code=False)
    assert report.stored == 3
    stories = Stories(store)
    assert stories.count() == 2 and stories.count(min_articles=2) == 1
    assert all(stories.story_of(a.id) is not None for a in store.iter_articles())
