"""The default impact × urgency → priority matrix (the data migration writes the same cells)."""

DEFAULT_MATRIX: dict[tuple[int, int], int] = {
    (1, 1): 1, (1, 2): 2, (1, 3): 3,
    (2, 1): 2, (2, 2): 3, (2, 3): 4,
    (3, 1): 3, (3, 2): 4, (3, 3): 4,
}  # fmt: skip


def matrix_rows() -> list[dict]:
    """Return the matrix as rows for the form and the admin page: one row per impact, a cell per urgency."""
    from incidents.models import PriorityRule

    cells = dict(DEFAULT_MATRIX)
    cells.update({(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()})
    return [
        {"impact": impact, "cells": [cells[(impact, urgency)] for urgency in (1, 2, 3)]}
        for impact in (1, 2, 3)
    ]
