"""On a real PostgreSQL: migrate, load the 2020 report twice, export it, and let the database itself
refuse rows that break the model's constraints."""

import json

import psycopg
import pytest

from tests.integration.support import manage, project_environment

pytestmark = pytest.mark.integration


def _manage(database_url: str, *args: str) -> str:
    return manage(project_environment(DATABASE_URL=database_url), *args)


def test_report_loads_idempotently_and_constraints_hold_in_postgres(postgres_database):
    _manage(postgres_database, "migrate", "--noinput")
    first = _manage(postgres_database, "load_report")
    second = _manage(postgres_database, "load_report")
    exported = [json.loads(line) for line in _manage(postgres_database, "export_targets").splitlines()]

    assert "138 个目标" in first
    assert "新增 0、更新 0、删除 0" in second
    assert len(exported) == 138

    with psycopg.connect(postgres_database, autocommit=True) as connection:
        with pytest.raises(psycopg.errors.CheckViolation, match="target_value_and_unit_unless_milestone"):
            connection.execute("UPDATE targets_target SET value = NULL WHERE code = '1.1.02'")
        with pytest.raises(psycopg.errors.UniqueViolation, match="assignment_one_lead_per_target"):
            connection.execute(
                "UPDATE targets_targetdepartment SET role = 'lead' "
                "WHERE target_id = (SELECT id FROM targets_target WHERE code = '0.1.07') AND role = 'cooperating'"
            )
        with pytest.raises(psycopg.errors.UniqueViolation, match="target_unique_code_per_report"):
            connection.execute("UPDATE targets_target SET code = '1.1.02' WHERE code = '1.1.03'")
        with pytest.raises(psycopg.errors.CheckViolation, match="target_comparator_valid"):
            connection.execute("UPDATE targets_target SET comparator = 'greater' WHERE code = '1.1.02'")
