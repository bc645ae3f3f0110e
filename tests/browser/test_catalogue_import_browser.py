"""The course list import page in Chromium: a broken file's problems, a good file's preview, the
import; axe on every state (WCAG 2.1 A and AA)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from kapabel.learning import services
from kapabel.learning.models import Offer
from tests.browser.test_accessibility import check_page, log_in
from tests.learning.test_catalogue_import import FIXTURES, HEADER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_errors_then_preview_and_import(world, live_server, page, tmp_path):
    services.learning_setup(municipality=world.a, actor="tests")
    good = tmp_path / "kurser.csv"
    good.write_bytes(
        f"{HEADER}\n"
        "VIA;Økonomistyring for ledere;Uddannelsesmodul;Økonomistyring og budget;Akademi;5;4.200;6;;;V1\n"
        "AMU Nordjylland;Truckcertifikat;Kursus;;AMU;;0;;;;\n".encode("cp1252")
    )
    log_in(page, live_server.url, "hr")
    page.goto(urljoin(live_server.url, "/learning/catalogue/import/"))
    problems = check_page(page, "catalogue import (empty)")
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator(".form-error-message").first).to_be_attached()
    problems += check_page(page, "catalogue import (no file)")
    page.set_input_files("#id_file", str(FIXTURES / "kursusliste_fejl.csv"))
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("text=Workshop er ikke en type af tilbud")
    problems += check_page(page, "catalogue import (rejected)")
    page.goto(urljoin(live_server.url, "/learning/catalogue/import/"))
    page.set_input_files("#id_file", str(good))
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_selector("text=Eksempler på ændringer")
    problems += check_page(page, "catalogue import (preview)")
    # The page fixtures may hold an offer of the same title in another provider: count by provider.
    imported = Offer.objects.filter(
        municipality=world.a,
        provider__name__in=["VIA", "AMU Nordjylland"],
        title__in=["Økonomistyring for ledere", "Truckcertifikat"],
    )
    assert not imported.exists()  # a preview writes nothing
    page.click("main form[action$='/confirm/'] button[type=submit]")
    page.wait_for_selector("text=Kursuslisten er importeret")
    problems += check_page(page, "catalogue import (done)")
    assert not problems, "\n".join(problems)
    assert imported.filter(municipality=world.a).count() == 2
