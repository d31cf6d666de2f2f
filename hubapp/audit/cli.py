"""``flask --app hubapp audit verify``: recompute the audit trail's hash chain."""

import click
from flask.cli import AppGroup

from hubapp.audit import chain
from hubapp.extensions import db

audit_cli = AppGroup("audit", help="監査ログ。 The audit trail.")


@audit_cli.command("verify")
def verify_command():
    """監査ログのハッシュ連鎖を検証します（改ざん・削除があれば終了コード1）。 Verify the hash chain."""
    with db.engine.connect() as connection:
        verdict = chain.verify(connection)
    legacy = f"（連鎖の開始前の行 {verdict.legacy:,} 件は対象外）" if verdict.legacy else ""
    if verdict.intact:
        click.echo(f"監査ログは改ざんされていません: {verdict.checked:,} 行を検証しました{legacy}。")
        return
    click.echo(f"監査ログに改ざんまたは削除が見つかりました（{verdict.checked:,} 行を検証）{legacy}:", err=True)
    for problem in verdict.problems:
        click.echo(f"  - {problem}", err=True)
    raise SystemExit(1)
