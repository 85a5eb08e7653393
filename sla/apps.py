from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_defaults(sender, using="default", **kwargs):
    """Put the default calendars and policy back after a flush (tests that truncate tables); the data
    migration made them the first time. Nothing is changed where they exist."""
    from sla.defaults import ensure_defaults

    ensure_defaults(using=using)


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("Service levels")

    def ready(self):
        post_migrate.connect(_ensure_defaults, sender=self)
