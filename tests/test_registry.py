"""The generic plugin registry: lazy entries, readable unknown-name errors, no silent overrides."""

from __future__ import annotations

import pytest

from msi_agent.registry import Registry, UnknownPluginError, load_attr


def test_lazy_entry_is_imported_on_first_use() -> None:
    reg: Registry[object] = Registry("thing", "msi_agent.test_things")
    reg.register("od", "collections:OrderedDict")
    assert "od" in reg
    made = reg.create("od", a=1)
    assert dict(made) == {"a": 1}


def test_unknown_name_lists_choices() -> None:
    reg: Registry[object] = Registry("thing", "msi_agent.test_things")
    reg.register("one", dict)
    with pytest.raises(UnknownPluginError, match=r"unknown thing 'two'; available: one"):
        reg.factory("two")


def test_double_registration_needs_replace() -> None:
    reg: Registry[object] = Registry("thing", "msi_agent.test_things")
    reg.register("one", dict)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("one", list)
    reg.register("one", list, replace=True)
    assert reg.create("one") == []


@pytest.mark.parametrize(
    ("path", "fragment"),
    [("nocolon", "not of the form"), ("no_such_module_xyz:f", "cannot import"), ("json:nope", "no attribute")],
)
def test_load_attr_errors(path: str, fragment: str) -> None:
    with pytest.raises((ValueError, ImportError), match=fragment):
        load_attr(path)
