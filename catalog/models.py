"""The service catalogue: the services the IT department delivers, which incidents, orders,
changes and quality reports all hang off."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicedesk.i18n import in_active_language


class ServiceCategory(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service category")
        verbose_name_plural = _("service categories")
        ordering = ["sort_order", "name_nb"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_nb, self.name_en)


class Service(models.Model):
    """A service as employees know it ("E-post og kalender"), with its owner, group and targets."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        LIVE = "live", _("Live")
        RETIRED = "retired", _("Retired")

    class Criticality(models.IntegerChoices):
        CRITICAL = 1, _("1 – critical")
        HIGH = 2, _("2 – high")
        MEDIUM = 3, _("3 – medium")
        LOW = 4, _("4 – low")

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Short and stable; used in web addresses, imports and the API, e.g. “epost”."),
    )
    name_nb = models.CharField(_("name (Bokmål)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    description_nb = models.TextField(
        _("description (Bokmål)"), help_text=_("Plain language, for employees.")
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    category = models.ForeignKey(
        ServiceCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="services"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service owner"),
        on_delete=models.PROTECT,
        related_name="owned_services",
    )
    support_group = models.ForeignKey(
        "people.SupportGroup",
        verbose_name=_("responsible support group"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    criticality = models.PositiveSmallIntegerField(
        _("criticality"), choices=Criticality.choices, default=Criticality.MEDIUM
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    availability_target = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("99.500"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    in_public_report = models.BooleanField(
        _("in the public quality report"),
        default=True,
        help_text=_("Publish this service's figures in the monthly open quality report."),
    )
    depends_on = models.ManyToManyField(
        "self",
        verbose_name=_("depends on"),
        symmetrical=False,
        through="ServiceDependency",
        through_fields=("service", "depends_on"),
        related_name="dependants",
        blank=True,
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated"])

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name_nb"]
        indexes = [models.Index(fields=["state", "name_nb"], name="service_state_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(availability_target__gte=0) & Q(availability_target__lte=100),
                name="service_availability_target_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(criticality__gte=1, criticality__lte=4), name="service_criticality_1_to_4"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["planned", "live", "retired"]), name="service_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("catalog:service_detail", kwargs={"code": self.code})

    @property
    def name(self) -> str:
        return in_active_language(self.name_nb, self.name_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_nb, self.description_en)


class ServiceDependency(models.Model):
    """Service A depends on service B: when B is down or changed, A is affected."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependency_links")
    depends_on = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="dependant_links")

    class Meta:
        verbose_name = _("service dependency")
        verbose_name_plural = _("service dependencies")
        constraints = [
            models.UniqueConstraint(fields=["service", "depends_on"], name="service_dependency_unique"),
            models.CheckConstraint(
                condition=~Q(service=models.F("depends_on")), name="service_not_own_dependency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} → {self.depends_on}"
