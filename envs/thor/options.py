"""What a user chooses about the AI2-THOR player: platform, build, display, GPU, resolution, grid, scene.

Validated once, at the boundary, so a typo fails before a 500 MB build is looked for or a process is launched.
"""

from __future__ import annotations

import os
import shlex
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

LOCAL_EXECUTABLE_ENV = "AI2THOR_LOCAL_EXECUTABLE"

Platform = Literal["Linux64", "CloudRendering"]


class ThorOptions(BaseModel):
    """Options passed through to ``ai2thor.controller.Controller`` (5.0.0).

    ``local_executable_path`` is a player executable; like upstream, it is split with ``shlex`` before launch,
    so it may carry arguments (quote paths with spaces). When unset, ``$AI2THOR_LOCAL_EXECUTABLE`` is used,
    and when that is unset too, upstream downloads the pinned build into ``~/.ai2thor/releases``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    platform: Platform = Field("Linux64", description="Linux64 (X display) or CloudRendering (headless, Vulkan)")
    local_executable_path: str | None = Field(None, description="a player build to run instead of the download")
    x_display: str | None = Field(None, description="X display such as ':0' (Linux64); defaults to $DISPLAY")
    headless: bool = Field(False, description="launch Unity with -batchmode -nographics (no rendering)")
    gpu_device: int | None = Field(None, ge=0, description="CUDA device index (CloudRendering)")
    width: int = Field(300, gt=0, le=4096)
    height: int = Field(300, gt=0, le=4096)
    grid_size: float = Field(0.25, gt=0, le=1.0, description="metres per MoveAhead")
    visibility_distance: float = Field(1.5, gt=0, le=10.0, description="metres within which objects are visible")
    scene: str = Field("FloorPlan1", description="scene loaded at start-up, e.g. FloorPlan1 .. FloorPlan430")
    server_timeout: float = Field(100.0, gt=0, description="seconds to wait for one action's answer")
    server_start_timeout: float = Field(300.0, gt=0, description="seconds to wait for the player's first message")
    reuse_player: bool = Field(
        False, description="keep the player running after an environment closes, for the next one (same options)"
    )

    @field_validator("x_display")
    @classmethod
    def _display_form(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value if ":" in value else f":{value}"
        number = value.partition(":")[2]
        if not number or not number.replace(".", "").isdigit():
            raise ValueError(f"x_display {value!r} is not an X display such as ':0' or ':1.0'")
        return value

    @field_validator("local_executable_path")
    @classmethod
    def _command_splits(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parts = shlex.split(value)
        except ValueError as exc:
            raise ValueError(f"local_executable_path {value!r} cannot be split into a command: {exc}") from None
        if not parts:
            raise ValueError("local_executable_path is empty; give the path of a player build or leave it unset")
        return value

    @classmethod
    def from_kwargs(cls, environ: dict[str, str] | None = None, **kwargs: Any) -> ThorOptions:
        """Options from keyword arguments, with ``$AI2THOR_LOCAL_EXECUTABLE`` as the build when none is given."""
        environ = dict(os.environ) if environ is None else environ
        if kwargs.get("local_executable_path") is None and environ.get(LOCAL_EXECUTABLE_ENV):
            kwargs["local_executable_path"] = environ[LOCAL_EXECUTABLE_ENV]
        return cls(**kwargs)

    def init_parameters(self) -> dict[str, Any]:
        """The Unity ``Initialize`` parameters these options imply (sent on every reset)."""
        return {"gridSize": self.grid_size, "visibilityDistance": self.visibility_distance}
