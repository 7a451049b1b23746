"""Project checks beyond ruff: import-linter contract types (see `.importlinter`)."""
