"""The HR import page in Chromium: upload with errors, preview, skip the invalid rows, import; axe on
every state (WCAG 2.1 A and AA)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from playwright.sync_api import expect

from kapabel.organisation.models import Employee
from tests.browser.test_accessibility import check_page, log_in
from tests.organisation.hr_import_helpers import TASKS_IMMEDIATE, p2l_files, replace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_preview_skip_and_import(world, live_server, page, settings, tmp_path):
    settings.TASKS = TASKS_IMMEDIATE
    files = p2l_files()
    replace(files, "bruger.csv", "ase@testrup.dk", "ase@", encoding="cp1252")
    paths = []
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        paths.append(str(path))
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, "/organisation/hr-import/"))
    problems = check_page(page, "hr import (empty)")
    page.set_input_files("#id_files", paths)
    page.click("main button[type=submit]")
    page.wait_for_selector("#import-status")
    assert page.locator("input[name=skip_invalid]").count() == 1
    assert "bruger.csv" in page.locator("main").inner_text()
    problems += check_page(page, "hr import (preview with errors)")
    page.check("#id_skip_invalid")
    page.click("#import-status button[type=submit]")
    page.wait_for_selector("#import-status")
    problems += check_page(page, "hr import (done)")
    assert not problems, "\n".join(problems)
    assert Employee.objects.filter(external_id="p-1").exists()
    assert not Employee.objects.filter(external_id="p-2").exists()


def test_upload_form_errors_are_accessible(world, live_server, page):
    log_in(page, live_server.url, "admin")
    page.goto(urljoin(live_server.url, "/organisation/hr-import/"))
    page.click("main form[method=post] button[type=submit]")
    expect(page.locator(".form-error-message").first).to_be_attached()
    problems = check_page(page, "hr import (no files)")
    assert not problems, "\n".join(problems)
