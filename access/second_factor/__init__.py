"""The second factor of a login (django-otp): a TOTP app and single-use recovery codes.

A login is complete only with the password *and* the second factor; until then the session is
signed in but not verified, and ``fjc.middleware.SecondFactorRequiredMiddleware`` lets it reach
only these pages. It lives in ``access`` because a completed login, a failed code and a changed
factor are written to the audit trail.
"""
