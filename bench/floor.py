"""The floor: the cheapest reasonable page of this stack, timed in the same process as a hubapp figure.

The machine is shared and noisy, so a bench reports its figures beside this page's and as a ratio. The
page is the project's reference "floor" (written here, nothing read from outside the repository): Flask,
Flask-SQLAlchemy and Jinja2 on SQLite, 2,000 resources, one query for 50 of them ordered by kana, rendered
as an HTML table.

    from floor import Floor
    floor = Floor()            # builds its database in a temporary folder
    floor.median_ms()          # median of the /list page, test client, in this process
"""

import random
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask, render_template_string
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>一覧</title></head><body>
<table><thead><tr><th>名称</th><th>よみ</th><th>住所</th><th>電話</th></tr></thead><tbody>
{% for r in rows %}<tr><td>{{ r.name }}</td><td>{{ r.kana }}</td><td>{{ r.address }}</td><td>{{ r.phone }}</td></tr>
{% endfor %}</tbody></table></body></html>"""
KANA = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワ"


class _Base(DeclarativeBase):
    pass


class Floor:
    def __init__(self, resources: int = 2_000, folder: Path | None = None):
        self._folder = tempfile.TemporaryDirectory(prefix="floor-") if folder is None else None
        path = Path(folder or self._folder.name) / "floor.sqlite3"
        db = SQLAlchemy(model_class=_Base)

        class Resource(db.Model):
            __tablename__ = "resources"
            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(120))
            kana: Mapped[str] = mapped_column(String(200), index=True)
            address: Mapped[str] = mapped_column(String(200))
            phone: Mapped[str] = mapped_column(String(20))

        app = Flask("floor")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
        db.init_app(app)

        @app.route("/list")
        def listing():
            rows = db.session.scalars(select(Resource).order_by(Resource.kana).limit(50)).all()
            return render_template_string(PAGE, rows=rows)

        rng = random.Random(1)
        with app.app_context():
            db.create_all()
            db.session.execute(
                insert(Resource),
                [
                    {
                        "name": f"在宅クリニック{n}",
                        "kana": "".join(rng.choice(KANA) for _ in range(8)),
                        "address": f"千葉県香取市佐原イ{n}番地",
                        "phone": f"0478-{n % 100:02d}-{n:04d}",
                    }
                    for n in range(resources)
                ],
            )
            db.session.commit()
        self.client = app.test_client()
        self.client.get("/list")  # warm: templates compiled, connection open

    def median_ms(self, repeats: int = 30) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            response = self.client.get("/list")
            times.append(time.perf_counter() - started)
            assert response.status_code == 200
        return statistics.median(times) * 1000


def ratio(value_ms: float, floor_ms: float) -> str:
    """「×12.3 of the floor」"""
    return f"×{value_ms / floor_ms:.1f} of the floor ({floor_ms:.1f} ms)" if floor_ms else "floor not measured"
