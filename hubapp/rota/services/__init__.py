"""Rota rules: groups and their shifts, members, unavailability, generating a draft, publishing, and who
is on call now.

Generation goes through :func:`generate`, which builds the planning problem (hubapp/rota/planning.py)
from the database, runs the solver (hubapp/rota/generate.py) and checks the result against every hard
rule before anything is written.

The rules live in this package by subject (``groups``, ``unavailability``, ``drafting``, ``duties``); views,
the rota's other modules and other domains reach them from here.
"""

from datetime import date

from hubapp.common.jpcalendar import FiscalYear

# The package's subjects, re-exported: this module is the rota's one way in.
from hubapp.rota.services.drafting import (  # noqa: F401
    Draft,
    generate,
    holiday_calendar,
    planning_input,
    publish,
)
from hubapp.rota.services.duties import (  # noqa: F401
    OnCall,
    month_duties,
    on_call,
    published_duties_of,
)
from hubapp.rota.services.errors import RotaError  # noqa: F401
from hubapp.rota.services.groups import (  # noqa: F401
    DEFAULT_SHIFTS,
    add_group_holiday,
    add_member,
    add_member_by_id,
    colleagues,
    create_group,
    delete_shift_type,
    get_group,
    group_member,
    group_names,
    groups,
    hospital_choices,
    hub_memberships,
    hub_physician_user,
    own_memberships,
    physician_choices,
    physician_user_choices,
    remove_group_holiday,
    save_shift_type,
    update_group,
    update_member,
    work_rules,
)
from hubapp.rota.services.unavailability import (  # noqa: F401
    Clash,
    add_own_unavailability,
    add_unavailability,
    clashes,
    delete_own_unavailability,
    first_open_month,
    may_delete_own_unavailability,
    month_states,
    own_unavailability,
    period_of,
    unavailability_deadline,
)


def compliance_facts(hub_id: int, fy: FiscalYear, as_of: date, year_end=((12, 29), (1, 3))):
    """What C-3-c and the pair/代診 items count for the 年度 up to ``as_of``: a
    :class:`hubapp.rota.coverage.RotaFacts` (each group's coverage, pairs, 代診 visits)."""
    from hubapp.rota import coverage

    return coverage.year_facts(hub_id, fy, as_of, year_end)


def summary_document_path(document):
    """Where a month summary's evidence file is on disk (for the evidence pack)."""
    from hubapp.rota import summaries

    return summaries.path_of(document)
