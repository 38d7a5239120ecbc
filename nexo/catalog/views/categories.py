"""Categories: the tree on one page, a form to add one, and one to rename or move a category."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from nexo.catalog import queries, services
from nexo.catalog.forms import CategoryForm
from nexo.catalog.models import Category
from nexo.core.errors import ValidationFailed
from nexo.core.forms import apply_failure
from nexo.core.permissions import page
from nexo.core.rules import fold


def _tree(request: HttpRequest) -> list[tuple[Category, int]]:
    """Each category with its depth, in tree order: children right under their parent, by name."""
    categories = queries.category_tree(request.company)
    by_id = {category.pk: category for category in categories}

    def key(category: Category) -> tuple:
        ids = [int(part) for part in category.path.strip("/").split("/") if part]
        return tuple((fold(by_id[pk].name), pk) if pk in by_id else ("", pk) for pk in ids)

    return [(category, len(key(category)) - 1) for category in sorted(categories, key=key)]


@page("catalog.view_category")
def category_list(request: HttpRequest) -> HttpResponse:
    form = CategoryForm(request.POST or None, company=request.company)
    if request.method == "POST":
        if not request.user.has_perm("catalog.add_category"):
            raise PermissionDenied(_("Your role does not allow this."))
        if form.is_valid():
            try:
                category = services.category_create(
                    company=request.company, by=request.user, **form.service_fields()
                )
            except ValidationFailed as failure:
                apply_failure(form, failure)
            else:
                messages.success(request, _("Category %(name)s added.") % {"name": category.full_name})
                return redirect("catalog:category_list")
    context = {"tree": _tree(request), "form": form, "title": _("Categories")}
    return render(request, "catalog/category_list.html", context, status=422 if form.errors else 200)


@page("catalog.change_category")
def category_edit(request: HttpRequest, category_id: int) -> HttpResponse:
    category = get_object_or_404(Category, company=request.company, pk=category_id)
    form = CategoryForm(request.POST or None, instance=category, company=request.company)
    if request.method == "POST" and form.is_valid():
        try:
            services.category_update(
                company=request.company, category_id=category.pk, by=request.user, **form.service_fields()
            )
        except ValidationFailed as failure:
            apply_failure(form, failure)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("catalog:category_list")
    context = {
        "form": form,
        "title": _("Rename or move %(name)s") % {"name": category.full_name},
        "cancel_url": reverse("catalog:category_list"),
    }
    return render(request, "core/form.html", context, status=422 if form.errors else 200)
