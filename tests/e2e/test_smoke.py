import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_login_page_opens_in_the_browser_with_a_main_region_and_a_title(live_server, page):
    response = page.goto(live_server.url + "/connexion/")

    assert response.status == 200
    expect(page.locator("main")).to_have_count(1)
    expect(page.locator("h1")).to_be_visible()
