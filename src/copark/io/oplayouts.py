"""The park-operation sheets (招商项目, 经营数据, 出口, 授信, 培训): columns as `io.layouts` defines the lists'."""

from __future__ import annotations

from copark.io.layouts import Layout, _cols

STAGE_DATES = ("lead_on", "negotiating_on", "signed_on", "construction_on", "operating_on", "capacity_on",
               "terminated_on")

PROJECTS = Layout("projects", _cols(
    "projects",
    "name:32* park:18 source_region:16 team:24 industry:10 stage:10* end_reason:24 planned_investment:12 "
    "actual_investment:12 land:10 expected_revenue:12 actual_revenue:12 tax:12 jobs:10 " + " ".join(
        f"{d}:12" for d in STAGE_DATES) + " note:30",
), amounts=("planned_investment", "actual_investment", "expected_revenue", "actual_revenue", "tax"))
FIGURES = Layout("figures", _cols(
    "figures", "enterprise:32* park:18 period:10* revenue:14 tax:12 retained_tax:14 output:14 employees:10"),
    amounts=("revenue", "tax", "retained_tax", "output"))
EXPORTS = Layout("exports", _cols("exports", "enterprise:32* park:18 period:10* country:14* amount:14"),
                 amounts=("amount",))
CREDIT = Layout("credit", _cols(
    "credit", "bank:32* enterprise:32* park:18 product:16 granted:14* drawn:14 granted_on:12 expires_on:12"),
    amounts=("granted", "drawn"))
TRAINING = Layout("training", _cols(
    "training", "course:28* provider:28* park:18 trainees:10* placed:12 starts_on:12 ends_on:12"))

PROJECT_LAYOUTS: tuple[Layout, ...] = (PROJECTS,)
RECORD_LAYOUTS: tuple[Layout, ...] = (FIGURES, EXPORTS, CREDIT, TRAINING)
