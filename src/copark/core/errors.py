"""User-facing errors: where it went wrong, what is wrong, how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One problem in user input, e.g. a bad cell: `sheet/row/column: what → fix`."""

    where: str
    what: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} → {self.fix}" if self.fix else text


class CoparkError(Exception):
    """An error the user can act on; the CLI prints it as one line plus a hint."""

    def __init__(self, what: str, fix: str = "", where: str = "") -> None:
        self.problem = Problem(where=where, what=what, fix=fix)
        super().__init__(str(self.problem))

    @property
    def hint(self) -> str:
        return self.problem.fix


@dataclass
class ValidationFailed(CoparkError):
    """Several problems found while validating input; nothing was written."""

    problems: list[Problem] = field(default_factory=list)

    def __init__(self, problems: list[Problem], what: str = "") -> None:
        self.problems = problems
        CoparkError.__init__(self, what or f"{len(problems)} problem(s) found; nothing was written")
