"""The program executor (HELPER-style): the LLM writes a small Python program over the environment's subgoal
primitives; it is checked (``language``), run by our own interpreter (``interpreter``) and corrected after a failed
subgoal (``executor``). ``api`` is what an environment provides; ``examples`` retrieves example programs."""

from msi_agent.agent.program.api import Handle, Outcome, PrimitiveSpec, ProgramAPI, ProgramWorld, supports_programs
from msi_agent.agent.program.examples import Example, ProgramLibrary
from msi_agent.agent.program.executor import ProgramAttempt, ProgramConfig
from msi_agent.agent.program.interpreter import Interpreter, Subgoal
from msi_agent.agent.program.language import Program, ProgramError, parse

__all__ = [
    "Example",
    "Handle",
    "Interpreter",
    "Outcome",
    "PrimitiveSpec",
    "Program",
    "ProgramAPI",
    "ProgramAttempt",
    "ProgramConfig",
    "ProgramError",
    "ProgramLibrary",
    "ProgramWorld",
    "Subgoal",
    "parse",
    "supports_programs",
]
