"""TEACh task definitions, their checker and the derived object properties they test (see ``definitions``)."""
