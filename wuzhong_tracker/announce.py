"""`make run`'s welcome: waits until the development server answers, then says where to go and what to
try (python -m wuzhong_tracker.announce PORT [DEMO_TODAY]). Printed only once the server is listening, so
that the address on screen is one that works."""

import socket
import sys
import time


def wait_for(port: int, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


def main(port: int, demo_today: str) -> None:
    if not wait_for(port):
        print(f"开发服务器在 {port} 端口未能启动，请查看上面的错误信息。", file=sys.stderr)
        return
    lines = [f"后台地址：http://127.0.0.1:{port}/admin/"]
    if demo_today:
        lines += [
            f"演示日期 {demo_today}（系统把这一天当作今天；数据为演示用的虚构填报）。可以这样体验：",
            "  1. 以 agri_official 登录（密码 agri_official-demo-2020）：我的目标 → 红黄绿灯各有；填报一个6月的数值，看状态灯变化；",
            "  2. 以 agri_reviewer 登录：进度填报 → 待审核，批准或退回；",
            "  3. 以 manager 登录：督查报表 → 滞后/逾期、通报、计分排名；消息（发件箱）里是今天的提醒、预警和周报（邮件写入 var/mail/）。",
            "  4. 以 manager 登录：督查报表 → 报告草稿，上传 targets/data/examples/qinghe_2021_government_work_report.txt"
            "（年度 2021），逐行审核后发布，各报表可按报告年度切换。",
        ]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "")
