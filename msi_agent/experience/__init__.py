"""Experience: the durable pool of episodes, expert demonstrations, and the selector that turns them into seeds."""

from msi_agent.experience.demos import expert_episode
from msi_agent.experience.pool import ExperiencePool, PoolError
from msi_agent.experience.seeds import Seed, select_seeds

__all__ = ["ExperiencePool", "PoolError", "Seed", "expert_episode", "select_seeds"]
