"""Pages of the reporting app: funding (the operations lead) and the annual report."""
