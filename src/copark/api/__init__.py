"""copark's public Python API: what the CLI, the web pages and the REST API all call.

Every function is keyword-only and takes the `workspace` first, and an `actor` (the signed-in user;
None is the person at the command line, with every right). Each call is one transaction. Rules about who may
see what live in services.access; queries live in the services; nothing here is specific to one interface.
"""

from copark.api import (
    operations,  # noqa: F401 - api.operations.*: park operations (issue #11)
    parkfit,  # noqa: F401 - api.parkfit.*: positioning fit and chain gaps (issue #11)
)
from copark.api.docking import (
    docking_board,
    docking_record,
    express_interest,
    move_docking_record,
)
from copark.api.imports import check_workbook, export_lists, import_workbook, write_template
from copark.api.insights import chain_map, dashboard
from copark.api.items import (
    add_item,
    chain,
    delete_item,
    infer,
    restore_item,
    review_inferred,
    update_item,
    withdraw_item,
)
from copark.api.matching import (
    dismiss_opportunity,
    fit,
    get_opportunity,
    list_opportunities,
    match,
    push_opportunity,
    start_docking,
)
from copark.api.organizations import get_organization, has_demo_data, list_organizations, update_organization
from copark.api.users import (
    add_user,
    audit_log,
    create_token,
    login,
    logout,
    user_for_session,
    user_for_token,
)

__all__ = [
    "add_item", "add_user", "chain", "chain_map", "dashboard", "audit_log", "check_workbook", "create_token", "delete_item", "dismiss_opportunity",
    "docking_board", "docking_record", "export_lists", "express_interest", "fit", "get_opportunity",
    "get_organization", "has_demo_data", "import_workbook", "infer", "list_opportunities", "list_organizations", "login", "logout",
    "match", "move_docking_record", "push_opportunity", "restore_item", "review_inferred", "start_docking",
    "update_item", "update_organization", "user_for_session", "user_for_token", "withdraw_item", "write_template",
]
