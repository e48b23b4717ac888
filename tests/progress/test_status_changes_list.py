"""状态变化: each change's target is a link to its 目标工作台, in a cell that may wrap (a foreign key's cell
stays on one line, and the longest target name pushed 原因 off the page)."""

import pytest
from django.urls import reverse

from progress.models import StatusChange
from progress.statuses import status_sweep

pytestmark = pytest.mark.django_db


def test_each_target_links_to_its_desk_and_wraps(manager_client, july_3rd_2020):
    status_sweep()
    change = StatusChange.objects.select_related("target").order_by("-created_at", "-pk").first()

    page = manager_client.get(reverse("admin:progress_statuschange_changelist")).content.decode()

    desk = reverse("boards-target", args=[change.target_id])
    assert f'<td class="field-target_link"><a href="{desk}">{change.target}</a></td>' in page
