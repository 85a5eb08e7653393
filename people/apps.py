from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_roles(sender, using="default", **kwargs) -> None:
    """Recreate the role groups after migrate and after a flush (which also sends post_migrate).

    The data migration creates them on a fresh database; this keeps them (and their permissions)
    in place when a later migration adds permissions, or when a test flushes the database.
    """
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from people.roles import sync_roles

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    sync_roles(Group, Permission, using=using)


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People and organisation")

    def ready(self) -> None:
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="people.ensure_roles")
