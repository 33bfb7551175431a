"""The report's Markdown pieces: numbers, ratios and tables."""

from collections.abc import Iterable, Sequence


def fmt(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def ratio(value: float, base: float) -> str:
    return f"{value / base:.1f}" if base > 0 else "n/a"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
