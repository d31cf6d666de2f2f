"""The shared vocabulary of the domains: codes stored in several domains' tables or read across them
(職種, 機関の種別, 会議の種類・議題・場面, the audit trail's actions), each with the one Japanese label that
pages, CSV and XLSX show. Every domain may import this module; it imports no domain."""

from collections.abc import Mapping
from enum import StrEnum

from flask_babel import lazy_gettext as _l

_LABELS: dict[type, Mapping] = {}


class LabelledEnum(StrEnum):
    """A stored code with its label for people (``member.label``, in the user's language), registered
    once with :func:`labelled`."""

    @property
    def label(self) -> str:
        # keyed by class first: several enums share values ("other", "end_of_life")
        return str(_LABELS[type(self)][self])


def labelled(enum: type[LabelledEnum], labels: Mapping) -> Mapping:
    """Register the labels of ``enum`` (every member needs one) and return them."""
    missing = [m for m in enum if m not in labels]
    if missing:
        raise ValueError(f"{enum.__name__}: no label for {missing}")
    _LABELS[enum] = labels
    return labels


class AuditAction(LabelledEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    #: The second factor passed (TOTP or a recovery code) or failed.
    MFA = "mfa"
    MFA_FAILED = "mfa_failed"
    #: A request refused with 403.
    ACCESS_DENIED = "access_denied"
    #: A file of records taken away (CSV, XLSX, ZIP, a document download).
    EXPORT = "export"


ACTION_LABELS = labelled(
    AuditAction,
    {
        AuditAction.CREATE: _l("作成"),
        AuditAction.UPDATE: _l("変更"),
        AuditAction.DELETE: _l("削除"),
        AuditAction.VIEW: _l("閲覧"),
        AuditAction.LOGIN: _l("ログイン"),
        AuditAction.LOGIN_FAILED: _l("ログイン失敗"),
        AuditAction.LOGOUT: _l("ログアウト"),
        AuditAction.MFA: _l("二要素認証"),
        AuditAction.MFA_FAILED: _l("二要素認証の失敗"),
        AuditAction.ACCESS_DENIED: _l("アクセス拒否"),
        AuditAction.EXPORT: _l("書き出し"),
    },
)


class OrganisationType(LabelledEnum):
    HOSPITAL = "hospital"
    CLINIC = "clinic"
    HOME_CARE_CLINIC = "home_care_clinic"
    HOME_CARE_HOSPITAL = "home_care_hospital"
    DENTAL_CLINIC = "dental_clinic"
    PHARMACY = "pharmacy"
    VISITING_NURSING = "visiting_nursing"
    CARE_MANAGEMENT = "care_management"
    COMMUNITY_CARE_CENTER = "community_care_center"
    DISABILITY_CONSULTATION = "disability_consultation"
    CARE_FACILITY = "care_facility"
    GOVERNMENT = "government"
    OTHER = "other"


#: Labels as the issue and the open data write them; also indexed for search (「訪問看護ステーション」).
ORGANISATION_TYPE_LABELS = labelled(
    OrganisationType,
    {
        OrganisationType.HOSPITAL: _l("病院"),
        OrganisationType.CLINIC: _l("診療所"),
        OrganisationType.HOME_CARE_CLINIC: _l("在宅療養支援診療所"),
        OrganisationType.HOME_CARE_HOSPITAL: _l("在宅療養支援病院"),
        OrganisationType.DENTAL_CLINIC: _l("歯科診療所"),
        OrganisationType.PHARMACY: _l("薬局"),
        OrganisationType.VISITING_NURSING: _l("訪問看護ステーション"),
        OrganisationType.CARE_MANAGEMENT: _l("居宅介護支援事業所"),
        OrganisationType.COMMUNITY_CARE_CENTER: _l("地域包括支援センター"),
        OrganisationType.DISABILITY_CONSULTATION: _l("障害者相談支援事業所"),
        OrganisationType.CARE_FACILITY: _l("介護施設"),
        OrganisationType.GOVERNMENT: _l("行政"),
        OrganisationType.OTHER: _l("その他"),
    },
)


class Profession(LabelledEnum):
    """職種 (shared/formats/shokushu_references.md)."""

    PHYSICIAN = "physician"
    DENTIST = "dentist"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"
    PUBLIC_HEALTH_NURSE = "public_health_nurse"
    ASSISTANT_NURSE = "assistant_nurse"
    PHYSICAL_THERAPIST = "physical_therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist"
    SPEECH_THERAPIST = "speech_therapist"
    DIETITIAN = "dietitian"
    DENTAL_HYGIENIST = "dental_hygienist"
    CARE_MANAGER = "care_manager"
    SOCIAL_WORKER = "social_worker"
    MEDICAL_SOCIAL_WORKER = "medical_social_worker"
    PSYCHIATRIC_SOCIAL_WORKER = "psychiatric_social_worker"
    CARE_WORKER = "care_worker"
    HOME_HELPER = "home_helper"
    DISABILITY_CONSULTANT = "disability_consultant"
    GOVERNMENT_OFFICER = "government_officer"
    FACILITY_MANAGER = "facility_manager"
    OTHER = "other"


PROFESSION_LABELS = labelled(
    Profession,
    {
        Profession.PHYSICIAN: _l("医師"),
        Profession.DENTIST: _l("歯科医師"),
        Profession.PHARMACIST: _l("薬剤師"),
        Profession.NURSE: _l("看護師"),
        Profession.PUBLIC_HEALTH_NURSE: _l("保健師"),
        Profession.ASSISTANT_NURSE: _l("准看護師"),
        Profession.PHYSICAL_THERAPIST: _l("理学療法士"),
        Profession.OCCUPATIONAL_THERAPIST: _l("作業療法士"),
        Profession.SPEECH_THERAPIST: _l("言語聴覚士"),
        Profession.DIETITIAN: _l("管理栄養士"),
        Profession.DENTAL_HYGIENIST: _l("歯科衛生士"),
        Profession.CARE_MANAGER: _l("介護支援専門員"),
        Profession.SOCIAL_WORKER: _l("社会福祉士"),
        Profession.MEDICAL_SOCIAL_WORKER: _l("医療ソーシャルワーカー"),
        Profession.PSYCHIATRIC_SOCIAL_WORKER: _l("精神保健福祉士"),
        Profession.CARE_WORKER: _l("介護福祉士"),
        Profession.HOME_HELPER: _l("訪問介護員"),
        Profession.DISABILITY_CONSULTANT: _l("相談支援専門員"),
        Profession.GOVERNMENT_OFFICER: _l("行政職員"),
        Profession.FACILITY_MANAGER: _l("施設管理者"),
        Profession.OTHER: _l("その他"),
    },
)


class MeetingKind(LabelledEnum):
    MULTIDISCIPLINARY = "multidisciplinary"
    ADMIN_MANAGERS = "admin_managers"
    TRAINING_MULTIDISCIPLINARY = "training_multidisciplinary"
    TRAINING_ACCOMPANIED_VISIT = "training_accompanied_visit"
    TRAINING_MUTUAL_UNDERSTANDING = "training_mutual_understanding"
    CASE_CONFERENCE = "case_conference"
    WORKING_GROUP = "working_group"
    PUBLIC_LECTURE = "public_lecture"
    DISASTER = "disaster"

    @property
    def is_training(self) -> bool:
        return self.value.startswith("training_")

    @property
    def is_public(self) -> bool:
        """Public events record head counts instead of names."""
        return self is MeetingKind.PUBLIC_LECTURE


class Topic(LabelledEnum):
    """What an agenda covers (program A item 1 ①–④)."""

    ISSUE_EXTRACTION = "issue_extraction"
    STUDY_CASE = "study_case"
    DISASTER = "disaster"
    INFORMATION_SHARING = "information_sharing"
    ADMISSION_DISCHARGE = "admission_discharge"
    END_OF_LIFE = "end_of_life"
    EMERGENCY = "emergency"
    DEMENTIA = "dementia"
    OTHER = "other"


class Scene(LabelledEnum):
    """The four 場面 of home care (program B; 在宅医療・介護連携推進事業)."""

    DISCHARGE = "discharge"
    DAILY_CARE = "daily_care"
    EMERGENCY = "emergency"
    END_OF_LIFE = "end_of_life"


labelled(
    MeetingKind,
    {
        MeetingKind.MULTIDISCIPLINARY: _l("多職種連携会議"),
        MeetingKind.ADMIN_MANAGERS: _l("行政・管理者会合"),
        MeetingKind.TRAINING_MULTIDISCIPLINARY: _l("研修会（多職種研修）"),
        MeetingKind.TRAINING_ACCOMPANIED_VISIT: _l("研修会（同行訪問研修）"),
        MeetingKind.TRAINING_MUTUAL_UNDERSTANDING: _l("研修会（相互理解研修）"),
        MeetingKind.CASE_CONFERENCE: _l("症例検討会"),
        MeetingKind.WORKING_GROUP: _l("部会・WG"),
        MeetingKind.PUBLIC_LECTURE: _l("住民向け講演会・出前講座"),
        MeetingKind.DISASTER: _l("災害対策会議"),
    },
)
labelled(
    Topic,
    {
        Topic.ISSUE_EXTRACTION: _l("課題抽出・対応策検討"),
        Topic.STUDY_CASE: _l("学習会・症例検討"),
        Topic.DISASTER: _l("災害時対応"),
        Topic.INFORMATION_SHARING: _l("情報共有ルール"),
        Topic.ADMISSION_DISCHARGE: _l("入退院支援"),
        Topic.END_OF_LIFE: _l("看取り"),
        Topic.EMERGENCY: _l("急変時対応"),
        Topic.DEMENTIA: _l("認知症"),
        Topic.OTHER: _l("その他"),
    },
)
labelled(
    Scene,
    {
        Scene.DISCHARGE: _l("退院支援"),
        Scene.DAILY_CARE: _l("日常の療養支援"),
        Scene.EMERGENCY: _l("急変時の対応"),
        Scene.END_OF_LIFE: _l("看取り"),
    },
)
