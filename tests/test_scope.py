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


def test_org_scope_bounds_the_directory_and_the_opportunities_like_the_python_rule(workspace: Workspace) -> None:
    """org_scope (the condition checked on the rows a query reads) admits what org_in_park admits, on the table
    itself and on the aliases find_opportunities joins: directory, opportunity list and one side either way."""
    from itertools import pairwise

    from copark.services.access import org_scope
    from copark.services.directory import search
    from copark.services.opportunities import find_opportunities
    from copark.storage.tables import Item, Opportunity

    with workspace.transaction() as s:
        park = Park(name="园", region_code="431224", partner_region_code="430111", positioning=[], source="test")
        s.add(park)
        s.flush()
        orgs = [Organization(name=f"机构{i}", norm_name=f"机构{i}", region_code=code, products=["过滤海绵"],
                             park_id=park.id if i == 11 else None, source="test") for i, code in enumerate(CODES)]
        s.add_all(orgs)
        s.flush()
        items = [Item(organization_id=o.id, direction=d, kind="product", text=f"过滤海绵{o.id}", origin="declared",
                      source="test") for o in orgs for d in ("need", "offer")]
        s.add_all(items)
        s.flush()
        needs, offers = items[0::2], items[1::2]
        for n, (a, b) in enumerate(pairwise(range(len(orgs)))):
            for need, offer in ((needs[a], offers[b]), (needs[b], offers[a])):
                s.add(Opportunity(need_item_id=need.id, offer_item_id=offer.id, need_org_id=need.organization_id,
                                  offer_org_id=offer.organization_id, score=50.0 + n, mode="supply_chain",
                                  explanation={}))
        s.flush()
        inside = {o.id for o in orgs if org_in_park(o, park)}
        assert inside and inside != {o.id for o in orgs}
        operator = Actor(None, "op", Role.operator, park_id=park.id)
        scope = org_scope(s, operator)
        assert set(s.scalars(select(Organization.id).where(scope(Organization)))) == inside
        for text in (None, "过滤海绵"):
            assert {r.id for r in search(session=s, scope=scope, text=text).rows} == inside
        shown = find_opportunities(session=s, visible=scope)
        everything = find_opportunities(session=s)
        assert {v.id for v, *_ in shown} == {v.id for v, *_ in everything
                                             if v.need_org_id in inside or v.offer_org_id in inside}
        assert len(shown) < len(everything)
        assert [v.score for v, *_ in shown] == sorted((v.score for v, *_ in shown), reverse=True)
        mine = org_scope(s, Actor(None, "ent", Role.enterprise, organization_id=orgs[3].id))
        assert {r.id for r in search(session=s, scope=mine).rows} == {orgs[3].id}
        assert org_scope(s, Actor(None, "viewer", Role.viewer)) is None
        nobody = org_scope(s, Actor(None, "nobody", Role.operator))
        assert search(session=s, scope=nobody).rows == [] and find_opportunities(session=s, visible=nobody) == []
