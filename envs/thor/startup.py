"""Why the AI2-THOR player could not start, in one sentence that says what to install or set.

Upstream reports start-up problems as bare ``Exception``/``ValueError``/``TypeError`` with messages spread over
several layers (build lookup, platform validation, ``Popen``, the first pipe read). ``preflight`` catches what can
be known before launching; ``explain`` turns whatever upstream raised into a ``ThorStartupError``.
"""

from __future__ import annotations

import ctypes.util
import glob
import os
import shlex
import shutil
from pathlib import Path

from envs.thor.options import LOCAL_EXECUTABLE_ENV, ThorOptions

X_SOCKETS = "/tmp/.X11-unix/X[0-9]*"
RELEASES_DIR = Path("~/.ai2thor/releases")
LOG_HINT = (
    "see ~/.ai2thor/log/unity.log and ~/.config/unity3d/Allen Institute for Artificial Intelligence/AI2-THOR/Player.log"
)


class ThorStartupError(RuntimeError):
    """The player could not be started; the message names the cause and the fix."""


def _no_display(options: ThorOptions) -> str:
    return (
        "AI2-THOR platform Linux64 needs an X display with GLX, and none was found "
        f"(x_display={options.x_display!r}, DISPLAY={os.environ.get('DISPLAY')!r}). "
        "On a workstation pass x_display=':0' (or export DISPLAY); on a GPU server run `sudo ai2thor-xorg start` "
        "or use platform='CloudRendering' (headless, needs Vulkan)."
    )


def _no_vulkan() -> str:
    return (
        "AI2-THOR platform CloudRendering needs the Vulkan loader and a GPU driver, and libvulkan was not found. "
        "Install it (`sudo apt-get install libvulkan1`, plus the NVIDIA driver) or use platform='Linux64' "
        "with an X display."
    )


def _no_build(options: ThorOptions, detail: str) -> str:
    return (
        f"no AI2-THOR build for platform {options.platform} is in {RELEASES_DIR} and it could not be downloaded "
        f"({detail}). Connect to the network once so ai2thor can fetch it, or point {LOCAL_EXECUTABLE_ENV} "
        "(or local_executable_path) at a player build."
    )


def preflight(options: ThorOptions) -> None:
    """Fail fast on what is knowable without launching anything (missing executable, display, Vulkan)."""
    if options.local_executable_path is not None:
        program = shlex.split(options.local_executable_path)[0]
        found = shutil.which(program) if os.sep not in program else program
        if found is None or not os.path.isfile(found):
            raise ThorStartupError(
                f"the AI2-THOR player {program!r} (local_executable_path / {LOCAL_EXECUTABLE_ENV}) does not exist; "
                "give the path of the build's executable, e.g. ~/.ai2thor/releases/thor-Linux64-<commit>/"
                "thor-Linux64-<commit>"
            )
        if not os.access(found, os.X_OK):
            raise ThorStartupError(f"the AI2-THOR player {found!r} is not executable; run `chmod +x {found}`")
    if options.platform == "CloudRendering":
        if ctypes.util.find_library("vulkan") is None:
            raise ThorStartupError(_no_vulkan())
    elif not (options.headless or options.x_display or os.environ.get("DISPLAY") or glob.glob(X_SOCKETS)):
        raise ThorStartupError(_no_display(options))


def explain(exc: BaseException, options: ThorOptions, start_timeout: float) -> ThorStartupError:
    """Map an exception raised while upstream's Controller started into one readable error."""
    text = str(exc)
    if "no build exists" in text or "No build exists" in text:
        return ThorStartupError(_no_build(options, text))
    if "Vulkan" in text:
        return ThorStartupError(_no_vulkan())
    if "X display" in text or "Invalid display" in text or "GLX" in text:
        return ThorStartupError(_no_display(options))
    if isinstance(exc, TimeoutError):
        return ThorStartupError(
            f"the AI2-THOR player started but did not answer within {start_timeout:g} s "
            f"(server_start_timeout); it may be stuck loading or waiting for a display — {LOG_HINT}"
        )
    if "Unity process has exited" in text:
        return ThorStartupError(f"the AI2-THOR player exited during start-up — {LOG_HINT}. Upstream said: {text}")
    if "vulkaninfo" in text or "nvidia-smi" in text:
        return ThorStartupError(f"gpu_device={options.gpu_device} cannot be mapped to a Vulkan device: {text}")
    if isinstance(exc, OSError):
        return ThorStartupError(
            f"could not create the AI2-THOR pipes or launch the player ({exc.__class__.__name__}: {exc}); "
            "check that $TMPDIR is writable and supports named pipes and that the player is executable"
        )
    return ThorStartupError(f"AI2-THOR failed to start ({exc.__class__.__name__}: {text}) — {LOG_HINT}")
