"""ALFRED mangling and ALFWorld numbering; checked against alfworld's own Demangler when it is installed."""

from __future__ import annotations

import pytest

from envs.alfworld.names import demangle, display_names, location_id, mangle

NEEDS_EXTRA = "install the alfworld extra: pip install -e '.[alfworld]'"
IDS = [
    "Cabinet|+00.68|+00.50|-02.20",
    "Cabinet|-00.73|+02.02|-02.46",
    "Cabinet|+00.72|+02.02|-02.46",
    "Sink|-01.90|+00.97|-01.50|SinkBasin",
    "Apple|-00.47|+01.15|+00.48",
    "Apple|+00.20|+00.90|-02.40",
]


def test_mangle_round_trip_and_scheme() -> None:
    oid = "Cabinet|+00.68|+00.50|-02.20"
    assert mangle(oid) == "Cabinet_bar__plus_00_dot_68_bar__plus_00_dot_50_bar__minus_02_dot_20"
    assert demangle(mangle(oid)) == oid
    assert mangle("a,b") == "a_comma_b"


def test_location_id_quantizes_pose() -> None:
    assert location_id((-0.25, -1.75, 180, 30)) == "loc_bar__minus_1_bar__minus_7_bar_2_bar_30"
    assert location_id((1.0, 0.5, 270, -30)) == "loc_bar_4_bar_2_bar_3_bar__minus_30"
    assert location_id((0.0, 0.0, 360, 0)) == location_id((0.0, 0.0, 0, 0))


def test_numbering_counts_down_in_sorted_order() -> None:
    names = display_names(IDS)
    # minus sorts before plus once mangled, and the first sorted id gets the highest number
    assert names["Cabinet|-00.73|+02.02|-02.46"] == "cabinet 3"
    assert names["Cabinet|+00.68|+00.50|-02.20"] == "cabinet 2"
    assert names["Cabinet|+00.72|+02.02|-02.46"] == "cabinet 1"
    assert names["Sink|-01.90|+00.97|-01.50|SinkBasin"] == "sinkbasin 1"
    assert names["Apple|-00.47|+01.15|+00.48"] == "apple 2"


def test_matches_alfworlds_demangler() -> None:
    misc = pytest.importorskip("alfworld.agents.utils.misc", reason=NEEDS_EXTRA)

    class Info:
        def __init__(self, ident: str) -> None:
            self.id = ident

    infos = {mangle(i).lower(): Info(mangle(i).lower()) for i in IDS}
    theirs = misc.Demangler(game_infos=infos)
    ours = display_names(IDS)
    for oid in IDS:
        assert theirs.demangle_alfred_name(mangle(oid).lower()) == ours[oid]
