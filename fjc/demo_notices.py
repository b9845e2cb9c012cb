"""Demo notices (issue 17, part 2): the beat tasks' work, run once by the seed.

The urgent notices and the daily overview of each demo user's deadline board, and the
consultations' secrecy reminders, through the same services beat calls. Idempotent like them:
a second seed on the same day adds nothing. The demo accounts have no e-mail address, so
nothing is mailed (with one, the console backend of the demo would print it).
"""

from cases.services.reminders import send_daily_digests, send_urgent_notices
from consultations.services.reminders import send_secrecy_reminders


def seed_notices() -> None:
    send_urgent_notices()
    send_daily_digests()
    send_secrecy_reminders()
