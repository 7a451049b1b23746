"""Shared building blocks: scoping, generic views and API, imports, money, personal data, KPI and demo registries."""
