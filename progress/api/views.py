"""The REST API: thin views over the selectors (what a user may see) and the services (every write).

An official or reviewer sees the targets their department leads or co-operates on and their entries,
through `targets_visible_to` and `entries_visible_to` as in the admin: anything else is a 404, whatever ID
is guessed. Who may write is the admin's rule too: the model permission of the role, then the services'
department rules (`can_correct`, `can_review`); a refusal is a 403.
"""

import datetime as dt
import functools
from collections.abc import Callable

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from progress import notices, services
from progress.api import serializers
from progress.api.exceptions import errors
from progress.api.filters import (
    ChapterFilter,
    EntryFilter,
    KeyTaskFilter,
    NoticeFilter,
    TargetFilter,
    report_default_filter,
)
from progress.api.pagination import PageNumberPagination
from progress.boards import BoardFilters, lagging_board, lagging_board_pages, status_summary
from progress.models import Notice, NoticeEvent, ProgressEntry
from progress.selectors import entries_visible_to, notice_matter_prefill, notices_visible_to
from targets.models import Chapter, Department, KeyTask, Report
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock


def _read_only(name: str, serializer, description: str | None = None):
    """A list (400 for a malformed filter, page or page size; 404 for a page past the last) and a detail."""
    return extend_schema_view(
        list=extend_schema(
            summary=f"{name}列表",
            description=description,
            responses={200: serializer, **errors(400, 404)},
        ),
        retrieve=extend_schema(
            summary=f"{name}详情", description=description, responses={200: serializer, **errors(404)}
        ),
    )


class ActionPermissions:
    """The view's permissions, plus the one `action_permissions` names for the action asked (the writes)."""

    action_permissions: dict[str, type[permissions.BasePermission]] = {}

    def get_permissions(self):
        extra = self.action_permissions.get(self.action)
        return [*super().get_permissions(), *([extra()] if extra else [])]


def _notice_step(
    summary: str, params_class: type[drf_serializers.Serializer], description: str | None = None
):
    """A step on one notice (POST /api/notices/{id}/<step>/): the notice looked up (404), the parameters
    checked (400), then the decorated step called with the notice, the user and the parameters (the service
    refuses with 400 or 403); the answer is the notice as it is now."""

    def decorate(step: Callable[..., Notice]):
        @functools.wraps(step)
        def view(self, request, pk=None):
            notice = self.get_object()
            params = params_class(data=request.data)
            params.is_valid(raise_exception=True)
            notice = step(self, notice=notice, by=request.user, **params.validated_data)
            return Response(self._notice_data(notice))

        schema = extend_schema(
            summary=summary,
            description=description,
            request=params_class,
            responses={200: serializers.NoticeSerializer, **errors(400, 403, 404)},
        )
        return schema(action(detail=True, methods=["post"])(view))

    return decorate


# ---------------------------------------------------------------------------- the report as data


@_read_only("政府工作报告", serializers.ReportSerializer)
class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Report.objects.all()
    serializer_class = serializers.ReportSerializer
    lookup_value_regex = r"\d+"  # by ID (/api/reports/lagging/ and /summary/ are redirects to /api/boards/)


@_read_only("章节", serializers.ChapterSerializer)
class ChapterViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Chapter.objects.order_by("report__year", "number")
    serializer_class = serializers.ChapterSerializer
    filterset_class = ChapterFilter


@_read_only("重点任务", serializers.KeyTaskSerializer)
class KeyTaskViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = KeyTask.objects.select_related("chapter").order_by(
        "chapter__report__year", "chapter__number", "number"
    )
    serializer_class = serializers.KeyTaskSerializer
    filterset_class = KeyTaskFilter


@_read_only("责任单位", serializers.DepartmentSerializer)
class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.all()
    serializer_class = serializers.DepartmentSerializer
    lookup_field = "code"


# ------------------------------------------------------------------------------------------ targets


