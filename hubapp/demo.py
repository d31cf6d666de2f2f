"""``flask --app hubapp seed-demo``: a fictional hub in the middle of its 年度, for ``make run``.

Loads once: a second run finds everything in place and changes nothing. Each domain adds its part
to :data:`STEPS`. The hubs are fictional; the municipalities are real (real 全国地方公共団体コード)
with rounded figures, so that open-data imports line up.
"""

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from hubapp.audit.services import acting_as
from hubapp.auth import services as accounts
from hubapp.auth import totp
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.hubs import services as hubs
from hubapp.hubs.models import Hub, OperatorType

WIDE_AREA_HUB = "北総かとり在宅医療連携センター"
CITY_HUB = "なりた在宅医療・介護連携支援センター"
PREFECTURE_CODE = "12"  # 千葉県
FIGURES_AS_OF = date(2026, 4, 1)


@dataclass
class DemoContext:
    password: str
    #: Base32 TOTP secret of the demo accounts whose role needs a second factor.
    totp_secret: str | None = None
    hubs: dict[str, Hub] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)


def seed_hubs(ctx: DemoContext) -> None:
    specs = [
        dict(
            name=WIDE_AREA_HUB,
            name_kana="ホクソウカトリザイタクイリョウレンケイセンター",
            operator_type=OperatorType.MEDICAL_ASSOCIATION,
            operator_name="北総かとり医師会",
            dedicated_staff_count=2,
            phone="0478-00-1234",
            address="千葉県香取市佐原イ000-0",
            areas=[
                ("122360", "香取市", 70_100, "38.6"),
                ("123421", "神崎町", 5_700, "39.0"),
                ("123471", "多古町", 13_500, "40.3"),
            ],
        ),
        dict(
            name=CITY_HUB,
            name_kana="ナリタザイタクイリョウカイゴレンケイシエンセンター",
            operator_type=OperatorType.MUNICIPALITY,
            operator_name="成田市",
            dedicated_staff_count=1,
            phone="0476-00-5678",
            address="千葉県成田市花崎町000",
            areas=[("122114", "成田市", 130_800, "24.6")],
        ),
    ]
    for spec in specs:
        areas = spec.pop("areas")
        hub = hubs.find_hub_by_name(spec["name"])
        if hub is None:
            hub = hubs.create_hub(prefecture_code=PREFECTURE_CODE, **spec)
            for code, name, population, rate in areas:
                hubs.save_municipality(
                    hub,
                    code=code,
                    name=name,
                    population=population,
                    aging_rate=Decimal(rate),
                    figures_as_of=FIGURES_AS_OF,
                )
            ctx.created.append(f"拠点 {hub.name}")
        ctx.hubs[spec["name"]] = hub


#: (username, role, name, kana, hub, prefecture) — the names are contracts (README, issue #2).
DEMO_USERS = [
    ("admin", Role.ADMIN, "管理 花子", "カンリ ハナコ", None, None),
    ("coordinator", Role.COORDINATOR, "佐藤 美咲", "サトウ ミサキ", WIDE_AREA_HUB, None),
    ("physician", Role.PHYSICIAN, "高橋 健一", "タカハシ ケンイチ", WIDE_AREA_HUB, None),
    ("bedmanager", Role.BED_MANAGER, "伊藤 由紀", "イトウ ユキ", WIDE_AREA_HUB, None),
    ("consultant", Role.CONSULTANT, "渡辺 真理", "ワタナベ マリ", WIDE_AREA_HUB, None),
    ("prefecture", Role.PREFECTURE, "山本 浩二", "ヤマモト コウジ", None, PREFECTURE_CODE),
    ("member", Role.MEMBER, "中村 あゆみ", "ナカムラ アユミ", WIDE_AREA_HUB, None),
    ("coordinator2", Role.COORDINATOR, "小林 直樹", "コバヤシ ナオキ", CITY_HUB, None),
]


