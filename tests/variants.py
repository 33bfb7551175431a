"""The variants the template renders, by the answers that select them.

Standard library only: bench/'s scripts import it outside the tests' environment.
"""

VARIANTS: dict[str, dict[str, str]] = {
    "sqlite": {"database": "sqlite"},
    "asyncpg": {"database": "postgresql", "postgres_driver": "asyncpg"},
    "psycopg": {"database": "postgresql", "postgres_driver": "psycopg"},
}
POSTGRES_VARIANTS = [name for name, answers in VARIANTS.items() if answers["database"] != "sqlite"]
