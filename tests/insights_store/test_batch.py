from insights_store.batch import Batch, estimate_tokens


def test_token_estimate_is_a_quarter_of_characters_rounded_up() -> None:
    assert [estimate_tokens(t) for t in ("", "abcd", "abcde", "x" * 400)] == [1, 1, 2, 100]


def test_batch_round_trips_as_journal_json() -> None:
    batch = Batch(namespace="ns")
    assert batch.empty and Batch.model_validate_json(batch.model_dump_json()) == batch
