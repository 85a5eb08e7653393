"""Creating and updating services through the domain layer."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import services
from catalog.models import Service, ServiceDependency
from tests.factories import ServiceFactory, UserFactory


@pytest.mark.django_db
def test_create_records_history_with_the_actor(administrator):
    template = ServiceFactory.build()
    service = services.service_create(
        actor=administrator,
        code="telefoni",
        name_nb="Telefoni",
        name_en="Telephony",
        description_nb="Mobil og fasttelefon.",
        category=ServiceFactory().category,
        owner=administrator,
        support_group=ServiceFactory().support_group,
        criticality=template.criticality,
        state="live",
        availability_target=Decimal("99.9"),
        in_public_report=True,
    )
    record = service.history.latest()
    assert record.history_type == "+"
    assert record.history_user == administrator


@pytest.mark.django_db
def test_employee_may_not_create(employee):
    with pytest.raises(PermissionDenied):
        services.service_create(actor=employee, code="x")
    assert not Service.objects.filter(code="x").exists()


@pytest.mark.django_db
def test_owner_may_update_own_service_only(service, service_owner):
    services.service_update(service=service, actor=service_owner, name_nb="E-post")
    assert Service.objects.get(pk=service.pk).name_nb == "E-post"
    other = ServiceFactory()
    with pytest.raises(PermissionDenied):
        services.service_update(service=other, actor=service_owner, name_nb="Kapret")


@pytest.mark.django_db
def test_invalid_target_is_refused_and_nothing_is_saved(service, administrator):
    with pytest.raises(ValidationError) as exc:
        services.service_update(service=service, actor=administrator, availability_target=Decimal("101"))
    assert "availability_target" in exc.value.message_dict
    assert Service.objects.get(pk=service.pk).availability_target == Decimal("99.500")


@pytest.mark.django_db
def test_dependency_cycles_are_refused(administrator):
    a, b, c = ServiceFactory(), ServiceFactory(), ServiceFactory()
    services.service_update(service=a, actor=administrator, depends_on=[b])
    services.service_update(service=b, actor=administrator, depends_on=[c])
    with pytest.raises(ValidationError) as exc:
        services.service_update(service=c, actor=administrator, depends_on=[a])
    assert "depends_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.service_update(service=a, actor=administrator, depends_on=[a])
    assert set(ServiceDependency.objects.values_list("service_id", "depends_on_id")) == {
        (a.pk, b.pk),
        (b.pk, c.pk),
    }


@pytest.mark.django_db
def test_dependencies_are_replaced_not_added(administrator):
    a, b, c = ServiceFactory(), ServiceFactory(), ServiceFactory()
    services.service_update(service=a, actor=administrator, depends_on=[b])
    services.service_update(service=a, actor=administrator, depends_on=[c])
    assert list(a.depends_on.all()) == [c]
    assert list(c.dependants.all()) == [a]


@pytest.mark.django_db
def test_names_follow_the_active_language(service):
    from django.utils import translation

    with translation.override("en"):
        assert service.name == "Email and calendar"
    with translation.override("nb"):
        assert service.name == "E-post og kalender"


@pytest.mark.django_db
def test_inactive_user_cannot_change_even_as_admin():
    admin = UserFactory(roles=["administrator"], is_active=False)
    with pytest.raises(PermissionDenied):
        services.service_update(service=ServiceFactory(), actor=admin, name_nb="x")
