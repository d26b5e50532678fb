"""A world backend over the real ``ai2thor.controller.Controller``: start, reset a scene, step THOR actions.

Everything above (text layer, task families, goal checks) reads ``event.metadata`` only, exactly as it reads the
household world's metadata, so the same agent runs on both. This class owns the player process and its pipes:
``close`` (also on a failed start) kills the process and removes the pipe directory.
"""

from __future__ import annotations

import contextlib
import subprocess
from typing import Any

from envs.thor.options import ThorOptions
from envs.thor.startup import ThorStartupError, explain, preflight


class ThorController:
    """One running AI2-THOR player. ``step`` returns metadata; invalid actions raise ``ValueError`` (upstream)."""

    def __init__(self, options: ThorOptions | None = None) -> None:
        self.options = options or ThorOptions()
        self._controller: Any = None
        self._start()

    def _controller_kwargs(self) -> dict[str, Any]:
        from ai2thor.platform import STR_PLATFORM_MAP

        o = self.options
        kwargs: dict[str, Any] = {
            "width": o.width,
            "height": o.height,
            "headless": o.headless,
            "scene": o.scene,
            "server_timeout": o.server_timeout,
            "server_start_timeout": o.server_start_timeout,
            **o.init_parameters(),
        }
        if o.local_executable_path is not None:
            kwargs["local_executable_path"] = o.local_executable_path
        else:
            # upstream expects the platform class; a string fails deep inside its build lookup
            kwargs["platform"] = STR_PLATFORM_MAP[o.platform]
        x_display = o.x_display
        if x_display is None and o.local_executable_path is not None and (o.headless or o.platform == "CloudRendering"):
            # upstream launches external builds as Linux64 and passes DISPLAY=None to Popen when no X server
            # exists (TypeError); a headless player ignores DISPLAY, so any well-formed value avoids the crash
            x_display = ":0"
        if x_display is not None:
            kwargs["x_display"] = x_display
        if o.gpu_device is not None:
            kwargs["gpu_device"] = o.gpu_device
        return kwargs

    def _start(self) -> None:
        preflight(self.options)
        from envs.thor.watched_server import WatchedController

        # __new__ then __init__ so that a start that fails half-way still leaves us the handle to clean up
        controller = WatchedController.__new__(WatchedController)
        try:
            controller.__init__(**self._controller_kwargs())
        except Exception as exc:
            _shutdown(controller)
            raise explain(exc, self.options, self.options.server_start_timeout) from exc
        self._controller = controller

    @property
    def running(self) -> bool:
        return self._controller is not None

    @property
    def metadata(self) -> dict[str, Any]:
        """Metadata of the last event (after start: the scene's ``Initialize`` answer)."""
        return self._require().last_event.metadata

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The player process (for diagnostics and leak checks)."""
        return None if self._controller is None else self._controller.server.unity_proc

    def _require(self) -> Any:
        if self._controller is None:
            raise RuntimeError("the AI2-THOR controller is closed; create a new ThorController")
        return self._controller

    def reset(self, scene: str | None = None) -> dict[str, Any]:
        """Load ``scene`` (default: the start-up scene) and re-send the Initialize parameters."""
        return self._require().reset(scene or self.options.scene).metadata

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        """Send one action dict (``{"action": "PickupObject", "objectId": ...}``); return the new metadata.

        A failed action returns metadata with ``lastActionSuccess`` false and THOR's ``errorMessage``; an action
        THOR does not know or with missing/invalid arguments raises ``ValueError`` (upstream's contract).
        """
        if "action" not in action or not isinstance(action["action"], str):
            raise ValueError(f"a THOR action needs an 'action' name, got {action!r}")
        controller = self._require()
        try:
            return controller.step(dict(action)).metadata
        except (TimeoutError, RuntimeError) as exc:
            # upstream stops its server on a dead or silent player; release the process and pipes too
            self.close()
            raise RuntimeError(f"the AI2-THOR player stopped answering during {action['action']}: {exc}") from exc

    def close(self) -> None:
        """Stop the player and remove its pipes; safe to call twice."""
        controller, self._controller = self._controller, None
        if controller is not None:
            _shutdown(controller)

    def __enter__(self) -> ThorController:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _shutdown(controller: Any) -> None:
    """Kill the player, reap it, close and delete the FIFO pipes, release the build lock."""
    server = getattr(controller, "server", None)
    if server is None:
        return
    proc = server.unity_proc
    if proc is not None and proc.poll() is None:
        proc.kill()
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    with contextlib.suppress(Exception):
        server.stop()
    with contextlib.suppress(Exception):
        controller._build.unlock()
    tmp_dir = getattr(server, "tmp_dir", None)
    if tmp_dir is not None:
        tmp_dir.cleanup()


__all__ = ["ThorController", "ThorStartupError"]
