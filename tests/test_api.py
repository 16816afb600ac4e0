"""copark.api on SQLite and PostgreSQL: roles, privacy (anonymised until both sides are interested, masked
contacts), the docking workflow, item validation, sign-in limits and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from copark import api
from copark.api.items import ItemInput
from copark.core.errors import CoparkError
from copark.services.access import Actor, Forbidden, NotFound, mask_contact
from copark.services.accounts import LOGIN_LIMIT, LoginThrottled
from copark.storage.tables import (
    AuditEntry,
    CreditLine,
    DockingRecord,
    Item,
    Opportunity,
    OpportunityDismissal,
    Organization,
    User,
)
from copark.workspace import Workspace
from web_seed import PASSWORD, PHONE_A, Seed, seed


@pytest.fixture
def seeded(workspace: Workspace) -> Seed:
    return seed(workspace)


def actor(workspace: Workspace, username: str) -> Actor:
    with workspace.transaction() as s:
        return Actor.of(s.scalar(select(User).where(User.username == username)))


def count(workspace: Workspace, table: type) -> int:
    with workspace.transaction() as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def test_mask_contact_hides_phones_and_emails() -> None:
    assert mask_contact("张经理 13812341234") == "张经理 138****1234"
    assert mask_contact("zhang@jia.example") == "z***@jia.example"
    assert mask_contact("0731-84561234") == "073****1234"
    assert mask_contact("公司金融部") == "公司金融部"
    assert mask_contact("+49 30 1234 5678") == "+49 3* **** **78"
    assert mask_contact("(0731) 8456 1234") == "(073*) **** **34"


def test_enterprise_user_sees_and_edits_only_its_own_organization(workspace: Workspace, seeded: Seed) -> None:
    a = actor(workspace, "ent-a")
    page = api.list_organizations(workspace=workspace, actor=a)
    assert [r.id for r in page.rows] == [seeded.a] and page.total == 1
    assert api.get_organization(workspace=workspace, actor=a, org_id=seeded.a).contact.endswith("zhang@jia.example")
    with pytest.raises(Forbidden):
        api.get_organization(workspace=workspace, actor=a, org_id=seeded.b)
    with pytest.raises(NotFound):
        api.get_organization(workspace=workspace, actor=a, org_id=99999)
    with pytest.raises(Forbidden):
        api.update_item(workspace=workspace, actor=a, item_id=seeded.b_offer, data=ItemInput("改掉别人的"))
    with pytest.raises(Forbidden):
        api.add_item(workspace=workspace, actor=a, org_id=seeded.b, direction="need", data=ItemInput("x"))
    with workspace.transaction() as s:
        assert s.get(Item, seeded.b_offer).text == "过滤海绵"


def test_operator_sees_its_park_only_and_contacts_of_it(workspace: Workspace, seeded: Seed) -> None:
    op = actor(workspace, "operator")
    ids = {r.id for r in api.list_organizations(workspace=workspace, actor=op).rows}
    assert ids == {seeded.a, seeded.b}
    assert PHONE_A in api.get_organization(workspace=workspace, actor=op, org_id=seeded.a).contact
    with pytest.raises(Forbidden):
        api.get_organization(workspace=workspace, actor=op, org_id=seeded.c)


def test_viewer_reads_everything_with_masked_contacts_and_changes_nothing(workspace: Workspace, seeded: Seed) -> None:
    viewer = actor(workspace, "viewer")
    org = api.get_organization(workspace=workspace, actor=viewer, org_id=seeded.a)
    assert org.contact == "张经理 138****1234 z***@jia.example" and org.contact_masked and not org.can_edit
    with pytest.raises(Forbidden):
        api.update_item(workspace=workspace, actor=viewer, item_id=seeded.a_need, data=ItemInput("x"))
    with pytest.raises(Forbidden):
        api.push_opportunity(workspace=workspace, actor=viewer, opportunity_id=seeded.opp_ab)


def test_opportunity_is_anonymised_until_both_sides_are_interested(workspace: Workspace, seeded: Seed) -> None:
    a, b, op = actor(workspace, "ent-a"), actor(workspace, "ent-b"), actor(workspace, "operator")
    assert api.list_opportunities(workspace=workspace, actor=a) == []  # nothing pushed yet
    record_id = api.push_opportunity(workspace=workspace, actor=op, opportunity_id=seeded.opp_ab)
    [seen] = api.list_opportunities(workspace=workspace, actor=a)
    assert seen.need.name == "甲医疗器械有限公司" and seen.offer.anonymous
    assert "乙" not in seen.offer.name and seen.offer.region.endswith("溆浦县") and seen.offer.contact == ""
    assert seen.offer_text == "过滤海绵" and seen.stage == "pushed"
    with pytest.raises(Forbidden):  # A is not part of C → B
        api.get_opportunity(workspace=workspace, actor=a, opportunity_id=seeded.opp_cb)

    api.express_interest(workspace=workspace, actor=a, record_id=record_id)
    assert api.docking_record(workspace=workspace, actor=a, record_id=record_id).offer.anonymous
    api.express_interest(workspace=workspace, actor=b, record_id=record_id)
    record = api.docking_record(workspace=workspace, actor=a, record_id=record_id)
    assert record.revealed and record.stage == "interest"
    assert record.offer.name == "乙海绵制品有限公司" and record.offer.contact == "李经理 13900001111"
    seen_by_b = api.docking_record(workspace=workspace, actor=b, record_id=record_id)
    assert seen_by_b.need.name == "甲医疗器械有限公司" and PHONE_A in seen_by_b.need.contact
    actions = [e["action"] for e in api.audit_log(workspace=workspace)]
    assert actions.count("docking.interest") == 2 and "docking.reveal" in actions


def test_docking_record_moves_one_stage_at_a_time_and_signing_needs_a_value(workspace: Workspace,
                                                                            seeded: Seed) -> None:
    op = actor(workspace, "operator")
    record_id = api.start_docking(workspace=workspace, actor=op, opportunity_id=seeded.opp_ab)
    assert api.start_docking(workspace=workspace, actor=op, opportunity_id=seeded.opp_ab) == record_id
    with pytest.raises(CoparkError, match="不能从"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="signed",
                                contract_value=1e6)
    for stage in ("pushed", "interest", "negotiating"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage=stage)
    for bad in (None, 0.0, -5.0):
        with pytest.raises(CoparkError, match="合同年金额"):
            api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="signed",
                                    contract_value=bad)
    assert api.docking_record(workspace=workspace, actor=op, record_id=record_id).stage == "negotiating"
    api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="signed",
                            contract_value=1_200_000, contract_note="年度供货协议")
    with pytest.raises(CoparkError, match="原因"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="closed", reason=" ")
    api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="closed", reason="合同到期")
    record = api.docking_record(workspace=workspace, actor=op, record_id=record_id)
    assert record.contract_value == 1_200_000 and record.close_reason == "合同到期"
    assert count(workspace, CreditLine) == 0  # a supply contract is no credit line
    assert [e.stage for e in record.history] == ["recommended", "pushed", "interest", "negotiating", "signed",
                                                 "closed"]
    with pytest.raises(CoparkError, match="已关闭"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="delivering")
    with pytest.raises(CoparkError, match="不是对接阶段"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="won")
    with pytest.raises(Forbidden):
        api.move_docking_record(workspace=workspace, actor=actor(workspace, "ent-a"), record_id=record_id,
                                stage="closed", reason="x")


def test_a_banks_financing_offer_signed_becomes_a_credit_line(workspace: Workspace, seeded: Seed) -> None:
    """授信台账 lines come from matching too: a bank's 金融 offer signed with a park enterprise is one line, with the
    contract's value as the amount granted, so the KPI counts it without anyone typing it in again."""
    with workspace.transaction() as s:
        bank = s.get(Organization, seeded.b)
        bank.kind = "bank"
        s.get(Item, seeded.b_offer).kind = "finance"
        bank_name, enterprise_name = bank.name, s.get(Organization, seeded.a).name
    op = actor(workspace, "operator")
    record_id = api.start_docking(workspace=workspace, actor=op, opportunity_id=seeded.opp_ab)
    for stage in ("pushed", "interest", "negotiating"):
        api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage=stage)
    api.move_docking_record(workspace=workspace, actor=op, record_id=record_id, stage="signed",
                            contract_value=5_000_000)
    with workspace.transaction() as s:
        lines = s.scalars(select(CreditLine)).all()
        assert [(x.park_id, x.bank, x.enterprise, x.organization_id, x.granted) for x in lines] == \
               [(seeded.park, bank_name, enterprise_name, seeded.a, 5_000_000.0)]
        assert str(record_id) in lines[0].source and lines[0].granted_on is not None


