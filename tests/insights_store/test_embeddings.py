from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from langchain_core.embeddings import DeterministicFakeEmbedding

from insights_store.embeddings import HashEmbeddings, MiniLMEmbeddings, embed_array, embedder_id, get_embeddings


def test_hash_embeddings_are_unit_lexical_and_stable_across_processes() -> None:
    emb = HashEmbeddings()
    v = emb.embed_array(["open the fridge", "open the fridge door", "slice a tomato", "!!!"])
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-6)
    assert v[0] @ v[1] > v[0] @ v[2]
    code = (
        "from insights_store.embeddings import HashEmbeddings; "
        "print(HashEmbeddings().embed_query('open the fridge')[:5])"
    )
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert other.stdout.strip() == str(emb.embed_query("open the fridge")[:5])


def test_get_embeddings_and_ids() -> None:
    assert isinstance(get_embeddings("hash"), HashEmbeddings)
    assert isinstance(get_embeddings("minilm"), MiniLMEmbeddings)
    fake = DeterministicFakeEmbedding(size=16)
    assert get_embeddings(fake) is fake
    assert embedder_id(HashEmbeddings(64)) == "hash-64"
    assert embedder_id(fake).endswith("DeterministicFakeEmbedding")
    assert embed_array(fake, ["a", "b"]).shape == (2, 16)
    with pytest.raises(ValueError, match=r"unknown embedder 'bert'.*minilm, hash"):
        get_embeddings("bert")
    with pytest.raises(ValueError, match=">= 8"):
        HashEmbeddings(2)
