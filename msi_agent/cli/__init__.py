"""The `msi-agent` command line: reads config, looks names up in registries, nothing else."""

from msi_agent.cli.main import app

__all__ = ["app"]
