from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from nexo.api import api
from nexo.core import views as core_views
from nexo.core.converters import RecordIdConverter
from nexo.core.modules import nexo_modules

# Registered before the modules' URLs are included: they use <id:...> for record ids.
register_converter(RecordIdConverter, "id")

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", core_views.profile, name="profile"),
    path("profile/tokens/<id:token_id>/revoke/", core_views.token_revoke, name="token_revoke"),
    path("company/switch/", core_views.company_switch, name="company_switch"),
    path("language/", core_views.language_switch, name="language_switch"),
    # Each module's pages under the prefix its AppConfig declares (nexo/modules.py lists the modules).
    *(path(module.url_prefix, include(f"{module.name}.urls")) for module in nexo_modules() if module.url_prefix),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