def test_not_relevant_needs_a_reason_is_stored_and_hides_the_opportunity(workspace: Workspace, seeded: Seed) -> None:
    op = actor(workspace, "operator")
    with pytest.raises(CoparkError, match="原因"):
        api.dismiss_opportunity(workspace=workspace, actor=op, opportunity_id=seeded.opp_ac, reason="")
    assert count(workspace, OpportunityDismissal) == 0
    api.dismiss_opportunity(workspace=workspace, actor=op, opportunity_id=seeded.opp_ac, reason="规格不符")
    assert seeded.opp_ac not in {o.id for o in api.list_opportunities(workspace=workspace, actor=op)}
    with workspace.transaction() as s:
        assert s.scalar(select(OpportunityDismissal.reason)) == "规格不符"
    with pytest.raises(NotFound):
        api.push_opportunity(workspace=workspace, actor=op, opportunity_id=424242)


def test_opportunity_filters(workspace: Workspace, seeded: Seed) -> None:
    admin = actor(workspace, "admin")
    ids = lambda **kw: [o.id for o in api.list_opportunities(workspace=workspace, actor=admin, **kw)]  # noqa: E731
    assert ids() == [seeded.opp_ab, seeded.opp_ac, seeded.opp_cb]
    assert ids(score="high") == [seeded.opp_ab] and ids(score="low") == [seeded.opp_cb]
    assert ids(region="怀化市溆浦县") == [seeded.opp_ab, seeded.opp_cb]
    assert ids(industry="3581") == [seeded.opp_ab, seeded.opp_ac]
    assert ids(mode="brand_oem") == [] and ids(kind="material") == ids()
    with pytest.raises(CoparkError):
        ids(score="huge")


