"""Authentication backends."""

import rules
from django.contrib.auth.backends import ModelBackend


class LocalAccountBackend(ModelBackend):
    """Django's model backend, minus the permission lookup for permissions the `rules` predicates own.

    Those permissions (``tickets.work_on_tickets``, ``servicedesk.use_portal`` …) have no rows in the
    permission table, so asking the database about them could only ever answer no — at two queries.
    """

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)
