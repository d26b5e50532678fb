"""Which protocol differences a run's results list: the environment's spec says which of the paper's benchmarks
its families stand for, so a TEACh run, an ALFWorld run and a run outside the paper are each compared fairly."""

from __future__ import annotations

from dataclasses import replace

import envs
from envs.spec import EnvSpec
from msi_agent.config import Settings
from msi_agent.pipeline.protocol import differences

ALFWORLD = ["pick_and_place_simple", "look_at_obj_in_light"]
NOT_THE_PAPERS = "is not one of the paper's benchmarks"


def _settings(**sections: object) -> Settings:
    return Settings(**sections)  # type: ignore[arg-type]


def test_household_teach_families_under_react_are_flagged() -> None:
    lines = "\n".join(differences(_settings(env={"families": ["coffee"]}), envs.spec("household")))
    assert "TEACh-style tasks are played by the ReAct executor" in lines
    assert "sampled from task families on iTHOR floor plans" in lines and NOT_THE_PAPERS not in lines
    program = _settings(env={"families": ["coffee"]}, agent={"executor": "program"})
    assert "TEACh-style" not in "\n".join(differences(program, envs.spec("household")))


def test_household_alfworld_families_expect_the_papers_alfworld_scales() -> None:
    alfworld = _settings(env={"families": ALFWORLD}, distill={"scales": ["general", "subtask"]})
    lines = "\n".join(differences(alfworld, envs.spec("alfworld")))
    assert "TEACh-style" not in lines and "Insight scales" not in lines
    all_scales = "\n".join(differences(_settings(env={"families": ALFWORLD}), envs.spec("household")))
    assert "the paper uses general,subtask on ALFWorld" in all_scales


def test_an_environment_outside_the_paper_says_so_and_is_not_called_teach() -> None:
    twx = _settings(env={"name": "textworld-express", "families": ["coin"]})
    lines = "\n".join(differences(twx, envs.spec("textworld-express")))
    assert f"'textworld-express' {NOT_THE_PAPERS}" in lines
    assert "TEACh-style" not in lines and "iTHOR" not in lines
    assert "gpt-4 for insights" in lines  # the method's own settings are still compared


def test_a_spec_names_its_benchmark_by_function() -> None:
    spec = EnvSpec(name="fetch", entry_point=object, paper_benchmark=lambda families: None, protocol_note="Fetch.")
    lines = differences(_settings(), spec)
    assert lines[0] == "Fetch." and NOT_THE_PAPERS in lines[1]
    teach_like = replace(spec, paper_benchmark="envs.household.families:paper_benchmark")
    assert spec.benchmark([]) is None and teach_like.benchmark(["coffee"]).value == "teach"


def test_a_grouped_seed_order_says_it_pairs_within_the_group() -> None:
    household = envs.spec("household")
    rooms = _settings(distill={"seed_order": "rooms:Kitchen,Bedroom"})
    assert "paired only with a failure of its own group" in "\n".join(differences(rooms, household))
    for plain in ({"seed_order": "given"}, {"seed_order": "rooms:Kitchen", "selector": "success"}):
        assert "its own group" not in "\n".join(differences(_settings(distill=plain), household)), plain
