"""Signing in, the lock-out after failed attempts, and the profile page."""

import pytest
from django.urls import reverse

from tests.factories import SupportGroupFactory, UserFactory


@pytest.mark.django_db
def test_login_with_username_and_password(client):
    UserFactory(username="kari", password="correct-horse-battery")
    response = client.post(reverse("people:login"), {"username": "kari", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_wrong_password_gives_a_form_error(client):
    UserFactory(username="kari")
    response = client.post(reverse("people:login"), {"username": "kari", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert b'role="alert"' in response.content


@pytest.mark.django_db
def test_repeated_failures_lock_the_account_out(client, settings):
    UserFactory(username="kari", password="correct-horse-battery")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("people:login"), {"username": "kari", "password": "wrong"})
    response = client.post(reverse("people:login"), {"username": "kari", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "For mange forsøk".encode() in response.content


@pytest.mark.django_db
def test_logout_needs_post(client, employee):
    client.force_login(employee)
    assert client.get(reverse("people:logout")).status_code == 405
    assert client.post(reverse("people:logout")).status_code == 302
    assert client.get(reverse("people:profile")).status_code == 302


def test_profile_shows_master_data(client, django_assert_max_num_queries, db):
    worker = UserFactory(
        username="kari",
        first_name="Kari",
        last_name="Nordmann",
        job_title="Lærer",
        phone="+47 51 00 00 00",
        office_location="Hundvåg skole",
        employee_number="10001",
        roles=["agent"],
    )
    unit = worker.org_unit
    boss = UserFactory(first_name="Berit", last_name="Sjef", org_unit=unit)
    unit.manager = boss
    unit.save()
    SupportGroupFactory(name_nb="Skole-IKT", members_list=[worker])
    client.force_login(worker)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("people:profile"))
    content = response.content.decode()
    for text in [
        "Kari Nordmann",
        "Lærer",
        "+47 51 00 00 00",
        "Hundvåg skole",
        "10001",
        unit.name,
        unit.parent.name,
        unit.parent.parent.name,
        "Berit Sjef",
        unit.cost_centre,
        "Skole-IKT",
        "Tjenestedeskagent",
    ]:
        assert text in content, text
