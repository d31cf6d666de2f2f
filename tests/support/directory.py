"""Directory files as the publishers make them: rows in the 医療機関 open-data layout, cp932 with CRLF,
and GOOD, a file of good rows."""

NEW_MEDICAL_HEADER = (
    "全国地方公共団体コード,ID,地方公共団体名,名称,名称_カナ,名称_英字,医療機関の種類,所在地_全国地方公共団体コード,"
    "町字ID,所在地_連結表記,所在地_都道府県,所在地_市区町村,所在地_町字,所在地_番地以下,建物名等(方書),緯度,経度,"
    "高度の種別,高度の値,電話番号,内線番号,FAX番号,連絡先メールアドレス,連絡先FormURL,連絡先備考（その他、SNSなど）,"
    "郵便番号,法人番号,法人の名称,医療機関コード,診療曜日,診療開始時間,診療終了時間,診療日時特記事項,時間外における対応,"
    "診療科目,病床数,災害拠点分類,状況,URL,画像,画像_ライセンス,備考"
)


def medical_row(name, kana, kind, address, lat, lon, phone, fax, code, beds=""):
    cells = [
        "122360",
        "",
        "香取市",
        name,
        kana,
        "",
        kind,
        "122360",
        "",
        address,
        "千葉県",
        "香取市",
        "",
        "",
        "",
        lat,
        lon,
        "",
        "",
        phone,
        "",
        fax,
        "",
        "",
        "",
        "287-0003",
        "",
        "",
        code,
        "月火水木金",
        "09:00",
        "17:00",
        "",
        "",
        "内科",
        beds,
        "",
        "",
        "",
        "",
        "",
        "",
    ]
    return ",".join(cells)


def cp932_file(*rows: str) -> bytes:
    return ("\r\n".join([NEW_MEDICAL_HEADER, *rows]) + "\r\n").encode("cp932")


GOOD = cp932_file(
    medical_row(
        "髙橋内科医院",
        "ﾀｶﾊｼﾅｲｶｲｲﾝ",
        "診療所",
        "千葉県香取市佐原イ505",
        "35.8901",
        "140.4990",
        "0478-50-0505",
        "0478-50-0506",
        "1211234567",
    ),
    medical_row(
        "㈱﨑山メディカル 佐原病院",
        "サキヤマメディカルサワラビョウイン",
        "病院",
        "千葉県香取市佐原ロ①番地",
        "35.8911",
        "140.5001",
        "0478-50-2222",
        "0478-50-2223",
        "1211234568",
        "120",
    ),
)
