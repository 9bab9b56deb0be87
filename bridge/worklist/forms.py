from django import forms

from bridge.worklist.models import WorkItem


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label="What was done", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    status = forms.ChoiceField(
        label="Outcome",
        choices=[(WorkItem.Status.DONE, "Done"), (WorkItem.Status.CANCELLED, "No longer needed")],
        initial=WorkItem.Status.DONE,
    )
