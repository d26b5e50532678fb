"""TEMPORARY scaffold world (replaced by the household world model once it lands)."""

from __future__ import annotations

from typing import Any


class ScaffoldWorld:
    def __init__(self) -> None:
        self.scene = "FloorPlan1"
        self.params: dict[str, Any] = {}

    def scenes(self) -> list[str]:
        return ["FloorPlan1", "FloorPlan2"]

    def reset(self, scene: str) -> None:
        self.scene = scene

    def configure(self, params: dict[str, Any]) -> None:
        self.params = params

    def metadata(self) -> dict[str, Any]:
        return {
            "sceneName": self.scene,
            "objects": [],
            "thirdPartyCameras": [],
            "lastActionSuccess": True,
            "errorMessage": "",
            "errorCode": "",
            "actionReturn": None,
            "agent": {"position": {"x": 0.0, "y": 0.9, "z": 0.0}},
        }

    def step(self, action: dict[str, Any]) -> dict[str, Any]:
        if action["action"] == "Pass":
            return self.metadata()
        return self.metadata() | {
            "lastActionSuccess": False,
            "errorCode": "InvalidAction",
            "errorMessage": f"Invalid action: {action['action']}",
        }


def make_world() -> ScaffoldWorld:
    return ScaffoldWorld()
