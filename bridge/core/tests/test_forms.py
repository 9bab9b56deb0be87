"""The one form-field template: label, required marker, errors and help text tied to the widget."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    name = forms.CharField(help_text="As on the ID card.")
    note = forms.CharField(required=False)
    agree = forms.BooleanField()
    days = forms.MultipleChoiceField(
        choices=[("mon", "Monday"), ("tue", "Tuesday")], widget=forms.CheckboxSelectMultiple
    )


def test_a_field_with_an_error_and_help_describes_both_and_marks_required():
    form = _Form(data={"note": "x"})
    assert not form.is_valid()
    html = form["name"].as_field_group()
    assert 'aria-describedby="id_name_helptext id_name_error"' in html
    assert 'id="id_name_helptext"' in html and 'id="id_name_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<span class="req" aria-hidden="true">*</span>' in html
    assert 'class="req"' not in form["note"].as_field_group()


def test_checkboxes_and_choices_render_as_label_and_fieldset():
    form = _Form()
    assert '<label class="inline"><input type="checkbox" name="agree"' in form["agree"].as_field_group()
    days = form["days"].as_field_group()
    assert "<fieldset" in days and "<legend>Days" in days


def test_the_core_form_renders_each_field_with_the_one_field_template():
    form = _Form(data={})
    form.is_valid()
    one = form["name"].as_field_group()
    assert one.strip() in render_to_string("core/_form.html", {"form": form})


def test_no_template_includes_a_per_app_field_template():
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR) / "bridge" / "templates"
    assert templates.is_dir()
    for path in templates.rglob("*.html"):
        assert "_field.html" not in path.read_text(), f"{path}: use {{{{ form.x.as_field_group }}}}"
