"""Who may do what: the model permissions of the role groups, reading included."""

from rest_framework.permissions import DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """DRF's model permissions, but reading needs `view_<model>` too.

    DRF lets any authenticated user read; here an account without a role group (and so
    without view permissions) gets 403, as everywhere else in the application.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
