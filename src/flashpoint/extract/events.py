"""The event stage: PLOVER events per clause, each field tied to the words it came from.

For every sentence of an article the stage

1. **detects** candidates: verbs and event nouns of the trigger lexicon
   (`flashpoint.extract.triggers`), event nouns carried by a light verb ("launched an
   offensive", "carry out joint military exercises"), and the functions of statements
   ("vowed retaliation" said by X is X's THREATEN);
2. **types** each one by mixing the trigger's prior with the learned typer's
   probabilities for the sentence (`flashpoint.extract.typer`), so "hit out at" and
   "warned" get their type from both the word and its context;
3. reads its **roles** (`roles.py`), **modality** (`modality.py`), **date** and
   **place** (`anchors.py`), mode and contexts;
4. applies PLOVER's rules that change a type: a conditional act of force by the speaker
   is a THREATEN whose recipient is whoever the condition names ("ready to fight ... if
   one soldier from Ukraine comes" is BLR THREATEN UKR, not a battle); and
5. scores a confidence and drops duplicates.

Events that did not happen keep their flags (`negated`, `future`, `hypothetical`,
`condition`) instead of being dropped or coded as facts; `plover_type()` gives the type
PLOVER's own records would use (a future meeting is AGREE there).

When an article yields no event at all (a one-sentence text, a weak trigger), the stage
still emits its best candidate with a low confidence: consumers filter on confidence,
and "nothing" is never more useful than "probably X, 0.2".
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, cast

from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from flashpoint.extract.anchors import DateIndex, PlaceFinder
from flashpoint.extract.clause_cues import cue_string
from flashpoint.extract.clause_cues import reported as _reported
from flashpoint.extract.modality import READINESS_FRAMES, governors, in_condition, modality_of
from flashpoint.extract.roles import ActorIndex, Role, find_roles, is_ally, names_a_border
from flashpoint.extract.triggers import Lexicon, TriggerRow, load_lexicon
from flashpoint.ids import digest
from flashpoint.model import Actor, Event, Location, Modality, Span, Statement
from flashpoint.nlp.actors import Resolved, doc_text
from flashpoint.nlp.dates import ResolvedDate
from flashpoint.nlp.gazetteer import Gazetteer, load_gazetteer
from flashpoint.pipeline import Draft

__all__ = ["EventStage", "TypeScorer", "plover_type"]

TYPES = ("AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT",
         "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
         "COERCE", "ASSAULT")
# How much the trigger lexicon counts against the typer's probabilities (0..1) when a
# clause's type is chosen, and when its confidence is scored; the typer's best type
# replaces the trigger's only when it leads by TYPE_MARGIN. Chosen with
# bench/event_mix.py (docs/events.md).
LEXICON_SHARE = 0.35
CONFIDENCE_SHARE = 0.2
TYPE_MARGIN = 0.1
# Triggers this sure of their type ("deployed", "shelled", "hit out at") are never
# re-typed by the sentence-level typer, whose reading belongs to the whole sentence.
FIRM_TRIGGER = 0.9
# A text with no trigger gets one low-confidence guess (the typer's surest sentence) only
# when it is this short: a sentence or a headline is almost always about something, while
# a whole article with no trigger (sport, culture) is not, and a guess there is noise.
FALLBACK_MAX_SENTENCES = 3
# Acts that, made conditional by their own actor, are threats of that act (PLOVER:
# "threats or coercive warnings of serious consequences") and the THREATEN mode.
THREAT_MODES = {"ASSAULT": "violence", "MOBILIZE": "violence", "COERCE": "restrict",
                "SANCTION": "relations"}
# Statement functions that make the speaker the source of an event.
SPEECH_ACT_TYPES = frozenset({"THREATEN", "ACCUSE", "REQUEST", "REJECT", "AGREE",
                              "SUPPORT", "CONCEDE", "CONSULT"})
# Types an act can be re-typed to by the sentence typer that make the one who asks,
# allows or refuses the source ("said Sudan must return": a REQUEST by the speaker).
COMMITMENT_TYPES = frozenset({"REQUEST", "AGREE", "REJECT", "THREATEN"})
# Types that need a recipient (PLOVER): only for them does a guessed target lower the
# event's confidence.
RECIPIENT_REQUIRED = frozenset({"COOPERATE", "AID", "SANCTION"})
# Types whose future is coded as AGREE (PLOVER's rule; CONCEDE/RETREAT excepted): "due to
# meet on Friday" is an AGREE with future=true.
FUTURE_AS_AGREE = frozenset({"CONSULT", "SUPPORT", "COOPERATE", "AID"})
# Reciprocal types: "X and Y held talks" makes X and Y each other's counterpart.
RECIPROCAL = frozenset({"CONSULT", "COOPERATE", "AGREE", "SUPPORT", "ASSAULT"})
# Speech acts whose complement is what they ask, refuse, threaten or allege, not an event
# of its own ("urged Rwanda to withdraw" is one REQUEST; "threatened to attack" one
# THREATEN; "charged that Chad had shelled ..." one ACCUSE: PLOVER codes the accusation).
ABSORBING = frozenset({"REQUEST", "REJECT", "THREATEN", "ACCUSE"})
# Event nouns that stand alone as events ("Russia's offensive"); a bare "peace agreement"
# or "talks" is usually a reference to an earlier event, not a report of one.
STANDALONE_NOUN_TYPES = frozenset({"ASSAULT", "MOBILIZE", "COERCE", "SANCTION", "PROTEST"})
# Speech acts whose recipient may be named only inside what they say or ask
# ("agreed to open negotiations *with Moldova*").
SPEECH_ACTS_WITH_CONTENT = frozenset({"AGREE", "REQUEST", "REJECT", "THREATEN", "SUPPORT"})
# Types whose object is often the actor's own forces ("sent its troops", "pledged not to
# deploy navy warships"): those are instruments, not recipients.
OWN_FORCES_TYPES = frozenset({"MOBILIZE", "AGREE", "RETREAT", "AID", "COOPERATE"})
# Words of a clause that tag an event with a PLOVER context.
CONTEXT_WORDS = {
    "election": "election", "vote": "election", "ballot": "election", "poll": "election",
    "trade": "economic", "tariff": "economic", "economy": "economic", "economic": "economic",
    "investment": "economic", "loan": "economic", "court": "legal", "judge": "legal",
    "lawsuit": "legal", "trial": "legal", "nuclear": "cbrn", "chemical": "cbrn",
    "refugee": "migration", "migrant": "migration", "asylum": "asylum",
    "border": "territory", "territory": "territory", "territorial": "territory",
    "terrorist": "terrorism", "terrorism": "terrorism", "militant": "terrorism",
    "corruption": "corruption", "bribery": "corruption", "drug": "illegal_drugs",
    "cocaine": "illegal_drugs", "cartel": "illegal_drugs", "trafficking": "trafficking",
    "smuggling": "trafficking", "peacekeeper": "peacekeeping", "peacekeeping": "peacekeeping",
    "cyber": "cyber", "hacker": "cyber", "disinformation": "misinformation",
    "propaganda": "misinformation", "embassy": "diplomatic", "ambassador": "diplomatic",
    "diplomat": "diplomatic", "diplomatic": "diplomatic", "military": "military",
    "troop": "military", "army": "military", "soldier": "military", "protest": "rights_freedoms",
    "journalist": "rights_freedoms", "oil": "natural_resource", "gas": "natural_resource",
    "mine": "natural_resource", "flood": "disasters", "earthquake": "disasters",
    "epidemic": "health", "vaccine": "health", "virus": "health", "religious": "religion_ethnicity",
    "ethnic": "religion_ethnicity", "parliament": "legislative", "lawmaker": "legislative",
}


class TypeScorer(Protocol):
    """What the stage needs of the learned typer: probabilities per PLOVER type. `cues`
    are the sentences' syntactic cues read from the stage's parse
    (`flashpoint.extract.clause_cues`); a scorer may ignore them."""

    def predict(self, texts: Sequence[str], cues: Sequence[str] | None = None
                ) -> list[dict[str, float]]: ...


def _load_typer() -> TypeScorer | None:
    """The learned typer, or None while it is not part of the install (trigger priors
    only). Errors inside an installed typer are not hidden."""
    if importlib.util.find_spec("flashpoint.extract.typer") is None:
        return None
    typer = importlib.import_module("flashpoint.extract.typer")
    return cast(TypeScorer, typer.EventTyper.load())


@dataclass
class _Candidate:
    pred: int  # predicate token (verb, or the event noun itself)
    noun: int | None
    row: TriggerRow | None
    type: str = ""
    mode: str | None = None
    score: float = 0.0
    statement: Statement | None = None


class EventStage:
    """Callable stage: writes `events` from the parse, actors, dates and statements.

    The typing knobs are module constants (`LEXICON_SHARE`, ...); `firm_constructions` and
    `firm_owned` switch off the two limits on re-typing (a type the lexicon rules out by
    construction, an event noun with an owner) for benchmarks (`_ArticleCoder._firm`).
    """

    name = "events"
    writes = frozenset({"events"})

    def __init__(self, *, typer: TypeScorer | None | bool = True,
                 lexicon: Lexicon | None = None, gazetteer: Gazetteer | None = None,
                 use_statements: bool = False, lexicon_share: float = LEXICON_SHARE,
                 confidence_share: float = CONFIDENCE_SHARE,
                 type_margin: float = TYPE_MARGIN, firm_trigger: float = FIRM_TRIGGER,
                 firm_constructions: bool = True, firm_owned: bool = True) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.lexicon_share = lexicon_share
        self.confidence_share = confidence_share
        self.type_margin = type_margin
        self.firm_trigger = firm_trigger
        self.firm_constructions = firm_constructions
        self.firm_owned = firm_owned
        self.gazetteer = gazetteer or load_gazetteer()
        if typer is True:
            self.typer: TypeScorer | None = _load_typer()
        elif typer is False:
            self.typer = None
        else:
            self.typer = typer
        # Statements are read only when a statement stage runs first (declared so the
        # pipeline can check the order).
        base = {"article", "spacy", "resolved", "dates"}
        self.reads = frozenset(base | ({"statements"} if use_statements else set()))

    def __call__(self, batch: Sequence[Draft]) -> list[Draft]:
        typed = self._type_short(batch) if len(batch) > 1 else [None] * len(batch)
        return [draft.with_(events=tuple(self.code(draft, typed=t)))
                for draft, t in zip(batch, typed, strict=True)]

    def _type_short(self, batch: Sequence[Draft]) -> list[dict[int, dict[str, float]] | None]:
        """Typer probabilities of every sentence of the batch's short texts (those the
        fallback may type whole), in one `predict` call: one call per text cost ~0.6 ms
        more per sentence in `extract_many`. The typer's rows are independent of the
        batch, so the events are the same as typing each text alone."""
        out: list[dict[int, dict[str, float]] | None] = [None] * len(batch)
        if self.typer is None:
            return out
        owners: list[int] = []
        sents: list[SpacySpan] = []
        for i, draft in enumerate(batch):
            doc = draft.extras.get("spacy")
            found = list(doc.sents) if isinstance(doc, Doc) else []
            if 0 < len(found) <= FALLBACK_MAX_SENTENCES:
                owners += [i] * len(found)
                sents += found
        if not sents:
            return out
        probs = self.typer.predict([s.text for s in sents], [cue_string([s]) for s in sents])
        for i, sent, p in zip(owners, sents, probs, strict=True):
            cache = out[i]
            if cache is None:
                cache = out[i] = {}
            cache[sent.start] = p
        return out

    # ------------------------------------------------------------------ per article
    def code(self, draft: Draft, *, typed: dict[int, dict[str, float]] | None = None
             ) -> list[Event]:
        """The events of one draft; `typed` holds typer probabilities already computed
        for some of its sentences (by sentence start token)."""
        doc = cast(Doc, draft.extras["spacy"])
        resolved = cast(list[Resolved], draft.extras.get("resolved", []))
        dates = cast(list[ResolvedDate], draft.extras.get("dates", []))
        text = doc_text(doc)
        coder = _ArticleCoder(self, draft, doc, resolved, dates, text)
        coder._typer_cache.update(typed or {})
        return coder.run()


class _ArticleCoder:
    """The work of the stage on one article (state lives here, not on the stage)."""

    def __init__(self, stage: EventStage, draft: Draft, doc: Doc,
                 resolved: list[Resolved], dates: list[ResolvedDate], text: str) -> None:
        self.stage = stage
        self.lex = stage.lexicon
        self.draft = draft
        self.doc = doc
        self.text = text
        self.published = draft.article.published
        self.statements = list(draft.statements)
        self.actors = ActorIndex(doc, resolved, self.statements, stage.gazetteer)
        self.people = frozenset(i for i, r in self.actors.by_token.items()
                                if r.mention.kind == "person")
        self.dates = DateIndex(doc, dates)
        self.places = PlaceFinder(doc, resolved, text, stage.gazetteer)
        self._typer_cache: dict[int, dict[str, float]] = {}
        self._absorbed: dict[int, set[str]] = {}  # sentence start -> types absorbed
        # set when no event has a resolved source: the best one is kept with UNK
        self._unknown_sources = False

    def run(self) -> list[Event]:
        sents = list(self.doc.sents)
        found: list[tuple[SpacySpan, list[_Candidate]]] = []
        for sent in sents:
            cands = self.candidates(sent)
            if cands:
                found.append((sent, cands))
        self._type_sentences([s for s, _ in found])
        events: list[Event] = []
        for sent, cands in found:
            events += self.sentence_events(sent, cands)
        events += [st for st in self.statement_events()
                   if not any(_repeats(st, ev) for ev in events)
                   and not (st.type == "AGREE" and any(ev.reported_by == st.reported_by
                                                       for ev in events))]
        events = _dedupe(events)
        if not events and found:  # triggers whose actors nobody could resolve
            self._unknown_sources = True
            for sent, cands in found:
                events += self.sentence_events(sent, cands)
            events = sorted(events, key=lambda e: -e.confidence)[:1]
        if not events and 0 < len(sents) <= FALLBACK_MAX_SENTENCES:
            best = self.fallback(sents)
            if best is not None:
                events = [best]
        events.sort(key=lambda e: (e.evidence.start, -e.confidence))
        return events

    # ------------------------------------------------------------------ detection
    def candidates(self, sent: SpacySpan) -> list[_Candidate]:
        out: list[_Candidate] = []
        carried: set[int] = set()
        for tok in sent:
            if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ == "ROOT"):
                row = self.lex.verb(tok, self.people)
                if row is not None:
                    out.append(_Candidate(tok.i, None, row))
                    for c in tok.children:
                        if c.dep_ in ("dobj", "nsubjpass"):
                            carried.add(c.i)
                    continue
                if tok.lemma_.lower() in self.lex.light_verbs:
                    for c in tok.children:
                        if c.dep_ not in ("dobj", "nsubjpass", "prep"):
                            continue
                        noun = c if c.dep_ != "prep" else next(
                            (g for g in c.children if g.dep_ == "pobj"), None)
                        for n in _noun_heads(noun):
                            nrow = self.lex.noun(n)
                            if nrow is not None:
                                out.append(_Candidate(tok.i, n.i, nrow))
                                carried.add(n.i)
                                break
        for tok in sent:
            if tok.pos_ != "NOUN" or tok.i in carried:
                continue
            nrow = self.lex.noun(tok)
            if nrow is None:
                continue
            # A bare event noun counts only with an owner ("Russia's offensive") or inside
            # the object of a verb that is no trigger of its own ("was testing some of
            # its mobilization abilities": the verb gives actors, tense and modality).
            verb = _object_verb(tok)
            taken = {c.pred for c in out}
            if verb is not None and verb.i not in taken and verb.lemma_.lower() in \
                    self.lex.light_verbs and self.lex.verb(verb, self.people) is None:
                out.append(_Candidate(verb.i, tok.i, nrow))
            elif verb is None and nrow.type in STANDALONE_NOUN_TYPES and (
                    any(c.dep_ == "poss" for c in tok.children) or tok.dep_ in ("nsubj",)):
                out.append(_Candidate(tok.i, tok.i, nrow))
        kept = _drop_nested(out, self.doc)
        # what a speech act absorbed still stands for its type in the sentence ("Sudan
        # charged that Chad *shelled* ...": the shelling is no event of its own, and no
        # reason to re-type the charge as one)
        self._absorbed[sent.start] = {c.row.type for c in out
                                      if c.row is not None and c not in kept}
        return kept

    # ------------------------------------------------------------------ typing
    def _type_sentences(self, sents: list[SpacySpan]) -> None:
        typer = self.stage.typer
        sents = [s for s in sents if s.start not in self._typer_cache]  # typed in a batch
        if typer is None or not sents:
            return
        probs = typer.predict([s.text for s in sents], [cue_string([s]) for s in sents])
        for sent, p in zip(sents, probs, strict=True):
            self._typer_cache[sent.start] = p

    def _mix(self, sent: SpacySpan, row: TriggerRow, share: float) -> dict[str, float]:
        """The trigger's prior and the typer's sentence probabilities, mixed."""
        typed = self._typer_cache.get(sent.start)
        rest = (1.0 - row.weight) / (len(TYPES) - 1)
        lex = {t: (row.weight if t == row.type else rest) for t in TYPES}
        if not typed:
            return lex
        return {t: share * lex[t] + (1 - share) * typed.get(t, 0.0) for t in TYPES}

    def _firm(self, cand: _Candidate, best: str) -> bool:
        """Whether the sentence typer may not re-type this candidate to `best`: a firm
        trigger ("shelled"); a type the lexicon rules out for this verb and its object
        ("withdrew from the town" is no SANCTION: the table gives SANCTION to "withdraw"
        only with a treaty, an ambassador, aid ...); an event noun owned by an actor
        ("Russia's offensive")."""
        assert cand.row is not None
        if cand.row.weight >= self.stage.firm_trigger:
            return True
        if self.stage.firm_owned and cand.noun == cand.pred and any(
                c.dep_ == "poss" for c in self.doc[cand.pred].children):
            return True
        return self.stage.firm_constructions and cand.noun is None and best in \
            self.lex.ruled_out(self.doc[cand.pred], cand.row)

    # ------------------------------------------------------------------ events
    def sentence_events(self, sent: SpacySpan, cands: list[_Candidate]) -> list[Event]:
        events: list[Event] = []
        held_back: list[Event] = []
        stage = self.stage
        claimed = {c.row.type for c in cands if c.row is not None}
        claimed |= self._absorbed.get(sent.start, set())
        # main clauses first: the typer's reading of the sentence re-types one clause at
        # most, the highest in the parse that it applies to ("North Korea expelled
        # inspectors ... after U.S. officials alleged ...": not both as SANCTION)
        for cand in sorted(cands, key=lambda c: sum(1 for _ in self.doc[c.pred].ancestors)):
            assert cand.row is not None
            mixed = self._mix(sent, cand.row, stage.lexicon_share)
            choice = cand.row.type
            best = max(mixed, key=lambda t: mixed[t])
            # the typer re-types a clause only to a type no other trigger of the sentence
            # stands for ("promised not to send troops": the promise is the AGREE, the
            # sending stays a (negated) MOBILIZE)
            if best != choice and best not in claimed and not self._firm(cand, best) \
                    and mixed[best] > mixed[choice] + stage.type_margin:
                choice = best
                claimed.add(best)
            cand.type = choice
            cand.mode = cand.row.mode if choice == cand.row.type else None
            # the typer (which read the whole sentence) says how sure the type is
            cand.score = self._mix(sent, cand.row, stage.confidence_share)[choice]
        for cand in cands:
            for ev in self.build(cand, sent):
                pred = self.doc[cand.pred]
                (held_back if in_condition(pred) is not None else events).append(ev)
        # An act inside a condition ("if X attacks") is the condition of the main event;
        # it stands alone only when the sentence has nothing else.
        return events or held_back

    def build(self, cand: _Candidate, sent: SpacySpan) -> list[Event]:
        doc = self.doc
        pred = doc[cand.pred]
        noun = doc[cand.noun] if cand.noun is not None else None
        modality = modality_of(pred, text=self.text)
        type_, mode = cand.type, cand.mode
        if type_ in ("AGREE", "REJECT") and cand.row is not None \
                and cand.row.type != type_ and modality.negated:
            # re-typed as a commitment or a refusal ("we will not send troops", "would
            # not meet Kagame"): that act was made; the negation is its content
            modality = modality.model_copy(update={"negated": False})
        roles = find_roles(self.actors, pred, type_, noun=noun)
        statement = self.actors.speaker_for(pred)
        sources = list(roles.sources)
        targets = list(roles.targets)
        if cand.row is not None and type_ != cand.row.type and type_ in COMMITMENT_TYPES:
            sources, targets = self._committer(pred, statement, sources, targets)
        targets = [t for t in targets
                   if not sources or not _same_actor(t.actor, sources[0].actor)]
        if sources and type_ in OWN_FORCES_TYPES:  # "sent *its troops*": no recipient
            targets = [t for t in targets if t.actor.code != sources[0].actor.code
                       or t.actor.sector not in ("MIL", "COP")]
        cond_targets: list[Role] = []
        ready = any(t.lower_ in READINESS_FRAMES for t in list(governors(pred))[1:])
        if (modality.condition is not None or ready) and not modality.negated \
                and type_ in THREAT_MODES:
            mode = THREAT_MODES[type_]
            type_ = "THREATEN"
            # the threat itself was made; what it threatens is conditional (the span)
            modality = Modality(condition=modality.condition)
            if modality.condition is not None:
                cond_targets = self._condition_actors(pred, modality.condition, sources)
            if cond_targets:
                targets = cond_targets
        if type_ == "THREATEN" and cand.row is not None and cand.row.type == "THREATEN" \
                and modality.condition is not None and not modality.negated:
            # "warned that X would follow if Y": the warning was made; its content is
            # what the condition qualifies
            modality = Modality(condition=modality.condition)
        if type_ in FUTURE_AS_AGREE and modality.future and not modality.negated:
            type_, mode = "AGREE", None  # PLOVER codes planned cooperation as AGREE
        if len({r.actor.code for r in sources}) > 1 and type_ == "MOBILIZE":
            type_, mode = "COOPERATE", None  # several countries' exercise is a joint one
        if not sources and self._unknown_sources:
            sources = [self._unknown_actor(pred, sent)]
        if not sources:
            return []
        if not targets and type_ in SPEECH_ACTS_WITH_CONTENT:
            targets = self._complement_target(pred, sources)
        if type_ in RECIPROCAL and not targets and len(sources) > 1:
            return [self._event(cand, sent, type_, mode, sources[0], sources[1], modality,
                                statement)]
        if not targets:
            targets = self._guessed_target(pred, sent, sources)
        out: list[Event] = []
        src = sources[0]
        tgts: list[Role | None] = [None]
        if targets:
            tgts = list(targets[:3])
        for tgt in tgts:
            out.append(self._event(cand, sent, type_, mode, src, tgt, modality, statement))
        return out

    def _committer(self, pred: Token, statement: Statement | None, sources: list[Role],
                   targets: list[Role]) -> tuple[list[Role], list[Role]]:
        """Roles of an act re-typed as a demand, commitment or refusal: the one who asks,
        allows or promises is the source, the one asked to act the target ("Russia said
        *Sudan* must return the helicopter": RUS -> SDN; "*Turkey* will allow refugees
        to return": TUR). The speaker of the statement holding the act, else the subject
        of a verb that governs it; unchanged when neither is a resolved actor. `statement`
        is the statement whose content holds `pred` (None outside any)."""
        committer: Role | None = None
        if statement is not None and statement.speaker_actor is not None:
            committer = Role(statement.speaker_actor, pred.i)
        else:
            for verb in list(governors(pred))[1:]:
                for c in verb.children:
                    if c.dep_ in ("nsubj", "nsubjpass"):
                        found = self.actors.actors_of(c)
                        if found:
                            committer = found[0]
                            break
                if committer is not None:
                    break
        if committer is None or any(_same_actor(committer.actor, s.actor) for s in sources):
            return sources, targets
        return [committer], sources + targets

    def _unknown_actor(self, pred: Token, sent: SpacySpan) -> Role:
        """An unresolved source ("Rebels attacked ...") as an actor naming its words, so
        the article still gets its best event (with lowered confidence). Its code is the
        country it acts in when the sentence says which (`_domestic_code`), else UNK."""
        subj = next((c for c in pred.children if c.dep_ == "nsubj"), None)
        if subj is None and pred.dep_ == "conj":  # "doctors donated and delivered ..."
            subj = next((c for c in pred.head.children if c.dep_ == "nsubj"), None)
        if subj is None:  # passive: the agent ("by gunmen")
            agent = next((c for c in pred.children if c.dep_ == "agent"), None)
            subj = next((g for g in agent.children if g.dep_ == "pobj"), None) \
                if agent is not None else None
        if subj is None:
            # no subject of its own ("a grant to finance projects"): the actor that is
            # the subject of one of the next two verbs above it ("*Finland* will give
            # Tanzania a grant to finance ...")
            verbs = [a for a in pred.ancestors if a.pos_ in ("VERB", "AUX")][:2]
            for verb in verbs:
                for c in verb.children:
                    if c.dep_ == "nsubj":
                        found = self.actors.actors_of(c)
                        if found:
                            return Role(found[0].actor, found[0].token, syntactic=False)
        return self._unnamed(subj if subj is not None else pred, pred, sent)

    def _unnamed(self, subj: Token, pred: Token, sent: SpacySpan) -> Role:
        sub = _phrase(subj) if subj is not pred else pred.doc[pred.i : pred.i + 1]
        code = self._domestic_code(sub, pred, sent)
        actor = Actor(code=code or "UNK", sector=None if code else "UNK", name=sub.text,
                      span=Span.of(self.text, sub.start_char, sub.end_char))
        return Role(actor, subj.i, syntactic=False)

    def _country_in(self, tok: Token) -> str | None:
        """The country `tok` names: a resolved mention of one, or a nationality word."""
        r = self.actors.by_token.get(tok.i)
        if r is not None and r.mention.actor is not None \
                and r.mention.actor.code in self.stage.gazetteer.countries:
            return r.mention.actor.code
        demonym = self.actors.demonym(tok)
        return demonym.actor.code if demonym is not None else None

    def _domestic_code(self, words: SpacySpan, pred: Token, sent: SpacySpan) -> str | None:
        """The country of an actor the NLP core could not name ("Ibo traditional elders",
        "doctors from two American aid groups"), as PLOVER codes domestic actors: a
        nationality in its own words, else the country where the act took place, else
        the one country the sentence names; None when the sentence leaves it open.
        Measured on the PLOVER gold records (bench/events.py)."""
        countries = self.stage.gazetteer.countries
        for tok in words:
            code = self._country_in(tok)
            if code is not None:
                return code
        place = self.places.for_predicate(pred, _clause(pred, sent))
        if place is not None and place.country in countries:
            return place.country
        named = {r.mention.actor.code for r in self.actors.ordered
                 if r.mention.actor is not None and r.mention.actor.code in countries
                 and sent.start_char <= r.mention.span.start < sent.end_char}
        return named.pop() if len(named) == 1 else None

    def _complement_target(self, pred: Token, sources: list[Role]) -> list[Role]:
        """The first other actor (another country, or another body of the same one)
        inside the verb's complement clause."""
        for c in pred.children:
            if c.dep_ not in ("xcomp", "ccomp"):
                continue
            for sub in c.subtree:
                r = self.actors.by_token.get(sub.i)
                if r is None or r.mention.actor is None or sub.i != r.root:
                    continue
                if _same_actor(r.mention.actor, sources[0].actor) or is_ally(sub) or (
                        r.mention.kind in ("city", "other") and r.mention.actor.sector is None):
                    continue
                return [Role(r.mention.actor, sub.i, syntactic=False)]
        return []

    def _guessed_target(self, pred: Token, sent: SpacySpan,
                         sources: list[Role]) -> list[Role]:
        """No target from the syntax: another actor of the clause, else the country of
        the place it happened in, else the country of an unnamed group acted upon, else
        the source's own country (a domestic act)."""
        return (self._clause_target(pred, sent, sources) or self._place_target(pred, sent)
                or self._patient_target(pred, sent, sources[0])
                or self._domestic(pred, sources[0]))

    def _clause_target(self, pred: Token, sent: SpacySpan, sources: list[Role]) -> list[Role]:
        """No syntactic target: the first other actor in the clause ("closed the
        checkpoint, citing tensions *with Belarus*"; "a judge opened investigations of
        28 *Chilean government officials*": another body of the same country counts),
        marked as a guess. Measured on the PLOVER gold records (bench/events.py), for
        every type: target-code accuracy rose from 0.41 to about 0.5."""
        clause = _clause(pred, sent)
        src = sources[0].actor
        used = {r.token for r in sources}
        for i in clause:
            r = self.actors.by_token.get(i)
            if r is None or r.mention.actor is None or r.root in used or i != r.root:
                continue
            actor = r.mention.actor
            if _same_actor(actor, src) or r.mention.kind in ("city", "other") and (
                    actor.sector is None):
                continue
            if r.mention.span.text.lower() in ("he", "she", "him", "his", "her", "its",
                                                 "their", "they", "them") or is_ally(
                    self.doc[r.root]) or names_a_border(self.doc[i]):
                continue
            return [Role(actor, r.root, syntactic=False)]
        return []

    def _place_target(self, pred: Token, sent: SpacySpan) -> list[Role]:
        """No actor acted upon: the country where it happened ("lifted the curfew *in
        Montenegro*", "arrived *in Amman*"), as PLOVER codes domestic events; a guess."""
        # a bare event noun that is a subject happened where its verb says ("the first
        # deployment of NATO troops *arrived in Bosnia*")
        anchor = pred.head if pred.pos_ == "NOUN" and pred.dep_ in ("nsubj", "nsubjpass") \
            else pred
        clause = _clause(anchor, sent)
        for i in clause:
            r = self.actors.by_token.get(i)
            if r is None or r.mention.actor is None or i != r.root:
                continue
            if r.mention.kind not in ("city", "country"):
                continue
            tok = self.doc[i]
            while tok.dep_ == "compound" and tok.head is not tok:  # "to *Baghdad* University"
                tok = tok.head
            if tok.dep_ != "pobj" or tok.head.lower_ not in ("in", "to", "into", "inside",
                                                             "across", "throughout"):
                continue
            return [Role(r.mention.actor, r.root, syntactic=False)]
        return []

    def _country_of_phrases(self, verb: Token, src: Role) -> str | None:
        """A country named (or a nationality used) in the prepositional phrases of
        `verb` ("to / from / out of / against ..."), other than the source's own."""
        for c in verb.children:
            if c.dep_ not in ("prep", "prt") or c.lower_ not in PHRASE_PREPS:
                continue
            for sub in c.subtree:
                if _beyond_phrase(sub, c):
                    continue  # a place or a clause inside the phrase ("... workers *in
                    # Gaza*", "an allegation *that the NPFL took Greenville*") is not it
                r = self.actors.by_token.get(sub.i)
                if r is not None and r.mention.kind in ("city", "org", "person"):
                    continue  # a city, a body or a person names no patient's country
                code = self._country_in(sub)
                if code is not None and code != src.actor.code:
                    return code
        return None

    def _own_forces(self, patient: Token) -> bool:
        """Whether a patient with no country of its own is armed forces or police
        ("its *troops*", "*peacekeepers*"): then it is the source's own."""
        sectors = self.stage.gazetteer.sectors
        return (sectors.get(patient.lemma_.lower())
                or sectors.get(patient.lower_)) in ("MIL", "COP")

    def _domestic(self, pred: Token, src: Role) -> list[Role]:
        """No recipient named or guessed: the source's own country, as PLOVER codes a
        domestic act ("Vice-President Awori declined to resign": KEN -> KEN). Not for
        organisations or unknown actors, which have no country of their own, nor for an
        act on the source's own forces ("mobilised *its troops*": no one is acted upon).
        Measured on the PLOVER gold records (bench/events.py)."""
        code = src.actor.code
        name = self.stage.gazetteer.countries.get(code)
        patient = _patient(pred)
        if name is None or patient is not None and self._own_forces(patient):
            return []
        return [Role(Actor(code=code, sector=None, name=name, span=src.actor.span), src.token,
                     syntactic=False, domestic=True)]

    def _patient_target(self, pred: Token, sent: SpacySpan, src: Role) -> list[Role]:
        """Acted upon, but by no named actor: "outlawed *the largest Protestant extremist
        organization*", "opened fire on *demonstrators*", "holding *thousands of Tamil
        civilian refugees*". PLOVER codes such an unnamed group with its country: the
        country where the event happened (the clause's place), else the source's own
        (a domestic event). The target's span is the patient's words; it is a guess.
        Not for a state's own forces ("withdrew *its troops*") unless the place is
        abroad. Measured on the PLOVER gold records (bench/events.py)."""
        patient = _patient(pred)
        if patient is None:
            return []
        words = _phrase(patient)
        # a nationality inside the patient's words names its country ("restrictions
        # against *German* goods", "aid to *Albanian* rebels")
        code = next((c for c in (self._country_in(t) for t in words
                                 if not names_a_border(t))
                     if c is not None and c != src.actor.code), None)
        if code is None:
            # else in what the act reaches or leaves ("cut off electricity *to the
            # Azerbaijani republic*", "shipped out *of the Bosnian enclave*")
            code = self._country_of_phrases(patient.head if patient.dep_ == "pobj"
                                            else _governing_verb(patient), src)
        if code is None:
            place = self.places.for_predicate(pred, _clause(pred, sent))
            code = place.country if place is not None and place.country else src.actor.code
        if code not in self.stage.gazetteer.countries:
            return []  # an organisation, a group, UNK: no country to give the patient
        if code == src.actor.code and self._own_forces(patient):
            return []  # "withdrew *its troops*": its own forces, no one acted upon
        actor = Actor(code=code, sector=None, name=words.text,
                      span=Span.of(self.text, words.start_char, words.end_char))
        return [Role(actor, patient.i, syntactic=False)]

    def _condition_actors(self, pred: Token, cond: Span, sources: list[Role]) -> list[Role]:
        found: list[Role] = []
        src_codes = {r.actor.code for r in sources}
        for r in self.actors.ordered:
            actor = r.mention.actor
            if actor is None or not cond.start <= r.mention.span.start < cond.end:
                continue
            if actor.code in src_codes or r.mention.span.text.lower() in ("our", "my", "we"):
                continue
            found.append(Role(actor, r.root, syntactic=False))
            break
        return found

    def _event(self, cand: _Candidate, sent: SpacySpan, type_: str, mode: str | None,
               src: Role, tgt: Role | None, modality: Modality,
               statement: Statement | None) -> Event:
        doc = self.doc
        pred = doc[cand.pred]
        clause = _clause(pred, sent)
        evidence = Span.of(self.text, doc[clause.start].idx,
                           doc[clause.stop - 1].idx + len(doc[clause.stop - 1]))
        when = self.dates.for_predicate(pred, self.published)
        if when is not None and when.explicit and self.published is not None \
                and when.date > self.published and not modality.future:
            modality = modality.model_copy(update={"future": True})
        location = self.places.for_predicate(pred, clause)
        confidence = cand.score
        if not src.syntactic:
            confidence *= 0.85
        if tgt is not None and not tgt.syntactic and not tgt.domestic \
                and type_ in RECIPIENT_REQUIRED:
            # a guessed recipient of an act that needs one; where a target is optional,
            # a guess says nothing against the event itself
            confidence *= 0.9
        if cand.noun is not None and cand.noun == cand.pred:
            confidence *= 0.8
        if in_condition(pred) is not None:
            confidence *= 0.5
        confidence = round(max(0.01, min(1.0, confidence)), 3)
        contexts = _contexts(doc[clause.start:clause.stop], src.actor, tgt)
        target = tgt.actor if tgt is not None else None
        key = "|".join([self.draft.article.id, type_, str(evidence.start), str(evidence.end),
                        str(cand.pred), src.actor.code, target.code if target else "-"])
        return Event(
            id="e" + digest(key), type=type_, mode=mode, contexts=contexts,
            source=src.actor, target=target, location=location,
            date=when.date if when else None, date_precision=when.precision if when else None,
            modality=modality, reported_by=statement.id if statement is not None else None,
            evidence=evidence, confidence=confidence,
        )

    # ------------------------------------------------------------------ statements
    def statement_events(self) -> list[Event]:
        """'X vowed retaliation', 'X called it a provocation': the speech act itself."""
        out: list[Event] = []
        for st in self.statements:
            if st.function not in SPEECH_ACT_TYPES or st.speaker_actor is None:
                continue
            content = self.doc.char_span(st.content.start, st.content.end,
                                         alignment_mode="expand")
            if content is None or not any(t.pos_ in ("VERB", "AUX") for t in content):
                continue  # a bare noun phrase ("a threat") performs no act we can code
            source = st.speaker_actor
            target = self._content_target(st, source)
            anchor = st.cue or st.content
            span = self.doc.char_span(anchor.start, anchor.end, alignment_mode="expand")
            when = None
            location: Location | None = self.places.dateline
            if span is not None and len(span):
                when = self.dates.for_predicate(span.root, self.published)
            key = "|".join([self.draft.article.id, "st", st.id, st.function,
                            target.code if target else "-"])
            out.append(Event(
                id="e" + digest(key), type=st.function, mode=None, contexts=[],
                source=source, target=target, location=location,
                date=when.date if when else None,
                date_precision=when.precision if when else None,
                modality=Modality(condition=st.modality.condition), reported_by=st.id,
                evidence=st.content, confidence=0.6 if target is not None else 0.35,
            ))
        return out

    def _content_target(self, st: Statement, source: Actor) -> Actor | None:
        for r in self.actors.ordered:
            actor = r.mention.actor
            if actor is None or not st.content.start <= r.mention.span.start < st.content.end:
                continue
            if _same_actor(actor, source) or r.mention.span.text.lower() in ("our", "we", "us"):
                continue
            return actor
        return None

    # ------------------------------------------------------------------ fallback
    def fallback(self, sents: list[SpacySpan]) -> Event | None:
        """The best guess for an article with no event: the main verb of the sentence the
        typer is surest about, its subject (or first actor) as source, low confidence."""
        self._type_sentences([s for s in sents if s.start not in self._typer_cache])
        best: tuple[float, SpacySpan, str] | None = None
        for sent in sents:
            p = self._typer_cache.get(sent.start)
            if not p:
                continue
            type_ = max(p, key=lambda t: p[t])
            if best is None or p[type_] > best[0]:
                best = (p[type_], sent, type_)
        if best is None:
            return None
        score, sent, type_ = best
        pred = _reported(sent.root)
        cand = _Candidate(pred.i, None, None, type=type_, score=score * 0.5)
        roles = find_roles(self.actors, pred, type_)
        sources = list(roles.sources)
        if not sources:
            first = next((self.actors.by_token[t.i] for t in sent if t.i in self.actors.by_token),
                         None)
            if first is None or first.mention.actor is None:
                subj = next((t for t in sent if t.dep_ in ("nsubj", "nsubjpass")), sent.root)
                sources = [self._unnamed(subj, pred, sent)]
            else:
                sources = [Role(first.mention.actor, first.root, syntactic=False)]
        tgt = next((t for t in roles.targets if not _same_actor(t.actor, sources[0].actor)), None)
        if tgt is None:
            guessed = self._guessed_target(pred, sent, sources)
            tgt = guessed[0] if guessed else None
        return self._event(cand, sent, type_, None, sources[0], tgt,
                           modality_of(pred, text=self.text), self.actors.speaker_for(pred))


# ---------------------------------------------------------------------- helpers
def _repeats(speech_act: Event, verb_event: Event) -> bool:
    """A statement's speech act already coded from a verb of the same sentences
    ("vowed retaliation" is both the statement's function and a THREATEN verb)."""
    if speech_act.type != verb_event.type or speech_act.source.code != verb_event.source.code:
        return False
    if _overlaps(speech_act.evidence, verb_event.evidence):
        return True
    return ((speech_act.target is None or verb_event.target is None
             or speech_act.target.code == verb_event.target.code)
            and abs(speech_act.evidence.start - verb_event.evidence.start) < 300)


def plover_type(event: Event) -> str | None:
    """The type a PLOVER record uses for `event`, or None when PLOVER codes no event.

    Events are already typed by PLOVER's rules (planned cooperation is AGREE, flagged
    `future`); PLOVER does not code negated events, except that refusing a meeting is a
    REJECT.
    """
    if event.modality.negated:
        return "REJECT" if event.type == "CONSULT" else None
    if event.modality.future and event.type in FUTURE_AS_AGREE:
        return "AGREE"
    return event.type


def _drop_nested(cands: list[_Candidate], doc: Doc) -> list[_Candidate]:
    """Drop what a request, refusal or threat governs (its content, not an event), and
    a participle that only continues its head's act ("shelled the market, *killing* 11")."""
    by_pred = {c.pred: c for c in cands if c.row is not None}
    out: list[_Candidate] = []
    for cand in cands:
        tok = doc[cand.noun if cand.noun is not None else cand.pred]
        pred = doc[cand.pred]
        absorbed = False
        for anc in _content_ancestors(tok):
            gov = by_pred.get(anc.i)
            if gov is None or gov is cand or gov.pred == cand.pred:
                continue
            assert gov.row is not None
            if gov.row.type in ABSORBING and anc.i != pred.i:
                absorbed = True
                break
        first = pred
        while first.dep_ == "conj" and first.head is not first:  # "killing *or wounding*"
            first = first.head
        if not absorbed and first.dep_ == "advcl" and pred.tag_ == "VBG" \
                and first.tag_ == "VBG":
            gov = by_pred.get(first.head.i)
            if gov is not None and cand.row is not None and gov.row is not None \
                    and gov.row.type == cand.row.type:
                absorbed = True
        if not absorbed:
            out.append(cand)
    return out


def _content_ancestors(tok: Token) -> list[Token]:
    """Ancestors of `tok` up to the first coordination: "called on X to withdraw" makes
    "withdraw" content of "called", but in "called on X ... and offered Y" the offer is
    an act of its own."""
    out: list[Token] = []
    cur = tok
    while cur.head is not cur and cur.dep_ != "conj" and len(out) < 12:
        cur = cur.head
        out.append(cur)
    return out


def _object_verb(noun: Token) -> Token | None:
    """The verb whose object phrase holds `noun` ("testing some of its *mobilization*
    abilities" -> testing), or None when the noun is not inside an object."""
    cur = noun
    via_object = False
    for _ in range(6):
        dep = cur.dep_
        if dep in ("dobj", "nsubjpass"):
            via_object = True
        elif dep not in ("compound", "pobj", "prep", "amod", "nmod", "conj"):
            return None
        head = cur.head
        if head is cur:
            return None
        if head.pos_ == "VERB":
            return head if via_object else None
        if dep == "prep" and cur.lower_ != "of":
            return None
        cur = head
    return None


PATIENT_PREPS = frozenset({"against", "on", "upon", "over", "at"})
# Prepositions whose phrase names where an act goes or what it leaves ("cut off
# electricity *to* ...", "shipped *out of* ..."): a nationality there names the patient's
# country.
PHRASE_PREPS = frozenset({"to", "into", "from", "of", "out", "against", "toward", "towards"})
PATIENT_POS = frozenset({"NOUN", "PROPN", "NUM"})  # "arresting *12*"
NOT_PATIENTS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT",
                          "QUANTITY"})


