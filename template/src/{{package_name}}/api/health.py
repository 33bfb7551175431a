"""Readiness: the database answers and its schema is the one this code expects."""

from fastapi import APIRouter, Response, status

from .. import readiness
from ..schemas import Health

router = APIRouter(tags=["health"])


# HEAD too: load balancers and uptime checkers often probe with it.
@router.get("/health", responses={503: {"model": Health}})
@router.head("/health", responses={503: {"model": Health}})
async def health(response: Response) -> Health:
    """200 when the database answers and has every migration of this code; 503 (within a
    few seconds, never a 500) when it does not answer or lacks migrations."""
    state = await readiness.check()
    if state.database == "ok":
        return Health(status="ok", database="ok")
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="unavailable", database=state.database, pending_migrations=state.pending)
