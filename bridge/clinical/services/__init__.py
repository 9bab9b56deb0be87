"""Every write to the clinical record, each atomic and audited. One module per part of the chart."""
