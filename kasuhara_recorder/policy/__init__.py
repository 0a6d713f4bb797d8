from kasuhara_recorder.policy.profile import (
    Category,
    Group,
    PolicyProfile,
    Response,
    Rules,
    load_profile,
)

__all__ = ["Category", "Group", "PolicyProfile", "Response", "Rules", "load_profile"]
