"""Factories that build valid master data, through the domain services where those exist."""

from decimal import Decimal

import factory
from django.contrib.auth.models import Group

from catalog import services as catalog_services
from catalog.models import Service, ServiceCategory
from people.models import OrgUnit, SupportGroup, SupportGroupMembership, User


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"sector-{n}")
    name = factory.Sequence(lambda n: f"Sektor {n}")
    kind = OrgUnit.Kind.SECTOR
    cost_centre = factory.Sequence(lambda n: f"K{1000 + n}")


class DepartmentFactory(SectorFactory):
    code = factory.Sequence(lambda n: f"department-{n}")
    name = factory.Sequence(lambda n: f"Avdeling {n}")
    kind = OrgUnit.Kind.DEPARTMENT
    parent = factory.SubFactory(SectorFactory)


class UnitFactory(SectorFactory):
    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Enhet {n}")
    kind = OrgUnit.Kind.UNIT
    parent = factory.SubFactory(DepartmentFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"Kari{n}")
    last_name = "Nordmann"
    email = factory.LazyAttribute(lambda u: f"{u.username}@eksempel.kommune.no")
    org_unit = factory.SubFactory(UnitFactory)
    phone = "+47 51 50 70 90"
    office_location = "Rådhuset"
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """Put the user in the employee role and any roles given as roles=[...]."""
        if not create:
            return
        names = ["employee", *(extracted or [])]
        self.groups.add(*Group.objects.filter(name__in=names))


class SupportGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportGroup
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"group-{n}")
    name_nb = factory.Sequence(lambda n: f"Gruppe {n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")

    @factory.post_generation
    def members_list(self, create, extracted, **kwargs):
        if create and extracted:
            for user in extracted:
                SupportGroupMembership.objects.create(group=self, user=user)


class ServiceCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCategory

    code = factory.Sequence(lambda n: f"category-{n}")
    name_nb = factory.Sequence(lambda n: f"Kategori {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ServiceFactory(factory.Factory):
    """Build a service through catalog.services.service_create, as every other writer does."""

    class Meta:
        model = Service

    code = factory.Sequence(lambda n: f"service-{n}")
    name_nb = factory.Sequence(lambda n: f"Tjeneste {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    description_nb = "En tjeneste for ansatte."
    description_en = "A service for employees."
    category = factory.SubFactory(ServiceCategoryFactory)
    owner = factory.SubFactory(UserFactory)
    support_group = factory.SubFactory(SupportGroupFactory)
    criticality = Service.Criticality.MEDIUM
    state = Service.State.LIVE
    availability_target = Decimal("99.500")
    in_public_report = True

    @classmethod
    def _create(cls, model_class, *args, depends_on=None, **kwargs):
        return catalog_services.service_create(actor=None, depends_on=depends_on, **kwargs)

    @classmethod
    def _build(cls, model_class, *args, depends_on=None, **kwargs):
        return model_class(**kwargs)


# --- Tickets ----------------------------------------------------------------------------------------
# Tickets are built through tickets.services, as every other writer builds them, so that numbers,
# routing, priorities and the timeline are the real ones.

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png_upload(name="skjermbilde.png", data=PNG_BYTES):
    """A small, real PNG as an uploaded file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="image/png")


def checked_png(name="skjermbilde.png"):
    """A PNG that has passed the upload check, ready for the services' attachments=[...]."""
    from tickets.attachments import check_upload

    return check_upload(png_upload(name))


def make_ticket(requester, *, created_by=None, title="Utskrift virker ikke", **kwargs):
    """Register a ticket through tickets.services.ticket_create (by the requester unless told)."""
    from tickets import services

    kwargs.setdefault("description", "Skriveren i 2. etasje skriver ikke ut.")
    return services.ticket_create(
        requester=requester, created_by=created_by or requester, title=title, **kwargs
    )


def move_ticket(ticket, actor, to, **move):
    """Move a ticket to a status through tickets.services.ticket_transition; return the fresh ticket."""
    from tickets import services
    from tickets.transitions import Move

    return services.ticket_transition(ticket=ticket, actor=actor, move=Move(to=to, **move), version=None)


def resolve_ticket(ticket, agent, *, code="solved", note="Skriverdriveren er installert på nytt."):
    return move_ticket(ticket, agent, "resolved", resolution_code=code, resolution_note=note)