def seed_users(ctx: DemoContext) -> None:
    for username, role, name, kana, hub_name, prefecture in DEMO_USERS:
        if accounts.find_user(username) is not None:
            continue
        hub_ids = [ctx.hubs[hub_name].id] if hub_name else []
        user = accounts.create_user(
            username=username,
            password=ctx.password,
            role=role,
            display_name=name,
            display_kana=kana,
            hub_ids=hub_ids,
            prefecture_code=prefecture,
        )
        if ctx.totp_secret and totp.required_for(role):
            user.totp_secret = ctx.totp_secret
        ctx.created.append(f"ユーザー {username}")


#: Each domain adds its seeding step here; they run in this order in one transaction.
def _steps() -> list[Callable[[DemoContext], None]]:
    from hubapp.beds import demo as beds_demo
    from hubapp.compliance import demo as compliance_demo
    from hubapp.consultations import demo as consultations_demo
    from hubapp.directory import demo as directory_demo
    from hubapp.meetings import demo as meetings_demo
    from hubapp.rota import demo as rota_demo

    return [
        seed_hubs,
        seed_users,
        directory_demo.seed,
        meetings_demo.seed,
        rota_demo.seed,
        beds_demo.seed,
        consultations_demo.seed,
        compliance_demo.seed,
    ]


def _kept(name: str, configured, make: Callable[[], str]) -> str:
    """The configured value; else one made once and kept in ``instance/<name>`` so that every ``make run``
    prints the same logins (the instance folder is never committed)."""
    if configured:
        return str(configured)
    path = Path(current_app.instance_path) / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value)
    return value


def demo_password() -> str:
    """``HUBAPP_DEMO_PASSWORD`` when set; else a random one kept in ``instance/demo_password``."""
    return _kept("demo_password", current_app.config.get("DEMO_PASSWORD"), lambda: secrets.token_urlsafe(12))


def demo_totp_secret() -> str:
    """``HUBAPP_DEMO_TOTP_SECRET`` when set (scripted demos and end-to-end tests compute the codes from it);
    else a random one kept in ``instance/demo_totp_secret``."""
    configured = current_app.config.get("DEMO_TOTP_SECRET")
    if configured and not totp.valid_secret(str(configured).strip().upper()):
        raise click.ClickException("HUBAPP_DEMO_TOTP_SECRET は16文字以上の base32（A–Z、2–7）で指定してください。")
    return _kept("demo_totp_secret", configured and str(configured).strip().upper(), totp.new_secret)


def seed(password: str, totp_secret: str | None = None) -> DemoContext:
    ctx = DemoContext(password=password, totp_secret=totp_secret)
    with acting_as("cli:seed-demo"):
        for step in _steps():
            step(ctx)
        db.session.commit()
    return ctx


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """デモデータを投入します（2回目以降は何も変えません）。 Load the demo data once."""
    password = demo_password()
    secret = demo_totp_secret()
    ctx = seed(password, secret)
    if ctx.created:
        click.echo("デモデータを投入しました: " + "、".join(ctx.created))
    else:
        click.echo("デモデータは投入済みです（変更なし）。")
    click.echo("")
    click.echo("デモ用ログイン（http://127.0.0.1:5000/login）:")
    for username, role, name, _kana, hub_name, _pref in DEMO_USERS:
        click.echo(f"  {username:<13} {role.label}（{name}{'・' + hub_name if hub_name else ''}）")
    click.echo(f"  パスワード（全員共通）: {password}")
    needs = [u for u, role, *_rest in DEMO_USERS if totp.required_for(role)]
    if needs:
        click.echo(f"  二要素認証（{', '.join(needs)}）の秘密鍵: {secret}")
        click.echo("    認証アプリに「キーを入力」で登録すると、ログインの確認コードが表示されます。")
    if not current_app.config.get("DEMO_PASSWORD"):
        click.echo("  ※ HUBAPP_DEMO_PASSWORD を設定すると、そのパスワードで作成されます。")
    if needs and not current_app.config.get("DEMO_TOTP_SECRET"):
        click.echo("  ※ HUBAPP_DEMO_TOTP_SECRET（base32）を設定すると、その秘密鍵で作成されます。")
