"""Demo 年度 of meetings for the wide-area hub: held ones with attendance, minutes and issues, planned
ones ahead. Dates follow the current 年度, so ``make run`` always shows a hub in the middle of its year."""

from datetime import date, time

import sqlalchemy as sa

from hubapp.common.jpcalendar import FiscalYear
from hubapp.common.vocabulary import Profession
from hubapp.core.services import today
from hubapp.directory import services as directory
from hubapp.extensions import db
from hubapp.meetings import services
from hubapp.meetings.models import AttendanceStatus, Meeting
from hubapp.meetings.models import MeetingKind as K
from hubapp.meetings.models import Scene as S
from hubapp.meetings.models import Topic as T

#: (month, day, kind, title, start, end, place, topics, scenes, attendees' names, summary)
PLAN = [
    (
        5,
        21,
        K.MULTIDISCIPLINARY,
        "第1回 北総かとり多職種連携会議",
        time(18, 30),
        time(20, 0),
        "香取市役所 大会議室",
        [T.ISSUE_EXTRACTION, T.INFORMATION_SHARING],
        [S.DISCHARGE, S.DAILY_CARE],
        ["髙橋 健一", "山吹 さやか", "田中 恵", "加藤 真由美", "山田 花子", "井上 純子", "清水 智子", "池田 誠"],
        "退院時の情報共有シートの運用状況を確認。夜間の連絡先一覧が古いとの意見。",
    ),
    (
        6,
        18,
        K.CASE_CONFERENCE,
        "症例検討会（がん末期の在宅看取り）",
        time(19, 0),
        time(20, 30),
        "北総かとり中央病院 講堂",
        [T.STUDY_CASE, T.END_OF_LIFE],
        [S.END_OF_LIFE],
        ["髙橋 健一", "鈴木 一郎", "加藤 真由美", "吉田 美和", "井上 純子", "松本 大輔"],
        "在宅看取りの事例を共有。",
    ),
    (
        7,
        16,
        K.MULTIDISCIPLINARY,
        "第2回 北総かとり多職種連携会議",
        time(18, 30),
        time(20, 0),
        "オンライン（Zoom）",
        [T.DISASTER, T.EMERGENCY],
        [S.EMERGENCY],
        ["山吹 さやか", "伊藤 由紀", "加藤 真由美", "佐々木 亮", "山田 花子", "前田 翔", "森 和夫"],
        "災害時の安否確認の手順を検討。人工呼吸器利用者の名簿管理が課題。",
    ),
    (
        8,
        27,
        K.TRAINING_ACCOMPANIED_VISIT,
        "同行訪問研修（在宅医療未経験の医師）",
        time(13, 0),
        time(17, 0),
        "やまぶき在宅クリニック",
        [T.STUDY_CASE],
        [S.DAILY_CARE],
        ["山吹 さやか", "鈴木 一郎"],
        "",
    ),
    (
        10,
        8,
        K.ADMIN_MANAGERS,
        "行政・管理者会合",
        time(15, 0),
        time(16, 30),
        "香取健康福祉センター 会議室",
        [T.ISSUE_EXTRACTION],
        [S.DISCHARGE, S.EMERGENCY],
        ["池田 誠", "石川 直美", "伊藤 由紀", "藤田 京子", "加藤 真由美", "森 和夫", "髙橋 健一"],
        "後方支援病床の確保と夜間の代診体制について協議。",
    ),
    (
        10,
        25,
        K.PUBLIC_LECTURE,
        "市民公開講座「住み慣れた家で最期まで」",
        time(14, 0),
        time(16, 0),
        "佐原文化会館",
        [T.END_OF_LIFE],
        [S.END_OF_LIFE],
        [],
        "",
    ),
    (
        1,
        20,
        K.MULTIDISCIPLINARY,
        "第3回 北総かとり多職種連携会議",
        time(18, 30),
        time(20, 0),
        "香取市役所 大会議室",
        [T.ISSUE_EXTRACTION, T.ADMISSION_DISCHARGE],
        [S.DISCHARGE],
        ["髙橋 健一", "山吹 さやか", "田中 恵", "加藤 真由美", "山田 花子", "井上 純子", "前田 翔", "池田 誠"],
        "",
    ),
    (
        3,
        10,
        K.MULTIDISCIPLINARY,
        "第4回 北総かとり多職種連携会議（年度のまとめ）",
        time(18, 30),
        time(20, 0),
        "香取市役所 大会議室",
        [T.ISSUE_EXTRACTION],
        [S.DAILY_CARE],
        [],
        "",
    ),
]


