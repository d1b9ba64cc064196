"""Fixtures for the pure-Python checks engine tests (no Django)."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.checks.engine import CompiledGuide, compile_guide, parse_guide_yaml

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
NORTHWIND = ROOT / "brandguide" / "northwind.yaml"


@pytest.fixture(scope="session")
def northwind_data() -> dict:
    return parse_guide_yaml(NORTHWIND.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def northwind(northwind_data: dict) -> CompiledGuide:
    return compile_guide(northwind_data)
