from kasuhara_recorder.policy.profile import (
    Category,
    Group,
    NoticeWords,
    PolicyProfile,
    Response,
    Rules,
    load_profile,
)

__all__ = ["Category", "Group", "NoticeWords", "PolicyProfile", "Response", "Rules", "load_profile"]
