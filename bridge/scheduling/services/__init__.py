"""Every write to the schedule, in one transaction with its audit event."""
