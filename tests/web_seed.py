"""A small workspace for the API and web tests: two parks, four organizations, three opportunities, one user per
role. Written through the ORM (no matching run), so each test starts from the same known state in well under a
second on either backend."""

from __future__ import annotations

from dataclasses import dataclass

from copark.services.accounts import create_user
from copark.storage.tables import Item, Opportunity, Organization, Park
from copark.workspace import Workspace

PASSWORD = "correct-horse-9"
PHONE_A = "13812341234"


@dataclass
class Seed:
    park: int
    a: int  # need side, in the park (雨花区)
    b: int  # offer side, in the park (溆浦县)
    c: int  # outside the park (深圳)
    a_need: int
    b_offer: int
    b_need: int
    c_offer: int
    opp_ab: int  # A's need ← B's offer
    opp_ac: int  # A's need ← C's offer
    opp_cb: int  # B's need ← C's offer: involves neither A nor (as a need) A


def seed(workspace: Workspace) -> Seed:
    with workspace.transaction() as s:
        park = Park(name="测试共建园", region_code="431224", partner_region_code="430111", positioning=[],
                    description="", source="test")
        s.add(park)
        s.flush()

        def org(name: str, region: str, industry: str, contact: str, employees: int | None) -> Organization:
            o = Organization(name=name, norm_name=name, region_code=region, industry_code=industry,
                             contact=contact, employees=employees, products=[], source="test")
            s.add(o)
            s.flush()
            return o

        a = org("甲医疗器械有限公司", "430111", "3581", f"张经理 {PHONE_A} zhang@jia.example", 120)
        b = org("乙海绵制品有限公司", "431224", "2924", "李经理 13900001111", 45)
        c = org("丙新材料有限公司", "440305", "2924", "王经理 13700002222", 800)

        def item(o: Organization, direction: str, text: str) -> Item:
            i = Item(organization_id=o.id, direction=direction, kind="material", text=text, origin="declared",
                     source="test")
            s.add(i)
            s.flush()
            return i

        a_need = item(a, "need", "医用过滤海绵")
        b_offer = item(b, "offer", "过滤海绵")
        b_need = item(b, "need", "聚醚多元醇")
        c_offer = item(c, "offer", "聚醚多元醇")

        def opp(need: Item, offer: Item, score: float) -> Opportunity:
            o = Opportunity(need_item_id=need.id, offer_item_id=offer.id, need_org_id=need.organization_id,
                            offer_org_id=offer.organization_id, score=score, mode="supply_chain",
                            explanation={"summary": "测试"})
            s.add(o)
            s.flush()
            return o

        ab, ac, cb = opp(a_need, b_offer, 88.0), opp(a_need, c_offer, 55.0), opp(b_need, c_offer, 30.0)
        for username, role, organization, park_name in (
            ("admin", "admin", None, None), ("operator", "operator", None, "测试共建园"),
            ("ent-a", "enterprise", "甲医疗器械有限公司", None), ("ent-b", "enterprise", "乙海绵制品有限公司", None),
            ("ent-c", "enterprise", "丙新材料有限公司", None), ("viewer", "viewer", None, None),
        ):
            create_user(session=s, username=username, password=PASSWORD, role=role, organization=organization,
                        park=park_name)
        return Seed(park.id, a.id, b.id, c.id, a_need.id, b_offer.id, b_need.id, c_offer.id, ab.id, ac.id, cb.id)
