"""Data written once for many tests: seeding the demo history takes seconds, a test takes milliseconds.

``shared_data`` runs ``build`` inside an atomic block that stays open for the fixture's scope and is
rolled back when it ends. Each test runs inside it in a savepoint of its own (pytest-django's atomic
for non-transactional tests nests in it), so every test sees the shared data and none sees another
test's writes. A parallel run keeps a module's tests on one worker, in order (the scheduler in
tests/conftest.py), so module-scoped data is built once; tests that need the database without the
data come before the first test that asks for the fixture.
"""

from collections.abc import Callable, Iterator
from typing import TypeVar

from django.db import transaction

T = TypeVar("T")


def shared_data(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            value = build()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield value
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
