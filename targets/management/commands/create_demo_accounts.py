from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from targets.services import demo_accounts_ensure


class Command(BaseCommand):
    help = "创建演示账号（系统管理员、督查室、各单位负责人和填报员）并打印其开发用密码。仅限 DEBUG 环境。"

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="在 DEBUG 关闭时也创建（切勿用于生产环境）")

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示账号使用公开的开发密码，只能在 DEBUG 环境中创建（或加 --force）。")
        accounts = demo_accounts_ensure()
        self.stdout.write(self.style.SUCCESS("演示账号（开发用密码，请勿用于生产环境）："))
        for account in accounts:
            department = f"（{account.department}）" if account.department else ""
            self.stdout.write(
                f"  用户名 {account.username:<18} 密码 {account.password:<28} {account.role}{department}"
            )