def seed(ctx) -> None:
    from hubapp.demo import WIDE_AREA_HUB

    hub = ctx.hubs[WIDE_AREA_HUB]
    if db.session.scalar(sa.select(sa.exists().where(Meeting.hub_id == hub.id))):
        return
    fy = FiscalYear.of(today())
    people = directory.people_by_name(hub.id)
    meetings = {}
    for month, day, kind, title, start, end, place, topics, scenes, names, summary in PLAN:
        when = date(fy.year + (month < 4), month, day)
        meeting, _ = services.save_meeting(
            hub.id,
            {
                "kind": kind,
                "title": title,
                "starts_at": services.jst_datetime(when, start),
                "ends_at": services.jst_datetime(when, end),
                "place": place,
                "organizer_name": hub.name,
                "agenda": "1. 開会\n2. 報告\n3. 協議\n4. その他",
                "summary": summary if when < today() else "",
            },
            topics,
            scenes,
        )
        meetings[title] = meeting
        invited = services.invite(meeting, [people[n] for n in names if n in people])
        if when < today():
            for n, participant in enumerate(invited):
                status = AttendanceStatus.ABSENT if n == len(invited) - 1 and n > 3 else AttendanceStatus.PRESENT
                services.mark_attendance(meeting, participant, status)
            if kind is K.MULTIDISCIPLINARY and invited:
                services.add_walk_in(meeting, "香取 一郎", Profession.CARE_WORKER, "デイサービスさわら")
        else:  # still to come: some have answered (RSVPs, which count for nothing yet)
            for n, participant in enumerate(invited[: (len(invited) + 1) // 2]):
                status = AttendanceStatus.DECLINED if n == 2 else AttendanceStatus.ATTENDING
                services.mark_attendance(meeting, participant, status)
        if kind is K.PUBLIC_LECTURE and when < today():
            services.set_headcounts(meeting, 86, 23, 11)
            services.set_survey(meeting, 94, 78, 13, 3, "家族で話し合うきっかけになった。\n訪問看護の費用が知りたい。")
    first = meetings["第1回 北総かとり多職種連携会議"]
    second = meetings["第2回 北総かとり多職種連携会議"]
    if first.starts_at.date() < today():
        contact = services.create_issue(
            hub.id,
            first,
            "夜間・休日の連絡先一覧が古い",
            "医療機関の夜間連絡先が更新されていない。",
            "事務局（佐藤）",
            date(fy.year, 12, 28),
            fy.year,
        )
        services.add_countermeasure(
            contact, first, "地域資源の要確認リストで全機関に照会する", "事務局", date(fy.year, 9, 30)
        )
    if second.starts_at.date() < today():
        ventilator = services.create_issue(
            hub.id,
            second,
            "人工呼吸器利用者の災害時名簿",
            "停電時の電源確保と安否確認の担当が未定。",
            "香取市 高齢者福祉課",
            date(fy.year + 1, 3, 31),
            fy.year,
        )
        services.add_countermeasure(
            ventilator,
            second,
            "訪問看護ステーションと市で名簿の共有ルールを作る",
            "訪問看護ステーションかとり",
            date(fy.year, 12, 31),
        )
    ctx.created.append(f"会議・研修 {len(PLAN)}件")