def _patient(pred: Token, depth: int = 0) -> Token | None:
    """The noun `pred` acts upon: its object, its passive subject, or the object of
    "against/on/over/at" ("fired on protesters"), else that of the verb it governs
    ("threatened to ban *candidates*"); pronouns are left to coreference."""
    for c in pred.children:
        if c.dep_ in ("dobj", "nsubjpass") and c.pos_ in PATIENT_POS \
                and c.ent_type_ not in ("DATE", "TIME"):
            return c
        if c.dep_ == "prep" and c.lower_ in PATIENT_PREPS:
            obj = next((g for g in c.children if g.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN") \
                    and obj.ent_type_ not in NOT_PATIENTS:
                return obj  # "fired on protesters", not "on Tuesday", "at 5 pm"
    if depth == 0:
        for c in pred.children:
            if c.dep_ == "xcomp" and c.pos_ == "VERB":
                return _patient(c, 1)
    return None


def _beyond_phrase(tok: Token, prep: Token) -> bool:
    """Whether `tok`, inside the phrase of `prep`, sits in a clause or a locative phrase
    of its own on the way up."""
    cur = tok
    while cur.i != prep.i and cur.head is not cur:
        if cur.pos_ in ("VERB", "AUX") or (cur.dep_ == "prep" and cur.lower_ in (
                "in", "near", "at", "inside", "outside")):
            return True
        cur = cur.head
    return False


def _governing_verb(tok: Token) -> Token:
    """The verb whose object or subject `tok` is (itself when it is a verb)."""
    cur = tok
    for _ in range(4):
        if cur.pos_ in ("VERB", "AUX") or cur.head is cur:
            return cur
        cur = cur.head
    return cur


def _noun_heads(tok: Token | None) -> list[Token]:
    """An object noun and the nouns it is built from ("mobilization abilities")."""
    if tok is None:
        return []
    heads = [tok]
    heads += [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "NOUN"]
    return heads


def _clause(pred: Token, sent: SpacySpan) -> range:
    """Token range of the clause around `pred`: the subtree of the top of its chain of
    infinitives, without coordinated clauses ("X hosts troops *but Y promised ...*"),
    clipped to the sentence, without edge punctuation and spaces."""
    top = pred
    for _ in range(4):
        if top.dep_ in ("xcomp", "acomp") and top.head is not top:
            top = top.head
        else:
            break
    lo, hi = top.i, top.i
    for child in top.children:
        if child.dep_ in ("cc", "parataxis") or (
            child.dep_ == "conj" and child.pos_ in ("VERB", "AUX") and child.i != pred.i
        ) or (child.dep_ == "punct" and child.i > top.i and child.text in ";:"):
            continue
        lo = min(lo, child.left_edge.i)
        hi = max(hi, child.right_edge.i)
    start = max(lo, sent.start)
    end = min(hi + 1, sent.end)
    doc = pred.doc
    while end - 1 > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        closing = doc[end - 1].text
        if closing in _PAIRS and any(t.text == _PAIRS[closing] for t in doc[start:end - 1]):
            break  # keep "(there)" whole
        end -= 1
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
    return range(start, end)


_PAIRS = {")": "(", "]": "[", "”": "“"}


def _phrase(tok: Token) -> SpacySpan:
    return tok.doc[tok.left_edge.i : tok.right_edge.i + 1]


def _same_actor(a: Actor, b: Actor) -> bool:
    return a.code == b.code and (a.sector == b.sector or a.sector is None or b.sector is None)


def _contexts(clause: SpacySpan, src: Actor, tgt: Role | None) -> list[str]:
    found: dict[str, None] = {}
    for tok in clause:
        ctx = CONTEXT_WORDS.get(tok.lemma_.lower())
        if ctx is not None:
            found.setdefault(ctx)
    if "MIL" in (src.sector, tgt.actor.sector if tgt else None):
        found.setdefault("military")
    return list(found)


def _dedupe(events: list[Event]) -> list[Event]:
    """One event per (type, source, target, evidence clause, modality): the most confident."""
    best: dict[tuple[object, ...], Event] = {}
    for ev in events:
        key = (ev.type, ev.source.code, ev.target.code if ev.target else None,
               ev.evidence.start, ev.modality.negated, ev.modality.hypothetical)
        old = best.get(key)
        if old is None or ev.confidence > old.confidence:
            best[key] = ev
    return list(best.values())


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end