@pytest.mark.parametrize("data, where", [
    (ItemInput(""), "内容"), (ItemInput("x" * 201), "内容"), (ItemInput("海绵", kind="火箭"), "类别"),
    (ItemInput("海绵", quantity="很多"), "数量"), (ItemInput("海绵", quantity="-1"), "数量"),
    (ItemInput("海绵", annual_value="好几百"), "年金额"), (ItemInput("海绵", note="n" * 501), "备注"),
])
def test_bad_item_input_names_the_field_and_changes_nothing(workspace: Workspace, seeded: Seed, data: ItemInput,
                                                            where: str) -> None:
    a = actor(workspace, "ent-a")
    with pytest.raises(CoparkError) as error:
        api.update_item(workspace=workspace, actor=a, item_id=seeded.a_need, data=data)
    assert error.value.problem.where == where and error.value.problem.fix
    with workspace.transaction() as s:
        assert s.get(Item, seeded.a_need).text == "医用过滤海绵"


def test_item_edit_keeps_text_as_typed_and_is_audited(workspace: Workspace, seeded: Seed) -> None:
    a = actor(workspace, "ent-a")
    api.update_item(workspace=workspace, actor=a, item_id=seeded.a_need,
                    data=ItemInput("<script>alert(1)</script>海绵", kind="原材料", quantity="1200", unit="片",
                                   annual_value="50万"))
    with workspace.transaction() as s:
        item = s.get(Item, seeded.a_need)
        assert (item.text, item.quantity, item.annual_value) == ("<script>alert(1)</script>海绵", 1200.0, 500000.0)
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "item.update"))
        assert entry.username == "ent-a" and "text" in entry.detail["fields"]


