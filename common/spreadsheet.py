"""Safety for values that leave the application in CSV or XLSX files."""


def formula_safe(value: object) -> str:
    """A spreadsheet must not run a value as a formula (CSV injection)."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
