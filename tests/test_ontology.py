"""The PLOVER ontology tables and their loader (flashpoint.extract.ontology)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flashpoint.extract.ontology import QuadClass, ontology

SHARED_PLOVER = Path(__file__).resolve().parents[2] / "shared" / "data" / "events" / "plover"


def test_sixteen_types_in_codebook_order() -> None:
    types = ontology().types
    assert len(types) == 16 == len(set(types))
    assert types[0] == "AGREE" and types[-1] == "ASSAULT"


def test_loader_is_cached() -> None:
    assert ontology() is ontology()


@pytest.mark.parametrize(
    ("type_", "quad"),
    [("AGREE", 1), ("CONCEDE", 1), ("AID", 2), ("RETREAT", 2), ("REQUEST", 3),
     ("SANCTION", 3), ("PROTEST", 4), ("ASSAULT", 4)],
)
def test_quad_classes(type_: str, quad: int) -> None:
    assert ontology().quad_class(type_) == QuadClass(quad)


def test_quad_class_properties() -> None:
    q = ontology().quad_class("COERCE")
    assert not q.verbal and not q.cooperation and q.label == "material conflict"
    assert ontology().quad_class("SUPPORT").verbal


def test_every_type_has_a_quad_and_score_in_range() -> None:
    o = ontology()
    for t in o.types:
        assert isinstance(o.quad_class(t), QuadClass)
        assert -10 <= o.intensity(t) <= 10
        for m in o.modes(t):
            assert -10 <= o.intensity(t, m) <= 10


def test_modes() -> None:
    o = ontology()
    assert "drone" in o.modes("ASSAULT")
    assert o.modes("AGREE") == ()
    assert o.modes("REQUEST") == o.modes("REJECT")


def test_intensity_mode_overrides_type_and_falls_back() -> None:
    o = ontology()
    assert o.intensity("RETREAT") == 6.5
    assert o.intensity("RETREAT", "disarm") == 10
    assert o.intensity("PROTEST", "vandalize") == o.intensity("PROTEST")  # no score: type's
    assert o.intensity("PROTEST", "no-such-mode") == -5
    assert o.intensity("ACCUSE") < 0  # the codebook's "+3" is a missing minus sign


def test_old_names_map_to_current_types() -> None:
    o = ontology()
    assert o.normalize("FIGHT") == ("ASSAULT", None)
    assert o.normalize("demand") == ("REQUEST", None)
    assert o.normalize("INVESTIGATE") == ("ACCUSE", "investigate")
    assert o.normalize("DISAPPROVE") == ("ACCUSE", None)
    assert o.quad_class("FIGHT") == QuadClass.MATERIAL_CONFLICT
    with pytest.raises(KeyError, match="not a PLOVER event type"):
        o.normalize("CRIME")


def test_cameo_lookup_exact_and_fallbacks() -> None:
    o = ontology()
    m = o.cameo_to_plover("0872")
    assert m is not None and (m.type, m.mode) == ("RETREAT", "withdraw")
    m = o.cameo_to_plover("163")  # an exception to the 2-digit rule
    assert m is not None and m.type == "COERCE"
    m = o.cameo_to_plover("186")  # published mode 'assassinate' is now 'targeted'
    assert m is not None and (m.mode, m.mode_as_published) == ("targeted", "assassinate")
    m = o.cameo_to_plover("04")
    assert m is not None and m.type == "CONSULT"
    assert o.cameo_to_plover("02") is None and o.cameo_to_plover("010") is None
    with pytest.raises(ValueError, match="not a CAMEO code"):
        o.cameo_to_plover("x1")


def test_cameo_rows_use_current_modes_and_contexts() -> None:
    o = ontology()
    assert len(o.cameo_codes) == 256
    for code in o.cameo_codes:
        m = o.cameo_to_plover(code)
        assert m is not None and m.type in o.types
        assert m.mode is None or m.mode in o.modes(m.type), code
        assert all(c in o.contexts for c in m.contexts), code
    assert len(o.contexts) == 37


@pytest.mark.skipif(not SHARED_PLOVER.exists(), reason="../shared is absent")
def test_cameo_table_agrees_with_the_published_file() -> None:
    o = ontology()
    published: dict[str, str] = {}
    text = (SHARED_PLOVER / "CAMEO2PLOVER-2021.txt").read_text("utf-8")
    for line in text.splitlines():
        m = re.match(r"^(\d{3,4}):\s*([A-Z]+)\s*,", line)
        if m:
            published.setdefault(m.group(1), m.group(2))
    assert set(published) == set(o.cameo_codes)
    for code, type_ in published.items():
        mapping = o.cameo_to_plover(code)
        assert mapping is not None and mapping.type == type_, code
