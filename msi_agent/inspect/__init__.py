"""Inspecting what the agent learned: insight exports and diffs, the local web viewer, run reports.

Modules: ``formats`` (Markdown/CSV), ``diff`` (between namespaces or snapshots), ``stores`` (open the configured
store without creating one by accident), ``runs`` (read run folders), ``trajectories`` (episodes behind an
insight), ``charts`` (inline SVG), ``compare`` (chart data for runs), ``report`` (HTML + Markdown), ``viewer``
(the FastAPI app behind ``msi-agent ui``).
"""
