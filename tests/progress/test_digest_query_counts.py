"""The weekly digest runs the same number of queries at 10 and at 200 more targets: its counts, its lines
per department and the performances it compares are counted or read as columns by the database over the
stored evaluations of the day (snapshots of a past day); rows are built only for the targets it names."""

import pytest

from progress.notifications import digest_drafts
from tests.progress.conftest import SNAPSHOT_DAY, queries_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches", "outbound_email")]


def test_the_digest_of_a_past_day(manager_wang, day_swept):
    day_swept(10)
    with_10 = queries_of(lambda: digest_drafts(as_of=SNAPSHOT_DAY))
    day_swept(190)
    drafts = []
    with_200 = queries_of(lambda: drafts.extend(digest_drafts(as_of=SNAPSHOT_DAY)))
    assert [draft.recipient for draft in drafts] == [manager_wang.email]
    # 18, and the reports read once for the digest's year (years side by side).
    assert with_10 == with_200 == 19
