"""The world-backend contract: a simulator shaped like ``ai2thor.controller.Controller``.

The text layer (``envs.household.text.TextLayer``) and the goal conditions (``envs.household.goals``) talk to
the world only through this protocol, so any backend that speaks it slots in under the same top:

- ``envs.household.world.HouseholdWorld`` — the built-in symbolic world (pure Python, fast, deterministic);
- ``envs.thor`` — the real AI2-THOR controller (a separate module maps these calls onto ``Controller``).

How another backend plugs in:
1. ``reset(scene, init=...)`` loads floor plan ``scene`` (e.g. ``"FloorPlan1"``) and arranges it as ``init``
   describes (which objects lie in which receptacle, in what state, where the agent stands). ``init`` is the
   ``WorldInit`` a task carries in ``Task.params["init"]``; receptacle ids come from the scene data
   (``envs.household.scenes``). Receptacles flagged ``synthesized`` there have made-up ids: a real-simulator
   backend resolves them to the scene's object of that type nearest to the id's coordinates.
2. ``step(action)`` takes a THOR action dict, e.g. ``{"action": "PickupObject", "objectId": "Apple|..."}``,
   ``{"action": "PutObject", "objectId": "<receptacle id>"}`` (ai2thor 5.x: the held object is implicit), or
   ``{"action": "TeleportFull", "x": .., "y": .., "z": .., "rotation": .., "horizon": .., "standing": True}`` to stand
   at a receptacle's interaction pose. It returns THOR-shaped metadata (``THOR_METADATA_KEYS``; each object carries
   ``THOR_OBJECT_KEYS``). A failed action sets ``lastActionSuccess`` False and ``errorMessage``; an action name the
   backend does not know raises ``ValueError`` (as ai2thor does for ``InvalidAction``).
3. ``metadata`` returns the metadata of the last step without acting.

Conventions the text layer and goal conditions rely on (true in AI2-THOR too):
- ``parentReceptacles`` lists the object's receptacles innermost first (an apple on a plate on a counter:
  ``[plate, counter]``); ``None`` when the object is held or lies on the floor.
- ``visible`` is True for objects the agent can interact with from where it stands.
- ``ObjectTemperature`` is ``"Hot"``, ``"Cold"`` or ``"RoomTemp"``; toasted bread and boiled potatoes are
  ``isCooked``; ``fillLiquid`` is ``"water"``, ``"coffee"``, ``"wine"`` or ``None``.

The returned metadata may be a live view that the next ``step`` updates in place: copy what you keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

Metadata = Mapping[str, Any]
"""THOR-shaped event metadata: ``metadata["objects"]`` is a list of object dicts (``THOR_OBJECT_KEYS``)."""

THOR_OBJECT_KEYS: tuple[str, ...] = (
    "name", "objectId", "objectType", "position", "rotation", "visible", "obstructed", "distance", "receptacle",
    "receptacleObjectIds", "parentReceptacles", "pickupable", "isPickedUp", "moveable", "openable", "isOpen",
    "toggleable", "isToggled", "sliceable", "isSliced", "cookable", "isCooked", "dirtyable", "isDirty",
    "canFillWithLiquid", "isFilledWithLiquid", "fillLiquid", "breakable", "isBroken", "canBeUsedUp", "isUsedUp",
    "isHeatSource", "isColdSource", "ObjectTemperature", "mass", "salientMaterials", "isMoving",
    "axisAlignedBoundingBox", "objectOrientedBoundingBox",
)  # fmt: skip
"""Keys every object in ``metadata["objects"]`` carries (upstream ``ai2thor/tests/data/metadata-schema.json``)."""

THOR_METADATA_KEYS: tuple[str, ...] = (
    "objects", "agent", "heldObjectPose", "inventoryObjects", "sceneName", "lastAction", "lastActionSuccess",
    "errorMessage", "errorCode", "actionReturn", "screenWidth", "screenHeight", "agentId", "fov", "cameraPosition",
    "collided", "collidedObjects", "thirdPartyCameras", "isSceneAtRest", "sceneBounds", "currentTime",
)  # fmt: skip
"""Top-level metadata keys (upstream schema)."""

THOR_AGENT_KEYS: tuple[str, ...] = ("name", "position", "rotation", "cameraHorizon", "isStanding", "inHighFrictionArea")

THOR_ACTIONS: tuple[str, ...] = (
    "TeleportFull", "PickupObject", "PutObject", "DropHandObject", "OpenObject", "CloseObject", "ToggleObjectOn",
    "ToggleObjectOff", "SliceObject", "CleanObject", "DirtyObject", "FillObjectWithLiquid", "EmptyLiquidFromObject",
    "CookObject", "GetReachablePositions", "Pass", "Done",
)  # fmt: skip
"""The AI2-THOR actions the text layer sends (names and arguments exactly as ai2thor 5.0 takes them)."""


class ObjectInit(BaseModel):
    """One object of an initial arrangement: where it lies and its state.

    ``parent`` is a receptacle objectId (static receptacle from the scene data, or another ``ObjectInit``'s id
    for an object inside a plate or pot), or ``None`` for a fixed object standing next to the receptacle whose
    pose ``near`` names (a faucet by its sink basin, a floor lamp).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    object_id: str
    object_type: str
    parent: str | None = None
    near: str | None = None
    dirty: bool = False
    liquid: str | None = None
    toggled: bool = False


class WorldInit(BaseModel):
    """A complete initial arrangement of a floor plan; stored as JSON in ``Task.params["init"]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    scene: str
    objects: list[ObjectInit] = Field(default_factory=list)
    opened: list[str] = Field(default_factory=list, description="receptacle ids that start open")
    agent: tuple[float, float, int, int] = Field(description="start pose: x, z, rotation (deg), camera horizon")


@runtime_checkable
class WorldBackend(Protocol):
    """A world that acts like ``ai2thor.controller.Controller`` (see the module docstring)."""

    def reset(self, scene: str, *, init: WorldInit) -> Metadata:
        """Load ``scene`` arranged as ``init``; return the first metadata."""
        ...

    def step(self, action: Mapping[str, Any]) -> Metadata:
        """Apply one THOR action; failures are reported in the metadata, unknown actions raise ValueError."""
        ...

    @property
    def metadata(self) -> Metadata:
        """The metadata after the last reset or step."""
        ...

    def close(self) -> None:
        """Release resources; safe to call twice."""
        ...
