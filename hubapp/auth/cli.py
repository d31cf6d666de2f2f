"""``flask --app hubapp create-user``: make an account from the command line."""

import click
from flask.cli import with_appcontext

from hubapp.audit.services import acting_as
from hubapp.auth import services
from hubapp.common.roles import Role
from hubapp.extensions import db
from hubapp.hubs import services as hubs


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True, help="役割")
@click.option("--name", "display_name", default="", help="表示名（氏名）")
@click.option("--kana", "display_kana", default="", help="氏名のよみ（カナ）")
@click.option("--hub", "hub_ids", type=int, multiple=True, help="所属する拠点のID（複数可）")
@click.option("--prefecture", "prefecture_code", default=None, help="都道府県担当の都道府県コード（2桁）")
@click.password_option(help="パスワード（省略すると入力を求めます）")
@with_appcontext
def create_user_command(username, role, display_name, display_kana, hub_ids, prefecture_code, password):
    """ユーザーを作成します。 Create a user account."""
    missing = hubs.missing_hub_ids(list(hub_ids))
    if missing:
        raise click.ClickException(f"拠点ID {missing} は存在しません。")
    with acting_as("cli:create-user"):
        try:
            user = services.create_user(
                username=username,
                password=password,
                role=Role(role),
                display_name=display_name,
                display_kana=display_kana,
                hub_ids=list(hub_ids),
                prefecture_code=prefecture_code,
            )
        except services.AccountError as error:
            db.session.rollback()
            raise click.ClickException(str(error)) from error
        db.session.commit()
    click.echo(f"ユーザー「{user.username}」（{user.role.label}）を作成しました。")
