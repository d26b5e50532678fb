"""Start-up failures of the AI2-THOR backend become one readable error each, and leave nothing behind.

Each failure is provoked for real: through the real ``Controller``, the fake player (``thor_fake_player``) or a
machine state (no X server, no Vulkan, no network). Variants that the machine cannot provoke are skipped with why.
"""

from __future__ import annotations

import ctypes.util
import glob
import tempfile
from pathlib import Path

import pytest
from pydantic import ValidationError
from thor_fake_player import player_command, process_gone, read_log

from envs.thor.controller import ThorController
from envs.thor.options import LOCAL_EXECUTABLE_ENV, ThorOptions
from envs.thor.startup import ThorStartupError

HAS_X = bool(glob.glob("/tmp/.X11-unix/X[0-9]*"))
HAS_VULKAN = ctypes.util.find_library("vulkan") is not None
COMMIT = "f0825767cd50d69f666c7f282e54abfe58f1e917"  # ai2thor 5.0.0's pinned build (ai2thor/_builds.py)


@pytest.fixture(autouse=True)
def thor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Keep upstream's ~/.ai2thor (logs, locks, release pruning) inside the test's folder."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv(LOCAL_EXECUTABLE_ENV, raising=False)
    return home


def start(**kwargs: object) -> ThorController:
    return ThorController(ThorOptions(**{"headless": True, **kwargs}))  # type: ignore[arg-type]


def test_missing_executable_is_named(tmp_path: Path) -> None:
    with pytest.raises(ThorStartupError, match=r"player '.*nowhere/thor' .* does not exist"):
        start(local_executable_path=str(tmp_path / "nowhere" / "thor"))


def test_non_executable_build_says_chmod(tmp_path: Path) -> None:
    build = tmp_path / "thor-Linux64"
    build.write_text("not a program")
    with pytest.raises(ThorStartupError, match="chmod"):
        start(local_executable_path=str(build))


@pytest.mark.skipif(HAS_X, reason="an X server is running here; the no-display failure cannot be provoked")
def test_linux64_without_display_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(ThorStartupError, match=r"needs an X display .* x_display=':0'.*CloudRendering"):
        ThorController(ThorOptions(platform="Linux64"))


@pytest.mark.skipif(HAS_X, reason="an X server is running here; the bad-display failure cannot be provoked")
def test_upstream_display_validation_is_explained(thor_home: Path) -> None:
    # a (fake) cached build makes upstream validate the platform instead of looking for a download
    (thor_home / ".ai2thor" / "releases" / f"thor-Linux64-{COMMIT}").mkdir(parents=True)
    with pytest.raises(ThorStartupError, match=r"needs an X display .*x_display=':99'"):
        ThorController(ThorOptions(platform="Linux64", x_display=":99"))


@pytest.mark.skipif(HAS_VULKAN, reason="libvulkan is installed here; the no-Vulkan failure cannot be provoked")
def test_cloudrendering_without_vulkan_says_what_to_install() -> None:
    with pytest.raises(ThorStartupError, match=r"CloudRendering needs the Vulkan loader .* libvulkan1"):
        ThorController(ThorOptions(platform="CloudRendering"))


def test_no_build_and_no_network_says_where_builds_go(monkeypatch: pytest.MonkeyPatch) -> None:
    # route upstream's build lookup (an HTTP HEAD to S3) to a closed local port: a machine without network
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ThorStartupError, match=r"no AI2-THOR build .*\.ai2thor/releases.* AI2THOR_LOCAL_EXECUTABLE"):
        ThorController(ThorOptions(platform="Linux64", x_display=":0"))


def test_player_that_exits_at_start_fails_fast(tmp_path: Path) -> None:
    log = tmp_path / "player.log"
    with pytest.raises(ThorStartupError, match=r"exited during start-up .*returncode=7"):
        start(local_executable_path=player_command("--fail", "exit-at-start", log=log))
    assert process_gone(read_log(log)[0]["pid"])


def test_player_that_never_answers_times_out(tmp_path: Path) -> None:
    log = tmp_path / "player.log"
    # 3 s: long enough for the player to start and log its pid even on a loaded machine
    with pytest.raises(ThorStartupError, match=r"did not answer within 3 s \(server_start_timeout\)"):
        start(local_executable_path=player_command("--fail", "hang-at-start", log=log), server_start_timeout=3)
    assert process_gone(read_log(log)[0]["pid"])


def test_pipes_that_cannot_be_created_are_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing-tmp"))
    with pytest.raises(ThorStartupError, match=r"could not create the AI2-THOR pipes .*TMPDIR"):
        start(local_executable_path=player_command())


def test_gpu_device_without_vulkaninfo_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no vulkaninfo / nvidia-smi on PATH
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    created: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def recording_mkdtemp(*args: object, **kwargs: object) -> str:
        created.append(real_mkdtemp(*args, **kwargs))  # type: ignore[arg-type]
        return created[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", recording_mkdtemp)
    with pytest.raises(ThorStartupError, match=r"gpu_device=0 cannot be mapped .*vulkaninfo"):
        start(local_executable_path=player_command(), gpu_device=0)
    assert created and not any(Path(d).exists() for d in created), "the FIFO pipe folder was left behind"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"x_display": "screen"}, "x_display"),
        ({"platform": "Windows"}, "platform"),
        ({"width": 0}, "width"),
        ({"local_executable_path": "'unbalanced"}, "local_executable_path"),
        ({"gird_size": 0.25}, "gird_size"),
    ],
)
def test_bad_options_name_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        ThorOptions(**kwargs)  # type: ignore[arg-type]


def test_env_var_supplies_the_build() -> None:
    opts = ThorOptions.from_kwargs(environ={LOCAL_EXECUTABLE_ENV: "/opt/thor/thor-Linux64"})
    assert opts.local_executable_path == "/opt/thor/thor-Linux64"
    explicit = ThorOptions.from_kwargs(environ={LOCAL_EXECUTABLE_ENV: "/x"}, local_executable_path="/y")
    assert explicit.local_executable_path == "/y"
