"""Dependencies shared by the routes.

Owned by the Loopsafe template: `copier update` keeps this file current.
"""

from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from ..database import get_db

# scope="function": get_db's commit runs when the route returns, before the response is
# sent, so a failed commit becomes an error response instead of a 2xx already delivered.
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]
