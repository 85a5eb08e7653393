"""Who may publish and correct the monthly quality report.

Publishing puts the municipality's figures before the public, so it belongs to those who answer for
them: management readers and administrators. Agents, group leads and service owners may not.
"""

import rules

from people.rules import is_administrator, is_employee, is_management_reader

can_publish = is_employee & (is_management_reader | is_administrator)

rules.add_perm("reports.publish", can_publish)
