"""Master data about people: users, the organisation tree and the support groups that do the work."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from servicedesk.i18n import in_active_language


class OrgUnit(models.Model):
    """A node of the organisation tree: sector → department → unit, each with a manager."""

    class Kind(models.TextChoices):
        SECTOR = "sector", _("Sector")
        DEPARTMENT = "department", _("Department")
        UNIT = "unit", _("Unit")

    # A kind may only sit under the kind before it; a sector is a root.
    PARENT_KIND = {Kind.SECTOR: None, Kind.DEPARTMENT: Kind.SECTOR, Kind.UNIT: Kind.DEPARTMENT}
    WRONG_PARENT = {
        Kind.DEPARTMENT: _("A department must sit under a sector."),
        Kind.UNIT: _("A unit must sit under a department."),
    }

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "people.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_units",
    )
    cost_centre = models.CharField(_("cost centre"), max_length=20, blank=True)
    # Materialised path of primary keys ("/1/7/42/") so that subtree queries are one indexed LIKE.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="sector", parent__isnull=True)
                | (~Q(kind="sector") & Q(parent__isnull=False)),
                name="orgunit_only_sectors_are_roots",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        super().save(*args, **kwargs)
        new_path = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if new_path != old_path:
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
            self.path = new_path
            if old_path:
                # The unit moved: rewrite the paths of its whole subtree.
                for child in OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk):
                    OrgUnit.objects.filter(pk=child.pk).update(path=new_path + child.path[len(old_path) :])

    def clean(self) -> None:
        expected = self.PARENT_KIND.get(self.kind)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A sector is at the top of the tree and has no parent.")})
        if expected is not None:
            if self.parent is None:
                raise ValidationError({"parent": _("This kind of unit needs a parent.")})
            if self.parent.kind != expected:
                raise ValidationError({"parent": self.WRONG_PARENT[self.kind]})

    def ancestors(self) -> list[OrgUnit]:
        """Return the units from the root down to and including this one (one query)."""
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        by_id = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids).select_related("manager")}
        return [by_id[i] for i in ids if i in by_id]

    def subtree(self) -> models.QuerySet[OrgUnit]:
        """Return this unit and every unit below it."""
        return OrgUnit.objects.filter(path__startswith=self.path)


class User(AbstractUser):
    """A person in the municipality; every employee belongs to one organisation unit."""

    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("organisation unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    office_location = models.CharField(_("office location"), max_length=150, blank=True)
    cost_centre = models.CharField(
        _("cost centre"),
        max_length=20,
        blank=True,
        help_text=_("Leave empty to use the organisation unit's cost centre."),
    )
    employee_number = models.CharField(_("employee number"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=[("nb", _("Norwegian Bokmål")), ("en", _("English"))],
    )
    is_service_account = models.BooleanField(
        _("service account"),
        default=False,
        help_text=_("A machine user (a monitoring system, an integration): signs in with API tokens only."),
    )

    objects = UserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee_number"],
                condition=~Q(employee_number=""),
                name="user_unique_employee_number",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_absolute_url(self) -> str:
        return reverse("people:profile")

    @property
    def manager(self) -> User | None:
        """Return the person this user reports to, derived from the organisation tree.

        The manager of a unit reports to the manager of the nearest unit above with another manager.
        Walks up the tree with one query per level (three levels at most).
        """
        unit = self.org_unit
        while unit is not None:
            if unit.manager_id and unit.manager_id != self.pk:
                return unit.manager
            unit = unit.parent
        return None

    @property
    def effective_cost_centre(self) -> str:
        """Return the user's own cost centre, else the nearest one up the organisation tree."""
        if self.cost_centre:
            return self.cost_centre
        unit = self.org_unit
        while unit is not None:
            if unit.cost_centre:
                return unit.cost_centre
            unit = unit.parent
        return ""


class SupportGroup(models.Model):
    """An assignment group: the team that tickets are routed to."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    email = models.EmailField(_("email"), blank=True)
    is_first_line = models.BooleanField(
        _("first line"), default=False, help_text=_("The service desk that takes first contact.")
    )
    lead = models.ForeignKey(
        User,
        verbose_name=_("group lead"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_groups",
    )
    members = models.ManyToManyField(
        User,
        verbose_name=_("members"),
        through="SupportGroupMembership",
        related_name="support_groups",
        blank=True,
    )
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("support group")
        verbose_name_plural = _("support groups")
        ordering = ["name_nb"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_active_language(self.name_nb, self.name_en)


class SupportGroupMembership(models.Model):
    group = models.ForeignKey(SupportGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="group_memberships")
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("support group membership")
        verbose_name_plural = _("support group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="membership_unique_group_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.group}"
