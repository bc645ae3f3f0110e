"""Demo step: the demo municipality gets the two starter frameworks with profiles for its job roles."""

from __future__ import annotations

from kapabel.competences import starter
from kapabel.core.demo import DemoContext

SYSTEM = "demo"


def build_competences(ctx: DemoContext) -> None:
    municipality = ctx.data["municipality"]
    frameworks = starter.install(municipality=municipality, actor=SYSTEM, job_roles=ctx.data.get("job_roles"))
    ctx.data["frameworks"] = frameworks
    ctx.report.append(
        f"  {len(frameworks)} competence frameworks with profiles: " + ", ".join(f.name for f in frameworks)
    )
