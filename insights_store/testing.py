"""Conformance kit: the contract every ``InsightStore`` backend must pass.

Subclass ``InsightStoreContract`` in a test module and override the ``empty_store`` fixture (yield a new,
empty store built with ``HashEmbeddings()``); persistent backends also override ``reopen``. Third-party
backends can run the same kit: ``from insights_store.testing import InsightStoreContract``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest
from pydantic import ValidationError

from insights_store.base import InsightNotFoundError, InsightStore, ScoringRules, StoreError
from msi_agent.records import MAX_INSIGHT_CHARS, Insight, InsightOp, OpKind, Provenance, Scale

FRIDGE = "Open the fridge before looking for cold food such as milk or eggs"
KNIFE = "Pick up a knife before trying to slice bread, tomato or lettuce"
SINK = "Clean a dirty mug by putting it in the sink basin and turning the faucet on"
LAMP = "Turn on the desk lamp before examining an object in the light"


def general(text: str, score: float = 2.0) -> Insight:
    return Insight(text=text, scale=Scale.GENERAL, score=score)


def subtask(text: str, key: str, score: float = 2.0) -> Insight:
    return Insight(text=text, scale=Scale.SUBTASK, key=key, score=score)


def env(text: str, key: str = "Kitchen", score: float = 2.0) -> Insight:
    return Insight(text=text, scale=Scale.ENVIRONMENT, key=key, score=score)


def op(kind: str, **fields: object) -> InsightOp:
    return InsightOp(kind=OpKind(kind), **fields)  # type: ignore[arg-type]


class InsightStoreContract:
    """Inherit and override ``empty_store``; every test below then runs against that backend."""

    @pytest.fixture
    def empty_store(self) -> Iterator[InsightStore]:
        raise NotImplementedError("override the empty_store fixture in the backend's test module")

    def reopen(self, store: InsightStore) -> InsightStore | None:
        """Close ``store`` and open the same storage again; None for non-persistent backends."""
        return None

    # -- add / get / update / delete ----------------------------------------------------------------
    def test_implements_protocol(self, empty_store: InsightStore) -> None:
        assert isinstance(empty_store, InsightStore)
        assert len(empty_store.embeddings.embed_query("open the fridge")) > 0

    def test_add_get_round_trip(self, empty_store: InsightStore) -> None:
        ins = env(FRIDGE, score=3.5)
        assert empty_store.add(ins) == ins.id
        got = empty_store.get(ins.id)
        assert got.model_dump() == ins.model_dump()
        [entry] = empty_store.history(ins.id)
        assert entry.op is OpKind.ADD and entry.score_after == 3.5

    def test_get_unknown_id(self, empty_store: InsightStore) -> None:
        with pytest.raises(InsightNotFoundError, match="no insight 'nope'"):
            empty_store.get("nope")

    def test_add_existing_id_is_refused(self, empty_store: InsightStore) -> None:
        ins = general(FRIDGE)
        empty_store.add(ins)
        with pytest.raises(StoreError, match="already exists"):
            empty_store.add(ins.model_copy(update={"text": KNIFE}))
        assert empty_store.get(ins.id).text == FRIDGE

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"text": "   ", "scale": Scale.GENERAL}, "empty"),
            ({"text": "x" * (MAX_INSIGHT_CHARS + 1), "scale": Scale.GENERAL}, "limit"),
            ({"text": FRIDGE, "scale": "galactic"}, "scale"),
            ({"text": FRIDGE, "scale": Scale.GENERAL, "key": "Kitchen"}, "general insight has no key"),
            ({"text": FRIDGE, "scale": Scale.SUBTASK, "key": None}, "needs a key"),
            ({"text": FRIDGE, "scale": Scale.GENERAL, "score": math.nan}, "finite"),
            ({"text": FRIDGE, "scale": Scale.GENERAL, "score": -1.0}, "finite"),
        ],
    )
    def test_add_bad_input_writes_nothing(self, empty_store: InsightStore, fields: dict, message: str) -> None:
        # model_construct skips validation, as a caller building records by hand might; the store re-checks
        bad = Insight.model_construct(**({"score": 2.0, "key": None} | fields))
        with pytest.raises((StoreError, ValueError), match=message):
            empty_store.add(bad)
        assert empty_store.list() == []

    def test_update_fields_and_history(self, empty_store: InsightStore) -> None:
        ins = general(FRIDGE)
        empty_store.add(ins)
        moved = empty_store.update(ins.id, scale=Scale.SUBTASK, key="Cooling", text=KNIFE, score=4.0)
        assert (moved.scale, moved.key, moved.text, moved.score) == (Scale.SUBTASK, "Cooling", KNIFE, 4.0)
        assert empty_store.get(ins.id).model_dump() == moved.model_dump()
        assert [h.op for h in empty_store.history(ins.id)] == [OpKind.ADD, OpKind.MOVE]
        back = empty_store.update(ins.id, scale=Scale.GENERAL)
        assert back.key is None
        assert empty_store.search(KNIFE, k=1)[0].insight.id == ins.id

    @pytest.mark.parametrize(
        "changes",
        [{"score": math.nan}, {"score": -0.5}, {"text": ""}, {"key": "Kitchen"}, {"scale": "nowhere"}, {}],
    )
    def test_update_bad_input_keeps_insight(self, empty_store: InsightStore, changes: dict) -> None:
        ins = general(FRIDGE)
        empty_store.add(ins)
        with pytest.raises(StoreError):
            empty_store.update(ins.id, **changes)
        assert empty_store.get(ins.id).model_dump() == ins.model_dump()
        assert len(empty_store.history(ins.id)) == 1

    def test_update_unknown_id(self, empty_store: InsightStore) -> None:
        with pytest.raises(InsightNotFoundError):
            empty_store.update("missing", score=3.0)

    def test_delete_keeps_history_and_ignores_missing(self, empty_store: InsightStore) -> None:
        ins = general(FRIDGE)
        empty_store.add(ins)
        empty_store.delete(ins.id)
        empty_store.delete(ins.id)
        empty_store.delete("never-existed")
        with pytest.raises(InsightNotFoundError):
            empty_store.get(ins.id)
        assert [h.op for h in empty_store.history(ins.id)] == [OpKind.ADD, OpKind.REMOVE]
        with pytest.raises(InsightNotFoundError):
            empty_store.history("never-existed")

    # -- list / keys / search -------------------------------------------------------------------------
    def test_list_filters_and_order(self, empty_store: InsightStore) -> None:
        a, b = general(FRIDGE, 1.0), general(KNIFE, 5.0)
        c, d = subtask(SINK, "Cleaning", 3.0), env(LAMP, "Bedroom", 2.0)
        for ins in (a, b, c, d):
            empty_store.add(ins)
        assert [i.id for i in empty_store.list()] == [b.id, c.id, d.id, a.id]
        assert [i.id for i in empty_store.list(scale=Scale.GENERAL)] == [b.id, a.id]
        assert [i.id for i in empty_store.list(scale=Scale.SUBTASK, key="Cleaning")] == [c.id]
        assert [i.id for i in empty_store.list(key="Bedroom")] == [d.id]
        assert [i.id for i in empty_store.list(min_score=2.5)] == [b.id, c.id]
        assert empty_store.list(scale=Scale.SUBTASK, key="Nothing") == []

    @pytest.mark.parametrize(
        "kwargs", [{"scale": "cosmic"}, {"scale": Scale.GENERAL, "key": "Kitchen"}, {"min_score": math.nan}]
    )
    def test_list_bad_filters(self, empty_store: InsightStore, kwargs: dict) -> None:
        with pytest.raises(StoreError):
            empty_store.list(**kwargs)

    def test_keys(self, empty_store: InsightStore) -> None:
        empty_store.add(subtask(SINK, "Cleaning"))
        empty_store.add(subtask(KNIFE, "Slicing"))
        empty_store.add(subtask(FRIDGE, "Cleaning"))
        empty_store.add(env(LAMP, "Bedroom"))
        assert empty_store.keys(Scale.SUBTASK) == ["Cleaning", "Slicing"]
        assert empty_store.keys(Scale.ENVIRONMENT) == ["Bedroom"]
        assert empty_store.keys(Scale.GENERAL) == []
        with pytest.raises(StoreError, match="unknown scale"):
            empty_store.keys("weird")  # type: ignore[arg-type]

    def test_search_ranks_and_filters(self, empty_store: InsightStore) -> None:
        for ins in (general(FRIDGE), subtask(KNIFE, "Slicing"), subtask(SINK, "Cleaning"), env(LAMP, "Bedroom")):
            empty_store.add(ins)
        hits = empty_store.search("slice the bread with a knife", k=4)
        assert hits[0].insight.text == KNIFE
        assert all(0.0 <= h.similarity <= 1.0 for h in hits)
        assert [h.similarity for h in hits] == sorted((h.similarity for h in hits), reverse=True)
        only = empty_store.search("slice the bread with a knife", k=4, scale=Scale.SUBTASK, key="Cleaning")
        assert [h.insight.text for h in only] == [SINK]
        assert len(empty_store.search("fridge", k=2)) == 2
        assert empty_store.search("fridge", namespace="empty-ns") == []

    def test_search_token_budget(self, empty_store: InsightStore) -> None:
        for ins in (general(FRIDGE), general(KNIFE), general(SINK)):
            empty_store.add(ins)
        everything = empty_store.search("fridge knife sink", k=3)
        first = math.ceil(len(everything[0].insight.text) / 4)
        assert len(empty_store.search("fridge knife sink", k=3, token_budget=first)) == 1
        assert len(empty_store.search("fridge knife sink", k=3, token_budget=first - 1)) == 0
        assert len(empty_store.search("fridge knife sink", k=3, token_budget=10_000)) == 3

    @pytest.mark.parametrize("kwargs", [{"k": 0}, {"k": -3}, {"token_budget": 0}, {"query": "  "}])
    def test_search_bad_input(self, empty_store: InsightStore, kwargs: dict) -> None:
        args = {"query": "fridge"} | kwargs
        with pytest.raises(StoreError):
            empty_store.search(**args)

    def test_namespaces_are_independent(self, empty_store: InsightStore) -> None:
        empty_store.add(general(FRIDGE), namespace="exp-a")
        empty_store.add(general(KNIFE), namespace="exp-b")
        assert [i.text for i in empty_store.list(namespace="exp-a")] == [FRIDGE]
        assert [h.insight.text for h in empty_store.search("knife", namespace="exp-b")] == [KNIFE]
        assert {"exp-a", "exp-b"} <= set(empty_store.namespaces())
        assert empty_store.list() == []
        with pytest.raises(StoreError, match="namespace"):
            empty_store.list(namespace="bad name/..")

    # -- batches -------------------------------------------------------------------------------------
    def test_apply_score_rules(self, empty_store: InsightStore) -> None:
        a, b, c, d = general(FRIDGE), general(KNIFE), general(SINK, 1.0), subtask(LAMP, "Lighting")
        for ins in (a, b, c, d):
            empty_store.add(ins)
        prov = Provenance(experience_ids=["ep1", "ep2"], llm_call_id="call-7", llm="test-llm")
        result = empty_store.apply(
            [
                op("AGREE", target=a.id, provenance=prov),
                op("EDIT", target=b.id, text="Hold a knife before slicing anything", provenance=prov),
                op("REMOVE", target=c.id, provenance=prov),
                op("MOVE", target=d.id, text="Lamps are in bedrooms", scale=Scale.ENVIRONMENT, key="Bedroom"),
                op("ADD", text="Put the apple in the fridge to cool it", scale=Scale.SUBTASK, key="Cooling"),
            ],
            scoring=ScoringRules(edit=1.0),
        )
        assert not result.rejected
        assert set(result.changed) == {a.id, b.id, d.id}
        assert result.deleted == [c.id]
        [new_id] = result.added
        assert empty_store.get(a.id).score == 3.0
        assert (empty_store.get(b.id).text, empty_store.get(b.id).score) == (
            "Hold a knife before slicing anything",
            3.0,
        )
        moved = empty_store.get(d.id)
        assert (moved.scale, moved.key, moved.score) == (Scale.ENVIRONMENT, "Bedroom", 2.0)
        assert (empty_store.get(new_id).score, empty_store.get(new_id).key) == (2.0, "Cooling")
        with pytest.raises(InsightNotFoundError):
            empty_store.get(c.id)
        last = empty_store.history(a.id)[-1]
        assert (last.op, last.score_after, last.provenance) == (OpKind.AGREE, 3.0, prov)
        assert [h.op for h in empty_store.history(c.id)] == [OpKind.ADD, OpKind.REMOVE]
        assert empty_store.search("cool the apple", k=1, scale=Scale.SUBTASK)[0].insight.id == new_id

    def test_apply_rejections(self, empty_store: InsightStore) -> None:
        a = general(FRIDGE)
        empty_store.add(a)
        result = empty_store.apply(
            [
                op("ADD", text="  open the FRIDGE before looking for cold food such as milk or eggs ", scale="general"),
                op("AGREE", target="ghost"),
                op("ADD", text=KNIFE, scale=Scale.GENERAL, key="Kitchen"),
                op("ADD", text=SINK, scale=Scale.SUBTASK, key="Cleaning"),
                op("REMOVE", target=a.id, provenance=Provenance(note="first")),
                op("REMOVE", target=a.id),
                op("AGREE", target=a.id),
            ]
        )
        reasons = [reason for _, reason in result.rejected]
        assert len(reasons) == 4
        assert "identical" in reasons[0] and "unknown target" in reasons[1]
        assert "no key" in reasons[2] and "unknown target" in reasons[3]
        assert result.deleted == [a.id]
        assert [i.text for i in empty_store.list()] == [SINK]

    def test_apply_remove_costs_more_when_full(self, empty_store: InsightStore) -> None:
        ins = [general(t, 5.0) for t in (FRIDGE, KNIFE, SINK)]
        for i in ins:
            empty_store.add(i)
        empty_store.apply([op("REMOVE", target=ins[0].id)], scoring=ScoringRules(full_size=4))
        assert empty_store.get(ins[0].id).score == 4.0
        empty_store.apply([op("REMOVE", target=ins[0].id)], scoring=ScoringRules(full_size=3))
        assert empty_store.get(ins[0].id).score == 1.0

    def test_apply_empty_and_bad_batches(self, empty_store: InsightStore) -> None:
        result = empty_store.apply([])
        assert (result.added, result.changed, result.deleted, result.rejected) == ([], [], [], [])
        with pytest.raises(StoreError):
            empty_store.apply([{"kind": "ADD"}])  # type: ignore[list-item]
        with pytest.raises(ValidationError):
            op("EDIT", text="no target")

    def test_apply_add_then_change_in_one_batch(self, empty_store: InsightStore) -> None:
        first = empty_store.apply([op("ADD", text=FRIDGE, scale=Scale.GENERAL)])
        [iid] = first.added
        result = empty_store.apply(
            [op("AGREE", target=iid), op("EDIT", target=iid, text=KNIFE), op("ADD", text=SINK, scale="general")]
        )
        assert result.changed == [iid] and len(result.added) == 1
        assert [h.op for h in empty_store.history(iid)] == [OpKind.ADD, OpKind.AGREE, OpKind.EDIT]
        assert empty_store.get(iid).score == 3.0

    # -- export / import / stats ------------------------------------------------------------------------
    def test_export_import_round_trip(self, empty_store: InsightStore) -> None:
        a, b = general(FRIDGE, 4.0), subtask(KNIFE, "Slicing")
        empty_store.add(a)
        empty_store.add(b)
        empty_store.apply([op("AGREE", target=b.id)])
        lines = list(empty_store.export_jsonl())
        assert [json.loads(line)["insight"]["id"] for line in lines] == [a.id, b.id]
        assert empty_store.import_jsonl(lines, namespace="copy") == 2
        assert [i.model_dump() for i in empty_store.list(namespace="copy")] == [
            i.model_dump() for i in empty_store.list()
        ]
        assert empty_store.history(b.id, namespace="copy") == empty_store.history(b.id)
        assert empty_store.search("slice bread", k=1, namespace="copy")[0].insight.id == b.id
        bare = general(SINK).model_dump_json()
        assert empty_store.import_jsonl([bare, ""], namespace="bare") == 1
        assert empty_store.list(namespace="bare")[0].text == SINK

    @pytest.mark.parametrize(
        "bad_line",
        ["{not json", json.dumps({"text": "", "scale": "general"}), json.dumps({"text": "x", "scale": "moon"})],
    )
    def test_import_bad_line_writes_nothing(self, empty_store: InsightStore, bad_line: str) -> None:
        good = general(FRIDGE).model_dump_json()
        with pytest.raises(StoreError, match="line 2"):
            empty_store.import_jsonl([good, bad_line])
        assert empty_store.list() == []

    def test_stats(self, empty_store: InsightStore) -> None:
        empty_store.add(general(FRIDGE, 1.0))
        empty_store.add(subtask(KNIFE, "Slicing", 3.0))
        empty_store.add(env(SINK, "Kitchen", 2.0))
        stats = empty_store.stats()
        assert stats.total == 3 and stats.mean_score == 2.0
        assert stats.by_scale == {"general": 1, "environment": 1, "subtask": 1}
        assert stats.keys == {"environment": ["Kitchen"], "subtask": ["Slicing"]}

    def test_persists_across_reopen(self, empty_store: InsightStore) -> None:
        a = subtask(KNIFE, "Slicing")
        empty_store.add(a)
        empty_store.apply([op("AGREE", target=a.id), op("ADD", text=FRIDGE, scale=Scale.GENERAL)])
        before = [i.model_dump() for i in empty_store.list()]
        store = self.reopen(empty_store)
        if store is None:
            pytest.skip("backend is not persistent")
        try:
            assert [i.model_dump() for i in store.list()] == before
            assert len(store.history(a.id)) == 2
            assert store.search("slice", k=1)[0].insight.id == a.id
        finally:
            store.close()
