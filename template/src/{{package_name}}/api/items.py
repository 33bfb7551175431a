"""The example `items` resource."""

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..models import Item
from ..schemas import MAX_ID, ItemCreate, ItemRead
from .deps import DbSession

router = APIRouter(prefix="/items", tags=["items"])

# Validated here, so that an id no row can have is a 422 on every database instead of a
# driver's overflow error (a 500) on some.
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses={409: {"description": "Name taken"}}
)
async def create_item(body: ItemCreate, session: DbSession) -> ItemRead:
    item = Item(name=body.name, description=body.description)
    session.add(item)
    try:
        await session.flush()  # surfaces the unique-name violation here, as a 409
    except IntegrityError:
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"An item named {body.name!r} already exists"
        ) from None
    return ItemRead.model_validate(item)


@router.get("")
async def list_items(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> list[ItemRead]:
    items = await session.scalars(select(Item).order_by(Item.id).limit(limit).offset(offset))
    return [ItemRead.model_validate(item) for item in items]


@router.get("/{item_id}", responses={404: {"description": "Not found"}})
async def get_item(item_id: ItemId, session: DbSession) -> ItemRead:
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    return ItemRead.model_validate(item)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "Not found"}},
)
async def delete_item(item_id: ItemId, session: DbSession) -> Response:
    item = await session.get(Item, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Item not found")
    await session.delete(item)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
