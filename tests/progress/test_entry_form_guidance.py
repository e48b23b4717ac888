"""The entry form tells the official what to type: the unit beside the figure, the goal, the target's
closed periods with the one due now chosen, and a confirmation before a figure 50 times off (头 vs 万头)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from progress.forms import BoardFilterForm
from progress.models import ProgressEntry
from progress.rules import figure_scale_warning
from progress.services import progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db

DAIRY_COWS = "1.2.10"  # 新增奶牛3万头, monthly, led by 农业农村局


@pytest.fixture
def cows():
    return Target.objects.get(report__year=2020, code=DAIRY_COWS)


def _add(client, cows, **data):
    form = {"target": cows.pk, "period_end": "2020-06-30", "provenance": "estimate", "note": "", **data}
    return client.post(reverse("admin:progress_progressentry_add"), form)


def test_the_form_for_a_target_names_unit_goal_and_periods(login, official_zhao, cows):
    response = login("official_zhao").get(reverse("admin:progress_progressentry_add"), {"target": cows.pk})
    form = response.context["adminform"].form

    assert form.fields["value"].label == "数值（万头）"
    assert form.fields["value"].help_text.startswith("目标：≥ 3 万头（累计值，月报）。请按“万头”填写")
    periods = [label for value, label in form.fields["period_end"].widget.choices if value]
    assert periods == [f"2020年{month}月（2020-{month:02d}-{day}）" for month, day in
                       ((1, 31), (2, 29), (3, 31), (4, 30), (5, 31), (6, 30))]  # fmt: skip
    assert form.initial["period_end"] == "2020-06-30"  # the period due now


def test_a_figure_in_the_wrong_unit_needs_a_confirmation(login, official_zhao, cows):
    progress_entry_submit(target=cows, period_end=dt.date(2020, 5, 31), value="2.79", by=official_zhao)
    client = login("official_zhao")

    refused = _add(client, cows, value="16000")
    errors = refused.context["adminform"].form.errors["value"]
    assert errors == [
        "数值16000 万头是目标值（3 万头）的5333.33倍，是上期数值（2.79 万头）的5734.77倍；"
        "请确认单位是“万头”。如确认无误，请勾选“确认数值”后再保存。"
    ]
    assert not ProgressEntry.objects.filter(period_end=dt.date(2020, 6, 30)).exists()
    assert 'type="checkbox" name="confirm_scale"' in refused.content.decode()

    saved = _add(client, cows, value="16000", confirm_scale="on")
    assert saved.status_code == 302
    assert ProgressEntry.objects.get(period_end=dt.date(2020, 6, 30)).value == Decimal("16000")


def test_a_plausible_figure_is_saved_at_once(login, official_zhao, cows):
    response = _add(login("official_zhao"), cows, value="2.95")
    assert response.status_code == 302
    assert ProgressEntry.objects.get(target=cows).value == Decimal("2.95")


@pytest.mark.parametrize(
    ("value", "goal", "previous", "warned"),
    [
        pytest.param("150", "3", None, True, id="50x-the-goal"),
        pytest.param("149", "3", None, False, id="just-under-50x"),
        pytest.param("0.06", "3", None, True, id="a-fiftieth-of-the-goal"),
        pytest.param("0.07", "3", None, False, id="just-over-a-fiftieth"),
        pytest.param("100", "5000", "2", True, id="50x-the-previous-figure"),
        pytest.param("-6.8", "7", "3", False, id="negative-growth-is-not-compared"),
        pytest.param("0", "15", "3", False, id="zero-is-not-compared"),
        pytest.param("5", "0", None, False, id="a-goal-of-zero-is-not-compared"),
    ],
)
def test_the_scale_rule(value, goal, previous, warned):
    warning = figure_scale_warning(
        Decimal(value), goal=Decimal(goal), unit="万头", previous=Decimal(previous) if previous else None
    )
    assert bool(warning) is warned


@pytest.mark.parametrize("typed", ["2020-07-03", "2020/7/3", "2020年7月3日", "2020.7.3"])
def test_date_inputs_accept_what_officials_type(july_3rd_2020, typed):
    form = BoardFilterForm({"as_of": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["as_of"] == dt.date(2020, 7, 3)
