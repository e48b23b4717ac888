"""A group robot (DingTalk / WeCom style) on 127.0.0.1 for tests: an HTTP server in a thread of the test
process that records each POST and answers with a status and a JSON body the test chooses. The `robot`
fixture (tests/conftest.py) starts one per test.

    robot.answers(200, {"errcode": 130101, "errmsg": "send too fast"})
    ... robot.url ...
    robot.payloads()[0]["markdown"]["text"]
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RobotServer:
    """A group robot on 127.0.0.1: records each POST and answers with `status` and `answer`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer: bytes = b'{"errcode": 0, "errmsg": "ok"}'
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                robot.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(robot.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(robot.answer)))
                self.end_headers()
                self.wfile.write(robot.answer)

            def log_message(self, format, *args) -> None:
                pass  # keep the test output quiet

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_port}/robot/send?access_token=gxj-robot"
        # A short poll interval: shutdown() waits for the serving loop to notice.
        self._thread = threading.Thread(target=self.http.serve_forever, args=(0.02,), daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.http.shutdown()
        self.http.server_close()

    def answers(self, status: int, answer: dict) -> None:
        self.status = status
        self.answer = json.dumps(answer, ensure_ascii=False).encode("utf-8")

    def payloads(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]
