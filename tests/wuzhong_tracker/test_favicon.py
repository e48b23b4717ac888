"""The site's icon: named by every admin page, and /favicon.ico (asked for by browsers whatever the page,
the API's included) leads to it instead of a 404."""

from django.contrib.staticfiles import finders


def test_favicon_ico_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302  # not permanent: the next release may rename the hashed file
    assert response["Location"] == "/static/progress/favicon.svg"
    assert finders.find("progress/favicon.svg")


def test_the_admin_pages_name_the_icon(client, db):
    page = client.get("/admin/login/").content.decode()

    assert '<link rel="icon" href="/static/progress/favicon.svg" type="image/svg+xml">' in page
