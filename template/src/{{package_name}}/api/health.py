"""Liveness and database health."""

from fastapi import APIRouter, Response, status

from .. import database
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", responses={503: {"model": Health}})
async def health(response: Response) -> Health:
    """200 when the database answers; 503 (within a few seconds, never a 500) when it does not."""
    if await database.check_db_connection():
        return Health(status="ok", database="ok")
    response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="unavailable", database="unreachable")
