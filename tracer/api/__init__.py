"""The JSON API under /api/v1 and the GS1 resolver. Blueprints live in the modules beside this one."""
