"""``flask --app hubapp import-directory FILE [--hub ID] [--dry-run] [--skip-refused] [--mapping NAME]``.

Prints the outcome of every row (taken, taken with a warning, refused); exits with 1 and writes nothing
when rows are refused, unless ``--skip-refused`` takes the others. ``--mapping NAME`` reads the file with a
column mapping saved for the hub on the import page. Organisations that disappeared from the publisher's
list are listed and kept, unless ``--archive-disappeared``."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from hubapp.audit.services import acting_as
from hubapp.directory import importing
from hubapp.extensions import db
from hubapp.hubs import services as hubs


def _hub_id(wanted: int | None) -> int:
    ids = hubs.all_hub_ids()
    if wanted is not None:
        if wanted not in ids:
            raise click.ClickException(f"拠点ID {wanted} は存在しません。")
        return wanted
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise click.ClickException("拠点がありません。先に拠点を作成してください。")
    raise click.ClickException(f"拠点が複数あります。--hub で指定してください（ID: {', '.join(map(str, ids))}）。")


#: Lines of warnings and refusals printed before 「ほか n件」.
SHOWN = 200


@click.command("import-directory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--hub", "hub_id", type=int, default=None, help="取り込む拠点のID（拠点が1つなら省略可）")
@click.option("--dry-run", is_flag=True, help="変更内容を表示するだけで、取り込みません。")
@click.option("--skip-refused", is_flag=True, help="取り込めない行を除いて、ほかの行を取り込みます。")
@click.option("--mapping", "mapping_name", default=None, help="画面で保存した列の対応（名前）で読みます。")
@click.option("--archive-disappeared", is_flag=True, help="前の版にあって今回のファイルにない機関をアーカイブします。")
@with_appcontext
def import_directory_command(
    file: Path, dry_run: bool, hub_id: int | None, skip_refused: bool, mapping_name: str | None, archive_disappeared: bool
):
    """地域資源のファイル（オープンデータ形式・hubapp形式）を取り込みます。 Import a directory file."""
    hub_id = _hub_id(hub_id)
    try:
        plan = importing.read_and_plan(hub_id, file.read_bytes(), file.name, mapping_name)
    except importing.UnknownLayout as error:
        raise click.ClickException(
            f"{error} 画面（/directory/import）で列の対応を保存すると、--mapping で使えます。"
        ) from error
    except importing.DirectoryFileError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"形式: {plan.layout}（{plan.encoding}）")
    click.echo(
        f"追加 {len(plan.additions)}件、更新 {len(plan.updates)}件、変更なし {plan.unchanged}件、"
        f"警告のある行 {plan.warned}件、取り込めない行 {plan.refused}件"
    )
    for kind, items in (("取り込めない", plan.errors), ("警告", plan.warnings)):
        for item in items[:SHOWN]:
            click.echo(f"  {kind} {item.line}行目「{item.column}」: {item.message}", err=True)
        if len(items) > SHOWN:
            click.echo(f"  {kind} ほか {len(items) - SHOWN}件", err=True)
    if plan.disappeared:
        kept = "アーカイブします" if archive_disappeared else "残します（--archive-disappeared でアーカイブ）"
        click.echo(f"前の版にあって今回のファイルにない機関 {len(plan.disappeared)}件: {kept}")
        for organisation in plan.disappeared[:SHOWN]:
            click.echo(f"  {organisation.name}（{organisation.address}）")
    if plan.errors and not skip_refused:
        raise click.ClickException(
            "取り込めない行があるため、何も取り込みませんでした（--skip-refused でほかの行を取り込めます）。"
        )
    if dry_run:
        click.echo("--dry-run のため取り込んでいません。")
        return
    with acting_as("cli:import-directory"):
        added, updated, archived = importing.apply_import(
            hub_id,
            plan,
            f"import:{file.name}",
            skip_refused=skip_refused,
            archive_disappeared=archive_disappeared,
        )
        db.session.commit()
    skipped = f"、取り込めない {plan.refused}行を除く" if plan.errors else ""
    gone = f"、アーカイブ {archived}件" if archived else ""
    click.echo(f"取り込みました（追加 {added}件、更新 {updated}件{gone}{skipped}）。")
