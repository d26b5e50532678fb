"""The built-in household simulator: AI2-THOR semantics over the 120 iTHOR floor plans, in pure Python.

Layers (each usable on its own; another backend replaces only the bottom one):
- ``envs.household.scenes``   — scene data: receptacles with THOR objectIds and interaction poses; ALFWorld tables.
- ``envs.household.catalog``  — object affordances (THOR flags).
- ``envs.household.world.HouseholdWorld`` — the world backend (``envs.backend.WorldBackend``): THOR actions in,
  THOR-shaped metadata out, symbolic physics.
- ``envs.household.goals``    — goal conditions: ``Condition(text, check)`` with ``check(metadata) -> bool``.
- ``envs.household.families`` — task families (6 ALFWorld, 13 TEACh TfD, 9 more TEACh definitions): sampling,
  instruction, goal (conditions or a TEACh definition), plan.
- ``envs.household.text.TextLayer`` — ALFWorld's text interface over any ``WorldBackend``.
- ``envs.household.env.HouseholdEnv`` — the ``envs.core.Env`` registered as ``"household"``.
"""
