"""An exact, faster stand-in for the spaCy model's `attribute_ruler` component.

The attribute ruler of `en_core_web_sm` maps fine-grained tags to coarse POS and
morphology and applies ~180 small exceptions ("'s" as AUX, "gonna" lemmas). spaCy runs it
as a general `Matcher` over every token with all patterns, which cost ~1.3 ms of CPU on a
27-token sentence here -- about a tenth of the whole parse, and as much as all of the
coder's own work in the NLP stage. Every pattern of the model is one or two tokens tested
for equality, IN, NOT_IN or REGEX on TAG, LOWER, DEP or IS_SPACE, so an index by tag and
by lower-case form finds the same matches for a few tokens' worth of dict look-ups.

Why hand-written (not a library): spaCy offers no faster matcher for this, and the rules
are read from the loaded component itself, so they follow the model. Exactness: the
matches are applied as `AttributeRuler.set_annotations` applies them (rule order, later
rules win, `index` picks the token, spaCy's own `set_token_attrs`); a pattern using
anything else (operators, other attributes, extension attributes) makes
`fast_attribute_ruler` return False, and the spaCy component is kept.
`tests/test_nlp_attribute_rules.py` checks token attributes against spaCy's component.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

FACTORY = "flashpoint_attribute_rules"
# Token features a pattern may test, in the order of the per-token tuple built in __call__.
_FEATURES = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}

Feature = tuple[str, str, str, bool]
Test = Callable[[Feature], bool]
# (rule id, pattern length, (token offset, test) pairs all of which must hold)
Entry = tuple[int, int, tuple[tuple[int, Test], ...]]


def _eq(at: int, value: object, f: Feature) -> bool:
    return f[at] == value


def _is(at: int, value: bool, f: Feature) -> bool:
    return f[at] is value


def _in(at: int, values: frozenset[str], f: Feature) -> bool:
    return f[at] in values


def _not_in(at: int, values: frozenset[str], f: Feature) -> bool:
    return f[at] not in values


def _search(at: int, pattern: re.Pattern[str], f: Feature) -> bool:
    return pattern.search(str(f[at])) is not None  # the Matcher's REGEX: re.search


def _test(attr: str, value: Any) -> Test | None:
    """A test of one token feature as the Matcher would do it, or None if not supported
    (partials of module functions, not lambdas, so the component pickles)."""
    at = _FEATURES.get(attr)
    if at is None:
        return None
    if attr == "IS_SPACE":
        return partial(_is, at, value) if isinstance(value, bool) else None
    if isinstance(value, str):
        return partial(_eq, at, value)
    if not (isinstance(value, dict) and len(value) == 1):
        return None
    (op, arg), = value.items()
    if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
        return partial(_in if op == "IN" else _not_in, at, frozenset(arg))
    if op == "REGEX" and isinstance(arg, str):
        return partial(_search, at, re.compile(arg))
    return None


class AttributeRules:
    """Callable spaCy component: `rules(doc) -> doc`, as the AttributeRuler it copies."""

    def __init__(self) -> None:
        # Patterns as (rule id, length, tests of each token), indexed by the first token's
        # tag or lower-case form; `_always` must be tried at every token.
        self._by_tag: dict[str, list[Entry]] = {}
        self._by_lower: dict[str, list[Entry]] = {}
        self._always: list[Entry] = []
        self._attrs: list[dict[Any, Any]] = []
        self._indices: list[int] = []

    def load(self, ruler: Any) -> bool:
        """Take the rules of a spaCy `AttributeRuler`; False if one is not supported."""
        by_tag: dict[str, list[Entry]] = {}
        by_lower: dict[str, list[Entry]] = {}
        always: list[Entry] = []
        attrs = list(ruler.attrs)
        indices = list(ruler.indices)
        for rule in range(len(attrs)):
            _, patterns = ruler.matcher.get(str(rule))
            for pattern in patterns:
                if not pattern or not -len(pattern) <= indices[rule] < len(pattern):
                    return False
                checks: list[tuple[int, Test]] = []
                for k, spec in enumerate(pattern):
                    if not isinstance(spec, dict) or not spec:
                        return False
                    for attr, value in spec.items():
                        test = _test(attr, value)
                        if test is None:
                            return False
                        checks.append((k, test))
                entry = (rule, len(pattern), tuple(checks))
                first = pattern[0]
                tag, lower = first.get("TAG"), first.get("LOWER")
                if isinstance(tag, str):
                    by_tag.setdefault(tag, []).append(entry)
                elif isinstance(tag, dict) and list(tag) == ["IN"]:
                    for value in tag["IN"]:
                        by_tag.setdefault(value, []).append(entry)
                elif isinstance(lower, str):
                    by_lower.setdefault(lower, []).append(entry)
                elif isinstance(lower, dict) and list(lower) == ["IN"]:
                    for value in lower["IN"]:
                        by_lower.setdefault(value, []).append(entry)
                else:
                    always.append(entry)
        self._by_tag, self._by_lower, self._always = by_tag, by_lower, always
        self._attrs, self._indices = attrs, indices
        return True

    def __call__(self, doc: Doc) -> Doc:
        feats: list[Feature] = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        n = len(feats)
        matches: list[tuple[int, int, int]] = []
        by_tag, by_lower, always = self._by_tag, self._by_lower, self._always
        for start, feat in enumerate(feats):
            for rule, length, checks in (*by_tag.get(feat[0], ()),
                                         *by_lower.get(feat[1], ()), *always):
                end = start + length
                if end > n:
                    continue
                for k, test in checks:
                    if not test(feats[start + k]):
                        break
                else:
                    matches.append((rule, start, end))
        matches.sort()  # AttributeRuler.match: by rule, so later rules win
        for rule, start, end in matches:
            index = self._indices[rule]
            set_token_attrs(doc[start + index if index >= 0 else end + index],
                            self._attrs[rule])
        return doc


@Language.factory(FACTORY)
def _make(nlp: Language, name: str) -> AttributeRules:
    return AttributeRules()


def fast_attribute_ruler(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Replace the pipeline's spaCy `name` component by `AttributeRules` with the same
    rules (same name and place); False, and nothing changed, if it cannot be copied."""
    if name not in nlp.pipe_names:
        return False
    spacy_ruler = nlp.get_pipe(name)
    if not AttributeRules().load(spacy_ruler):
        return False
    nlp.replace_pipe(name, FACTORY)
    rules = nlp.get_pipe(name)
    return isinstance(rules, AttributeRules) and rules.load(spacy_ruler)
