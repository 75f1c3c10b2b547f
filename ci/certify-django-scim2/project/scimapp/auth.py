"""Bearer token authentication for the run: `Authorization: Bearer
$SCIM_TOKEN` is the service account; anything else is anonymous, which
django-scim2's SCIMAuthCheckMiddleware answers with 401."""
import hmac
import os

from django.contrib.auth import get_user_model


class BearerTokenMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.token = os.environ["SCIM_TOKEN"]

    def __call__(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        given = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        if given and hmac.compare_digest(given, self.token):
            user, _ = get_user_model().objects.get_or_create(
                username="certify-service-account", defaults={"is_active": True}
            )
            request.user = user
        else:
            from django.contrib.auth.models import AnonymousUser

            request.user = AnonymousUser()
        return self.get_response(request)
