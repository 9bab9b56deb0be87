"""Bridge: the open platform that runs an Intensive Outpatient Program."""
