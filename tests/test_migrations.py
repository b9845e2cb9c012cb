"""Every model change has its migration."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    # --check exits non-zero (SystemExit) when makemigrations would write anything.
    call_command("makemigrations", check=True, dry_run=True, verbosity=0)
