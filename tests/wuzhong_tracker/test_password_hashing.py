"""Passwords are stored with the hasher the settings configure (Django's PBKDF2), never with the fast MD5
hasher the rest of the test session uses (tests/conftest.py, `fast_password_hasher`): a person made under
the production hasher gets a PBKDF2 hash and signs in through the admin's login form with it."""

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_stored_with_pbkdf2_and_sign_in_works(production_password_hasher, settings):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.PBKDF2PasswordHasher"
    assert "django.contrib.auth.hashers.MD5PasswordHasher" not in settings.PASSWORD_HASHERS

    person = UserFactory(username="pbkdf2_person")

    assert identify_hasher(person.password).algorithm == "pbkdf2_sha256"
    client = Client(REMOTE_ADDR="192.0.2.20")
    response = client.post(
        reverse("admin:login"),
        {"username": person.username, "password": PASSWORD, "next": reverse("admin:index")},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
