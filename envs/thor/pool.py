"""Idle AI2-THOR players kept for reuse, so a run that makes one environment per episode starts Unity once.

Only worlds built with ``reuse_player=True`` use it. A released player keeps running until another world with the
same options takes it, or until ``close_all`` (called at interpreter exit). A dead player is dropped on acquire.
"""

from __future__ import annotations

import atexit
import threading

from envs.thor.controller import ThorController
from envs.thor.options import ThorOptions


class PlayerPool:
    def __init__(self) -> None:
        self._idle: dict[ThorOptions, list[ThorController]] = {}
        self._lock = threading.Lock()

    def acquire(self, options: ThorOptions) -> ThorController:
        """An idle player started with ``options``, or a new one."""
        while True:
            with self._lock:
                idle = self._idle.get(options)
                controller = idle.pop() if idle else None
            if controller is None:
                return ThorController(options)
            process = controller.process
            if controller.running and process is not None and process.poll() is None:
                return controller
            controller.close()

    def release(self, controller: ThorController) -> None:
        """Keep ``controller`` for the next ``acquire`` with the same options (a closed one is ignored)."""
        if controller.running:
            with self._lock:
                self._idle.setdefault(controller.options, []).append(controller)

    def idle(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._idle.values())

    def close_all(self) -> None:
        """Stop every idle player."""
        with self._lock:
            controllers = [c for group in self._idle.values() for c in group]
            self._idle.clear()
        for controller in controllers:
            controller.close()


POOL = PlayerPool()
atexit.register(POOL.close_all)
