"""Request and response bodies, and the limits of what a client may send.

Every value is checked here, at the API boundary, so that the same request gets the same
answer on every database: a value a column cannot hold is a 422 naming the field, never a
driver error (a 500) on one backend and a stored row on another.
"""

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

# The range of an INTEGER column (the `id` of models.py) on every supported database:
# a larger value would overflow PostgreSQL's int4 (and past 2**63, SQLite's integers).
MAX_ID = 2**31 - 1

# Line breaks and tabs are text; every other control character (NUL, which PostgreSQL
# cannot store, ESC, ...) and lone surrogates (which no UTF-8 database can store) are not.
_TEXT_CONTROLS = frozenset("\t\n\r")


def _no_control_characters(value: str, allowed: frozenset[str]) -> str:
    for position, character in enumerate(value):
        if character not in allowed and unicodedata.category(character) in ("Cc", "Cs"):
            raise ValueError(
                f"must not contain control characters (U+{ord(character):04X} at {position})"
            )
    return value


def _single_line(value: str) -> str:
    return _no_control_characters(value, frozenset())


def _multi_line(value: str) -> str:
    return _no_control_characters(value, _TEXT_CONTROLS)


# A name: one line, trimmed, not blank after trimming.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_single_line),
]
# Free text: line breaks and tabs allowed.
Text = Annotated[str, StringConstraints(max_length=10_000), AfterValidator(_multi_line)]


class ItemCreate(BaseModel):
    name: Name
    description: Text | None = None


class ItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None


class Health(BaseModel):
    status: Literal["ok", "unavailable"]
    database: Literal["ok", "unreachable", "migrations pending"]
    pending_migrations: list[str] = Field(
        default=[], description="revisions the database lacks: run `alembic upgrade head`"
    )