def test_login_is_rate_limited_and_logout_ends_the_session(workspace: Workspace, seeded: Seed) -> None:
    signed = api.login(workspace=workspace, username="ent-a", password=PASSWORD, address="10.0.0.1")
    assert api.user_for_session(workspace=workspace, token=signed.token).actor.username == "ent-a"
    api.logout(workspace=workspace, token=signed.token)
    assert api.user_for_session(workspace=workspace, token=signed.token) is None
    for _ in range(LOGIN_LIMIT):
        with pytest.raises(CoparkError, match="用户名或密码不正确"):
            api.login(workspace=workspace, username="ent-a", password="wrong-password", address="10.0.0.2")
    with pytest.raises(LoginThrottled):
        api.login(workspace=workspace, username="ent-a", password=PASSWORD, address="10.0.0.3")


def test_api_tokens_and_users(workspace: Workspace, seeded: Seed) -> None:
    token = api.create_token(workspace=workspace, username="viewer")
    assert api.user_for_token(workspace=workspace, token=token).role == "viewer"
    assert api.user_for_token(workspace=workspace, token=token + "x") is None
    with pytest.raises(CoparkError, match="需要指定所属机构"):
        api.add_user(workspace=workspace, username="nobody", password=PASSWORD, role="enterprise")
    with pytest.raises(CoparkError, match="已存在"):
        api.add_user(workspace=workspace, username="admin", password=PASSWORD, role="admin")
    with pytest.raises(CoparkError, match="密码"):
        api.add_user(workspace=workspace, username="short", password="123", role="viewer")
    with pytest.raises(Forbidden):
        api.add_user(workspace=workspace, actor=actor(workspace, "operator"), username="x1", password=PASSWORD,
                     role="viewer")


def test_export_masks_contacts_for_everyone_but_administrators(workspace: Workspace, seeded: Seed, tmp_path) -> None:
    from openpyxl import load_workbook

    def contacts(who: str) -> str:
        path = tmp_path / f"{who}.xlsx"
        api.export_lists(workspace=workspace, actor=actor(workspace, who), path=path)
        book = load_workbook(path, read_only=True)
        return " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)

    assert PHONE_A in contacts("admin")
    assert PHONE_A not in contacts("viewer") and "138****1234" in contacts("viewer")
    with pytest.raises(Forbidden):
        contacts("ent-a")


def test_match_through_the_api_on_the_demo(workspace: Workspace) -> None:
    from copark.demo import load_demo

    load_demo(workspace=workspace)
    run = api.match(workspace=workspace, park="雨溆工业园", top=3)
    assert run.opportunities and run.needs > 0
    assert count(workspace, DockingRecord) == 0


def test_opportunities_are_paged_in_sql_with_scope_records_and_product_offers(workspace: Workspace,
                                                                               seeded: Seed) -> None:
    admin, op, a = actor(workspace, "admin"), actor(workspace, "operator"), actor(workspace, "ent-a")
    with workspace.transaction() as s:  # an offer from C's 主营产品 (no item): its kind is "product"
        products = Opportunity(need_item_id=seeded.a_need, offer_item_id=None, need_org_id=seeded.a,
                               offer_org_id=seeded.c, score=60.0, mode="supply_chain", explanation={})
        s.add(products)
        s.flush()
        from_products = products.id
    ids = lambda who=admin, **kw: [o.id for o in api.list_opportunities(workspace=workspace, actor=who, **kw)]  # noqa: E731
    assert ids() == [seeded.opp_ab, from_products, seeded.opp_ac, seeded.opp_cb]
    assert ids(limit=2) == [seeded.opp_ab, from_products]
    assert ids(kind="product") == [from_products] and ids(kind="material") == ids()
    assert ids(org="甲医疗器械有限公司") == [seeded.opp_ab, from_products, seeded.opp_ac]
    assert ids(op) == ids()  # A and B are in the operator's park; each opportunity touches one of them
    record = api.start_docking(workspace=workspace, actor=op, opportunity_id=seeded.opp_ab)
    assert ids(a) == []  # 推荐 is not shown to the organization yet
    api.move_docking_record(workspace=workspace, actor=op, record_id=record, stage="pushed")
    [seen] = api.list_opportunities(workspace=workspace, actor=a)
    assert (seen.id, seen.record_id, seen.stage) == (seeded.opp_ab, record, "pushed")
    assert api.get_opportunity(workspace=workspace, actor=a, opportunity_id=seeded.opp_ab).record_id == record