@_read_only(
    "目标",
    serializers.TargetSerializer,
    description="目标的定义与当前状态（每日巡检及每次填报、审核后更新）；"
    "填报员、单位负责人只看到本单位牵头或配合的目标，督查室看到全部。默认按报告顺序。",
)
class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    """Targets with their stored current status (TargetStatus), in the report's reading order."""

    serializer_class = serializers.TargetSerializer
    filterset_class = TargetFilter
    ordering_fields = {
        "code": "code",
        "deadline": "deadline",
        "performance": "status__performance",
        "reporting": "status__reporting",
        "progress_pct": "status__progress_pct",
        "expected_pct": "status__expected_pct",
        "gap_pp": "status__gap_pp",
        "days_late": "status__days_late",
        "latest_period_end": "status__latest_period_end",
        "next_due": "status__next_due",
    }

    def get_queryset(self):
        targets = (
            targets_visible_to(self.request.user)
            .with_structure()
            .select_related("status")
            .defer("report__source_text")  # the report's full text, repeated on every row, is never shown
            .in_reading_order()
        )
        # The schema generator asks for the queryset only for its model: no report is read then.
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            targets = report_default_filter(self.request, targets)
        return targets

    @extend_schema(
        summary="目标的历史",
        description="当前各期填报（含数据来源、审核状态、修订次数）、每条填报的历次记录、状态变化和每日快照。",
        responses={200: serializers.TargetHistorySerializer, **errors(404)},
    )
    @action(detail=True, filter_backends=[])
    def history(self, request, pk=None):
        target = self.get_object()
        history = {
            "target": target,
            "entries": target.entries.with_related().prefetch_related("evidence"),
            "entry_history": ProgressEntry.history.filter(target=target)
            .select_related("submitted_by", "reviewed_by")
            .order_by("history_date", "history_id"),
            "status_changes": target.status_changes.all(),
            "snapshots": target.snapshots.order_by("date"),
        }
        return Response(serializers.TargetHistorySerializer(history, context={"request": request}).data)


# ------------------------------------------------------------------------------------------ entries


class CanSubmitEntries(permissions.BasePermission):
    message = "您的角色不能填报进度（填报员、单位负责人可以）。"

    def has_permission(self, request, view):
        return request.user.has_perm("progress.add_progressentry")


class CanCorrectEntry(permissions.BasePermission):
    message = "该目标的数值由牵头单位填报，只能由牵头单位更正。"

    def has_object_permission(self, request, view, entry):
        return request.user.has_perm("progress.change_progressentry") and services.can_correct(
            request.user, entry
        )


class CanReviewEntry(permissions.BasePermission):
    message = "只有牵头单位的单位负责人可以审核该填报。"

    def has_object_permission(self, request, view, entry):
        if not request.user.has_perm("progress.review_progressentry"):
            return False
        # The service's own refusal (四眼原则 or another department's entry), as the 403's detail.
        refusal = services.review_refusal(request.user, entry)
        if refusal:
            self.message = refusal
        return not refusal


ENTRY_WRITE_PERMISSIONS = {
    "create": CanSubmitEntries,
    "partial_update": CanCorrectEntry,
    "approve": CanReviewEntry,
    "return_entry": CanReviewEntry,
}


