"""One APIRouter per resource, mounted under /api by `flashpoint.serve.app`."""
