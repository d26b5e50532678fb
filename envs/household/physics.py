"""Symbolic physics: what heat, cold, running water and coffee do to the objects in a receptacle.

Rules (AI2-THOR's, made immediate): a closed microwave that is on, a stove burner that is on and a toaster that is
on heat everything inside them (nested too) and cook what is cookable; a fridge makes what is in it cold; a sink
basin whose faucet runs cleans what is in it and fills empty containers with water; a coffee machine that is on
fills the mug in it with hot coffee. ``settle`` applies the rules of a receptacle and of those around it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Obj = dict[str, Any]


def settle(by_id: Mapping[str, Obj], faucet_of: Mapping[str, str], container: Obj) -> None:
    """Let the sources act on what is in ``container``, then on what holds it (a pot put on a running burner)."""
    kind = container["objectType"]
    on = container["isToggled"]
    if on and (kind in ("StoveBurner", "Toaster") or (kind == "Microwave" and not container["isOpen"])):
        _each_inside(by_id, container, _warm)
    elif kind == "Fridge":
        _each_inside(by_id, container, _chill)
    elif kind == "CoffeeMachine" and on:
        for oid in container["receptacleObjectIds"]:
            obj = by_id[oid]
            if obj["canFillWithLiquid"]:
                obj["isFilledWithLiquid"], obj["fillLiquid"], obj["ObjectTemperature"] = True, "coffee", "Hot"
    elif kind == "SinkBasin" and _faucet_on(by_id, faucet_of, container):
        for oid in container["receptacleObjectIds"]:
            obj = by_id[oid]
            if obj["dirtyable"]:
                obj["isDirty"] = False
            if obj["canFillWithLiquid"] and not obj["receptacleObjectIds"]:
                obj["isFilledWithLiquid"], obj["fillLiquid"] = True, "water"
    parents = container["parentReceptacles"]
    if parents:
        settle(by_id, faucet_of, by_id[parents[0]])


def _faucet_on(by_id: Mapping[str, Obj], faucet_of: Mapping[str, str], basin: Obj) -> bool:
    faucet = faucet_of.get(basin["objectId"])
    return faucet is not None and bool(by_id[faucet]["isToggled"])


def _each_inside(by_id: Mapping[str, Obj], container: Obj, fn: Callable[[Obj], None]) -> None:
    for oid in container["receptacleObjectIds"] or ():
        obj = by_id[oid]
        fn(obj)
        if obj["receptacleObjectIds"]:
            _each_inside(by_id, obj, fn)


def _warm(obj: Obj) -> None:
    obj["ObjectTemperature"] = "Hot"
    if obj["cookable"]:
        obj["isCooked"] = True


def _chill(obj: Obj) -> None:
    obj["ObjectTemperature"] = "Cold"