@_read_only(
    "进度填报",
    serializers.EntrySerializer,
    description="本单位牵头或配合的目标的填报（督查室看到全部），默认按报告期末倒序。",
)
class EntryViewSet(
    ActionPermissions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Progress entries of the user's department's targets (every entry, for managers)."""

    action_permissions = ENTRY_WRITE_PERMISSIONS
    serializer_class = serializers.EntrySerializer
    filterset_class = EntryFilter
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering_fields = {
        "period_end": "period_end",
        "submitted_at": "submitted_at",
        "reviewed_at": "reviewed_at",
        "code": "target__code",
        "review_state": "review_state",
    }

    def get_queryset(self):
        return entries_visible_to(self.request.user).with_related().prefetch_related("evidence")

    @extend_schema(
        summary="填报进度",
        description="填报员为本单位牵头或配合的目标填报一期数值（JSON 或 multipart，后者可附佐证材料）；"
        "校验与后台相同：非数字、NaN、负数（增速类除外）、非报告期末、重复期次等返回400及字段名。",
        request=serializers.EntrySubmitSerializer,
        responses={201: serializers.EntrySerializer, **errors(400, 403, 413)},
    )
    def create(self, request):
        params = serializers.EntrySubmitSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        entry = services.progress_entry_submit(by=request.user, **params.validated_data)
        return Response(self._entry_data(entry), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="更正填报",
        description="提交单位更正一期数值：修订次数加1，回到待审核，原数值保留在历史中。",
        request=serializers.EntryCorrectSerializer,
        responses={200: serializers.EntrySerializer, **errors(400, 403, 404, 413)},
    )
    def partial_update(self, request, pk=None):
        entry = self.get_object()
        params = serializers.EntryCorrectSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        entry = services.progress_entry_correct(entry=entry, by=request.user, **params.validated_data)
        return Response(self._entry_data(entry))

    @extend_schema(
        summary="审核通过",
        request=None,
        responses={200: serializers.EntrySerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        entry = services.progress_entry_approve(entry=self.get_object(), by=request.user)
        return Response(self._entry_data(entry))

    @extend_schema(
        summary="退回填报",
        description="单位负责人退回本单位的待审核填报，必须填写原因；退回的填报不计入状态。",
        request=serializers.EntryReturnSerializer,
        responses={200: serializers.EntrySerializer, **errors(400, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_entry(self, request, pk=None):
        entry = self.get_object()
        params = serializers.EntryReturnSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        entry = services.progress_entry_return(
            entry=entry, by=request.user, reason=params.validated_data["reason"]
        )
        return Response(self._entry_data(entry))

    def _entry_data(self, entry: ProgressEntry) -> dict:
        """The entry as saved, read back the way the list shows it."""
        return self.get_serializer(self.get_queryset().get(pk=entry.pk)).data


# ---------------------------------------------------------------------------------- reports as of


def _board_params(params_class: type[drf_serializers.Serializer], request) -> tuple[dt.date, BoardFilters]:
    """A board's query string validated (400 naming the parameter): its date and its filters."""
    params = params_class(data=request.query_params)
    params.is_valid(raise_exception=True)
    as_of = params.validated_data.pop("as_of")
    return as_of, BoardFilters(**params.validated_data)


class LaggingBoardView(APIView):
    @extend_schema(
        summary="滞后/逾期目标",
        description="截至 as_of 预警、滞后、逾期未完成的目标，以及逾期未报的目标，最严重的在前；"
        "按当日结束时的填报评估（之后的填报、更正、退回不计），可重现过去的通报。",
        parameters=[
            serializers.LaggingParamsSerializer,
            OpenApiParameter("page", int, description="页码（从1开始）；填 page 或 page_size 时分页返回"),
            OpenApiParameter("page_size", int, description="每页条数（默认50，最多500）"),
        ],
        responses={200: serializers.LaggingBoardSerializer, **errors(400, 404)},
    )
    def get(self, request):
        as_of, filters = _board_params(serializers.LaggingParamsSerializer, request)
        pages = PageNumberPagination()
        if not {pages.page_query_param, pages.page_size_query_param} & set(request.query_params):
            # Every row, as before pages were offered (a client that asks for no page gets them all).
            rows = lagging_board(user=request.user, as_of=as_of, filters=filters)
            everything = {"as_of": as_of, "count": len(rows), "next": None, "previous": None, "results": rows}
            return Response(serializers.LaggingBoardSerializer(everything).data)
        # A page: as of today counted and ordered by the database, only the page's rows built.
        rows = lagging_board_pages(user=request.user, as_of=as_of, filters=filters)
        page = pages.paginate_queryset(rows, request, view=self)
        return Response(
            serializers.LaggingBoardSerializer(
                {
                    "as_of": as_of,
                    "count": pages.page.paginator.count,
                    "next": pages.get_next_link(),
                    "previous": pages.get_previous_link(),
                    "results": page,
                }
            ).data
        )


class StatusSummaryView(APIView):
    @extend_schema(
        summary="状态汇总",
        description="截至 as_of 各完成状态、报送状态的目标数，总计及按章节、重点任务。",
        parameters=[serializers.BoardParamsSerializer],
        responses={200: serializers.StatusSummarySerializer, **errors(400)},
    )
    def get(self, request):
        as_of, filters = _board_params(serializers.BoardParamsSerializer, request)
        summary = status_summary(user=request.user, as_of=as_of, filters=filters)
        return Response(serializers.StatusSummarySerializer(summary).data)


# ------------------------------------------------------------------------------------ 督办 notices


class CanIssueNotices(permissions.BasePermission):
    message = "只有督查室可以下发督办单。"

    def has_permission(self, request, view):
        return notices.can_issue(request.user)


class CanAnswerNotice(permissions.BasePermission):
    message = "只有督办单所发单位的单位负责人可以反馈。"

    def has_object_permission(self, request, view, notice):
        return notices.can_answer(request.user, notice)


class CanDecideNotice(permissions.BasePermission):
    message = "只有督查室可以办结或继续督办。"

    def has_permission(self, request, view):
        return notices.can_decide(request.user)


NOTICE_WRITE_PERMISSIONS = {
    "create": CanIssueNotices,
    "answer": CanAnswerNotice,
    "close": CanDecideNotice,
    "press": CanDecideNotice,
}


@_read_only(
    "督办单",
    serializers.NoticeSerializer,
    description="督查室看到全部督办单；填报员、单位负责人只看到发给本单位的督办单（其他单位的为404）。"
    "默认按编号倒序；standing 为今日所处状态（逾期未反馈：过了反馈期限仍未反馈）。",
)
class NoticeViewSet(
    ActionPermissions, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """督办单 with their history; issue, answer, close and press again through progress.notices."""

    action_permissions = NOTICE_WRITE_PERMISSIONS
    serializer_class = serializers.NoticeSerializer
    filterset_class = NoticeFilter
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = {"number": "number", "deadline": "deadline", "issued_at": "issued_at"}

    def get_queryset(self):
        return (
            notices_visible_to(self.request.user)
            .with_related()
            .prefetch_related(
                Prefetch(
                    "events", queryset=NoticeEvent.objects.select_related("by").prefetch_related("evidence")
                )
            )
            .order_by("-year", "-number")
        )

    @extend_schema(
        summary="下发督办单",
        description="督查室对同一牵头单位的一个或多个目标下发督办单：编号按报告和年度顺序生成（吴督〔2020〕N号），"
        "反馈期限默认下发后第5个工作日，督办事项默认按目标状态生成；随即通过发件箱通知该单位人员和群机器人。",
        request=serializers.NoticeCreateSerializer,
        responses={201: serializers.NoticeSerializer, **errors(400, 403)},
    )
    def create(self, request):
        params = serializers.NoticeCreateSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        ids = data["targets"]
        targets = targets_visible_to(request.user).filter(pk__in=ids)
        missing = sorted(set(ids) - set(targets.values_list("pk", flat=True)))
        if missing:
            raise ValidationError({"targets": [f"目标 ID {'、'.join(map(str, missing))} 不存在。"]})
        matter = data.get("matter") or (
            notice_matter_prefill(targets=targets, as_of=clock.today()) if ids else ""
        )
        notice = notices.notice_issue(
            targets=list(targets.select_related("report").prefetch_related("assignments__department")),
            level=data["level"],
            matter=matter,
            by=request.user,
            deadline=data.get("deadline"),
        )
        return Response(self._notice_data(notice), status=status.HTTP_201_CREATED)

    @_notice_step(
        "反馈督办单",
        serializers.NoticeAnswerSerializer,
        "督办单所发单位的单位负责人填写整改措施和预计完成时间（可附佐证材料，multipart）；逾期后仍可反馈。",
    )
    def answer(self, **params) -> Notice:
        return notices.notice_answer(**params)

    @_notice_step("办结督办单", serializers.NoticeCloseSerializer)
    def close(self, **params) -> Notice:
        return notices.notice_close(**params)

    @_notice_step(
        "继续督办",
        serializers.NoticePressSerializer,
        "对已反馈的督办单不予办结：填写理由，回到“已下发”，设新的反馈期限（默认今天起第5个工作日）。",
    )
    def press(self, **params) -> Notice:
        return notices.notice_press(**params)

    def _notice_data(self, notice) -> dict:
        return self.get_serializer(self.get_queryset().get(pk=notice.pk)).data
