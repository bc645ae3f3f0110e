"""The shared form markup: a checkbox shows its hint and its error, and points to both."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class ConsentForm(forms.Form):
    consent = forms.BooleanField(label="I agree", help_text="Needed to go on.", required=True)


def test_a_checkbox_shows_its_hint_and_error_and_is_described_by_them():
    html = render_to_string("core/form_fields.html", {"form": ConsentForm(data={})})
    described = re.search(r'<input type="checkbox"[^>]*aria-describedby="([^"]+)"', html)
    assert described is not None
    ids = described[1].split()
    assert ids == ["id_consent_hint", "id_consent_error"]
    for element_id in ids:
        assert f'id="{element_id}"' in html  # the references resolve
    assert "Needed to go on." in html
    assert html.count('class="form-error-message"') == 1
