"""Small builders for test data; each returns saved objects."""

from __future__ import annotations

from okienko.accounts.models import Organisation, TerritorialUnit


def territory(code: str, name: str, kind: str = TerritorialUnit.Kind.POWIAT) -> TerritorialUnit:
    parent = None
    if len(code) > 2:
        parent, _ = TerritorialUnit.objects.get_or_create(
            code=code[:2] if len(code) == 4 else code[:4],
            defaults={"name": f"unit {code[:2]}", "kind": TerritorialUnit.Kind.VOIVODESHIP},
        )
    unit, _ = TerritorialUnit.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "parent": parent})
    return unit


def organisation_tree() -> Organisation:
    """WUP with two county offices (each with a department) and a separate city with a unit."""
    wup = Organisation.objects.create(code="wup", name="WUP Test", kind=Organisation.Kind.REGION_OFFICE)
    wup.territory.add(territory("20", "PODLASKIE", TerritorialUnit.Kind.VOIVODESHIP))
    for code, powiat in (("pup-a", "2001"), ("pup-b", "2002")):
        pup = Organisation.objects.create(
            code=code, name=f"PUP {code}", kind=Organisation.Kind.COUNTY_OFFICE, parent=wup
        )
        pup.territory.add(territory(powiat, f"powiat {powiat}"))
        Organisation.objects.create(
            code=f"{code}-dept", name=f"Dept {code}", kind=Organisation.Kind.DEPARTMENT, parent=pup
        )
    city = Organisation.objects.create(code="city", name="City", kind=Organisation.Kind.CITY)
    Organisation.objects.create(code="city-unit", name="Unit", kind=Organisation.Kind.UNIT, parent=city)
    return wup
