"""Services of art. 458ter consultations; each area keeps its own module."""
