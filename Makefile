# One entry point for the everyday tasks; each target runs what the README describes.
.PHONY: help demo test check lint types layers migrations hooks messages benchmark benchmark-scale

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

demo:  ## install and run the app on SQLite with demo data
	./scripts/demo.sh

test:  ## the whole test suite on a real PostgreSQL and Redis (extra pytest args: ARGS="-k matrix")
	./scripts/test.sh $(ARGS)

check: lint types layers migrations  ## every static check CI runs

lint:  ## ruff lint and format check
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

types:  ## mypy
	.venv/bin/mypy .

layers:  ## the import contracts between the apps (import-linter)
	.venv/bin/lint-imports

migrations:  ## fails when a model change has no migration
	.venv/bin/python manage.py makemigrations --check --dry-run

hooks:  ## install the checks as git pre-commit hooks
	.venv/bin/pre-commit install

messages:  ## update and compile the Dutch catalogue
	.venv/bin/python manage.py makemessages -l nl --ignore=.venv --ignore=var --ignore=tests
	.venv/bin/python manage.py compilemessages -l nl --ignore=.venv

benchmark:  ## the annual-report benchmark (needs DATABASE_URL of a user with CREATEDB)
	.venv/bin/python benchmarks/annual_report.py --cases 1000 --cases 10000

benchmark-scale:  ## 1k..100k cases on a throwaway PostgreSQL, shipped settings (ARGS="--sizes 1000 10000 100000")
	./scripts/benchmark.sh $(ARGS)
