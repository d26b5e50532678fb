from msi_agent.agent.unmet import unmet_note


def test_unmet_conditions_end_a_failure_reason_in_the_environments_words() -> None:
    info = {"unmet": ["All breakfast items need to be on the CounterTop", "The Mug needs to be clean"]}
    assert unmet_note(info) == (
        " — still unmet: All breakfast items need to be on the CounterTop; The Mug needs to be clean"
    )
    assert unmet_note({}) == unmet_note({"unmet": []}) == ""
