"""Demo service catalogues: labour offices of Podlaskie (WUP Białystok) and the City of Łódź. Idempotent."""

from __future__ import annotations

from typing import Any

from okienko.accounts.models import Organisation
from okienko.catalogue.demo_data import (
    CITY_CATEGORIES,
    CITY_SERVICES,
    CITY_TEXTS,
    LABOUR_CATEGORIES,
    LABOUR_SERVICES,
    LABOUR_TEXTS,
)
from okienko.catalogue.models import (
    PriorityCondition,
    PriorityRule,
    Service,
    ServiceCategory,
    ServiceQuestion,
    ServiceQuestionChoice,
    StandardText,
)

VERSION = 3  # 2: publication of cases (ADR 0042); 3: priority rules and standard replies per service


def _categories(org: Organisation, rows: list[tuple[str, str, str]]) -> dict[str, ServiceCategory]:
    found: dict[str, ServiceCategory] = {}
    for order, (code, name, parent) in enumerate(rows):
        found[code], _ = ServiceCategory.objects.update_or_create(
            organisation=org,
            code=code,
            defaults={"name": name, "parent": found.get(parent) if parent else None, "order": order},
        )
    return found


def _services(
    org: Organisation, categories: dict[str, ServiceCategory], rows: list[dict[str, Any]], *, publication: str
) -> int:
    for order, row in enumerate(rows):
        unit = Organisation.objects.filter(code=row["unit"]).first() if row["unit"] else None
        service, _ = Service.objects.update_or_create(
            organisation=org,
            code=row["code"],
            defaults={
                "category": categories[row["category"]],
                "kind": row["kind"],
                "case_type": row.get("case_type", Service.CaseType.ORDINARY),
                "public_name": row["name"],
                "internal_name": row["name"],
                "public_description": row["public"],
                "internal_description": row["internal"],
                "keywords": row["keywords"],
                "responsible_unit": unit,
                "sla_basis": row["basis"],
                "response_due": row["response"],
                "resolve_due": row["resolve"],
                "location_required": row.get("location", False),
                "publication": row.get("publication", publication),
                "order": order,
            },
        )
        for q_order, (code, label, datatype, required, description, choices) in enumerate(row["questions"]):
            question, _ = ServiceQuestion.objects.update_or_create(
                service=service,
                code=code,
                defaults={
                    "label": label,
                    "datatype": datatype,
                    "required": required,
                    "description": description,
                    "order": q_order,
                },
            )
            for c_order, (key, name) in enumerate(choices):
                ServiceQuestionChoice.objects.update_or_create(
                    question=question, key=key, defaults={"name": name, "order": c_order}
                )
        _rules(service, row.get("rules", []))
        _texts(org, row.get("texts", []), service=service)
    return len(rows)


def _rules(
    service: Service, rows: list[tuple[str, str, str, int | None, int | None, list[tuple[str, str, str]]]]
) -> None:
    """(name, priority, SLA basis or "", response due, resolve due, [(question code, operator, value)])."""
    for order, (name, priority, basis, response, resolve, conditions) in enumerate(rows):
        rule, _ = PriorityRule.objects.update_or_create(
            service=service,
            name=name,
            defaults={
                "order": order,
                "priority": priority,
                "sla_basis": basis,
                "response_due": response,
                "resolve_due": resolve,
            },
        )
        rule.conditions.all().delete()
        for code, operator, value in conditions:
            question = ServiceQuestion.objects.get(service=service, code=code)
            condition = PriorityCondition(rule=rule, question=question, operator=operator, value=value)
            condition.full_clean()
            condition.save()


def _texts(org: Organisation, rows: list[tuple[str, str, str, str]], *, service: Service | None = None) -> None:
    for code, status, title, body in rows:
        StandardText.objects.update_or_create(
            organisation=org,
            code=code,
            defaults={"status": status, "title": title, "body": body, "service": service, "active": True},
        )
    if service is None:  # replies of the whole catalogue no longer shipped are retired
        StandardText.objects.filter(organisation=org, service=None).exclude(code__in=[r[0] for r in rows]).update(
            active=False
        )


def load(*, stdout: Any) -> None:
    wup = Organisation.objects.get(code="wup-bialystok")
    lodz = Organisation.objects.get(code="lodz")
    private, redacted = Service.Publication.PRIVATE, Service.Publication.REDACTED
    labour = _services(wup, _categories(wup, LABOUR_CATEGORIES), LABOUR_SERVICES, publication=private)
    city = _services(lodz, _categories(lodz, CITY_CATEGORIES), CITY_SERVICES, publication=redacted)
    _texts(wup, LABOUR_TEXTS)
    _texts(lodz, CITY_TEXTS)
    stdout.write(f"  catalogue: {labour} labour-office services, {city} Łódź services")
