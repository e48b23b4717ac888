"""/api/notices/: 王督查 issues a notice for 工业和信息化局's target, its reviewer 陈局长 answers, 王督查
closes it or presses again. Scoped like the entries: another department's notice is 404 whatever the
method, and nothing changes; a role without the right gets 403; a refused step is 400 naming the field."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress.models import DepartmentWebhook, Message, MessageKind, Notice
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def cars(report_2020):
    return Target.objects.get(report=report_2020, code="1.1.03")  # 新增规上企业, 工业和信息化局


@pytest.fixture
def issued(api, manager_wang, cars, reviewer_chen, official_zhang):
    DepartmentWebhook.objects.create(
        department=cars.lead_department,
        kind="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=gx",
    )
    response = api(manager_wang).post(
        "/api/notices/", {"targets": [cars.pk], "level": "listed"}, format="json"
    )
    assert response.status_code == 201, response.data
    return response.data


def test_a_manager_issues_with_defaults(issued, cars):
    assert issued["number_label"] == "吴督〔2020〕1号"
    assert issued["level_label"] == "挂牌督办"
    assert issued["department"] == {"code": "industry", "name": "工业和信息化局"}
    assert issued["targets"] == [{"id": cars.pk, "code": "1.1.03", "metric": "新增规上企业"}]
    assert issued["deadline"] == "2020-07-10"  # the 5th working day after Friday 3 July
    assert issued["matter"].startswith("1. 1.1.03 新增规上企业：")
    assert (issued["state"], issued["standing_label"]) == ("issued", "已下发")
    assert [event["step"] for event in issued["events"]] == ["issue"]
    delivered = Message.objects.filter(kind=MessageKind.NOTICE).values_list("channel", "recipient")
    assert sorted(delivered) == [
        ("email", "chen.gongxin@wuzhong.example"),
        ("email", "zhang.gongxin@wuzhong.example"),
        ("webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=gx"),
    ]


def test_numbers_follow_on_and_are_never_reused(api, manager_wang, issued, cars):
    Notice.objects.get(pk=issued["id"]).delete()
    again = api(manager_wang).post("/api/notices/", {"targets": [cars.pk]}, format="json")
    assert again.data["number_label"] == "吴督〔2020〕2号"


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"targets": []}, {"targets": ["请至少选择一个目标。"]}),
        ({"targets": [999999]}, {"targets": ["目标 ID 999999 不存在。"]}),
        ({"targets": ["cars"], "level": "urgent"}, None),  # both fields named by DRF
        (
            {"targets": ["cars", "cows"]},
            {"targets": ["一份督办单只能督办一个牵头单位的目标；所选目标分属农业农村局、工业和信息化局。"]},
        ),
        (
            {"targets": ["cars"], "deadline": "2020-07-05"},
            {"deadline": ["反馈期限2020-07-05不是工作日（法定节假日或周末）。"]},
        ),
    ],
)
def test_refused_notices_name_the_field_and_issue_nothing(api, manager_wang, report_2020, body, errors):
    ids = {"cars": "1.1.03", "cows": "1.2.10"}
    body = {
        **body,
        "targets": [
            Target.objects.get(report=report_2020, code=ids[t]).pk if isinstance(t, str) else t
            for t in body["targets"]
        ],
    }
    response = api(manager_wang).post("/api/notices/", body, format="json")
    assert response.status_code == 400
    if errors is None:
        assert set(response.data) == {"level"}
    else:
        assert response.data == errors
    assert not Notice.objects.exists() and not Message.objects.exists()


def test_only_managers_issue(api, official_zhang, reviewer_chen, cars):
    for person in (official_zhang, reviewer_chen):
        response = api(person).post("/api/notices/", {"targets": [cars.pk]}, format="json")
        assert response.status_code == 403
    assert not Notice.objects.exists()


def test_answer_then_close(api, issued, reviewer_chen, manager_wang, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    url = f"/api/notices/{issued['id']}/"
    chen = api(reviewer_chen)
    refused = chen.post(url + "answer/", {"measures": "", "expected_completion": None}, format="json")
    assert refused.status_code == 400
    assert refused.data == {"measures": ["请填写整改措施。"], "expected_completion": ["请填写预计完成时间。"]}
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4", content_type="application/pdf")
    answered = chen.post(
        url + "answer/",
        {"measures": "走访企业", "expected_completion": "2020-09-30", "evidence": [pdf]},
        format="multipart",
    )
    assert answered.status_code == 200, answered.data
    assert answered.data["standing"] == "answered"
    answer = answered.data["events"][-1]
    assert (answer["step"], answer["by"], answer["text"], answer["expected_completion"]) == (
        "answer", "chen_gongxin", "走访企业", "2020-09-30",
    )  # fmt: skip
    assert answer["evidence"][0]["name"] == "方案.pdf"
    # Only managers decide; a reviewer closing is 403.
    assert chen.post(url + "close/", {}, format="json").status_code == 403
    closed = api(manager_wang).post(url + "close/", {"remark": "同意"}, format="json")
    assert closed.data["state_label"] == "已办结"
    again = api(manager_wang).post(url + "press/", {"reason": "再看看"}, format="json")
    assert again.status_code == 400
    assert again.data == {"non_field_errors": ["督办单吴督〔2020〕1号当前为“已办结”，不能继续督办。"]}


def test_press_again_with_a_new_deadline(api, issued, reviewer_chen, manager_wang):
    url = f"/api/notices/{issued['id']}/"
    api(reviewer_chen).post(
        url + "answer/", {"measures": "走访", "expected_completion": "2020-09-30"}, format="json"
    )
    pressed = api(manager_wang).post(url + "press/", {"reason": "措施不具体"}, format="json")
    assert (pressed.data["state"], pressed.data["deadline"]) == ("issued", "2020-07-10")
    assert [e["step"] for e in pressed.data["events"]] == ["issue", "answer", "press"]


def test_overdue_after_the_deadline(api, issued, manager_wang, clock):
    clock("2020-07-13")
    listed = api(manager_wang).get("/api/notices/", {"overdue": "true"}).data
    assert [(n["number_label"], n["standing_label"]) for n in listed["results"]] == [
        ("吴督〔2020〕1号", "逾期未反馈")
    ]
    assert api(manager_wang).get("/api/notices/", {"overdue": "false"}).data["count"] == 0


def test_another_department_gets_404_and_changes_nothing(api, issued, reviewer_zhou, official_zhao):
    url = f"/api/notices/{issued['id']}/"
    for person in (reviewer_zhou, official_zhao):
        client = api(person)
        assert client.get("/api/notices/").data["count"] == 0
        assert client.get(url).status_code == 404
        for action, body in (
            ("answer/", {"measures": "x", "expected_completion": "2020-09-30"}),
            ("close/", {}),
            ("press/", {"reason": "x"}),
        ):
            assert client.post(url + action, body, format="json").status_code in (403, 404)
        assert (
            client.post(
                url + "answer/", {"measures": "x", "expected_completion": "2020-09-30"}, format="json"
            ).status_code
            == 404
        )
    notice = Notice.objects.get()
    assert notice.state == "issued" and notice.events.count() == 1


def test_the_department_sees_its_own_and_officials_cannot_answer(api, issued, official_zhang):
    client = api(official_zhang)
    assert client.get("/api/notices/").data["count"] == 1
    assert client.get(f"/api/notices/{issued['id']}/").status_code == 200
    response = client.post(
        f"/api/notices/{issued['id']}/answer/",
        {"measures": "x", "expected_completion": "2020-09-30"},
        format="json",
    )
    assert response.status_code == 403


def test_in_the_schema(api, manager_wang):
    schema = api(manager_wang).get("/api/schema/", {"format": "json"}).json()
    for path in (
        "/api/notices/",
        "/api/notices/{id}/",
        "/api/notices/{id}/answer/",
        "/api/notices/{id}/close/",
        "/api/notices/{id}/press/",
    ):
        assert path in schema["paths"], path


def test_a_target_filter_that_is_not_an_id_is_refused(api, manager_wang):
    response = api(manager_wang).get("/api/notices/?target=0.5")
    assert response.status_code == 400
    assert "target" in response.json()


def test_bad_filters_and_target_ids_are_refused(api, manager_wang):
    assert api(manager_wang).get("/api/notices/?overdue=-58800").status_code == 400
    response = api(manager_wang).post("/api/notices/", {"targets": [2**70]}, format="json")
    assert response.status_code == 400
    assert "targets" in response.json()
