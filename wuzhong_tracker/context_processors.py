"""Template context shared by every page."""

from wuzhong_tracker import clock


def demo_clock(request) -> dict:
    """The demo clock's banner text while it is set ("演示模式：系统日期为2020年7月3日"), else nothing."""
    day = clock.demo_today()
    if day is None:
        return {}
    return {"demo_banner": f"演示模式：系统日期为{day.year}年{day.month}月{day.day}日"}
