"""Settings left to the environment are filled from its spec, so the manifest records what episodes used."""

from __future__ import annotations

from pathlib import Path

import envs
from msi_agent.config import Settings
from msi_agent.pipeline.session import environment_defaults


def test_environment_fills_step_limit_and_default_families(tmp_path: Path) -> None:
    spec = envs.spec("household")
    filled = environment_defaults(Settings(workspace=tmp_path, env={"default_families": True}), spec)
    assert filled.agent.max_steps == spec.max_steps and filled.env.families == list(spec.default_families)
    assert spec.default_families  # the household names some, else this test shows nothing
    given = Settings(workspace=tmp_path, agent={"max_steps": 5}, env={"families": ["x"], "default_families": True})
    assert environment_defaults(given, spec) == given  # what is set stays
    assert environment_defaults(Settings(workspace=tmp_path), spec).env.families == []  # empty = all families
