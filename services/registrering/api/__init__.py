"""The HTTP JSON API, /api/v1 (OpenAPI at /docs and /openapi.json)."""
