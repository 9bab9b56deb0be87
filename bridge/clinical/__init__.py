"""The clinical record: treatment plans, notes (individual, family, case-management, group), drug screens,
medication-assisted treatment, and the chart that shows them."""
