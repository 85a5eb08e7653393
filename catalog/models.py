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

from servicedesk.i18n import BilingualName, in_active_language


class ServiceCategory(BilingualName, models.Model):
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


class Service(BilingualName, models.Model):
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
    support_calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        verbose_name=_("support hours"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        help_text=_(
            "The agreed service hours: availability is measured in them. Empty: the default calendar."
        ),
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


class ApproverGroup(BilingualName, models.Model):
    """A named group whose members may approve orders of the items that route to it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="approver_groups", blank=True
    )

    class Meta:
        verbose_name = _("approver group")
        verbose_name_plural = _("approver groups")
        ordering = ["name_nb"]

    def __str__(self) -> str:
        return self.name


class CatalogItem(BilingualName, models.Model):
    """Something an employee can order: a device, a licence, an access right or another request."""

    class Kind(models.TextChoices):
        EQUIPMENT = "equipment", _("Equipment")
        LICENCE = "licence", _("Software licence")
        ACCESS = "access", _("Access and rights")
        OTHER = "other", _("Other request")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LIVE = "live", _("Orderable")
        RETIRED = "retired", _("Retired")

    class ApprovalPolicy(models.TextChoices):
        NONE = "none", _("No approval")
        MANAGER = "manager", _("The recipient's manager")
        MANAGER_ABOVE_THRESHOLD = "manager_above", _("The recipient's manager above a price")
        GROUP = "group", _("A named approver group")

    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Short and stable; used in web addresses, imports and the API."),
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.EQUIPMENT)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=150)
    name_en = models.CharField(_("name (English)"), max_length=150)
    summary_nb = models.CharField(_("summary (Bokmål)"), max_length=250, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=250, blank=True)
    description_nb = models.TextField(_("description (Bokmål)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    price = models.DecimalField(
        _("price (NOK)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    lead_time_days = models.PositiveSmallIntegerField(_("expected lead time (business days)"), default=5)
    max_quantity = models.PositiveSmallIntegerField(_("most per order line"), default=10)
    stocked = models.BooleanField(_("kept in stock"), default=False)
    stock_count = models.PositiveIntegerField(_("units in stock"), default=0)
    reorder_level = models.PositiveIntegerField(_("reorder level"), default=0)
    approval_policy = models.CharField(
        _("approval"), max_length=15, choices=ApprovalPolicy.choices, default=ApprovalPolicy.NONE
    )
    approval_threshold = models.DecimalField(
        _("approval above (NOK)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "Only for “the recipient's manager above a price”: the order line total above which approval is needed."
        ),
    )
    approver_group = models.ForeignKey(
        ApproverGroup,
        verbose_name=_("approver group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    fulfilment_group = models.ForeignKey(
        "people.SupportGroup",
        verbose_name=_("fulfilling group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="fulfilled_items",
        help_text=_("Leave empty to use the service's support group."),
    )
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=0)
    visible_to_org_units = models.ManyToManyField(
        "people.OrgUnit",
        verbose_name=_("only for these organisation units"),
        blank=True,
        related_name="catalog_items",
        help_text=_("Units below a chosen unit are included. Empty: everyone."),
    )
    visible_to_roles = models.JSONField(
        _("only for these roles"),
        default=list,
        blank=True,
        help_text=_("Role codes. Empty: every role."),
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=100)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated", "stock_count"])

    class Meta:
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        ordering = ["sort_order", "name_nb"]
        indexes = [
            models.Index(fields=["state", "sort_order", "name_nb"], name="item_state_order"),
            models.Index(fields=["service", "state"], name="item_service_state"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="item_price_not_negative"),
            models.CheckConstraint(condition=Q(max_quantity__gte=1), name="item_max_quantity_positive"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "live", "retired"]), name="item_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def summary(self) -> str:
        return in_active_language(self.summary_nb, self.summary_en)

    @property
    def description(self) -> str:
        return in_active_language(self.description_nb, self.description_en)

    @property
    def low_stock(self) -> bool:
        return self.stocked and self.stock_count <= self.reorder_level


class OrderQuestion(models.Model):
    """A question the orderer answers for one item, defined by the catalogue administrator."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        CHOICE = "choice", _("Choice (one)")
        MULTI_CHOICE = "multi_choice", _("Choice (several)")
        DATE = "date", _("Date")
        YES_NO = "yes_no", _("Yes or no")
        PERSON = "person", _("Person (colleague)")

    item = models.ForeignKey(CatalogItem, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.SlugField(
        _("key"), max_length=40, help_text=_("Stable name of the answer in exports and the API.")
    )
    type = models.CharField(_("type"), max_length=15, choices=Type.choices, default=Type.TEXT)
    label_nb = models.CharField(_("question (Bokmål)"), max_length=200)
    label_en = models.CharField(_("question (English)"), max_length=200)
    help_nb = models.CharField(_("help text (Bokmål)"), max_length=300, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.DecimalField(
        _("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("largest number"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    choices = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choices: a list of {"value", "label_nb", "label_en"}.'),
    )

    class Meta:
        verbose_name = _("order question")
        verbose_name_plural = _("order questions")
        ordering = ["item", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="orderquestion_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return in_active_language(self.label_nb, self.label_en)

    @property
    def help(self) -> str:
        return in_active_language(self.help_nb, self.help_en)


class Asset(models.Model):
    """A registered piece of equipment, who holds it and where it came from."""

    class State(models.TextChoices):
        IN_USE = "in_use", _("In use")
        IN_REPAIR = "in_repair", _("In repair")
        RETURNED = "returned", _("Returned")
        DISPOSED = "disposed", _("Disposed")

    asset_tag = models.CharField(_("asset tag"), max_length=40, unique=True)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    item = models.ForeignKey(
        CatalogItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="assets"
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("holder"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assets",
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assets",
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.IN_USE)
    notes = models.TextField(_("notes"), blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated"])

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["asset_tag"]
        indexes = [
            models.Index(fields=["holder", "state"], name="asset_holder_state"),
            models.Index(fields=["serial_number"], name="asset_serial"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_tag} – {self.item}"
