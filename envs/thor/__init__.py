"""The AI2-THOR backend: the real ``ai2thor`` Controller under the household text layer and task families.

Importing this package is cheap; ``ai2thor`` is imported when a controller starts.
"""
