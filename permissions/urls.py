"""The access-review pages (permissions/views.py)."""

from django.urls import path

from permissions import views

app_name = "permissions"

urlpatterns = [
    path("", views.review_list, name="access_reviews"),
    path("open/", views.review_open_now, name="access_reviews_open"),
    path("unused/", views.unused_access, name="unused_access"),
    path("<int:review_id>/", views.review_detail, name="access_review"),
    path("<int:review_id>/items/<int:item_id>/", views.review_decide, name="access_review_decide"),
]
