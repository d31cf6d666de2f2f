"""``flask --app hubapp import-directory FILE [--dry-run] [--hub ID]``."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from hubapp.audit.services import acting_as
from hubapp.directory import importing
from hubapp.extensions import db
from hubapp.hubs.models import Hub


def _hub_id(wanted: int | None) -> int:
    ids = list(db.session.scalars(sa.select(Hub.id).order_by(Hub.id)))
    if wanted is not None:
        if wanted not in ids:
            raise click.ClickException(f"拠点ID {wanted} は存在しません。")
        return wanted
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise click.ClickException("拠点がありません。先に拠点を作成してください。")
    raise click.ClickException(f"拠点が複数あります。--hub で指定してください（ID: {', '.join(map(str, ids))}）。")


@click.command("import-directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="変更内容を表示するだけで、取り込みません。")
@click.option("--hub", "hub_id", type=int, default=None, help="取り込む拠点のID（拠点が1つなら省略可）")
@with_appcontext
def import_directory_command(file: Path, dry_run: bool, hub_id: int | None):
    """地域資源のファイル（オープンデータ形式・hubapp形式）を取り込みます。 Import a directory file."""
    hub_id = _hub_id(hub_id)
    try:
        plan = importing.read_and_plan(hub_id, file.read_bytes(), file.name)
    except importing.DirectoryFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"形式: {plan.layout}（{plan.encoding}）")
    click.echo(
        f"追加 {len(plan.additions)}件、更新 {len(plan.updates)}件、変更なし {plan.unchanged}件、"
        f"エラー {len(plan.errors)}件"
    )
    for error in plan.errors:
        click.echo(f"  {error.line}行目「{error.column}」: {error.message}", err=True)
    if plan.errors:
        raise click.ClickException("エラーのある行があるため、何も取り込みませんでした。")
    if dry_run:
        click.echo("--dry-run のため取り込んでいません。")
        return
    with acting_as("cli:import-directory"):
        added, updated = importing.apply_import(hub_id, plan, f"import:{file.name}")
        db.session.commit()
    click.echo(f"取り込みました（追加 {added}件、更新 {updated}件）。")
