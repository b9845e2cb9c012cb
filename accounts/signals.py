"""Signals of the account life cycle that other apps act on."""

from django.dispatch import Signal

# Sent once a login is complete with the person's own factors: the password and then the
# second factor (a TOTP code, a recovery code, or a device the person chose to remember).
# Keyword arguments: request, user. Pending role and organisation changes take effect here.
second_factor_verified = Signal()

# Sent when an invitation link went out (keyword arguments: request, user, by). The audit
# trail (access, a layer above) records it; the token is never part of the signal.
invitation_sent = Signal()

# Sent when an administrator asked for a grant that waits for the person's own factors
# (keyword arguments: user, by, roles — the role codes to add —, organisation — the new one or
# None). When it takes effect, the account's own change is recorded like any other.
access_requested = Signal()
