"""Letterbot: helps people write letters to political prisoners in Belarus."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = PROJECT_ROOT / "templates"
LOCALES_DIR = PROJECT_ROOT / "locales"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
