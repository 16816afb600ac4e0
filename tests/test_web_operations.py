"""The park-operation pages and endpoints in-process on SQLite and PostgreSQL: the project board and its move form,
the figures page and its record import, role rules (403, not an empty page), bad input changing nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from copark import api
from copark.api.operations import ProjectInput
from copark.workspace import Workspace
from test_web_api import client
from web_seed import seed

ops = api.operations


def _project(workspace: Workspace, name: str = "甲医疗器械有限公司") -> int:
    return ops.add_project(workspace=workspace, data=ProjectInput(name=name, stage="签约",
                                                                  stage_on=dt.date(2024, 1, 2))).id


def test_board_move_and_history(workspace: Workspace) -> None:
    seed(workspace)
    pid = _project(workspace)
    c, csrf = client(workspace, "operator")
    page = c.get("/projects")
    assert page.status_code == 200 and f'id="project-{pid}"' in page.text and "签约" in page.text
    r = c.post(f"/projects/{pid}/move", data={"csrf_token": csrf, "stage": "construction", "on": "2024-02-03"},
               follow_redirects=False)
    assert r.status_code == 303
    detail = c.get(f"/projects/{pid}").text
    assert "2024-02-03 · 在建" in detail and "2024-01-02 · 签约" in detail
    # a forged token, a backwards move, a bad date: 4xx and nothing changes
    assert c.post(f"/projects/{pid}/move", data={"csrf_token": "x", "stage": "operating"}).status_code == 403
    back = c.post(f"/projects/{pid}/move", data={"csrf_token": csrf, "stage": "lead"})
    assert back.status_code == 400 and "不能从“在建”改为“线索”" in back.text
    assert c.post(f"/projects/{pid}/move", data={"csrf_token": csrf, "stage": "operating", "on": "03/02"}
                  ).status_code == 400
    assert ops.get_project(workspace=workspace, project_id=pid).stage == "construction"


def test_enterprise_users_see_only_their_projects_and_no_park_figures(workspace: Workspace) -> None:
    seed(workspace)
    pid = _project(workspace)
    b, _ = client(workspace, "ent-b")
    assert b.get(f"/api/projects/{pid}").status_code == 403
    assert b.get(f"/projects/{pid}").status_code == 403
    assert b.get("/api/projects").json() == []
    assert b.get("/kpi").status_code == 403 and b.get("/api/kpi").status_code == 403
    assert b.get("/api/sharing/ledger").status_code == 403
    a, csrf = client(workspace, "ent-a")
    assert [p["id"] for p in a.get("/api/projects").json()] == [pid]
    assert a.post(f"/projects/{pid}/move", data={"csrf_token": csrf, "stage": "construction"}).status_code == 403
    viewer, _ = client(workspace, "viewer")
    assert viewer.get("/api/kpi").json()["projects_signed"] == 1


def test_api_add_and_move_project(workspace: Workspace) -> None:
    seed(workspace)
    c, csrf = client(workspace, "operator")
    headers = {"X-CSRF-Token": csrf}
    r = c.post("/api/projects", json={"name": "<script>x</script>项目", "stage": "洽谈", "stage_on": "2024-01-01",
                                      "source_region": "溆浦县"}, headers=headers)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert c.post(f"/api/projects/{pid}/stage", json={"stage": "signed", "on": "2024-02-01"},
                  headers=headers).json()["stage_label"] == "签约"
    bad = c.post(f"/api/projects/{pid}/stage", json={"stage": "terminated"}, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["where"] == "终止原因"
    assert c.post("/api/projects", json={"name": ""}, headers=headers).status_code == 422
    assert "&lt;script&gt;" in c.get("/projects").text and "<script>x" not in c.get("/projects").text


def test_kpi_page_and_record_import_with_an_error(workspace: Workspace, tmp_path: Path) -> None:
    seed(workspace)
    _project(workspace)
    book = Workbook()
    sheet = book.active
    sheet.title = "经营数据"
    sheet.append(["企业名称", "期间", "主营收入（万元）", "税收（万元）"])
    sheet.append(["甲医疗器械有限公司", "2024-03", 100, 5])
    sheet.append(["甲医疗器械有限公司", "2024年13月", 100, 5])
    path = tmp_path / "经营数据.xlsx"
    book.save(path)
    c, csrf = client(workspace, "operator")
    with path.open("rb") as handle:
        r = c.post("/kpi/import", data={"csrf_token": csrf}, files={"file": (path.name, handle)})
    assert r.status_code == 422 and "经营数据.xlsx/经营数据/第3行/期间" in r.text and "未写入任何数据" in r.text
    assert ops.headline(workspace=workspace).revenue == 0
    sheet.delete_rows(3)
    book.save(path)
    with path.open("rb") as handle:
        r = c.post("/kpi/import", data={"csrf_token": csrf}, files={"file": (path.name, handle)})
    assert r.status_code == 200 and 'id="kpi-revenue">100万元<' in r.text
    assert "2024-03" in r.text and "35 仪器仪表制造业" not in r.text  # series rows by division code
    assert c.get("/kpi/sharing.csv").status_code == 200 and c.get("/kpi/sharing.pdf").status_code == 400
