from pathlib import Path

from kapabel.organisation import services
from kapabel.organisation.hr_import import services as hr
from kapabel.organisation.hr_import.formats import files_from_path
from kapabel.organisation.models import Employee, OrgUnit

FIX = Path(__file__).parent / "fixtures" / "plan2learn"


def test_smoke(db):
    m = services.municipality_create(name="Testrup Kommune", kommunekode="999", actor="t")
    imp, ds = hr.hrimport_receive(municipality=m, files=files_from_path(FIX), actor="t", source="cli", keep=False)
    print([p.message for p in ds.problems])
    imp = hr.hrimport_apply(hr_import=imp, actor="t", dataset=ds)
    print(imp.status, imp.counts, imp.problems)
    for u in OrgUnit.objects.filter(municipality=m):
        print(u.path, u.depth, u.name, list(u.managers.all()))
    for e in Employee.objects.filter(municipality=m):
        print(e.external_id, e.name, e.email, e.unit.name, e.job_role, e.active, e.employment_start)
    imp2, ds2 = hr.hrimport_receive(municipality=m, files=files_from_path(FIX), actor="t", source="cli", keep=False)
    imp2 = hr.hrimport_apply(hr_import=imp2, actor="t", dataset=ds2)
    print(imp2.status, imp2.counts)
    assert 0
