"""An operator's scope in SQL (services.access.park_condition) selects exactly what the Python rule org_in_park
does, on each backend."""

from __future__ import annotations

from sqlalchemy import select

from copark.services.access import Actor, may_open, org_in_park, park_condition, visible_org_ids
from copark.services.accounts import Role
from copark.storage.tables import Organization, Park
from copark.workspace import Workspace

CODES = ["430111", "430100", "430102", "431224", "431200", "430000", "440305", "4301", "43", "", None, "999999"]
PAIRINGS = [("431224", "430111"), ("431200", "430100"), ("430000", None), (None, "440305"), (None, None)]


def test_park_condition_is_org_in_park(workspace: Workspace) -> None:
    with workspace.transaction() as s:
        parks = [Park(name=f"园{i}", region_code=a, partner_region_code=b, positioning=[], source="test")
                 for i, (a, b) in enumerate(PAIRINGS)]
        s.add_all(parks)
        s.flush()
        for i, code in enumerate(CODES):
            for park in (None, parks[0]):
                s.add(Organization(name=f"机构{i}-{park is not None}", norm_name=f"机构{i}", region_code=code,
                                   park_id=park.id if park else None, products=[], source="test"))
        s.flush()
        orgs = list(s.scalars(select(Organization)))
        for park in parks:
            want = {o.id for o in orgs if org_in_park(o, park)}
            assert set(s.scalars(select(Organization.id).where(park_condition(park)))) == want, park.name
            operator = Actor(None, "op", Role.operator, park_id=park.id)
            assert visible_org_ids(s, operator) == want
            assert {o.id for o in orgs if may_open(s, operator, o.id)} == want
        assert visible_org_ids(s, Actor(None, "nobody", Role.operator)) == set()
        assert visible_org_ids(s, Actor(None, "ent", Role.enterprise, organization_id=orgs[0].id)) == {orgs[0].id}
        assert visible_org_ids(s, Actor(None, "viewer", Role.viewer)) is None
